/**
 * The whole market through `KrakenWs`: 700 simulated pairs, each with a depth-10 book and trades,
 * as the seeded exchange serves them (no sockets), beside plain `JSON.parse` of the same frames in
 * the same run. The frames are made once by the sans-I/O exchange; the bench feeds them to a real
 * client whose streams are read as they fill. Quote the ratio to the baseline.
 *
 * Run: `deno task bench`
 */

import { benchJsonParse } from "./bench_frames.ts";
import { Exchange } from "../src/exchange/exchange.ts";
import { SimMarket, type SimSymbol } from "../src/exchange/market.ts";
import { MarketFeed } from "../src/exchange/market_feed.ts";
import { benchClient } from "./bench_client.ts";

const PAIRS: SimSymbol[] = Array.from({ length: 700 }, (_, i) => ({
  symbol: `P${i}/USD`,
  price: 10 + i * 7.5,
  pricePrecision: 2,
  qtyPrecision: 8,
}));
const SYMBOLS = PAIRS.map((pair) => pair.symbol);

/** Two seconds of the market after every pair is subscribed, as the exchange delivers it. */
function marketFrames(): string[] {
  const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1, PAIRS)), stepMs: 100 });
  const connection = exchange.connect(0);
  exchange.advance(0); // the connection opens and says its status
  let reqId = 0;
  for (let i = 0; i < SYMBOLS.length; i += 100) {
    const symbol = SYMBOLS.slice(i, i + 100);
    for (const params of [{ channel: "book", depth: 10, snapshot: true }, { channel: "trade" }]) {
      const request = { method: "subscribe", params: { ...params, symbol }, req_id: ++reqId };
      exchange.receive(connection, JSON.stringify(request), 0);
    }
  }
  const frames: string[] = [];
  for (let now = 0; now <= 3000; now += 10) {
    for (const output of exchange.advance(now)) {
      // The client answers its own requests: the exchange's acknowledgements are not replayed.
      if (output.type === "deliver" && !output.text.startsWith('{"method"')) {
        frames.push(output.text);
      }
    }
  }
  return frames;
}

const FRAMES = marketFrames();
const RUNS = { warmup: 3, n: 15 };
const GROUP = `700 pairs, book depth 10 + trades, ${FRAMES.length} frames`;

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

benchJsonParse(GROUP, FRAMES, RUNS);

Deno.bench({
  name: "KrakenWs: 700 books and 700 trade feeds read from two streams",
  group: GROUP,
  ...RUNS,
  async fn(context) {
    const client = benchClient((kraken) => [kraken.book(SYMBOLS), kraken.trades(SYMBOLS)]);
    context.start();
    for (const frame of FRAMES) await client.feed(frame);
    context.end();
    if (client.read() < FRAMES.length / 2) throw new Error(`${client.read()} events read`);
    sink += client.read();
    await client.close();
  },
});
