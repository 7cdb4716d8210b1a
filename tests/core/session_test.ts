import assert from "node:assert/strict";
import { CONNECTION_TRANSITIONS, IllegalInputError } from "../../src/core/connection_machine.ts";
import type { ConnectionState } from "../../src/core/events.ts";
import { SubscriptionConflictError } from "../../src/core/session.ts";
import { ServerBook, tradeFrame } from "./server_book.ts";
import { SessionHarness, STATUS_ONLINE } from "./session_harness.ts";

const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;
const BTC_TRADES = { channel: "trade", symbol: "BTC/USD" } as const;

/** A harness with one synced book for BTC/USD. */
function syncedBook(options = {}) {
  const harness = new SessionHarness(options);
  const server = new ServerBook("BTC/USD");
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  return { harness, server };
}

Deno.test("session: the first subscription connects, and the status frame makes it live", () => {
  const harness = new SessionHarness();
  assert.equal(harness.session.state, "idle");
  harness.subscribe(BTC_TRADES);
  assert.equal(harness.session.state, "connecting");
  assert.deepEqual(harness.opens, [{ connection: 1, at: 0 }]);
  harness.goLive();
  assert.equal(harness.session.state, "live");
  assert.deepEqual(harness.connectionStates(), ["connecting", "open", "live"]);
  const [subscribe] = harness.requests("subscribe");
  assert.deepEqual(subscribe.params, { channel: "trade", symbol: ["BTC/USD"], snapshot: false });
  assert.equal(typeof subscribe.reqId, "number");
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "synced");
  const status = harness.eventsOf("status");
  assert.deepEqual(status.map((event) => [event.system, event.connectionId]), [["online", "1"]]);
  const seqs = harness.events.map((event) => event.seq);
  assert.deepEqual(seqs, seqs.map((_, index) => index + 1), "seq increases by one per event");
});

/** Drives a fresh session into `state` by legal inputs. */
function reach(state: ConnectionState): SessionHarness {
  const harness = new SessionHarness({ heartbeatTimeoutMs: 1000, lingerMs: 500 });
  if (state === "idle") return harness;
  if (state === "closed") {
    harness.input({ type: "stop" });
    return harness;
  }
  harness.subscribe(BTC_TRADES);
  if (state === "connecting") return harness;
  if (state === "backoff") {
    harness.serverClose(1006);
    return harness;
  }
  harness.opened();
  if (state === "open") return harness;
  harness.frame(STATUS_ONLINE);
  harness.ackAll();
  if (state === "live") return harness;
  harness.input({ type: "stop" });
  return harness;
}

/** Applies a trigger the way a driver would produce it. */
function fire(harness: SessionHarness, trigger: string): void {
  const connection = harness.connection;
  switch (trigger) {
    case "start":
      harness.input({ type: "start" });
      return;
    case "stop":
      harness.input({ type: "stop" });
      return;
    case "opened":
      harness.opened();
      return;
    case "frame":
      harness.frame(STATUS_ONLINE);
      return;
    case "closed":
      harness.input({ type: "closed", connection, code: 1006, reason: "" });
      return;
    case "rejected":
      harness.input({ type: "closed", connection, code: 1008, reason: "policy" });
      return;
    case "timeout":
      harness.advance(15_000);
      return;
    case "retry":
      harness.advance(60_000);
      return;
    case "close_timeout":
      harness.advance(5000);
      return;
    case "linger":
      // The last consumer leaves, and stays gone for the linger.
      harness.unsubscribe(1);
      harness.advance(500);
      return;
  }
}

Deno.test("session: every row of the transition table is walked", () => {
  for (const row of CONNECTION_TRANSITIONS) {
    const harness = reach(row.from);
    assert.equal(harness.session.state, row.from, `reach ${row.from}`);
    const before = harness.events.length;
    fire(harness, row.trigger);
    const where = `${row.from} --${row.trigger}--> ${row.to}`;
    const moves = harness.events.slice(before).filter((event) =>
      event.type === "state" && event.scope === "connection"
    );
    if (row.from === row.to) {
      assert.equal(moves.length, 0, `${where} is no transition`);
      assert.equal(harness.session.state, row.to, where);
      continue;
    }
    // The first move after the trigger is this row; a timeout may go on to retry from there.
    const [first] = moves;
    assert.ok(
      first?.type === "state" && first.scope === "connection",
      `${where} emits a state event`,
    );
    assert.deepEqual([first.from, first.to], [row.from, row.to], where);
    assert.ok(first.cause.length > 0, `${where} has a cause`);
  }
});

Deno.test("session: illegal inputs are typed errors and change nothing", () => {
  const idle = new SessionHarness();
  assert.throws(() => idle.input({ type: "opened", connection: 0 }), IllegalInputError);
  assert.throws(() => idle.input({ type: "timer", id: "ping" }), IllegalInputError);
  assert.equal(idle.session.state, "idle");
  const live = reach("live");
  assert.throws(() => live.opened(), IllegalInputError);
  assert.throws(() => live.input({ type: "start" }), IllegalInputError);
  assert.equal(live.session.state, "live");
  const closed = reach("closed");
  assert.throws(() => closed.subscribe(BTC_TRADES), IllegalInputError);
  assert.throws(() => closed.input({ type: "stop" }), IllegalInputError);
  // Inputs of a socket the session already left are not errors: they are ignored.
  const backoff = reach("backoff");
  backoff.input({ type: "frame", connection: 1, text: JSON.stringify(STATUS_ONLINE) });
  backoff.input({ type: "closed", connection: 1, code: 1006, reason: "" });
  assert.equal(backoff.session.state, "backoff");
});

Deno.test("session: reconnects after 1001, 1006, 1011 and a stall; 1008 is final", () => {
  for (const code of [1001, 1006, 1011]) {
    const harness = new SessionHarness();
    harness.subscribe(BTC_TRADES);
    harness.goLive();
    harness.ackAll();
    harness.serverClose(code, "bye");
    assert.equal(harness.session.state, "backoff", `close ${code}`);
    const backoff = harness.eventsOf("state").at(-2);
    assert.ok(backoff?.scope === "connection" && backoff.cause === `close ${code} bye`);
    harness.advance(0);
    assert.equal(harness.session.state, "connecting", "the first retry is at once");
    assert.equal(harness.opens.length, 2);
    harness.goLive();
    harness.advance(100); // the replay is paced like any request
    assert.equal(harness.requests("subscribe").length, 1, "resubscribed on the new connection");
  }
  const stalled = new SessionHarness({ heartbeatTimeoutMs: 10_000 });
  stalled.subscribe(BTC_TRADES);
  stalled.goLive();
  stalled.ackAll();
  stalled.advance(9000);
  assert.equal(stalled.session.state, "live");
  stalled.advance(1500);
  assert.equal(stalled.closes.length, 1, "the dead link is closed on our side");
  assert.equal(stalled.closes[0].code, 4000);
  const stale = stalled.eventsOf("state").find((event) =>
    event.scope === "connection" && event.to === "backoff"
  );
  assert.equal(stale?.cause, "stale");
  stalled.advance(0);
  assert.equal(stalled.opens.length, 2);

  const banned = new SessionHarness();
  banned.subscribe(BTC_TRADES);
  banned.goLive();
  banned.serverClose(1008, "policy violation");
  assert.equal(banned.session.state, "closed");
  assert.deepEqual(banned.timers, [], "nothing left scheduled");
  banned.advance(3_600_000);
  assert.equal(banned.opens.length, 1, "never reconnects after 1008");
});

Deno.test("session: heartbeats keep a quiet link alive; silence while unsubscribed is fine", () => {
  const harness = new SessionHarness({ heartbeatTimeoutMs: 10_000 });
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  for (let second = 0; second < 60; second++) {
    harness.advance(1000);
    harness.frame({ channel: "heartbeat" });
  }
  assert.equal(harness.session.state, "live");
  assert.equal(harness.opens.length, 1);
  const pings = harness.requests("ping");
  assert.equal(pings.length, 2, "a ping every 30 s");
  assert.deepEqual(pings.map((ping) => ping.at), [30_000, 60_000]);
});

Deno.test("session: the backoff sequence is reproducible from its seed and capped", () => {
  // Each failed attempt closes at once, so the gaps between opens are the delays themselves.
  const delays = (seed: number) => {
    const harness = new SessionHarness({ seed, reconnect: {} });
    harness.subscribe(BTC_TRADES);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = harness.clock.now();
      harness.serverClose(1006);
      const next = harness.clock.nextAt()!;
      out.push(next - before);
      harness.advance(next - before);
    }
    return out;
  };
  const first = delays(7);
  assert.deepEqual(delays(7), first, "same seed, same delays");
  assert.notDeepEqual(delays(8), first, "another seed, other delays");
  assert.equal(first[0], 0, "the first retry is at once");
  const caps = [0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000];
  first.forEach((delay, index) => {
    assert.ok(
      delay >= 0 && delay <= caps[index],
      `delay ${index} = ${delay} within ${caps[index]}`,
    );
  });
  assert.ok(first.slice(6).some((delay) => delay > 16_000), "the cap grows to 30 s");
});

Deno.test("session: never more connection attempts than the budget per window", () => {
  const harness = new SessionHarness({
    reconnect: { maxAttempts: 5, attemptWindowMs: 60_000, maxDelayMs: 10 },
  });
  harness.subscribe(BTC_TRADES);
  for (let i = 0; i < 12; i++) {
    harness.serverClose(1006);
    harness.advance(harness.clock.nextAt()! - harness.clock.now());
  }
  const times = harness.opens.map((open) => open.at);
  for (const at of times) {
    const inWindow = times.filter((other) => other > at - 60_000 && other <= at).length;
    assert.ok(inWindow <= 5, `at ${at}: ${inWindow} attempts in the last minute`);
  }
  assert.ok(times.at(-1)! >= 120_000, "later attempts waited for the window");
});

Deno.test("session: after a maintenance status, attempts are at least 5 s apart", () => {
  const harness = new SessionHarness({ reconnect: { maxDelayMs: 10 } });
  harness.subscribe(BTC_TRADES);
  harness.opened();
  harness.frame({ channel: "status", type: "update", data: [{ system: "maintenance" }] });
  assert.equal(harness.eventsOf("status")[0].system, "maintenance");
  for (let i = 0; i < 5; i++) {
    harness.serverClose(1006);
    harness.advance(harness.clock.nextAt()! - harness.clock.now());
  }
  const times = harness.opens.map((open) => open.at);
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i] - times[i - 1] >= 5000, `attempt ${i} after ${times[i] - times[i - 1]} ms`);
  }
});

Deno.test("session: the attempt counter resets only after a stable window", () => {
  const stable = new SessionHarness({ reconnect: { seed: 3 } });
  stable.subscribe(BTC_TRADES);
  stable.serverClose(1006);
  stable.advance(0);
  stable.goLive();
  stable.ackAll();
  for (let second = 0; second < 31; second++) {
    stable.advance(1000);
    stable.frame({ channel: "heartbeat" });
  }
  stable.serverClose(1006);
  const now = stable.clock.now();
  stable.advance(0);
  assert.equal(stable.opens.at(-1)!.at, now, "after a stable window the retry is at once again");
  // Without the stable window the counter keeps growing: the retry is not immediate for this seed.
  const counted = new SessionHarness({ reconnect: { seed: 3 } });
  counted.subscribe(BTC_TRADES);
  for (let i = 0; i < 3; i++) {
    counted.serverClose(1006);
    counted.advance(counted.clock.nextAt()! - counted.clock.now());
  }
  counted.goLive();
  counted.advance(5000);
  counted.frame({ channel: "heartbeat" });
  const before = counted.clock.now();
  counted.serverClose(1006);
  assert.ok(counted.clock.nextAt()! > before, "an unstable connection does not reset the counter");
});

Deno.test("session: subscriptions replay in the order asked, paced, matched by req_id", () => {
  // One symbol a request, so the order and the pacing of requests show.
  const harness = new SessionHarness({ requestsPerSecond: 10, maxSymbolsPerRequest: 1 });
  const symbols = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD"];
  for (const symbol of symbols) harness.subscribe({ channel: "trade", symbol });
  harness.subscribe({ channel: "ticker", symbol: "BTC/USD", trigger: "bbo" });
  harness.goLive();
  harness.advance(1000);
  const first = harness.requests("subscribe");
  assert.deepEqual(first.map((request) => request.params!.symbol![0]), [...symbols, "BTC/USD"]);
  const gaps = first.slice(1).map((request, index) => request.at - first[index].at);
  assert.ok(gaps.every((gap) => gap >= 100), `paced at 10/s: ${gaps}`);
  harness.ackAll();
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(1000);
  const replay = harness.requests("subscribe");
  assert.deepEqual(
    replay.map((request) => [request.params!.channel, request.params!.symbol![0]]),
    first.map((request) => [request.params!.channel, request.params!.symbol![0]]),
    "the same order on every connection",
  );
  assert.deepEqual(replay.at(-1)!.params, {
    channel: "ticker",
    symbol: ["BTC/USD"],
    event_trigger: "bbo",
  });
  // Acknowledgements are matched by req_id, whatever order they come in.
  for (const request of [...replay].reverse()) harness.ack(request);
  for (const symbol of symbols) {
    assert.equal(harness.session.subscriptionState({ channel: "trade", symbol }), "synced");
  }
});

Deno.test("session: a rejected symbol fails alone and is not replayed", () => {
  const harness = new SessionHarness();
  harness.subscribe({ channel: "trade", symbol: "XBT/USD" });
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.advance(500);
  // One request names both; Kraken refuses one symbol and acknowledges the other.
  const [request] = harness.requests("subscribe");
  assert.deepEqual(request.params!.symbol, ["XBT/USD", "BTC/USD"]);
  harness.reject(request, "Currency pair not supported XBT/USD", ["XBT/USD"]);
  harness.ack(request, ["BTC/USD"]);
  const [error] = harness.eventsOf("error");
  assert.deepEqual(
    { code: error.code, message: error.message, channel: error.channel, symbol: error.symbol },
    {
      code: "rejected",
      message: "Currency pair not supported XBT/USD",
      channel: "trade",
      symbol: "XBT/USD",
    },
  );
  assert.equal(
    harness.session.subscriptionState({ channel: "trade", symbol: "XBT/USD" }),
    "rejected",
  );
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "synced");
  harness.frame(tradeFrame("BTC/USD", 1));
  assert.equal(harness.eventsOf("trade").length, 1);
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(500);
  assert.deepEqual(harness.requests("subscribe").map((sent) => sent.params!.symbol), [
    ["BTC/USD"],
  ]);
});

Deno.test("session: Exceeded msg rate slows the pacing and retries the request", () => {
  const harness = new SessionHarness({ requestsPerSecond: 10, maxSymbolsPerRequest: 1 });
  harness.subscribe(BTC_TRADES);
  harness.subscribe({ channel: "trade", symbol: "ETH/USD" });
  harness.subscribe({ channel: "trade", symbol: "SOL/USD" });
  harness.goLive();
  const [first] = harness.requests("subscribe");
  harness.reject(first, "Exceeded msg rate");
  harness.advance(2000);
  const sent = harness.requests("subscribe");
  assert.equal(sent.length, 4, "the refused request went out again");
  const retried = sent.filter((request) => request.params!.symbol![0] === "BTC/USD");
  assert.equal(retried.length, 2);
  const later = sent.slice(1);
  const gaps = later.slice(1).map((request, index) => request.at - later[index].at);
  assert.ok(gaps.every((gap) => gap >= 200), `slower after the refusal: ${gaps}`);
  assert.equal(harness.eventsOf("error").length, 0, "not a failure");
});

Deno.test("session: a corrupted checksum gives exactly a gap, unsubscribe, subscribe, no bad book", () => {
  const { harness, server } = syncedBook();
  harness.frame(server.update(2.5));
  assert.equal(harness.eventsOf("book").length, 2);
  const before = harness.events.length;
  const requestsBefore = harness.requests().length;
  const corrupt = server.update(3.5, true);
  harness.frame(corrupt);
  harness.advance(1000);
  assert.deepEqual(
    harness.requests().slice(requestsBefore).map((request) => request.method),
    ["unsubscribe"],
    "the subscribe waits for the unsubscribe's answer",
  );
  harness.ackAll();
  harness.advance(1000);
  const after = harness.events.slice(before);
  assert.equal(
    after.filter((event) => event.type === "book").length,
    0,
    "the bad book is never emitted",
  );
  const gaps = after.filter((event) => event.type === "gap");
  assert.equal(gaps.length, 1);
  const [gap] = gaps;
  assert.ok(gap.type === "gap");
  assert.equal(gap.reason, "checksum");
  assert.equal(gap.channel, "book");
  assert.equal(gap.symbol, "BTC/USD");
  assert.equal(gap.expected, (server.checksum() + 1) >>> 0);
  assert.equal(typeof gap.computed, "number");
  const requests = harness.requests().slice(requestsBefore).filter((request) =>
    request.method !== "ping"
  );
  assert.deepEqual(requests.map((request) => [request.method, request.params]), [
    ["unsubscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10 }],
    ["subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10, snapshot: true }],
  ]);
  // Updates are dropped until the new snapshot; then books flow again.
  harness.frame(server.update(4.5));
  assert.equal(harness.eventsOf("book").length, 2);
  harness.ackAll();
  harness.frame(server.update(5.5));
  assert.equal(harness.eventsOf("book").length, 2, "still waiting for the snapshot");
  harness.frame(server.snapshot());
  harness.frame(server.update(6.5));
  const books = harness.eventsOf("book");
  assert.equal(books.length, 4);
  assert.equal(books[2].snapshot, true);
  assert.equal(books[3].bids[0].qtyText, "6.50000000");
  assert.equal(books[3].checksum, server.checksum());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
});

Deno.test("session: a crossed book is a gap and a resync, never emitted", () => {
  const { harness, server } = syncedBook();
  harness.frame(server.crossing());
  const [gap] = harness.eventsOf("gap");
  assert.equal(gap.reason, "crossed");
  assert.equal(harness.eventsOf("book").length, 1, "only the snapshot");
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "resyncing");
});

Deno.test("session: one book's trouble leaves the others alone", () => {
  const harness = new SessionHarness();
  const btc = new ServerBook("BTC/USD");
  const eth = new ServerBook("ETH/USD", 10, 2000);
  harness.subscribe(BTC_BOOK);
  harness.subscribe({ channel: "book", symbol: "ETH/USD", depth: 10 });
  harness.goLive();
  harness.advance(500);
  harness.ackAll();
  harness.frame(btc.snapshot());
  harness.frame(eth.snapshot());
  harness.frame(btc.update(9, true));
  harness.frame(eth.update(3));
  harness.frame(eth.update(4));
  const ethBooks = harness.eventsOf("book").filter((event) => event.symbol === "ETH/USD");
  assert.equal(ethBooks.length, 3);
  assert.equal(
    harness.session.subscriptionState({ channel: "book", symbol: "ETH/USD", depth: 10 }),
    "synced",
  );
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "resyncing");
});

Deno.test("session: repeated failures keep resyncing with backoff and say so", () => {
  const { harness, server } = syncedBook({ immediateResyncs: 2 });
  const resync = () => {
    harness.frame(server.update(7, true));
  };
  const resubscribes = () => harness.requests("subscribe").length;
  for (let attempt = 1; attempt <= 4; attempt++) {
    const before = resubscribes();
    resync();
    const state = harness.eventsOf("state").at(-1)!;
    assert.ok(state.scope === "subscription" && state.to === "resyncing");
    assert.equal(state.attempt, attempt);
    // The unsubscribe is answered at once; the subscribe follows its answer.
    if (attempt <= 2) {
      harness.advance(300);
      harness.ackAll();
      assert.equal(resubscribes(), before + 1, `attempt ${attempt} resubscribes at once`);
    } else {
      harness.advance(300);
      harness.ackAll();
      assert.equal(resubscribes(), before, `attempt ${attempt} waits`);
      harness.advance(2 ** (attempt - 3) * 1000);
      harness.ackAll();
      assert.equal(resubscribes(), before + 1, `attempt ${attempt} resubscribes after its backoff`);
    }
    harness.ackAll();
    harness.frame(server.snapshot());
  }
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  harness.frame(server.update(8));
  assert.equal(harness.eventsOf("book").at(-1)!.bids[0].qtyText, "8.00000000");
});

Deno.test("session: a snapshot that does not come is asked for again, with doubling waits", () => {
  const harness = new SessionHarness({ snapshotTimeoutMs: 1000, subscriptionTimeoutMs: 600_000 });
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  const askedAt: number[] = [];
  for (let round = 0; round < 3; round++) {
    const before = harness.requests("subscribe").length;
    for (let ms = 0; ms < 20_000 && harness.requests("subscribe").length === before; ms += 50) {
      harness.advance(50);
      harness.frame({ channel: "heartbeat" });
      // The resync's unsubscribe is answered at once: its subscribe follows.
      harness.ackAll();
    }
    askedAt.push(harness.clock.now());
    harness.ackAll();
  }
  const waits = askedAt.map((at, index) => at - (index === 0 ? 0 : askedAt[index - 1]));
  // Each wait is the nominal one (1 s, 2 s, 4 s), found by a tick of at most 250 ms and answered
  // within this loop's 50 ms steps.
  waits.forEach((wait, index) => {
    const nominal = 1000 * 2 ** index;
    assert.ok(
      wait >= nominal && wait < nominal + 300,
      `wait ${index} = ${wait}, nominal ${nominal}`,
    );
  });
  const stale = harness.eventsOf("state").filter((event) =>
    event.scope === "subscription" && event.to === "stale"
  );
  assert.equal(stale.length, 3);
  assert.equal(stale[0].cause, "no snapshot");
});

Deno.test("session: a trade_id jump is a gap with the missing range; repeats are dropped", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  harness.frame(tradeFrame("BTC/USD", 100, 101));
  harness.frame(tradeFrame("BTC/USD", 101, 105));
  harness.frame(tradeFrame("BTC/USD", 106));
  const trades = harness.eventsOf("trade").map((event) => event.tradeId);
  assert.deepEqual(trades, [100, 101, 105, 106]);
  const gaps = harness.eventsOf("gap");
  assert.deepEqual(
    gaps.map((gap) =>
      gap.reason === "sequence" ? [gap.symbol, gap.fromTradeId, gap.toTradeId] : gap.reason
    ),
    [["BTC/USD", 102, 104]],
  );
  const order = harness.events.filter((event) => event.type === "trade" || event.type === "gap")
    .map((event) => event.type === "trade" ? event.tradeId : "gap");
  assert.deepEqual(order, [100, 101, "gap", 105, 106], "the gap comes before the trade after it");
});

Deno.test("session: a reconnect is a gap with its span; trades seen before name their exact loss instead", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD");
  harness.subscribe(BTC_TRADES);
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.advance(500);
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.advance(1000);
  harness.frame(tradeFrame("BTC/USD", 1));
  const lastFrame = harness.clock.now();
  harness.advance(2000);
  harness.serverClose(1006);
  harness.advance(0);
  harness.advance(3000);
  harness.goLive();
  harness.advance(500);
  harness.ackAll();
  const gaps = harness.eventsOf("gap").filter((gap) => gap.reason === "reconnect");
  // The trades resubscribe with Kraken's last trades: their loss is counted in trade ids below.
  assert.deepEqual(gaps.map((gap) => gap.channel).sort(), ["book"]);
  for (const gap of gaps) {
    assert.ok(gap.reason === "reconnect");
    assert.equal(gap.fromTime, lastFrame);
    assert.ok(gap.toTime > lastFrame + 5000);
  }
  // The trade counter survives the reconnect: the exact missing trades are named.
  harness.frame(tradeFrame("BTC/USD", 4));
  const sequence = harness.eventsOf("gap").filter((gap) => gap.reason === "sequence");
  assert.deepEqual(sequence.map((gap) => [gap.fromTradeId, gap.toTradeId]), [[2, 3]]);
});

Deno.test("session: a subscription silent past its timeout is stale and resubscribed", () => {
  const harness = new SessionHarness({ subscriptionTimeoutMs: 5000, heartbeatTimeoutMs: 60_000 });
  harness.subscribe(BTC_TRADES);
  harness.subscribe({ channel: "trade", symbol: "ETH/USD" });
  harness.goLive();
  harness.advance(500);
  harness.ackAll();
  // ETH trades keep the link busy (so no heartbeats), BTC is silent.
  for (let i = 0; i < 60; i++) {
    harness.advance(100);
    harness.frame(tradeFrame("ETH/USD", i + 1));
  }
  const stale = harness.eventsOf("state").filter((event) =>
    event.scope === "subscription" && event.to === "stale"
  );
  assert.deepEqual(stale.map((event) => event.scope === "subscription" && event.symbol), [
    "BTC/USD",
  ]);
  harness.advance(500);
  harness.ackAll();
  const btc = harness.requests().filter((request) => request.params?.symbol?.[0] === "BTC/USD");
  assert.deepEqual(btc.map((request) => request.method), ["subscribe", "unsubscribe", "subscribe"]);
  // Heartbeats cover every subscription: a quiet link with heartbeats is not stale.
  const quiet = new SessionHarness({ subscriptionTimeoutMs: 5000 });
  quiet.subscribe(BTC_TRADES);
  quiet.goLive();
  quiet.ackAll();
  for (let i = 0; i < 20; i++) {
    quiet.advance(1000);
    quiet.frame({ channel: "heartbeat" });
  }
  assert.equal(quiet.session.subscriptionState(BTC_TRADES), "synced");
});

Deno.test("session: bad frames are typed errors and a gap, and the session goes on", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  harness.frame("{not json");
  harness.frame('{"channel":"level9","data":[]}');
  harness.frame(tradeFrame("BTC/USD", 1));
  const errors = harness.eventsOf("error");
  assert.deepEqual(errors.map((error) => error.code), ["decode", "unknown"]);
  assert.equal(errors[0].excerpt, "{not json");
  assert.equal(harness.eventsOf("gap")[0].reason, "decode");
  assert.equal(harness.eventsOf("trade").length, 1);
  assert.equal(harness.session.state, "live");
});

Deno.test("session: unsubscribes only when no consumer needs it", () => {
  const harness = new SessionHarness();
  const first = harness.subscribe(BTC_TRADES);
  const second = harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  assert.equal(harness.requests("subscribe").length, 1, "one subscription for two consumers");
  harness.unsubscribe(first);
  harness.advance(500);
  assert.equal(harness.requests("unsubscribe").length, 0);
  harness.unsubscribe(second);
  harness.advance(500);
  const [unsubscribe] = harness.requests("unsubscribe");
  assert.deepEqual(unsubscribe.params, { channel: "trade", symbol: ["BTC/USD"] });
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "unsubscribing");
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(BTC_TRADES), undefined);
  harness.frame(tradeFrame("BTC/USD", 9));
  assert.equal(harness.eventsOf("trade").length, 0, "late data for it is not delivered");
});

Deno.test("session: a book serves the deepest depth asked for; a ticker trigger conflicts", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 100 });
  harness.advance(500);
  harness.ackAll();
  const books = harness.requests().filter((request) => request.params?.channel === "book");
  assert.deepEqual(books.map((request) => [request.method, request.params!.depth]), [
    ["subscribe", 10],
    ["unsubscribe", 10],
    ["subscribe", 100],
  ]);
  harness.subscribe({ channel: "ticker", symbol: "BTC/USD", trigger: "bbo" });
  assert.throws(
    () => harness.subscribe({ channel: "ticker", symbol: "BTC/USD", trigger: "trades" }),
    SubscriptionConflictError,
  );
});

Deno.test("session: stop closes the socket and leaves no timer", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  harness.input({ type: "stop" });
  assert.equal(harness.session.state, "closing");
  assert.deepEqual(harness.closes.map((close) => close.code), [1000]);
  harness.serverClose(1000);
  assert.equal(harness.session.state, "closed");
  assert.deepEqual(harness.timers, []);
  const stuck = new SessionHarness();
  stuck.subscribe(BTC_TRADES);
  stuck.goLive();
  stuck.input({ type: "stop" });
  stuck.advance(5000);
  assert.equal(stuck.session.state, "closed", "a socket that never reports its close is given up");
  assert.deepEqual(stuck.timers, []);
});

Deno.test("session: a request never answered is sent again; a silent resync is a dead link", () => {
  const harness = new SessionHarness({ requestTimeoutMs: 2000, heartbeatTimeoutMs: 60_000 });
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  // The server keeps the link busy with heartbeats but never answers the subscribe.
  for (let i = 0; i < 25; i++) {
    harness.advance(100);
    harness.frame({ channel: "heartbeat" });
  }
  const stale = harness.eventsOf("state").find((event) =>
    event.scope === "subscription" && event.to === "stale"
  );
  assert.equal(stale?.cause, "no acknowledgement");
  harness.advance(300);
  const methods = () =>
    harness.requests().filter((request) => request.method !== "ping").map((request) =>
      request.method
    );
  assert.deepEqual(methods(), ["subscribe", "unsubscribe"]);
  // The subscribe goes out once the unsubscribe is answered.
  harness.ackAll();
  assert.deepEqual(methods(), ["subscribe", "unsubscribe", "subscribe"]);
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "synced");

  // While every subscription is between requests, a silent link is still watched.
  const { harness: resyncing, server } = syncedBook({ heartbeatTimeoutMs: 5000 });
  resyncing.frame(server.update(9, true));
  assert.equal(resyncing.session.subscriptionState(BTC_BOOK), "resyncing");
  resyncing.advance(6000);
  const dead = resyncing.eventsOf("state").find((event) =>
    event.scope === "connection" && event.to === "backoff"
  );
  assert.equal(dead?.cause, "stale");
});

Deno.test("session: with nothing subscribed the link lingers, then closes and leaves no timer", () => {
  const harness = new SessionHarness({ lingerMs: 10_000 });
  const consumer = harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  harness.unsubscribe(consumer);
  harness.ackAll();
  harness.advance(9000);
  // Wanted again within the linger: the same connection goes on.
  const again = harness.subscribe(BTC_TRADES);
  harness.ackAll();
  for (let second = 0; second < 20; second++) {
    harness.advance(1000);
    harness.frame({ channel: "heartbeat" });
  }
  assert.equal(harness.session.state, "live");
  assert.equal(harness.opens.length, 1, "the same connection throughout");
  harness.unsubscribe(again);
  harness.ackAll();
  harness.advance(10_000);
  assert.equal(harness.session.state, "idle");
  assert.deepEqual(harness.timers, [], "no timer keeps a program alive");
  const close = harness.closes.at(-1)!;
  assert.deepEqual([close.code, close.reason], [1000, "no subscription"]);
  assert.equal(harness.opens.length, 1);
  // The next subscription connects again.
  harness.subscribe(BTC_TRADES);
  assert.equal(harness.session.state, "connecting");
  assert.equal(harness.opens.length, 2);
});
