import assert from "node:assert/strict";
import { EventCounter } from "../../src/core/event_counter.ts";
import { SessionHarness, STATUS_ONLINE } from "./session_harness.ts";

const TOKEN = "tok-1";

function accountSession(): SessionHarness {
  return new SessionHarness({ link: "private" });
}

function executions(type: "snapshot" | "update", sequence: number, data: unknown[] = []): unknown {
  return { channel: "executions", type, data, sequence };
}

const NEW_ORDER = {
  exec_type: "new",
  order_id: "O1",
  order_status: "new",
  timestamp: "2024-05-01T12:00:00.000000Z",
};

Deno.test("an account subscription names the connection's token, and its first subscribe the user's snapshot choices", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions", snapTrades: false });
  harness.goLive(TOKEN);
  const [subscribe] = harness.requests("subscribe");
  assert.deepEqual(subscribe.params, {
    channel: "executions",
    snap_trades: false,
    snap_orders: true,
    token: TOKEN,
  });
});

Deno.test("executions are delivered whole with their sequence; a jump is a sequence gap and a fresh subscription", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions" });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame(executions("snapshot", 1, [NEW_ORDER]));
  harness.frame(executions("update", 2));
  harness.frame(executions("update", 2)); // a repeat is not news
  harness.frame(executions("update", 5, [NEW_ORDER]));
  harness.advance(1000);
  harness.ackAll(); // the subscribe follows its unsubscribe's answer
  const delivered = harness.eventsOf("executions");
  assert.deepEqual(delivered.map((event) => [event.snapshot, event.sequence]), [[true, 1], [
    false,
    2,
  ]]);
  assert.equal(delivered[0].executions[0].orderId, "O1");
  const [gap] = harness.eventsOf("gap");
  assert.equal(gap.reason, "sequence");
  assert.equal(gap.channel, "executions");
  // 3 and 4 skipped, and 5, which showed it, is not delivered either.
  assert.deepEqual([gap.fromSequence, gap.toSequence], [3, 5]);
  // Unsubscribe, then subscribe again asking for both snapshots: open orders and missed fills.
  const again = harness.requests().slice(-2);
  assert.deepEqual(again.map((request) => request.method), ["unsubscribe", "subscribe"]);
  assert.deepEqual(again[0].params, { channel: "executions", token: TOKEN });
  assert.equal(again[1].params?.snap_orders, true);
  assert.equal(again[1].params?.snap_trades, true);
  // Until the new acknowledgement nothing is delivered; then the new count starts.
  harness.frame(executions("update", 6));
  harness.advance(500);
  harness.ackAll();
  harness.frame(executions("snapshot", 1));
  assert.deepEqual(harness.eventsOf("executions").map((event) => event.sequence), [1, 2, 1]);
  // What was dropped until the new acknowledgement (6 here) is a resubscribe gap.
  const gaps = harness.eventsOf("gap");
  assert.deepEqual(gaps.map((event) => event.reason), ["sequence", "resubscribe"]);
  const resubscribe = gaps[1];
  assert.ok(resubscribe.reason === "resubscribe" && resubscribe.toTime > resubscribe.fromTime);
});

Deno.test("an account channel's count going back starts it over, with an error, never silently", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances" });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame({ channel: "balances", type: "snapshot", sequence: 7, data: [] });
  harness.frame({ channel: "balances", type: "update", sequence: 2, data: [] });
  const [error] = harness.eventsOf("error");
  assert.equal(error.code, "protocol");
  assert.match(error.message, /balances sequence went back from 7 to 2/);
  assert.equal(harness.session.subscriptionState({ channel: "balances" }), "resyncing");
});

Deno.test("balances snapshots and ledger entries become balances events", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances" });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame({
    channel: "balances",
    type: "snapshot",
    sequence: 1,
    data: [{
      asset: "USD",
      asset_class: "currency",
      balance: 500,
      wallets: [{ type: "spot", id: "main", balance: 500 }],
    }],
  });
  harness.frame(
    '{"channel":"balances","type":"update","data":[{"ledger_id":"L1","ref_id":"R1",' +
      '"timestamp":"2023-09-22T10:33:05.710082Z","type":"trade","asset":"USD",' +
      '"asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main",' +
      '"amount":132.9995,"fee":0.3458,"balance":500.0000}],"sequence":2}',
  );
  const [snapshot, update] = harness.eventsOf("balances");
  assert.equal(snapshot.snapshot && snapshot.balances[0].balanceText, "500");
  assert.equal(!update.snapshot && update.entries[0].balanceText, "500.0000");
  assert.equal(!update.snapshot && update.entries[0].feeText, "0.3458");
});

Deno.test("EAPI:Invalid token fetches a fresh token and subscribes once more with it; a second refusal is final", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances" });
  harness.goLive(TOKEN);
  const [first] = harness.requests("subscribe");
  harness.reject(first, "EAPI:Invalid token");
  assert.deepEqual(harness.tokenRequests, [harness.connection]);
  assert.equal(harness.requests("subscribe").length, 1, "nothing is sent before the fresh token");
  harness.input({ type: "token", connection: harness.connection, token: "tok-2" });
  harness.advance(1000);
  const second = harness.requests("subscribe")[1];
  assert.equal(second.params?.token, "tok-2");
  assert.equal(harness.eventsOf("error").length, 0);
  harness.reject(second, "EAPI:Invalid token");
  const [error] = harness.eventsOf("error");
  assert.equal(error.code, "rejected");
  assert.equal(error.message, "EAPI:Invalid token");
  assert.equal(harness.session.subscriptionState({ channel: "balances" }), "rejected");
});

Deno.test("a token that cannot be had is an auth error, and the attempt is retried with backoff", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions" });
  harness.input({
    type: "authFailed",
    connection: harness.connection,
    message: "token request refused: EAPI:Invalid key",
  });
  const [error] = harness.eventsOf("error");
  assert.equal(error.code, "auth");
  assert.equal(harness.session.state, "backoff");
  assert.ok(harness.timers.includes("reconnect"));
  harness.advance(60_000);
  assert.ok(harness.opens.length > 1);
});

Deno.test("the authenticated connection's states say link private; its events share the client's count", () => {
  const counter = new EventCounter();
  const harness = new SessionHarness({ link: "private", counter });
  const publicHarness = new SessionHarness({ counter });
  harness.subscribe({ channel: "executions" });
  publicHarness.subscribe({ channel: "trade", symbol: "BTC/USD" });
  harness.goLive(TOKEN);
  const states = harness.eventsOf("state").filter((event) => event.scope === "connection");
  assert.ok(states.every((event) => event.scope === "connection" && event.link === "private"));
  assert.equal(harness.eventsOf("status")[0].link, "private");
  const publicStates = publicHarness.eventsOf("state").filter((event) =>
    event.scope === "connection"
  );
  assert.ok(
    publicStates.every((event) => event.scope === "connection" && event.link === undefined),
  );
  const seqs = [...harness.events, ...publicHarness.events].map((event) => event.seq).sort((a, b) =>
    a - b
  );
  assert.deepEqual(seqs, seqs.map((_, index) => index + 1));
});

const ADD = '{"symbol":"BTC/USD","side":"buy","order_type":"limit","order_qty":1}';

function order(id: number, options: { timeoutMs?: number; wait?: boolean; replies?: number } = {}) {
  return {
    type: "order" as const,
    order: {
      id,
      method: "add_order" as const,
      params: ADD,
      replies: options.replies ?? 1,
      timeoutMs: options.timeoutMs ?? 10_000,
      waitForConnection: options.wait ?? true,
    },
  };
}

Deno.test("a trading request connects, waits for the link, goes out once with the token, and settles with Kraken's answer", () => {
  const harness = accountSession();
  harness.input(order(1));
  assert.equal(harness.opens.length, 1, "a call needs the link: it connects");
  assert.equal(harness.texts.length, 0);
  harness.goLive(TOKEN);
  const [sent] = harness.requests("add_order");
  assert.equal(sent.params?.token, TOKEN);
  assert.equal(sent.params?.order_qty, 1);
  harness.frame({
    method: "add_order",
    req_id: sent.reqId,
    result: { order_id: "O1" },
    success: true,
    time_in: "t",
    time_out: "t",
  });
  assert.equal(harness.settled.length, 1);
  const { outcome } = harness.settled[0];
  assert.equal(outcome.status, "answered");
  assert.deepEqual(outcome.status === "answered" && outcome.replies[0].result, { order_id: "O1" });
});

Deno.test("a trading request on the wire when the link drops is settled unknown, and never sent again", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances" }); // holds the link across the reconnect
  harness.input(order(1));
  harness.goLive(TOKEN);
  harness.serverClose(1006);
  assert.deepEqual(harness.settled.map((settled) => settled.outcome.status), ["unknown"]);
  harness.advance(60_000);
  harness.goLive("tok-2");
  assert.equal(harness.session.state, "live");
  assert.equal(harness.requests("subscribe")[0].params?.token, "tok-2");
  assert.equal(harness.sent.filter((request) => request.method === "add_order").length, 1);
});

Deno.test("a trading request unanswered within its timeout is settled unknown; Kraken's refusal settles refused", () => {
  const harness = accountSession();
  harness.input(order(1, { timeoutMs: 3000 }));
  harness.goLive(TOKEN);
  harness.input(order(2));
  harness.advance(3000);
  assert.deepEqual(harness.settled.map((settled) => [settled.id, settled.outcome.status]), [[
    1,
    "unknown",
  ]]);
  const second = harness.requests("add_order")[1];
  harness.frame({
    method: "add_order",
    req_id: second.reqId,
    error: "EOrder:Insufficient funds",
    success: false,
  });
  const refused = harness.settled[1].outcome;
  assert.equal(refused.status === "refused" && refused.error, "EOrder:Insufficient funds");
});

Deno.test("while the link is down a request waits up to its timeout, or fails at once when asked", () => {
  const harness = accountSession();
  harness.input(order(1, { wait: false }));
  assert.deepEqual(harness.settled[0].outcome, { status: "unsent", reason: "not connected" });
  harness.input(order(2, { timeoutMs: 5000 }));
  harness.advance(5000);
  assert.equal(harness.settled[1].outcome.status, "unsent");
  assert.equal(harness.texts.filter((text) => text.includes("add_order")).length, 0);
});

Deno.test("EAPI:Invalid token on a trading request rejects it (never resent) and fetches a fresh token", () => {
  const harness = accountSession();
  harness.input(order(1));
  harness.goLive(TOKEN);
  const [sent] = harness.requests("add_order");
  harness.frame({
    method: "add_order",
    req_id: sent.reqId,
    error: "EAPI:Invalid token",
    success: false,
  });
  assert.equal(harness.settled[0].outcome.status, "refused");
  assert.deepEqual(harness.tokenRequests, [harness.connection]);
  harness.input({ type: "token", connection: harness.connection, token: "tok-2" });
  harness.input(order(2));
  assert.equal(harness.requests("add_order")[1].params?.token, "tok-2");
  assert.equal(harness.requests("add_order").length, 2);
});

Deno.test("a cancel_order naming several orders: an order's own error is its answer; a request error refuses all", () => {
  const harness = accountSession();
  const cancel = (id: number) =>
    harness.input({
      type: "order",
      order: {
        id,
        method: "cancel_order",
        params: '{"order_id":["A","B"]}',
        replies: 2,
        timeoutMs: 10_000,
        waitForConnection: true,
      },
    });
  cancel(1);
  harness.goLive(TOKEN);
  cancel(2);
  const [first, second] = harness.requests("cancel_order");
  harness.frame({
    method: "cancel_order",
    req_id: first.reqId,
    error: "EOrder:Unknown order",
    success: false,
  });
  assert.equal(harness.settled.length, 0, "B's answer is still to come");
  harness.frame({
    method: "cancel_order",
    req_id: first.reqId,
    result: { order_id: "B" },
    success: true,
  });
  const mixed = harness.settled[0].outcome;
  assert.equal(mixed.status, "answered");
  assert.deepEqual(mixed.status === "answered" && mixed.errors, ["EOrder:Unknown order"]);
  harness.frame({
    method: "cancel_order",
    req_id: second.reqId,
    error: "EGeneral:Invalid arguments",
    success: false,
  });
  assert.equal(harness.settled[1].outcome.status, "refused");
  assert.equal(harness.eventsOf("error").length, 0);
});

Deno.test("a cancel_order naming several orders settles after one answer per order", () => {
  const harness = accountSession();
  harness.input({
    type: "order",
    order: {
      id: 7,
      method: "cancel_order",
      params: '{"order_id":["A","B"]}',
      replies: 2,
      timeoutMs: 10_000,
      waitForConnection: true,
    },
  });
  harness.goLive(TOKEN);
  const [sent] = harness.requests("cancel_order");
  harness.frame({
    method: "cancel_order",
    req_id: sent.reqId,
    result: { order_id: "A" },
    success: true,
  });
  assert.equal(harness.settled.length, 0);
  harness.frame({
    method: "cancel_order",
    req_id: sent.reqId,
    result: { order_id: "B" },
    success: true,
  });
  const outcome = harness.settled[0].outcome;
  assert.equal(outcome.status === "answered" && outcome.replies.length, 2);
});

Deno.test("the dead man's switch arms, refreshes every quarter of its countdown, re-arms after a reconnect and disarms on stop", () => {
  const harness = accountSession();
  harness.input({ type: "deadManSwitch", timeoutSeconds: 60 });
  harness.goLive(TOKEN);
  const arm = () => harness.sent.filter((request) => request.method === "cancel_all_orders_after");
  assert.deepEqual(arm().map((request) => request.params?.timeout), [60]);
  harness.frame({
    method: "cancel_all_orders_after",
    req_id: arm()[0].reqId,
    result: { currentTime: "2023-09-21T15:49:29Z", triggerTime: "2023-09-21T15:50:29Z" },
    success: true,
  });
  const [armed] = harness.eventsOf("dead_man_switch");
  assert.equal(armed.state, "armed");
  assert.equal(armed.triggerTime, "2023-09-21T15:50:29Z");
  harness.advance(15_000);
  assert.equal(arm().length, 2);
  harness.serverClose(1006);
  assert.equal(harness.eventsOf("dead_man_switch").at(-1)?.state, "unknown");
  harness.advance(60_000);
  harness.goLive("tok-2");
  assert.equal(arm().length, 3);
  assert.equal(arm()[2].params?.token, "tok-2");
  harness.input({ type: "stop" });
  assert.deepEqual(arm().at(-1)?.params?.timeout, 0);
  assert.equal(harness.closes.at(-1)?.code, 1000);
});

Deno.test("turning the switch off reaches Kraken across a lost link: the link is held and the 0 sent again", () => {
  const harness = accountSession();
  harness.input({ type: "deadManSwitch", timeoutSeconds: 60 });
  harness.goLive(TOKEN);
  const arms = () => harness.sent.filter((request) => request.method === "cancel_all_orders_after");
  harness.frame({
    method: "cancel_all_orders_after",
    req_id: arms()[0].reqId,
    result: { currentTime: "t", triggerTime: "u" },
    success: true,
  });
  harness.input({ type: "deadManSwitch", timeoutSeconds: 0 });
  assert.deepEqual(arms().map((request) => request.params?.timeout), [60, 0]);
  harness.serverClose(1006); // before Kraken confirmed the 0
  assert.notEqual(harness.session.state, "idle", "the link is still needed to turn it off");
  harness.advance(60_000);
  harness.goLive("tok-2");
  assert.deepEqual(arms().map((request) => request.params?.timeout), [60, 0, 0]);
  harness.frame({
    method: "cancel_all_orders_after",
    req_id: arms()[2].reqId,
    result: { currentTime: "t", triggerTime: "0" },
    success: true,
  });
  assert.equal(harness.eventsOf("dead_man_switch").at(-1)?.state, "disarmed");
  harness.advance(20_000);
  assert.equal(harness.session.state, "idle", "confirmed off: nothing needs the link");
});

Deno.test("a refused switch is a failed event; closing with the link down says the countdown may run", () => {
  const harness = accountSession();
  harness.input({ type: "deadManSwitch", timeoutSeconds: 60 });
  harness.goLive(TOKEN);
  const [arm] = harness.requests("cancel_all_orders_after");
  harness.frame({
    method: "cancel_all_orders_after",
    req_id: arm.reqId,
    error: "EGeneral:Invalid arguments",
    success: false,
  });
  const failed = harness.eventsOf("dead_man_switch")[0];
  assert.equal(failed.state, "failed");
  assert.equal(failed.message, "EGeneral:Invalid arguments");
  harness.serverClose(1006);
  harness.input({ type: "stop" });
  const last = harness.eventsOf("dead_man_switch").at(-1)!;
  assert.equal(last.state, "unknown");
  assert.match(last.message ?? "", /may still run out/);
});

Deno.test("a token fetch that fails while closing changes nothing", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions" });
  harness.goLive(TOKEN);
  harness.input({ type: "stop" });
  harness.input({ type: "authFailed", connection: harness.connection, message: "late" });
  harness.input({ type: "token", connection: harness.connection, token: "late" });
  assert.equal(harness.session.state, "closing");
  assert.equal(harness.eventsOf("error").length, 0);
});

Deno.test("closing settles what waits as unsent and what is on the wire as unknown", () => {
  const harness = accountSession();
  harness.input(order(1));
  harness.goLive(TOKEN);
  harness.serverClose(1006);
  harness.input(order(2));
  harness.input({ type: "stop" });
  assert.deepEqual(harness.settled.map((settled) => [settled.id, settled.outcome.status]), [
    [1, "unknown"],
    [2, "unsent"],
  ]);
});

Deno.test("the authenticated link lingers while a request or the switch needs it, then goes idle", () => {
  const harness = new SessionHarness({ link: "private", lingerMs: 1000 });
  harness.input(order(1));
  harness.goLive(TOKEN);
  harness.advance(2000);
  assert.equal(harness.session.state, "live", "a request on the wire holds the link");
  const [sent] = harness.requests("add_order");
  harness.frame({
    method: "add_order",
    req_id: sent.reqId,
    result: { order_id: "O" },
    success: true,
  });
  harness.advance(1000);
  assert.equal(harness.session.state, "idle");
  assert.deepEqual(harness.timers, []);
});

Deno.test("a status frame on the private link keeps its shape", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances" });
  harness.opened(TOKEN);
  harness.frame(STATUS_ONLINE);
  assert.equal(harness.eventsOf("status")[0].system, "online");
});

Deno.test("a snapshot asked for and lost is a sequence gap from 1, never an update taken as the start", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions" });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame(executions("update", 2, [NEW_ORDER]));
  assert.equal(harness.eventsOf("executions").length, 0);
  const [gap] = harness.eventsOf("gap");
  assert.equal(gap.reason, "sequence");
  assert.deepEqual([gap.fromSequence, gap.toSequence], [1, 2]);
  harness.advance(1000);
  harness.ackAll();
  assert.deepEqual(harness.requests().slice(-2).map((request) => request.method), [
    "unsubscribe",
    "subscribe",
  ]);
});

Deno.test("without a snapshot asked for, the first update starts the count", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "balances", snapshot: false });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame({ channel: "balances", type: "update", sequence: 4, data: [] });
  harness.frame({ channel: "balances", type: "update", sequence: 5, data: [] });
  assert.deepEqual(harness.eventsOf("balances").map((event) => event.sequence), [4, 5]);
  assert.equal(harness.eventsOf("gap").length, 0);
});

Deno.test("a snapshot that comes before its acknowledgement is held and delivered once acknowledged", () => {
  const harness = accountSession();
  harness.subscribe({ channel: "executions" });
  harness.goLive(TOKEN);
  harness.frame(executions("snapshot", 1, [NEW_ORDER]));
  harness.frame(executions("update", 2));
  assert.equal(harness.eventsOf("executions").length, 0, "nothing before the acknowledgement");
  harness.ackAll();
  harness.frame(executions("update", 3));
  assert.deepEqual(
    harness.eventsOf("executions").map((event) => [event.snapshot, event.sequence]),
    [
      [true, 1],
      [false, 2],
      [false, 3],
    ],
  );
  assert.equal(harness.eventsOf("gap").length, 0);
});

Deno.test("an answer that names no req_id is matched to the one request of its method on the wire, never guessed between two", () => {
  const harness = accountSession();
  harness.input(order(1));
  harness.goLive(TOKEN);
  harness.frame({ method: "add_order", result: { order_id: "O1" }, success: true });
  assert.deepEqual(harness.settled.map((settled) => [settled.id, settled.outcome.status]), [[
    1,
    "answered",
  ]]);
  harness.input(order(2));
  harness.input(order(3));
  harness.frame({ method: "add_order", error: "EOrder:Insufficient funds", success: false });
  assert.equal(harness.settled.length, 1, "two add_order on the wire: the answer is not guessed");
  assert.equal(harness.eventsOf("error")[0]?.code, "protocol");
});
