/**
 * The whole sans-I/O core over every frame of the live recording: `Session.handle` decodes each
 * frame, applies and verifies the books, checks trade ids and makes the events a client emits.
 * Beside it, in the same run, the baseline (plain `JSON.parse`) and the naive book a demo client
 * keeps (`JSON.parse`, a re-sort of each side per update, the checksum string rebuilt from floats
 * per message). Quote the ratios to the baseline.
 *
 * Run: `deno task bench`
 */

import { crc32 } from "../src/book/crc32.ts";
import {
  benchJsonParse,
  LIVE_FRAMES as FRAMES,
  LIVE_REQUESTS,
  liveSession,
} from "./bench_frames.ts";

const RUNS = { warmup: 100, n: 300 };
const GROUP = "live-btc-eth.ndjson through the core, 3000 frames";

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

benchJsonParse(GROUP, FRAMES, RUNS);

Deno.bench({
  name: "Session.handle: decode, verify, gaps, events",
  group: GROUP,
  ...RUNS,
  fn: () => {
    const session = liveSession(LIVE_REQUESTS);
    let books = 0;
    for (const frame of FRAMES) {
      for (const effect of session.handle({ type: "frame", connection: 1, text: frame }, 1000)) {
        if (effect.type === "emit" && effect.event.type === "book") books++;
        if (effect.type === "emit" && effect.event.type === "gap") throw new Error("a gap");
      }
    }
    if (books !== 2962) throw new Error(`${books} books`);
    sink += books;
  },
});

type Level = [price: number, qty: number];

/** What most demo clients do: floats, a sort per update, the checksum string rebuilt each time. */
function naiveChecksum(asks: Level[], bids: Level[]): number {
  const digits = (value: number) => String(value).replace(".", "").replace(/^0+/, "");
  let text = "";
  for (const [price, qty] of asks.slice(0, 10)) text += digits(price) + digits(qty);
  for (const [price, qty] of bids.slice(0, 10)) text += digits(price) + digits(qty);
  return crc32(new TextEncoder().encode(text));
}

Deno.bench({
  name: "naive book: JSON.parse, re-sort, checksum string per message",
  group: GROUP,
  ...RUNS,
  fn: () => {
    const books = new Map<string, { bids: Level[]; asks: Level[] }>();
    for (const frame of FRAMES) {
      const message = JSON.parse(frame);
      if (message.channel !== "book") continue;
      for (const item of message.data) {
        const book = message.type === "snapshot" || !books.has(item.symbol)
          ? { bids: [] as Level[], asks: [] as Level[] }
          : books.get(item.symbol)!;
        books.set(item.symbol, book);
        for (const [side, levels] of [["bids", item.bids], ["asks", item.asks]] as const) {
          for (const { price, qty } of levels) {
            const kept = book[side].filter(([existing]) => existing !== price);
            if (qty !== 0) kept.push([price, qty]);
            kept.sort(side === "bids" ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
            book[side] = kept.slice(0, 10);
          }
        }
        // Floats lose the wire's trailing zeros, so this checksum often disagrees with Kraken's;
        // it is here for its cost, which is what demo clients pay.
        sink += naiveChecksum(book.asks, book.bids) === item.checksum ? 1 : 0;
      }
    }
  },
});
