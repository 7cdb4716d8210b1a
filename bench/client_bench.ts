/**
 * The whole client, end to end, over every frame of the live recording: frame text handed to the
 * socket's `onmessage`, events read from the book and trade `ReadableStream`s by async readers
 * that keep up, beside plain `JSON.parse` of the same frames in the same run. No network: the
 * socket is a stand-in that the client drives like a real one. Quote the ratio to the baseline.
 *
 * Run: `deno task bench`
 */

import { benchClient } from "./bench_client.ts";
import { benchJsonParse, LIVE_FRAMES as FRAMES } from "./bench_frames.ts";

const RUNS = { warmup: 20, n: 100 };
const GROUP = "live-btc-eth.ndjson through KrakenWs, 3000 frames";

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

benchJsonParse(GROUP, FRAMES, RUNS);

Deno.bench({
  name: "KrakenWs: frames in, books and trades read from streams",
  group: GROUP,
  ...RUNS,
  async fn(context) {
    const symbols = ["BTC/USD", "ETH/USD"];
    const client = benchClient((kraken) => [kraken.book(symbols), kraken.trades(symbols)]);
    context.start();
    for (const frame of FRAMES) await client.feed(frame);
    context.end();
    // Every book (2962) and trade (17) of the recording, read: the readers kept up.
    if (client.read() !== 2962 + 17) throw new Error(`${client.read()} events read`);
    sink += client.read();
    await client.close();
  },
});
