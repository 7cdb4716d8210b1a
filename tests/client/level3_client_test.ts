import assert from "node:assert/strict";
import { KrakenWs } from "../../src/client/kraken_ws.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { EventCollector } from "./event_collector.ts";
import { type Received, ScriptedServer, STATUS_FRAME } from "./scripted_server.ts";

/** A level 3 endpoint: one acknowledgement per symbol, then an empty snapshot (checksum 0). */
function level3Server(): ScriptedServer {
  return ScriptedServer.start((connection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message: Received) => {
      if (message.method !== "subscribe") return;
      for (const symbol of message.params?.symbol ?? []) {
        connection.send({
          method: "subscribe",
          result: { channel: "level3", symbol, depth: message.params?.depth, snapshot: true },
          success: true,
          req_id: message.req_id,
        });
        connection.send(
          `{"channel":"level3","type":"snapshot","data":[{"symbol":"${symbol}","bids":[],` +
            `"asks":[],"checksum":0}]}`,
        );
      }
    });
  });
}

Deno.test("level3: more than 200 symbols open a second connection; one stream carries both, events() sees both", async () => {
  const server = level3Server();
  const clock = new VirtualClock(0);
  const issued: string[] = [];
  const kraken = new KrakenWs({
    level3Url: server.url,
    auth: { token: () => Promise.resolve(`l3-${issued.push("t")}`) },
    clock,
  });
  const everything = new EventCollector<KrakenEvent>(kraken.events());
  const symbols = Array.from({ length: 201 }, (_, i) => `P${i}/USD`);
  const books = new EventCollector(kraken.level3(symbols, { depth: 10 }));
  const first = await server.connection(0);
  const second = await server.connection(1);
  // The pace: one request a second, 40 symbols each at depth 10.
  const synced = new Set<string>();
  while (synced.size < symbols.length) {
    clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const event of books.events) if (event.type === "level3") synced.add(event.symbol);
  }
  const named = (connection: typeof first) =>
    connection.received.flatMap((message) => message.params?.symbol ?? []);
  assert.equal(named(first).length, 200);
  assert.deepEqual(named(second), ["P200/USD"]);
  assert.equal(issued.length, 2, "a token for each connection");
  assert.ok(
    first.received.every((message) =>
      message.method !== "subscribe" || (message.params?.symbol?.length ?? 0) <= 40
    ),
  );
  await kraken.close();
  await everything.done;
  await books.done;
  const links = everything.events.flatMap((event) =>
    event.type === "state" && event.scope === "connection" && event.to === "live"
      ? [event.link ?? "public"]
      : []
  );
  assert.deepEqual(links, ["level3", "level3"]);
  await server.close();
});

Deno.test("level3 needs auth and a depth Kraken serves", async () => {
  const kraken = new KrakenWs({ clock: new VirtualClock(0) });
  assert.throws(() => kraken.level3("BTC/USD"), TypeError);
  await kraken.close();
  const authed = new KrakenWs({
    clock: new VirtualClock(0),
    auth: { token: () => Promise.resolve("t") },
  });
  // @ts-expect-error: 25 is an L2 depth only
  assert.throws(() => authed.level3("BTC/USD", { depth: 25 }), RangeError);
  await authed.close();
});
