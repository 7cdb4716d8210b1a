/**
 * Frames and sessions the benchmarks share: the live recording, a synthetic deep book, and a
 * session with its subscriptions acknowledged as Kraken would.
 */

import { bookChecksum } from "../src/book/checksum.ts";
import { OrderBook } from "../src/book/order_book.ts";
import { Session, type SessionEffect } from "../src/core/session.ts";
import type { SubscriptionRequest } from "../src/core/subscription.ts";
import type { BookLevel } from "../src/protocol/messages.ts";

/**
 * Each frame is built from its UTF-8 bytes, as a WebSocket delivers it: one flat string per frame.
 * Lines split from one big file would be slices of it instead, and reading a slice char by char
 * goes through an extra indirection that no received frame has.
 */
export const LIVE_FRAMES: readonly string[] = Deno.readTextFileSync(
  new URL("../../shared/fixtures/kraken-v2/live-btc-eth.ndjson", import.meta.url),
).split("\n").filter((line) => line !== "").map((line) =>
  new TextDecoder().decode(new TextEncoder().encode(line))
);

/** A session with `requests` acknowledged, live on connection 1. */
export function liveSession(requests: readonly SubscriptionRequest[]): Session {
  const session = new Session({ url: "wss://bench", seed: 1 });
  let now = 0;
  let pending: SessionEffect[] = [];
  const run = (effects: SessionEffect[]) => pending.push(...effects);
  let consumer = 0;
  for (const request of requests) {
    run(session.handle({ type: "subscribe", consumer: ++consumer, request }, now));
  }
  run(session.handle({ type: "opened", connection: 1 }, now));
  // Answer each subscribe as Kraken would, and let the pacer's timer send the next.
  while (pending.length > 0) {
    const effects = pending;
    pending = [];
    for (const effect of effects) {
      if (effect.type === "setTimer" && effect.id === "pace") {
        now += effect.delayMs;
        run(session.handle({ type: "timer", id: "pace" }, now));
      }
      if (effect.type !== "send") continue;
      const request = JSON.parse(effect.text);
      if (request.method !== "subscribe") continue;
      const { channel, symbol: symbols, depth } = request.params;
      for (const symbol of symbols) {
        const result = { channel, symbol, ...(depth === undefined ? {} : { depth }) };
        const ack = { method: "subscribe", result, success: true, req_id: request.req_id };
        run(session.handle({ type: "frame", connection: 1, text: JSON.stringify(ack) }, now));
      }
    }
  }
  return session;
}

/** The live recording's subscriptions: both books at depth 10 and both trade feeds. */
export const LIVE_REQUESTS: readonly SubscriptionRequest[] = ["BTC/USD", "ETH/USD"].flatMap((
  symbol,
) => [
  { channel: "book", symbol, depth: 10 } as const,
  { channel: "trade", symbol } as const,
]);

function level(price: number, qty: number): BookLevel {
  const priceText = price.toFixed(2);
  const qtyText = qty.toFixed(8);
  return { price: Number(priceText), priceText, qty: Number(qtyText), qtyText };
}

function bookFrame(
  type: "snapshot" | "update",
  symbol: string,
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  checksum: number,
): string {
  const side = (levels: readonly BookLevel[]) =>
    levels.map((entry) => `{"price":${entry.priceText},"qty":${entry.qtyText}}`).join(",");
  return `{"channel":"book","type":"${type}","data":[{"symbol":"${symbol}","bids":[${
    side(bids)
  }],"asks":[${side(asks)}],"checksum":${checksum},"timestamp":"2026-11-27T12:00:00.000000Z"}]}`;
}

/**
 * A depth-1000 book: a snapshot of 1000 levels a side, then `updates` messages of two or three
 * levels each (a quantity change near the top, an insert and a delete deeper), each with the
 * checksum Kraken would send. Seeded, so every run measures the same frames.
 */
export function deepBookFrames(symbol: string, updates: number): string[] {
  let state = 7;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const depth = 1000;
  const book = new OrderBook(symbol, depth);
  const bids = Array.from({ length: depth }, (_, i) => level(50_000 - i * 0.5, 1 + random()));
  const asks = Array.from({ length: depth }, (_, i) => level(50_000.5 + i * 0.5, 1 + random()));
  const snapshotChecksum = bookChecksum(asks.slice(0, 10), bids.slice(0, 10));
  const frames = [bookFrame("snapshot", symbol, bids, asks, snapshotChecksum)];
  if (book.applySnapshot({ symbol, bids, asks, checksum: snapshotChecksum }).status !== "ok") {
    throw new Error("the synthetic snapshot does not verify");
  }
  for (let i = 0; i < updates; i++) {
    const held = book.bidLevels();
    const top = held[Math.floor(random() * 10)];
    const deep = held[10 + Math.floor(random() * (held.length - 11))];
    const changed = level(top.price, 0.5 + random() * 3);
    const levels = [changed, level(deep.price, 0), level(deep.price - 0.25, 2)];
    // Only the top ten count, and below them nothing moves into view: one quantity changed.
    const bidsTop = held.slice(0, 10).map((entry) => entry.price === top.price ? changed : entry);
    const checksum = bookChecksum(book.askLevels().slice(0, 10), bidsTop);
    if (book.applyUpdate({ symbol, bids: levels, asks: [], checksum }).status !== "ok") {
      throw new Error(`synthetic update ${i} does not verify`);
    }
    frames.push(bookFrame("update", symbol, levels, [], checksum));
  }
  return frames;
}

/** The baseline's results land here so the engine cannot drop the work as unused. */
export let parsedFrames = 0;

/**
 * The baseline of every group: plain `JSON.parse` of the same frames, in the same run, so what a
 * group quotes is a ratio to it.
 */
export function benchJsonParse(
  group: string,
  frames: readonly string[],
  runs: { readonly warmup: number; readonly n: number },
): void {
  Deno.bench({
    name: "JSON.parse (baseline)",
    group,
    ...runs,
    baseline: true,
    fn: () => {
      for (const frame of frames) parsedFrames += JSON.parse(frame) === null ? 0 : 1;
    },
  });
}
