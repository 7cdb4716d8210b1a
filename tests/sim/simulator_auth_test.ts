import assert from "node:assert/strict";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { Exchange } from "../../src/exchange/exchange.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import { TOKEN_PATH } from "../../src/exchange/token_endpoint.ts";
import { signRestRequest } from "../../src/protocol/rest_signature.ts";
import { KrakenSimulator } from "../../src/sim/simulator.ts";
import { VirtualExchange } from "../../src/sim/virtual_exchange.ts";

const START = Date.UTC(2026, 0, 1);
const API_KEY = "sim-key";
const API_SECRET = btoa("a simulated secret, long enough");

/** Yields to the event loop so socket reads and writes can complete. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A signed token request, as a client sends it. */
async function tokenRequest(
  restUrl: string,
  nonce: string,
  secret = API_SECRET,
): Promise<{ error: string[]; result?: { token: string; expires: number } }> {
  const body = `nonce=${nonce}`;
  const response = await fetch(`${restUrl}${TOKEN_PATH}`, {
    method: "POST",
    headers: {
      "API-Key": API_KEY,
      "API-Sign": await signRestRequest(secret, TOKEN_PATH, nonce, body),
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    },
    body,
  });
  return await response.json();
}

/** Frames a socket received, and a way to wait for one. */
class Inbox {
  readonly frames: Record<string, unknown>[] = [];

  constructor(socket: { onmessage: ((event: MessageEvent) => void) | null }) {
    socket.onmessage = (event) => this.frames.push(JSON.parse(String(event.data)));
  }

  async until(
    found: (frame: Record<string, unknown>) => boolean,
    turns = 2000,
  ): Promise<Record<string, unknown>> {
    for (let i = 0; i < turns; i++) {
      const frame = this.frames.find(found);
      if (frame !== undefined) return frame;
      await turn();
    }
    assert.fail(`no such frame among ${JSON.stringify(this.frames).slice(0, 2000)}`);
  }
}

Deno.test("simulator: a signed REST token, then executions and add_order over the authenticated socket", async () => {
  const clock = new VirtualClock(START);
  await using simulator = new KrakenSimulator({
    seed: 3,
    clock,
    account: { apiKey: API_KEY, apiSecret: API_SECRET, balances: { USD: "100000" } },
  });
  const publicUrl = await simulator.start();
  assert.ok(publicUrl.endsWith("/v2"));
  assert.ok(simulator.authUrl.endsWith("/auth/v2"));
  assert.ok(simulator.restUrl.startsWith("http://"));

  assert.deepEqual(await tokenRequest(simulator.restUrl, "1", btoa("not the secret")), {
    error: ["EAPI:Invalid signature"],
  });
  const answer = await tokenRequest(simulator.restUrl, "2");
  assert.deepEqual(answer.error, []);
  assert.equal(answer.result?.expires, 900);
  const token = answer.result!.token;
  assert.deepEqual(await tokenRequest(simulator.restUrl, "2"), { error: ["EAPI:Invalid nonce"] });

  const socket = new WebSocket(simulator.authUrl);
  const inbox = new Inbox(socket);
  const closed = new Promise<void>((resolve) => socket.onclose = () => resolve());
  try {
    await inbox.until((frame) => frame.channel === "status");
    socket.send(JSON.stringify({
      method: "subscribe",
      params: { channel: "executions", token, snap_orders: true },
      req_id: 1,
    }));
    const ack = await inbox.until((frame) => frame.req_id === 1);
    assert.equal(ack.success, true);
    const snapshot = await inbox.until((frame) => frame.channel === "executions");
    assert.deepEqual([snapshot.type, snapshot.sequence], ["snapshot", 1]);

    socket.send(
      `{"method":"add_order","params":{"order_type":"market","side":"buy","order_qty":0.01,"symbol":"BTC/USD","token":"${token}"},"req_id":2}`,
    );
    const reply = await inbox.until((frame) => frame.req_id === 2);
    assert.equal(reply.method, "add_order");
    assert.equal(reply.success, true);
    const orderId = (reply.result as { order_id: string }).order_id;
    await inbox.until((frame) =>
      frame.channel === "executions" &&
      (frame.data as { exec_type: string }[])[0]?.exec_type === "filled"
    );
    const updates = inbox.frames.filter((frame) =>
      frame.channel === "executions" && frame.type === "update"
    );
    assert.deepEqual(
      updates.map((frame) => (frame.data as { exec_type: string }[])[0].exec_type),
      ["pending_new", "new", "trade", "filled"],
    );
    assert.deepEqual(updates.map((frame) => frame.sequence), [2, 3, 4, 5]);
    assert.ok(
      updates.every((frame) => (frame.data as { order_id: string }[])[0].order_id === orderId),
    );

    // A request with a bad token is refused and the socket stays open.
    socket.send('{"method":"cancel_all","params":{"token":"bad"},"req_id":3}');
    const refused = await inbox.until((frame) => frame.req_id === 3);
    assert.equal(refused.error, "EAPI:Invalid token");
    assert.equal(socket.readyState, WebSocket.OPEN);

    const [connection] = simulator.connections;
    assert.equal(connection.kind, "private");
    const requests = simulator.account?.requests ?? [];
    assert.deepEqual(
      requests.map((request) => [request.connection, request.method, request.reqId]),
      [
        [1, "add_order", 2],
        [1, "cancel_all", 3],
      ],
    );
    assert.ok(!("token" in requests[0].params));
    const usd = simulator.account?.balances().find((balance) => balance.asset === "USD");
    assert.notEqual(usd?.balance, "100000.0000000000", "the fill paid in USD");
  } finally {
    socket.close();
    await closed;
  }
});

Deno.test("virtual exchange: fetch serves the token endpoint; an authenticated URL opens a private connection", async () => {
  const clock = new VirtualClock(START);
  const exchange = new Exchange({
    feed: new MarketFeed(new SimMarket(5)),
    start: START,
    latencyMs: 5,
    account: { apiKey: API_KEY, apiSecret: API_SECRET, balances: { USD: "5000" } },
  });
  const virtual = new VirtualExchange(exchange, clock);
  const body = "nonce=7";
  const response = await virtual.fetch(`https://api.kraken.com${TOKEN_PATH}`, {
    method: "POST",
    headers: {
      "API-Key": API_KEY,
      "API-Sign": await signRestRequest(API_SECRET, TOKEN_PATH, "7", body),
    },
    body,
  });
  const { result } = await response.json();
  const token: string = result.token;

  const publicSocket = virtual.webSocket("wss://ws.kraken.com/v2");
  const privateSocket = virtual.webSocket("wss://ws-auth.kraken.com/v2");
  const explicit = virtual.privateWebSocket();
  clock.advance(10);
  assert.deepEqual(exchange.connections.map((info) => info.kind), ["public", "private", "private"]);
  assert.equal(publicSocket.readyState, 1);
  const inbox = new Inbox(privateSocket);
  privateSocket.send(
    JSON.stringify({ method: "subscribe", params: { channel: "balances", token }, req_id: 1 }),
  );
  clock.advance(20);
  assert.deepEqual(inbox.frames.map((frame) => frame.req_id ?? frame.channel), [1, "balances"]);
  const publicInbox = new Inbox(publicSocket);
  publicSocket.send(
    JSON.stringify({ method: "subscribe", params: { channel: "balances", token }, req_id: 2 }),
  );
  clock.advance(20);
  assert.equal(publicInbox.frames[0].success, false);
  explicit.close();
  clock.advance(20);
});
