import assert from "node:assert/strict";
import { Level3Book } from "../../src/book/level3_book.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { Exchange } from "../../src/exchange/exchange.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import { TOKEN_PATH } from "../../src/exchange/token_endpoint.ts";
import { decode } from "../../src/protocol/decode.ts";
import { signRestRequest } from "../../src/protocol/rest_signature.ts";
import { KrakenSimulator } from "../../src/sim/simulator.ts";
import { VirtualExchange } from "../../src/sim/virtual_exchange.ts";

const API_KEY = "sim-key";
const API_SECRET = btoa("a simulated secret, long enough");

/** A signed token request over HTTP, as a client sends it. */
async function token(restUrl: string): Promise<string> {
  const nonce = String(Date.now());
  const body = `nonce=${nonce}`;
  const response = await fetch(`${restUrl}${TOKEN_PATH}`, {
    method: "POST",
    headers: {
      "API-Key": API_KEY,
      "API-Sign": await signRestRequest(API_SECRET, TOKEN_PATH, nonce, body),
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    },
    body,
  });
  const answer: { error: string[]; result?: { token: string } } = await response.json();
  assert.deepEqual(answer.error, []);
  return answer.result!.token;
}

Deno.test("simulator: a real token, then level3 over a real WebSocket: snapshot and updates verify in Level3Book", async () => {
  await using simulator = new KrakenSimulator({
    seed: 11,
    stepMs: 20,
    account: { apiKey: API_KEY, apiSecret: API_SECRET },
  });
  await simulator.start();
  assert.match(simulator.level3Url, /^ws:\/\/127\.0\.0\.1:\d+\/l3\/v2$/);
  const level3Token = await token(simulator.restUrl);

  const socket = new WebSocket(simulator.level3Url);
  const texts: string[] = [];
  let wake: (() => void) | undefined;
  socket.onmessage = (event) => {
    texts.push(String(event.data));
    wake?.();
  };
  const closed = new Promise<void>((resolve) => socket.onclose = () => resolve());
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("the level 3 socket did not open"));
  });

  // A bad token first: refused, the socket stays open.
  socket.send(
    '{"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"],"depth":10,"token":"nope"},"req_id":1}',
  );
  socket.send(
    `{"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"],"depth":100,"token":"${level3Token}"},"req_id":2}`,
  );
  const book = new Level3Book("BTC/USD", 100);
  let updates = 0;
  let read = 0;
  const deadline = Date.now() + 15_000;
  while (updates < 40 && Date.now() < deadline) {
    while (read < texts.length) {
      const text = texts[read++];
      const message = decode(text);
      if (message.kind !== "level3") continue;
      const verdict = book.apply(message.type, message.data[0]);
      assert.equal(verdict.status, "ok", JSON.stringify(verdict));
      if (message.type === "update") updates++;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 50);
    });
  }
  assert.ok(updates >= 40, `${updates} updates`);
  assert.equal(book.bids().length, 100);
  assert.equal(book.asks().length, 100);

  const replies = texts.filter((text) =>
    text.startsWith('{"method"') || text.startsWith('{"error"')
  )
    .map((text) => JSON.parse(text) as Record<string, unknown>);
  assert.equal(replies[0].error, "EAPI:Invalid token");
  assert.equal(replies[0].req_id, 1);
  assert.deepEqual(replies[1].result, {
    channel: "level3",
    symbol: "BTC/USD",
    depth: 100,
    snapshot: true,
  });
  assert.ok(texts[0].startsWith('{"channel":"status"'));
  assert.equal(simulator.connections[0].kind, "level3");
  assert.deepEqual(simulator.connections[0].subscriptions, [
    { channel: "level3", symbol: "BTC/USD", depth: 100 },
  ]);
  socket.close(1000, "done");
  await closed;
});

Deno.test("virtual exchange: a socket to ws-l3 (or a /l3/ path) is a level 3 connection", () => {
  const clock = new VirtualClock(0);
  const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)) });
  const virtual = new VirtualExchange(exchange, clock);
  virtual.webSocket("wss://ws-l3.kraken.com/v2");
  virtual.webSocket("ws://127.0.0.1:9/l3/v2");
  virtual.webSocket("wss://ws.kraken.com/v2");
  virtual.webSocket("wss://ws-auth.kraken.com/v2");
  virtual.level3WebSocket();
  clock.advance(1);
  assert.deepEqual(exchange.connections.map((connection) => connection.kind), [
    "level3",
    "level3",
    "public",
    "private",
    "level3",
  ]);
});
