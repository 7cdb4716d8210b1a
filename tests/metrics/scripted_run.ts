/**
 * A real `KrakenWs`, with `ClientMetrics` as its tap, through a scripted session against the
 * loopback server: book and trade subscriptions, a corrupted checksum and its resync, a trade id
 * jump, and a dropped connection with its reconnect. It gives back the exposition and what the
 * server sent, counted on the server's side. A `tap`, when given, sees the run beside the metrics.
 *
 * @module
 */

import { KrakenWs } from "../../src/client/kraken_ws.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { KrakenWsTap } from "../../src/core/tap.ts";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { EventCollector } from "../client/event_collector.ts";
import {
  AUTO_ACK,
  type Received,
  ScriptedServer,
  type ServerConnection,
} from "../client/scripted_server.ts";
import { ServerBook, tradeFrame } from "../core/server_book.ts";

export interface ScriptedRun {
  /** The registry ClientMetrics counted into. */
  readonly registry: MetricsRegistry;
  /** Its exposition once the client closed. */
  readonly exposition: string;
  /** Text frames the server sent, all of which the client received. */
  readonly framesSent: number;
  /** Their UTF-8 bytes. */
  readonly bytesSent: number;
  /** Every event of the client's `events()` stream. */
  readonly events: readonly KrakenEvent[];
}

const isSubscribe = (symbol: string) => (message: Received) =>
  message.method === "subscribe" && message.params?.symbol?.includes(symbol) === true;

const isSynced = (channel: string) => (event: KrakenEvent) =>
  event.type === "state" && event.scope === "subscription" && event.channel === channel &&
  event.to === "synced";

export async function runScriptedSession(tap?: KrakenWsTap): Promise<ScriptedRun> {
  const encoder = new TextEncoder();
  let framesSent = 0;
  let bytesSent = 0;
  const server = ScriptedServer.start((connection: ServerConnection) => {
    const send = connection.send.bind(connection);
    connection.send = (message: unknown) => {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      framesSent++;
      bytesSent += encoder.encode(text).length;
      send(text);
    };
    AUTO_ACK(connection);
  });
  const registry = new MetricsRegistry();
  // Kraken's timestamps in the frames are 2026-01-01T00:00:00Z: receipt is 250 ms and more later.
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  const kraken = new KrakenWs({
    url: server.url,
    clock,
    reconnect: { seed: 11 },
    metrics: registry,
    ...(tap === undefined ? {} : { tap }),
  });
  const events = new EventCollector(kraken.events());
  try {
    new EventCollector(kraken.book("BTC/USD")); // read as it comes, like a user would
    const trades = new EventCollector(kraken.trades("ETH/USD"));
    const first = await server.connection(0);
    await first.waitFor(isSubscribe("BTC/USD"));
    clock.advance(100); // requests are paced 100 ms apart
    await first.waitFor(isSubscribe("ETH/USD"));
    await events.waitFor(isSynced("trade"));

    const truth = new ServerBook("BTC/USD");
    first.send(truth.snapshot());
    first.send(truth.update(2));
    first.send(truth.update(3, true));
    // The unified stream keeps every event (a book stream would hand a slow reader the newest).
    await events.waitFor((event) => event.type === "gap" && event.reason === "checksum");
    clock.advance(100);
    await first.waitFor((message) => message.method === "unsubscribe");
    clock.advance(100);
    await first.waitFor(isSubscribe("BTC/USD"), 1);
    first.send(truth.snapshot());
    await events.waitFor((event) => event.type === "book" && event.snapshot, 1);

    first.send(tradeFrame("ETH/USD", 1, 2));
    clock.advance(50);
    first.send(tradeFrame("ETH/USD", 5));
    await trades.waitFor((event) => event.type === "trade" && event.tradeId === 5);

    first.drop(); // no close frame: the client sees 1006
    await events.waitFor((event) =>
      event.type === "state" && event.scope === "connection" && event.to === "backoff"
    );
    clock.advance(0); // the first retry is at once
    const second = await server.connection(1);
    clock.advance(100); // the replay is paced like any request
    await second.waitFor(isSubscribe("BTC/USD"));
    clock.advance(100);
    await second.waitFor(isSubscribe("ETH/USD"));
    await events.waitFor(isSynced("trade"), 1);
    second.send(truth.snapshot());
    await events.waitFor((event) => event.type === "book" && event.snapshot, 2);
    clock.advance(20);
    second.send(tradeFrame("ETH/USD", 6));
    await trades.waitFor((event) => event.type === "trade" && event.tradeId === 6);
  } finally {
    await kraken.close();
    await events.done;
    await server.close();
  }
  return {
    registry,
    exposition: renderPrometheusText(registry),
    framesSent,
    bytesSent,
    events: events.events,
  };
}
