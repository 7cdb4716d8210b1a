/**
 * What the decode target starts from: Kraken's real frames (read in place from the shared
 * fixtures, never copied), Kraken's documented level 3 examples, and frames of every channel built
 * from a template with random values, some of the wrong type.
 *
 * @module
 */

import { fixtureLines, fixturePath } from "../fixtures.ts";
import {
  guideSnapshotFrame,
  REFERENCE_SNAPSHOT,
  REFERENCE_UPDATE,
} from "../book/level3_vectors.ts";
import type { Raw } from "./json_tree.ts";
import { randomValue, swapType } from "./mutators.ts";
import type { Rng } from "./random.ts";

let realFrames: readonly string[] | undefined;

/**
 * Every recorded frame: the live capture, the single samples, the re-serialised book's frames and
 * the level 3 examples. Read once; the order is the files' own, so a seed picks the same frame on
 * every run.
 */
export function recordedFrames(): readonly string[] {
  if (realFrames === undefined) {
    const reserialized = JSON.parse(
      Deno.readTextFileSync(fixturePath("reserialized-btc-usd-book.json")),
    ) as { init: unknown; updates: unknown[] };
    realFrames = [
      ...fixtureLines("live-btc-eth.ndjson"),
      ...fixtureLines("samples.ndjson"),
      JSON.stringify(reserialized.init),
      ...reserialized.updates.slice(0, 50).map((update) => JSON.stringify(update)),
      guideSnapshotFrame(false),
      guideSnapshotFrame(true),
      REFERENCE_SNAPSHOT,
      REFERENCE_UPDATE,
    ];
  }
  return realFrames;
}

const num = (text: string): Raw => ({ kind: "number", text });
const str = (value: string): Raw => ({ kind: "string", value });
const bool = (value: boolean): Raw => ({ kind: "literal", text: value ? "true" : "false" });
const arr = (...items: Raw[]): Raw => ({ kind: "array", items });
const obj = (fields: Record<string, Raw>): Raw => ({
  kind: "object",
  entries: Object.entries(fields),
});

function decimal(rng: Rng, decimals = rng.range(0, 8)): Raw {
  const whole = String(rng.int(rng.pick([1, 100, 100_000])));
  return num(
    decimals === 0 ? whole : `${whole}.${String(rng.int(10 ** decimals)).padStart(decimals, "0")}`,
  );
}

const symbol = (rng: Rng): Raw => str(rng.pick(["BTC/USD", "ETH/USD", "XBT/USD", "MATIC/GBP", ""]));
const time = (rng: Rng): Raw =>
  str(rng.pick(["2026-07-07T23:00:04.585581Z", "2024-01-08T12:26:39.526146327Z", "yesterday"]));
const frameType = (rng: Rng): Raw => str(rng.pick(["snapshot", "update"]));

function levels(rng: Rng): Raw {
  return arr(
    ...Array.from(
      { length: rng.int(4) },
      () => obj({ price: decimal(rng, 1), qty: decimal(rng, 8) }),
    ),
  );
}

function orders(rng: Rng): Raw {
  return arr(...Array.from({ length: rng.int(4) }, () =>
    obj({
      event: str(rng.pick(["add", "modify", "delete"])),
      order_id: str(`O${rng.int(1e6)}`),
      limit_price: decimal(rng, 1),
      order_qty: decimal(rng, 8),
      timestamp: time(rng),
    })));
}

/** One well-formed frame of each kind Kraken sends (or might). */
const TEMPLATES: readonly ((rng: Rng) => Raw)[] = [
  (rng) =>
    obj({
      channel: str("book"),
      type: frameType(rng),
      data: arr(
        obj({
          symbol: symbol(rng),
          bids: levels(rng),
          asks: levels(rng),
          checksum: num(String(rng.int(2 ** 32))),
          timestamp: time(rng),
        }),
      ),
    }),
  (rng) =>
    obj({
      channel: str("level3"),
      type: frameType(rng),
      data: arr(
        obj({
          symbol: symbol(rng),
          checksum: num(String(rng.int(2 ** 32))),
          bids: orders(rng),
          asks: orders(rng),
        }),
      ),
    }),
  (rng) =>
    obj({
      channel: str("trade"),
      type: frameType(rng),
      data: arr(obj({
        symbol: symbol(rng),
        side: str(rng.pick(["buy", "sell"])),
        price: decimal(rng),
        qty: decimal(rng),
        ord_type: str("limit"),
        trade_id: num(String(rng.int(1e9))),
        timestamp: time(rng),
      })),
    }),
  (rng) =>
    obj({
      channel: str("ticker"),
      type: frameType(rng),
      data: arr(obj(Object.fromEntries([
        ["symbol", symbol(rng)],
        ...[
          "bid",
          "bid_qty",
          "ask",
          "ask_qty",
          "last",
          "volume",
          "vwap",
          "low",
          "high",
          "change",
          "change_pct",
        ]
          .map((name) => [name, decimal(rng)]),
        ["timestamp", time(rng)],
      ]))),
    }),
  (rng) =>
    obj({
      channel: str("ohlc"),
      type: frameType(rng),
      data: arr(obj({
        symbol: symbol(rng),
        open: decimal(rng),
        high: decimal(rng),
        low: decimal(rng),
        close: decimal(rng),
        vwap: decimal(rng),
        trades: num(String(rng.int(1000))),
        volume: decimal(rng),
        interval_begin: time(rng),
        interval: num(rng.pick(["1", "5", "60", "7"])),
        timestamp: time(rng),
      })),
    }),
  (rng) =>
    obj({
      channel: str("status"),
      type: str("update"),
      data: arr(obj({
        api_version: str("v2"),
        connection_id: num("12393906104898154338"),
        system: str(rng.pick(["online", "maintenance", "cancel_only", "post_only"])),
        version: str("2.0.10"),
      })),
    }),
  () => obj({ channel: str("heartbeat") }),
  (rng) =>
    obj({
      channel: str("instrument"),
      type: frameType(rng),
      data: obj({
        assets: arr(
          obj({
            id: str("BTC"),
            status: str("enabled"),
            precision: num("10"),
            precision_display: num("5"),
            borrowable: bool(true),
            collateral_value: num("1.0"),
            margin_rate: num("0.02"),
          }),
        ),
        pairs: arr(obj({
          symbol: symbol(rng),
          base: str("BTC"),
          quote: str("USD"),
          status: str("online"),
          qty_precision: num("8"),
          qty_increment: num("1e-08"),
          price_precision: num(rng.pick(["1", "31", "-1"])),
          cost_precision: num("5"),
          marginable: bool(true),
          has_index: bool(false),
          cost_min: rng.chance(0.5) ? num("0.5") : str("0.5"),
          price_increment: num("0.1"),
          qty_min: num("0.0001"),
        })),
      }),
    }),
  (rng) =>
    obj({
      channel: str("executions"),
      type: frameType(rng),
      sequence: num(String(rng.int(100))),
      data: arr(obj({
        order_id: str("OK4GJX-KSTLS-7DZZO5"),
        symbol: symbol(rng),
        order_qty: decimal(rng),
        cum_cost: decimal(rng),
        exec_type: str(rng.pick(["new", "trade", "canceled", "pending_new"])),
        side: str("sell"),
        order_type: str("limit"),
        limit_price: decimal(rng),
        order_status: str("new"),
        timestamp: time(rng),
      })),
    }),
  (rng) =>
    obj({
      channel: str("balances"),
      type: frameType(rng),
      sequence: num(String(rng.int(100))),
      data: arr(
        obj({
          asset: str("BTC"),
          balance: decimal(rng),
          wallets: arr(obj({ type: str("spot"), id: str("main"), balance: decimal(rng) })),
        }),
      ),
    }),
  (rng) =>
    obj({
      method: str(rng.pick(["subscribe", "unsubscribe"])),
      req_id: num(String(rng.int(100))),
      result: obj({
        channel: str(rng.pick(["book", "trade", "ticker", "ohlc", "instrument", "level3"])),
        symbol: symbol(rng),
        depth: num(rng.pick(["10", "25", "7", "1000"])),
        snapshot: bool(true),
        event_trigger: str("trades"),
        interval: num("60"),
        warnings: arr(str("timestamp is deprecated")),
      }),
      success: bool(true),
      time_in: time(rng),
      time_out: time(rng),
    }),
  (rng) =>
    obj({
      method: str("subscribe"),
      error: str(
        rng.pick([
          "Already subscribed",
          "Currency pair not supported XBT/USD",
          "Exceeded msg rate",
        ]),
      ),
      success: bool(false),
      symbol: symbol(rng),
      req_id: num(String(rng.int(100))),
      time_in: time(rng),
      time_out: time(rng),
    }),
  (rng) =>
    obj({
      method: str("pong"),
      req_id: num(String(rng.int(100))),
      time_in: time(rng),
      time_out: time(rng),
    }),
  (rng) =>
    obj({
      method: str(
        rng.pick(["add_order", "cancel_order", "amend_order", "batch_add", "cancel_all"]),
      ),
      req_id: num(String(rng.int(100))),
      result: obj({
        order_id: str("OPS23M-VS41G-DDE5Z2"),
        cl_ord_id: str("my-order"),
        count: num("1"),
      }),
      success: bool(rng.chance(0.8)),
      time_in: time(rng),
      time_out: time(rng),
    }),
  (rng) =>
    obj({ channel: str(rng.pick(["nope", "Book", "book "])), type: str("update"), data: arr() }),
];

/**
 * A frame of a random kind with random values; with `wrongTypes`, some of its values (at any
 * depth) are replaced by values of another type.
 */
export function templateFrame(rng: Rng, wrongTypes: boolean): Raw {
  const root = rng.pick(TEMPLATES)(rng);
  if (!wrongTypes) return root;
  const swap = (raw: Raw): Raw => {
    if (rng.chance(0.12)) return rng.chance(0.5) ? swapType(rng, raw) : randomValue(rng);
    if (raw.kind === "array") raw.items = raw.items.map(swap);
    else if (raw.kind === "object") {
      raw.entries = raw.entries.map(([key, value]) => [key, swap(value)]);
    }
    return raw;
  };
  return swap(root);
}
