/**
 * The whole client, end to end, over every frame of the live recording: frame text handed to the
 * socket's `onmessage`, events read from the book and trade `ReadableStream`s by an async reader
 * that keeps up, beside plain `JSON.parse` of the same frames in the same run. No network: the
 * socket is a stand-in that the client drives like a real one. Quote the ratio to the baseline.
 *
 * Run: `deno task bench`
 */

import { KrakenWs } from "../src/client/kraken_ws.ts";
import type { KrakenEvent } from "../src/core/events.ts";
import { VirtualClock } from "../src/core/virtual_clock.ts";
import { LIVE_FRAMES as FRAMES } from "./bench_frames.ts";

const RUNS = { warmup: 20, n: 100 };
const GROUP = "live-btc-eth.ndjson through KrakenWs, 3000 frames";

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

/** The part of a WebSocket the client uses: it sets the handlers, the bench calls them. */
class BenchSocket {
  readyState = 1;
  binaryType = "arraybuffer";
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
}

/** Reads `stream` as fast as events come; `read` counts them. */
function reader(stream: ReadableStream<KrakenEvent>, counted: { read: number }): Promise<void> {
  return (async () => {
    for await (const _event of stream) counted.read++;
  })();
}

Deno.bench({
  name: "JSON.parse (baseline)",
  group: GROUP,
  ...RUNS,
  baseline: true,
  fn: () => {
    for (const frame of FRAMES) sink += JSON.parse(frame) === null ? 0 : 1;
  },
});

Deno.bench({
  name: "KrakenWs: frames in, books and trades read from streams",
  group: GROUP,
  ...RUNS,
  async fn(context) {
    const socket = new BenchSocket();
    let routed = 0;
    const kraken = new KrakenWs({
      url: "wss://bench",
      clock: new VirtualClock(0),
      reconnect: { seed: 1 },
      webSocket: () => socket as unknown as WebSocket,
      // Counts what the streams will carry, so the bench waits for the reader, never guesses.
      tap: { event: (event) => void (event.type === "book" || event.type === "trade" ? routed++ : 0) },
    });
    const counted = { read: 0 };
    const books = reader(kraken.book(["BTC/USD", "ETH/USD"]), counted);
    const trades = reader(kraken.trades(["BTC/USD", "ETH/USD"]), counted);
    socket.onopen!();
    socket.onmessage!({ data: '{"channel":"status","type":"update","data":[{"system":"online"}]}' });
    for (const text of socket.sent) {
      const request = JSON.parse(text);
      for (const symbol of request.params.symbol) {
        const result = { channel: request.params.channel, symbol };
        socket.onmessage!({
          data: JSON.stringify({ method: "subscribe", result, success: true, req_id: request.req_id }),
        });
      }
    }
    context.start();
    for (const frame of FRAMES) {
      socket.onmessage!({ data: frame });
      while (counted.read < routed) await Promise.resolve();
    }
    context.end();
    // Every book and trade of the recording, read: the reader kept up, nothing was conflated.
    if (counted.read !== routed || routed < 2962) throw new Error(`${counted.read} events read`);
    sink += counted.read;
    await kraken.close();
    await Promise.all([books, trades]);
  },
});
