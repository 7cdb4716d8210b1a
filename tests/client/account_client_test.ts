import assert from "node:assert/strict";
import { KrakenWs } from "../../src/client/kraken_ws.ts";
import { KrakenClosedError } from "../../src/client/kraken_closed_error.ts";
import {
  KrakenNotSentError,
  KrakenOutcomeUnknownError,
  KrakenRequestError,
} from "../../src/client/trading_errors.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { combineTaps } from "../../src/core/tap.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { signRestRequest } from "../../src/protocol/rest_signature.ts";
import { Recorder } from "../../src/recording/recorder.ts";
import { EventCollector } from "./event_collector.ts";
import {
  type Received,
  ScriptedServer,
  type ServerConnection,
  STATUS_FRAME,
} from "./scripted_server.ts";

const API_SECRET =
  "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";

interface PrivateParams {
  readonly channel?: string;
  readonly token?: string;
  readonly order_id?: string[];
}

function paramsOf(message: Received): PrivateParams {
  return (message.params ?? {}) as PrivateParams;
}

/**
 * A private endpoint: answers subscribes with an acknowledgement and a snapshot, and trading
 * methods as `reply` says (undefined: no answer at all).
 */
function privateServer(
  reply: (message: Received, connection: ServerConnection) => unknown = (message) => ({
    method: message.method,
    req_id: message.req_id,
    result: { order_id: `O${message.req_id}` },
    success: true,
  }),
): ScriptedServer {
  return ScriptedServer.start((connection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message) => {
      const params = paramsOf(message);
      if (message.method === "subscribe") {
        connection.send({
          method: "subscribe",
          result: { channel: params.channel, snapshot: true },
          success: true,
          req_id: message.req_id,
        });
        connection.send({ channel: params.channel, type: "snapshot", data: [], sequence: 1 });
      } else if (message.method === "unsubscribe") {
        connection.send({
          method: "unsubscribe",
          result: { channel: params.channel },
          success: true,
          req_id: message.req_id,
        });
      } else if (message.method === "ping") {
        connection.send({ method: "pong", req_id: message.req_id });
      } else {
        const answer = reply(message, connection);
        if (answer !== undefined) connection.send(answer);
      }
    });
  });
}

function tokens(): { readonly issued: string[]; readonly source: () => Promise<string> } {
  const issued: string[] = [];
  return {
    issued,
    source: () => {
      const token = `tok-${issued.length + 1}-${crypto.randomUUID()}`;
      issued.push(token);
      return Promise.resolve(token);
    },
  };
}

function client(
  server: ScriptedServer,
  source: () => Promise<string>,
  options: Partial<ConstructorParameters<typeof KrakenWs>[0]> = {},
): KrakenWs {
  return new KrakenWs({
    authUrl: server.url,
    auth: { token: source },
    clock: new VirtualClock(1_000_000),
    reconnect: { seed: 5, initialDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
}

Deno.test("with a key, the client signs a token request (Kraken's API-Sign) and subscribes with the token", async () => {
  const server = privateServer();
  const requests: { url: string; headers: Headers; body: string }[] = [];
  const fakeFetch = (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: String(init?.body),
    });
    return Promise.resolve(
      Response.json({ error: [], result: { token: "tok-from-rest", expires: 900 } }),
    );
  };
  const kraken = new KrakenWs({
    authUrl: server.url,
    restUrl: "http://rest.invalid/",
    fetch: fakeFetch as typeof fetch,
    auth: { apiKey: "my-key", apiSecret: API_SECRET },
    clock: new VirtualClock(0),
  });
  const stream = new EventCollector(kraken.executions());
  await stream.waitFor((event) => event.type === "executions");
  const [request] = requests;
  assert.equal(request.url, "http://rest.invalid/0/private/GetWebSocketsToken");
  assert.equal(request.headers.get("API-Key"), "my-key");
  const nonce = /^nonce=(\d+)$/.exec(request.body)![1];
  assert.equal(
    request.headers.get("API-Sign"),
    await signRestRequest(API_SECRET, "/0/private/GetWebSocketsToken", nonce, request.body),
  );
  const connection = await server.connection(0);
  assert.equal(paramsOf(connection.received[0]).token, "tok-from-rest");
  await kraken.close();
  await server.close();
});

Deno.test("Kraken's documented signing example", async () => {
  assert.equal(
    await signRestRequest(
      API_SECRET,
      "/0/private/AddOrder",
      "1616492376594",
      "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
    ),
    "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
  );
});

Deno.test("addOrder resolves with Kraken's typed result; a refusal is a KrakenRequestError with Kraken's code", async () => {
  const server = privateServer((message) =>
    (message.params as { order_qty?: number }).order_qty === 99
      ? {
        method: message.method,
        req_id: message.req_id,
        error: "EOrder:Insufficient funds",
        success: false,
      }
      : {
        method: message.method,
        req_id: message.req_id,
        result: { order_id: "OABC", cl_ord_id: "mine-1" },
        success: true,
      }
  );
  const { source } = tokens();
  const kraken = client(server, source);
  const result = await kraken.addOrder({
    symbol: "BTC/USD",
    side: "buy",
    orderType: "limit",
    orderQty: "0.10000000",
    limitPrice: "26500.10",
    clOrdId: "mine-1",
  });
  assert.equal(result.orderId, "OABC");
  assert.equal(result.clOrdId, "mine-1");
  const connection = await server.connection(0);
  const wire = connection.received.find((message) => message.method === "add_order")!;
  assert.equal((wire.params as { limit_price?: number }).limit_price, 26500.1);
  const refused = await kraken.addOrder({
    symbol: "BTC/USD",
    side: "buy",
    orderType: "market",
    orderQty: 99,
  }).catch((error) => error);
  assert.ok(refused instanceof KrakenRequestError);
  assert.equal(refused.code, "EOrder:Insufficient funds");
  assert.equal(refused.rateLimited, false);
  await kraken.close();
  await server.close();
});

Deno.test("an order whose link drops before the answer rejects as outcome unknown and is never sent again", async () => {
  const server = privateServer((message, connection) => {
    if (message.method === "add_order") {
      connection.drop();
      return undefined;
    }
    return { method: message.method, req_id: message.req_id, result: { count: 0 }, success: true };
  });
  const { source, issued } = tokens();
  const clock = new VirtualClock(0);
  const kraken = client(server, source, { clock });
  const balances = new EventCollector(kraken.balances());
  const outcome = await kraken.addOrder({
    symbol: "BTC/USD",
    side: "sell",
    orderType: "market",
    orderQty: "1",
  }).catch((error) => error);
  assert.ok(outcome instanceof KrakenOutcomeUnknownError, String(outcome));
  // The client reconnects (the balances stream holds it), with a fresh token, and sends nothing twice.
  clock.advance(10);
  const second = await server.connection(1);
  const subscribed = second.waitFor((message) => message.method === "subscribe");
  while (kraken.authState !== "live") await new Promise((resolve) => setTimeout(resolve, 5));
  clock.advance(1000); // the request pace
  await subscribed;
  assert.equal(paramsOf(second.received[0]).token, issued[1]);
  const cancelled = await kraken.cancelAll();
  assert.equal(cancelled.count, 0);
  const orders = server.connections.flatMap((connection) =>
    connection.received.filter((message) => message.method === "add_order")
  );
  assert.equal(orders.length, 1);
  await kraken.close();
  await balances.done;
  await server.close();
});

Deno.test("an order never answered rejects as outcome unknown after its timeout", async () => {
  const server = privateServer(() => undefined);
  const clock = new VirtualClock(0);
  const { source } = tokens();
  const kraken = client(server, source, { clock, tradingTimeoutMs: 5000 });
  const pending = kraken.cancelAll().catch((error) => error);
  const connection = await server.connection(0);
  await connection.waitFor((message) => message.method === "cancel_all");
  clock.advance(5000);
  const outcome = await pending;
  assert.ok(outcome instanceof KrakenOutcomeUnknownError);
  assert.match(outcome.message, /no answer within 5000 ms/);
  await kraken.close();
  await server.close();
});

Deno.test("a call made while disconnected fails at once when asked not to wait", async () => {
  const server = privateServer();
  const { source } = tokens();
  const kraken = client(server, source);
  const outcome = await kraken.cancelAll({ waitForConnection: false }).catch((error) => error);
  assert.ok(outcome instanceof KrakenNotSentError);
  await kraken.close();
  await server.close();
});

Deno.test("cancelOrder naming two orders resolves with both answers", async () => {
  const server = privateServer((message, connection) => {
    for (const id of paramsOf(message).order_id ?? []) {
      connection.send({
        method: "cancel_order",
        req_id: message.req_id,
        result: { order_id: id },
        success: true,
      });
    }
    return undefined;
  });
  const { source } = tokens();
  const kraken = client(server, source);
  const results = await kraken.cancelOrder({ orderId: ["A", "B"] });
  assert.deepEqual(results.map((result) => result.orderId), ["A", "B"]);
  await kraken.close();
  await server.close();
});

Deno.test("the account methods need auth", async () => {
  const kraken = new KrakenWs({ clock: new VirtualClock(0) });
  assert.throws(() => kraken.executions(), TypeError);
  assert.throws(() => kraken.deadManSwitch(60), TypeError);
  await assert.rejects(() => kraken.cancelAll(), TypeError);
  assert.equal(kraken.authState, undefined);
  await kraken.close();
});

Deno.test("a full private session leaks neither the API secret nor a token: events, errors, taps, metrics, recordings", async () => {
  const apiSecret = btoa("the-secret-" + crypto.randomUUID());
  const issued: string[] = [];
  const fakeFetch = (_input: string | URL | Request, _init?: RequestInit) => {
    const token = `leaky-token-${crypto.randomUUID()}`;
    issued.push(token);
    return Promise.resolve(Response.json({ error: [], result: { token, expires: 900 } }));
  };
  // A hostile endpoint: it echoes the token back in frames, refuses one token, and drops the link.
  let refusedOnce = false;
  const server = ScriptedServer.start((connection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message) => {
      const params = paramsOf(message);
      if (message.method === "subscribe" && !refusedOnce) {
        refusedOnce = true;
        connection.send({
          method: "subscribe",
          error: "EAPI:Invalid token",
          success: false,
          req_id: message.req_id,
          echo: { token: params.token },
        });
        return;
      }
      if (message.method === "subscribe") {
        connection.send({
          method: "subscribe",
          result: { channel: params.channel, snapshot: true, token: params.token },
          success: true,
          req_id: message.req_id,
        });
        connection.send({ channel: params.channel, type: "snapshot", data: [], sequence: 1 });
        connection.send({ channel: params.channel, type: "update", data: [], sequence: 3 });
        connection.send(`{"channel":"executions","type":"update","token":"${params.token}"`);
        return;
      }
      if (message.method === "add_order") {
        connection.send({
          method: "add_order",
          req_id: message.req_id,
          error: `EGeneral:Invalid arguments`,
          success: false,
          token: params.token,
        });
      }
    });
  });
  // Virtual time moves on as the test waits: the request pace lets the resubscribe out.
  const clock = new VirtualClock(0);
  const ticker = setInterval(() => clock.advance(100), 1);
  const metrics = new MetricsRegistry();
  const lines: string[] = [];
  const recorder = new Recorder({
    write: (_recv, line) => Promise.resolve(void lines.push(new TextDecoder().decode(line))),
    close: () => Promise.resolve(),
  });
  const tapped: string[] = [];
  const kraken = new KrakenWs({
    url: server.url,
    authUrl: server.url,
    auth: { apiKey: "key", apiSecret },
    fetch: fakeFetch as typeof fetch,
    clock,
    metrics,
    tap: combineTaps(recorder.tap, {
      frame: (text) => void tapped.push(text),
      event: (event) => void tapped.push(JSON.stringify(event)),
    }),
  });
  const everything = new EventCollector<KrakenEvent>(kraken.events());
  const executions = new EventCollector(kraken.executions());
  await executions.waitFor((event) => event.type === "gap");
  const refused = await kraken.addOrder({
    symbol: "BTC/USD",
    side: "buy",
    orderType: "market",
    orderQty: "1",
  }).catch((error) => error);
  assert.ok(refused instanceof KrakenRequestError);
  kraken.deadManSwitch(60);
  await kraken.close();
  await everything.done;
  await executions.done;
  clearInterval(ticker);
  await recorder.finish();
  const haystack = [
    JSON.stringify(everything.events),
    JSON.stringify(executions.events),
    tapped.join("\n"),
    String(refused.message),
    String(refused.stack),
    renderPrometheusText(metrics),
    lines.join(""),
  ].join("\n");
  assert.ok(issued.length >= 2, "a token was refused and a fresh one fetched");
  assert.ok(
    lines.some((line) => line.includes("[redacted]")),
    "the recording holds redacted frames",
  );
  assert.ok(
    tapped.some((text) => text.includes("[redacted]")),
    "echoed tokens reached the tap redacted",
  );
  for (const secret of [apiSecret, atob(apiSecret), ...issued]) {
    assert.equal(haystack.includes(secret), false, `leaked ${secret.slice(0, 12)}…`);
  }
  await server.close();
});

Deno.test("cancelOrder: when Kraken refuses some of the orders, the call fails saying which it did cancel", async () => {
  const server = privateServer((message, connection) => {
    const [, ...others] = paramsOf(message).order_id ?? [];
    connection.send({
      method: "cancel_order",
      req_id: message.req_id,
      error: "EOrder:Unknown order",
      success: false,
    });
    for (const id of others) {
      connection.send({
        method: "cancel_order",
        req_id: message.req_id,
        result: { order_id: id },
        success: true,
      });
    }
    return undefined;
  });
  const { source } = tokens();
  const kraken = client(server, source);
  const error = await kraken.cancelOrder({ orderId: ["GONE", "B"] }).catch((error) => error);
  assert.ok(error instanceof KrakenRequestError);
  assert.equal(error.code, "EOrder:Unknown order");
  assert.deepEqual(
    error.answered.map((result: unknown) => (result as { orderId?: string }).orderId),
    ["B"],
  );
  await assert.rejects(() => kraken.cancelAll({ timeoutMs: Number.NaN }), RangeError);
  await kraken.close();
  await server.close();
});

Deno.test("the dead man's switch of an authenticated connection that ended for good throws KrakenClosedError", async () => {
  const server = privateServer();
  const { source } = tokens();
  const kraken = client(server, source);
  const balances = new EventCollector(kraken.balances());
  const connection = await server.connection(0);
  await balances.waitFor((event) => event.type === "balances");
  connection.close(1008, "Policy violation");
  assert.ok(await balances.done instanceof KrakenClosedError);
  assert.throws(() => kraken.deadManSwitch(60), KrakenClosedError);
  assert.equal(kraken.state, "idle", "the public connection is untouched");
  await kraken.close();
  await server.close();
});
