/**
 * A server that never answers a subscribe, or answers it under the wrong `req_id`: the data
 * stream is silent until the request times out, and it must say so itself, from its first event,
 * so a consumer never takes the silence for a quiet market.
 */

import assert from "node:assert/strict";
import type { KrakenEvent } from "../../src/core/events.ts";
import { setup } from "./client_setup.ts";
import { EventCollector } from "./event_collector.ts";
import { type Received, type ServerConnection, STATUS_FRAME } from "./scripted_server.ts";

const isSubscribe = (message: Received) => message.method === "subscribe";

/** Sends the status frame; answers each subscribe as `answer` says, or not at all. */
function server(answer: "never" | "wrong req_id") {
  return (connection: ServerConnection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message) => {
      if (answer !== "wrong req_id" || message.method !== "subscribe") return;
      for (const symbol of message.params!.symbol ?? []) {
        const result: Record<string, unknown> = { channel: message.params!.channel, symbol };
        if (message.params!.depth !== undefined) result.depth = message.params!.depth;
        connection.send({
          method: "subscribe",
          result,
          success: true,
          req_id: message.req_id! + 1000,
        });
      }
    });
  };
}

const subscriptionMoves = (events: readonly KrakenEvent[]) =>
  events.flatMap((event) =>
    event.type === "state" && event.scope === "subscription"
      ? [`${event.from} -> ${event.to} (${event.cause})`]
      : []
  );

for (const answer of ["never", "wrong req_id"] as const) {
  Deno.test(`unanswered: a subscribe answered ${answer} is not live on the stream itself, then stale`, async () => {
    const { server: scripted, clock, kraken, teardown } = setup(
      { heartbeatTimeoutMs: 60_000 },
      server(answer),
    );
    const trades = new EventCollector(kraken.trades("BTC/USD"));
    const books = new EventCollector(kraken.book("ETH/USD"));
    const connection = await scripted.connection(0);
    await connection.waitFor(isSubscribe);
    clock.advance(100); // the second request is paced
    await connection.waitFor(isSubscribe, 1);
    for (const stream of [trades, books]) {
      // From its first event, the stream knows it is not live.
      const [first] = [await stream.waitFor(() => true)];
      assert.ok(first.type === "state" && first.scope === "subscription");
      assert.equal(`${first.from} -> ${first.to}`, "unsubscribed -> pending");
    }
    // Ten seconds without a matching answer: each stream hears it went stale.
    for (let ms = 0; ms < 11_000; ms += 500) clock.advance(500);
    for (const stream of [trades, books]) {
      const stale = await stream.waitFor((event) =>
        event.type === "state" && event.scope === "subscription" && event.to === "stale"
      );
      assert.ok(stale.type === "state" && stale.cause === "no acknowledgement");
      assert.deepEqual(subscriptionMoves(stream.events), [
        "unsubscribed -> pending (subscribe)",
        "pending -> stale (no acknowledgement)",
      ]);
      assert.equal(
        stream.events.filter((event) => event.type === "trade" || event.type === "book").length,
        0,
        "no data is ever shown as live",
      );
    }
    // The client tries again: unsubscribe first, whatever the server holds.
    await connection.waitFor((message) => message.method === "unsubscribe");
    await teardown();
    await trades.done;
    await books.done;
  });
}
