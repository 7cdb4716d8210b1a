/**
 * Runs frames through a real `KrakenWs` with no network, for the benchmarks: a stand-in socket the
 * client drives like a real one, acknowledgements made for whatever the client asks, and readers
 * that keep up with every stream, so the measured cost is the client's, end to end.
 */

import { KrakenWs } from "../src/client/kraken_ws.ts";
import type { KrakenEvent } from "../src/core/events.ts";
import { VirtualClock } from "../src/core/virtual_clock.ts";

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

/** A client, connected, with its streams open and every subscription acknowledged. */
export interface BenchClient {
  /** Hands one frame to the client and waits until its readers have read what it produced. */
  feed(frame: string): Promise<void>;
  /** Events read so far. */
  readonly read: () => number;
  /** Closes the client and waits for its readers. */
  close(): Promise<void>;
}

/**
 * Makes a client whose streams `open` opens, acknowledges each symbol of each subscribe it sends
 * (as Kraken does, one answer per symbol), and reads every stream as fast as events come.
 */
export function benchClient(
  open: (kraken: KrakenWs) => ReadableStream<KrakenEvent>[],
  options: { readonly bufferSize?: number } = {},
): BenchClient {
  const socket = new BenchSocket();
  const clock = new VirtualClock(0);
  let routed = 0;
  let read = 0;
  const kraken = new KrakenWs({
    url: "wss://bench.invalid/v2",
    clock,
    reconnect: { seed: 1 },
    bufferSize: options.bufferSize ?? 4096,
    webSocket: () => socket as unknown as WebSocket,
    // Counts what the streams will carry, so feeding waits for the readers, never guesses.
    tap: {
      event: (event) => {
        if (event.type === "book" || event.type === "trade") routed++;
      },
    },
  });
  const readers = open(kraken).map((stream) =>
    (async () => {
      for await (const event of stream) {
        if (event.type === "book" || event.type === "trade") read++;
      }
    })()
  );
  socket.onopen!();
  socket.onmessage!({ data: '{"channel":"status","type":"update","data":[{"system":"online"}]}' });
  // The pacer sends one request now and the rest on its timer: move the clock past the pace and
  // answer each request as it goes out, then measure with the clock still.
  let answered = 0;
  for (let quiet = 0; quiet < 3;) {
    for (; answered < socket.sent.length; answered++) {
      const request = JSON.parse(socket.sent[answered]);
      if (request.method !== "subscribe") continue;
      for (const symbol of request.params.symbol) {
        const { channel, depth } = request.params;
        const result = { channel, symbol, ...(depth === undefined ? {} : { depth }) };
        socket.onmessage!({
          data: JSON.stringify({
            method: "subscribe",
            result,
            success: true,
            req_id: request.req_id,
          }),
        });
      }
    }
    const before = socket.sent.length;
    clock.advance(100);
    quiet = socket.sent.length === before ? quiet + 1 : 0;
  }
  return {
    async feed(frame: string): Promise<void> {
      socket.onmessage!({ data: frame });
      while (read < routed) await Promise.resolve();
    },
    read: () => read,
    async close(): Promise<void> {
      await kraken.close();
      await Promise.all(readers);
    },
  };
}
