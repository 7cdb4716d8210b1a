import assert from "node:assert/strict";
import { bookChecksum } from "../../src/book/checksum.ts";
import { setup } from "./client_setup.ts";
import { EventCollector } from "./event_collector.ts";
import {
  AUTO_ACK,
  type ConnectionHandler,
  type Received,
  STATUS_FRAME,
} from "./scripted_server.ts";

/** This file's runs replay from their own seed. */
const SEED = { reconnect: { seed: 5 } };

const isInstrumentRequest = (method: string) => (message: Received) =>
  message.method === method && message.params?.channel === "instrument";

Deno.test("client: instruments() subscribes naming no symbol and streams the snapshot, typed", async () => {
  const { server, clock, kraken, events, teardown } = setup(SEED);
  const instruments = new EventCollector(kraken.instruments());
  const connection = await server.connection(0);
  const subscribe = await connection.waitFor(isInstrumentRequest("subscribe"));
  assert.deepEqual(subscribe.params, { channel: "instrument", snapshot: true });
  const snapshot = await instruments.waitFor((event) => event.type === "instrument");
  assert.ok(snapshot.type === "instrument" && snapshot.snapshot);
  assert.deepEqual(snapshot.pairs.map((pair) => [pair.symbol, pair.pricePrecision]), [
    ["BTC/USD", 1],
    ["ETH/USD", 2],
  ]);
  const [btc] = snapshot.pairs;
  assert.deepEqual([btc.qtyIncrementText, btc.qtyMinText, btc.costMin], ["1e-08", "0.0001", 0.5]);
  assert.deepEqual(snapshot.assets.map((asset) => asset.id), ["BTC", "ETH", "USD"]);
  // Its stream hears its own subscription's states, which name no symbol.
  const states = instruments.events.filter((event) => event.type === "state");
  assert.deepEqual(
    states.map((event) => event.scope === "subscription" && [event.channel, event.to]),
    [["instrument", "pending"], ["instrument", "synced"]],
  );
  assert.ok(states.every((event) => !("symbol" in event)));
  // The unified stream carries it too.
  await events.waitFor((event) => event.type === "instrument");
  // The last stream leaving unsubscribes, again naming no symbol.
  await instruments.cancel();
  clock.advance(1000);
  const unsubscribe = await connection.waitFor(isInstrumentRequest("unsubscribe"));
  assert.deepEqual(unsubscribe.params, { channel: "instrument" });
  await events.waitFor((event) =>
    event.type === "state" && event.scope === "subscription" && event.channel === "instrument" &&
    event.to === "unsubscribed"
  );
  await teardown();
});

Deno.test("client: events() filters instrument events by type and channel", async () => {
  const { server, kraken, teardown } = setup(SEED);
  const onlyBooks = new EventCollector(kraken.events({ channels: ["book"] }));
  const onlyInstruments = new EventCollector(
    kraken.events({ types: ["instrument"], channels: ["instrument"] }),
  );
  const instruments = new EventCollector(kraken.instruments());
  await server.connection(0);
  await instruments.waitFor((event) => event.type === "instrument");
  await onlyInstruments.waitFor((event) => event.type === "instrument");
  await teardown();
  assert.ok(onlyBooks.events.every((event) => event.type !== "instrument"));
  assert.ok(
    onlyBooks.events.every((event) => !(event.type === "state" && event.scope === "subscription")),
  );
  assert.ok(onlyInstruments.events.every((event) => event.type === "instrument"));
});

Deno.test("client: a refusal of instrument ends its stream with the error", async () => {
  const refusing: ConnectionHandler = (connection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message) => {
      if (message.method !== "subscribe") return;
      // Kraken's refusal of a request naming no symbol names none either.
      connection.send({
        error: "Subscription name invalid",
        method: "subscribe",
        success: false,
        req_id: message.req_id,
      });
    });
  };
  const { kraken, teardown } = setup(SEED, refusing);
  const instruments = new EventCollector(kraken.instruments());
  assert.equal(await instruments.done, undefined, "the stream ends");
  const error = instruments.events.at(-1);
  assert.ok(error?.type === "error" && error.code === "rejected");
  assert.equal(error.channel, "instrument");
  await teardown();
});

/** A BTC/USD snapshot re-serialised: `100` for `100.0`, `1` for `1.00000000`, checksum padded. */
function reserializedBook(): string {
  const level = (price: string, qty: string) => ({
    price: Number(price),
    priceText: price,
    qty: Number(qty),
    qtyText: qty,
  });
  const checksum = bookChecksum([level("101.0", "2.00000000")], [level("100.0", "1.00000000")]);
  return `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",` +
    `"bids":[{"price":100,"qty":1}],"asks":[{"price":101,"qty":2}],"checksum":${checksum}}]}`;
}

Deno.test("client: with instruments() open, a book that lost its trailing zeros verifies", async () => {
  const replaying: ConnectionHandler = (connection) => {
    AUTO_ACK(connection);
    connection.onMessage((message) => {
      if (message.method === "subscribe" && message.params?.channel === "book") {
        connection.send(reserializedBook());
      }
    });
  };
  const { server, clock, kraken, events, teardown } = setup(SEED, replaying);
  const instruments = new EventCollector(kraken.instruments());
  await server.connection(0);
  await instruments.waitFor((event) => event.type === "instrument");
  const book = new EventCollector(kraken.book("BTC/USD"));
  clock.advance(1000);
  const verified = await book.waitFor((event) => event.type === "book");
  assert.ok(verified.type === "book");
  assert.deepEqual([verified.bids[0].priceText, verified.asks[0].qtyText], ["100", "2"]);
  assert.ok(!events.events.some((event) => event.type === "gap"), "no checksum gap");
  await teardown();
});
