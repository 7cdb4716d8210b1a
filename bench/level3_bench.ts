/**
 * The level 3 hot path: decode, apply every order event to a `Level3Book`, verify its checksum,
 * at depth 10 and 1000, beside plain `JSON.parse` of the same frames in the same run. Quote the
 * ratio to the baseline.
 *
 * The frames are synthetic and seeded: a BTC/USD-like book (0.1 ticks, 1 to 8 orders a level),
 * then updates of 1 to 6 order events each, most of them near the top as on a live book: adds at
 * the back of a level or at a new price, fills (a modify that lowers the quantity in place) and
 * cancels (a delete), each frame carrying the checksum Kraken would send.
 *
 * "+ full checksum" recomputes the checksum from every order's text as well, beside the book's
 * incremental one: the difference is what the digest caching saves.
 *
 * Run: `deno bench -A bench/level3_bench.ts`
 */

import { Level3Book } from "../src/book/level3_book.ts";
import { level3Checksum } from "../src/book/level3_checksum.ts";
import type { Level3PriceLevel } from "../src/book/level3_side.ts";
import { decode } from "../src/protocol/decode.ts";
import type { Level3Order } from "../src/protocol/level3_messages.ts";
import { benchJsonParse } from "./bench_frames.ts";

const SYMBOL = "BTC/USD";
const UPDATES = 2000;
const RUNS = { warmup: 20, n: 100 };
const TIME = "2026-11-27T12:00:00.000000000Z";

interface GenOrder {
  readonly id: string;
  readonly priceText: string;
  qtyText: string;
}

interface GenLevel {
  readonly price: number;
  readonly priceText: string;
  readonly orders: GenOrder[];
}

/** mulberry32: the same frames every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function orderJson(order: GenOrder, event?: string): string {
  const head = event === undefined ? "" : `"event":"${event}",`;
  return `{${head}"order_id":"${order.id}","limit_price":${order.priceText},"order_qty":${order.qtyText},"timestamp":"${TIME}"}`;
}

/** The generator's levels as the checksum reads them (only the top 10 are read). */
function asLevels(levels: readonly GenLevel[]): Level3PriceLevel[] {
  return levels.slice(0, 10).map((level) => ({
    price: level.price,
    priceText: level.priceText,
    orders: level.orders.map((order): Level3Order => ({
      orderId: order.id,
      limitPrice: level.price,
      limitPriceText: order.priceText,
      orderQty: Number(order.qtyText),
      orderQtyText: order.qtyText,
      timestamp: TIME,
    })),
  }));
}

/** A snapshot of `depth` levels a side and `updates` update frames, all with their checksums. */
function level3Frames(depth: number, updates: number, seed: number): string[] {
  const random = seeded(seed);
  let nextId = 0;
  const newOrder = (priceText: string): GenOrder => ({
    id: `O${(++nextId).toString(36).toUpperCase().padStart(6, "0")}-BENCH-L3`,
    priceText,
    qtyText: (0.0001 + random() * 2).toFixed(8),
  });
  const newLevel = (tick: number): GenLevel => {
    const priceText = (tick / 10).toFixed(1);
    const orders = Array.from({ length: 1 + Math.floor(random() * 8) }, () => newOrder(priceText));
    return { price: tick / 10, priceText, orders };
  };
  // Ticks of 0.1 around 50 000.0; a level every one to three ticks.
  const sides = { bids: [] as GenLevel[], asks: [] as GenLevel[] };
  for (let i = 0, tick = 499_999; i < depth; i++, tick -= 1 + Math.floor(random() * 3)) {
    sides.bids.push(newLevel(tick));
  }
  for (let i = 0, tick = 500_001; i < depth; i++, tick += 1 + Math.floor(random() * 3)) {
    sides.asks.push(newLevel(tick));
  }
  const checksum = () => level3Checksum(asLevels(sides.asks), asLevels(sides.bids));
  const side = (levels: GenLevel[]) =>
    levels.flatMap((level) => level.orders).map((order) => orderJson(order)).join(",");
  const frames = [
    `{"channel":"level3","type":"snapshot","data":[{"symbol":"${SYMBOL}","checksum":${checksum()},` +
    `"bids":[${side(sides.bids)}],"asks":[${side(sides.asks)}],"timestamp":"${TIME}"}]}`,
  ];
  for (let u = 0; u < updates; u++) {
    const events = { bids: [] as string[], asks: [] as string[] };
    const count = 1 + Math.floor(random() * 6);
    for (let e = 0; e < count; e++) {
      const name = random() < 0.5 ? "bids" : "asks";
      const levels = sides[name];
      // Most activity at the top: level index roughly exponential with mean 4.
      const index = Math.min(levels.length - 1, Math.floor(-Math.log(1 - random()) * 4));
      const level = levels[index];
      const roll = random();
      if (roll < 0.25) {
        const order = newOrder(level.priceText);
        level.orders.push(order);
        events[name].push(orderJson(order, "add"));
      } else if (roll < 0.4) {
        // A new price one tick inside or outside the chosen level, when that tick is free.
        const direction = (name === "bids" ? 1 : -1) * (random() < 0.5 ? 1 : -1);
        const tick = Math.round(level.price * 10) + direction;
        if (levels.some((other) => Math.round(other.price * 10) === tick)) continue;
        if (name === "bids" && tick >= Math.round(sides.asks[0].price * 10)) continue;
        if (name === "asks" && tick <= Math.round(sides.bids[0].price * 10)) continue;
        const priceText = (tick / 10).toFixed(1);
        const order = newOrder(priceText);
        levels.push({ price: tick / 10, priceText, orders: [order] });
        levels.sort((a, b) => name === "bids" ? b.price - a.price : a.price - b.price);
        events[name].push(orderJson(order, "add"));
      } else if (roll < 0.75) {
        // A fill: the first order of the level loses part of its quantity, in place.
        const order = level.orders[0];
        const qty = Number(order.qtyText) * (0.2 + random() * 0.6);
        if (qty < 0.0001) continue;
        order.qtyText = qty.toFixed(8);
        events[name].push(orderJson(order, "modify"));
      } else {
        const at = Math.floor(random() * level.orders.length);
        const [order] = level.orders.splice(at, 1);
        if (level.orders.length === 0) levels.splice(index, 1);
        events[name].push(orderJson(order, "delete"));
      }
    }
    for (const levels of [sides.bids, sides.asks]) if (levels.length > depth) levels.length = depth;
    frames.push(
      `{"channel":"level3","type":"update","data":[{"checksum":${checksum()},"symbol":"${SYMBOL}",` +
        `"bids":[${events.bids.join(",")}],"asks":[${
          events.asks.join(",")
        }],"timestamp":"${TIME}"}]}`,
    );
  }
  return frames;
}

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

for (const depth of [10, 1000] as const) {
  const frames = level3Frames(depth, UPDATES, depth);
  const group = `level3 depth ${depth}, 1 snapshot + ${UPDATES} updates`;

  // The frames must verify before they are timed.
  const check = new Level3Book(SYMBOL, depth);
  for (const [i, frame] of frames.entries()) {
    const message = decode(frame);
    if (message.kind !== "level3") throw new Error(`frame ${i}: ${message.kind}`);
    const verdict = check.apply(message.type, message.data[0]);
    if (verdict.status !== "ok") throw new Error(`frame ${i}: ${JSON.stringify(verdict)}`);
  }

  benchJsonParse(group, frames, RUNS);

  Deno.bench({
    name: "decode",
    group,
    ...RUNS,
    fn: () => {
      for (const frame of frames) sink += decode(frame).kind.length;
    },
  });

  Deno.bench({
    name: "decode + Level3Book apply + checksum verify",
    group,
    ...RUNS,
    fn: () => {
      const book = new Level3Book(SYMBOL, depth);
      for (const frame of frames) {
        const message = decode(frame);
        if (message.kind !== "level3") throw new Error(message.kind);
        if (book.apply(message.type, message.data[0]).status !== "ok") throw new Error("mismatch");
      }
      sink += book.checksum();
    },
  });

  Deno.bench({
    name: "decode + apply + verify + full checksum from the texts",
    group,
    ...RUNS,
    fn: () => {
      const book = new Level3Book(SYMBOL, depth);
      for (const frame of frames) {
        const message = decode(frame);
        if (message.kind !== "level3") throw new Error(message.kind);
        if (book.apply(message.type, message.data[0]).status !== "ok") throw new Error("mismatch");
        sink += level3Checksum(book.asks(10), book.bids(10));
      }
    },
  });
}
