/**
 * The hot path over every frame of the live recording: plain `JSON.parse` (the baseline), our
 * `decode`, `decode` + book apply + checksum verify, and the exact-number technique we measured
 * and rejected (`JSON.parse` with a reviver reading `context.source`; last, because its garbage
 * would slow whatever ran after it). Quote the ratio of decode + apply + verify to the baseline.
 *
 * Run: `deno task bench`
 */

import { OrderBook } from "../src/book/order_book.ts";
import { decode } from "../src/protocol/decode.ts";

/**
 * Each frame is built from its UTF-8 bytes, as a WebSocket delivers it: one flat string per frame.
 * Lines split from one big file would be slices of it instead, and reading a slice char by char
 * goes through an extra indirection that no received frame has.
 */
const FRAMES = Deno.readTextFileSync(
  new URL("../../shared/fixtures/kraken-v2/live-btc-eth.ndjson", import.meta.url),
).split("\n").filter((line) => line !== "").map((line) =>
  new TextDecoder().decode(new TextEncoder().encode(line))
);

/** Fixed and generous: the default budget leaves ratios swinging by a third on a shared core. */
const RUNS = { warmup: 100, n: 300 };

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

Deno.bench({
  name: "JSON.parse (baseline)",
  group: "live-btc-eth.ndjson, 3000 frames",
  ...RUNS,
  baseline: true,
  fn: () => {
    for (const frame of FRAMES) sink += JSON.parse(frame) === null ? 0 : 1;
  },
});

Deno.bench({
  name: "decode",
  group: "live-btc-eth.ndjson, 3000 frames",
  ...RUNS,
  fn: () => {
    for (const frame of FRAMES) sink += decode(frame).kind.length;
  },
});

Deno.bench({
  name: "decode + apply + checksum verify",
  group: "live-btc-eth.ndjson, 3000 frames",
  ...RUNS,
  fn: () => {
    const books = new Map<string, OrderBook>();
    for (const frame of FRAMES) {
      const message = decode(frame);
      if (message.kind !== "book") continue;
      for (const payload of message.data) {
        let book = books.get(payload.symbol);
        if (book === undefined) {
          book = new OrderBook(payload.symbol, 10);
          books.set(payload.symbol, book);
        }
        if (book.apply(message.type, payload).status !== "ok") throw new Error("checksum failed");
      }
    }
    sink += books.size;
  },
});

type SourceContext = { source?: string };

Deno.bench({
  name: "JSON.parse + reviver keeping number text (rejected technique)",
  group: "live-btc-eth.ndjson, 3000 frames",
  ...RUNS,
  fn: () => {
    for (const frame of FRAMES) {
      const value = JSON.parse(
        frame,
        (_key: string, value: unknown, context?: SourceContext) =>
          typeof value === "number" ? { value, text: context?.source } : value,
      );
      sink += value === null ? 0 : 1;
    }
  },
});
