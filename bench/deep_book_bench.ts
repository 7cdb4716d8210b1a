/**
 * A depth-1000 book through the whole core: 1 snapshot of 1000 levels a side and 2000 updates,
 * each verified against its checksum, beside plain `JSON.parse` of the same frames in the same
 * run. The cost of a book event must not grow with the depth: events share the book's frozen
 * level arrays instead of copying them. Quote the ratio to the baseline.
 *
 * Run: `deno task bench`
 */

import { OrderBook } from "../src/book/order_book.ts";
import { decode } from "../src/protocol/decode.ts";
import { benchClient } from "./bench_client.ts";
import { benchJsonParse, deepBookFrames, liveSession } from "./bench_frames.ts";

const FRAMES = deepBookFrames("BTC/USD", 2000);
const RUNS = { warmup: 20, n: 100 };
const GROUP = "depth 1000, 1 snapshot + 2000 updates";

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

benchJsonParse(GROUP, FRAMES, RUNS);

Deno.bench({
  name: "decode + apply + checksum verify",
  group: GROUP,
  ...RUNS,
  fn: () => {
    const book = new OrderBook("BTC/USD", 1000);
    for (const frame of FRAMES) {
      const message = decode(frame);
      if (message.kind !== "book") throw new Error(message.kind);
      if (book.apply(message.type, message.data[0]).status !== "ok") throw new Error("mismatch");
    }
    sink += book.checksum();
  },
});

Deno.bench({
  name: "Session.handle: decode, verify, book events",
  group: GROUP,
  ...RUNS,
  fn: () => {
    const session = liveSession([{ channel: "book", symbol: "BTC/USD", depth: 1000 }]);
    let books = 0;
    for (const frame of FRAMES) {
      for (const effect of session.handle({ type: "frame", connection: 1, text: frame }, 1000)) {
        if (effect.type === "emit" && effect.event.type === "book") books++;
        if (effect.type === "emit" && effect.event.type === "gap") throw new Error("a gap");
      }
    }
    if (books !== FRAMES.length) throw new Error(`${books} books`);
    sink += books;
  },
});

Deno.bench({
  name: "KrakenWs: the same frames in, books read from the stream",
  group: GROUP,
  ...RUNS,
  async fn(context) {
    const client = benchClient((kraken) => [kraken.book("BTC/USD", { depth: 1000 })]);
    context.start();
    for (const frame of FRAMES) await client.feed(frame);
    context.end();
    if (client.read() !== FRAMES.length) throw new Error(`${client.read()} books read`);
    sink += client.read();
    await client.close();
  },
});
