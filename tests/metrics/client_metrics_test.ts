import assert from "node:assert/strict";
import { KrakenWs } from "../../src/client/kraken_ws.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent, StateEvent } from "../../src/core/events.ts";
import { ClientMetrics } from "../../src/metrics/client_metrics.ts";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { sampleValue } from "./sample_lookup.ts";
import { runScriptedSession } from "./scripted_run.ts";

type Unstamped<E> = E extends KrakenEvent ? Omit<E, "seq" | "time"> : never;

/** A ClientMetrics fed by hand; `value` reads one series from a fresh exposition. */
function fed(options: { symbolLimit?: number } = {}) {
  const registry = new MetricsRegistry();
  const metrics = new ClientMetrics(registry, options);
  let seq = 0;
  const feed = (event: Unstamped<KrakenEvent>, time = 0) =>
    metrics.event({ ...event, seq: ++seq, time } as KrakenEvent);
  const value = (series: string) => sampleValue(renderPrometheusText(registry), series);
  return { registry, metrics, feed, value };
}

const connection = (from: string, to: string, cause: string) =>
  ({ type: "state", scope: "connection", from, to, cause }) as Unstamped<StateEvent>;

const subscription = (
  channel: string,
  symbol: string,
  from: string,
  to: string,
  cause = "test",
) =>
  ({ type: "state", scope: "subscription", channel, symbol, from, to, cause }) as Unstamped<
    StateEvent
  >;

Deno.test("client metrics: frames and their UTF-8 bytes", () => {
  const { metrics, value } = fed();
  assert.equal(value("kraken_ws_frames_received_total"), 0, "exposed at 0 before any frame");
  metrics.frame('{"channel":"heartbeat"}', 0);
  metrics.frame('{"symbol":"€/📈"}', 1);
  assert.equal(value("kraken_ws_frames_received_total"), 2);
  assert.equal(value("kraken_ws_received_bytes_total"), 23 + 21);
});

Deno.test("client metrics: connection state, attempts, and reconnects by the bounded cause of their backoff", () => {
  const { feed, value } = fed();
  const state = (name: string) => value(`kraken_ws_connection_state{state="${name}"}`);
  assert.equal(state("idle"), 1);
  assert.equal(state("live"), 0);
  const causes = [
    "close 1006",
    "close 1001 going away",
    "close 1011 internal error",
    "close 1000",
    "close 4000 made up by a proxy",
    "close 1006",
    "stale",
    "connect timeout",
    "something new",
  ];
  feed(connection("idle", "connecting", "subscribe"));
  for (const cause of causes) {
    feed(connection("connecting", "open", "opened"));
    feed(connection("open", "live", "first frame"));
    assert.equal(state("live"), 1);
    feed(connection("live", "backoff", cause));
    assert.equal(state("backoff"), 1);
    assert.equal(state("live"), 0);
    feed(connection("backoff", "connecting", "retry"));
  }
  assert.equal(value("kraken_ws_connection_attempts_total"), causes.length + 1);
  const reconnects = (cause: string) => value(`kraken_ws_reconnects_total{cause="${cause}"}`);
  assert.equal(reconnects("close_1006"), 2);
  assert.equal(reconnects("close_1001"), 1);
  assert.equal(reconnects("close_1011"), 1);
  assert.equal(reconnects("close_1000"), 1);
  assert.equal(reconnects("close_other"), 1);
  assert.equal(reconnects("stale"), 1);
  assert.equal(reconnects("connect_timeout"), 1);
  assert.equal(reconnects("other"), 1);
  // A link lost is a reconnect only once the client connects again; closed first, it is none.
  feed(connection("connecting", "open", "opened"));
  feed(connection("open", "live", "first frame"));
  feed(connection("live", "backoff", "close 1011"));
  assert.equal(reconnects("close_1011"), 1, "counted at the retry, not at the loss");
  feed(connection("backoff", "closed", "user"));
  const all = ["idle", "connecting", "open", "live", "backoff", "closing", "closed"];
  assert.deepEqual(all.map(state), [0, 0, 0, 0, 0, 0, 1]);
  assert.equal(reconnects("close_1011"), 1, "a backoff ended by close() is no reconnect");
  assert.equal(value("kraken_ws_connection_attempts_total"), causes.length + 1);
});

Deno.test("client metrics: gaps by channel and reason; checksum mismatches by symbol", () => {
  const { feed, value } = fed();
  const mismatch = { type: "gap", reason: "checksum", channel: "book", computed: 0 } as const;
  feed({ ...mismatch, symbol: "BTC/USD", expected: 1 });
  feed({ ...mismatch, symbol: "BTC/USD", expected: 2 });
  feed({ type: "gap", reason: "crossed", channel: "book", symbol: "ETH/USD" });
  feed({
    type: "gap",
    reason: "sequence",
    channel: "trade",
    symbol: "BTC/USD",
    fromTradeId: 3,
    toTradeId: 3,
  });
  feed({
    type: "gap",
    reason: "reconnect",
    channel: "trade",
    symbol: "BTC/USD",
    fromTime: 0,
    toTime: 1,
  });
  feed({ type: "gap", reason: "decode" });
  feed({ type: "gap", reason: "overflow", channel: "book", dropped: 2 }); // a stream's, not a gap
  feed({ type: "error", code: "decode", message: "bad", excerpt: "\u0000" });
  feed({ type: "error", code: "unknown", message: "new channel" });
  const gaps = (channel: string, reason: string) =>
    value(`kraken_ws_gaps_total{channel="${channel}",reason="${reason}"}`);
  assert.equal(gaps("book", "checksum"), 2);
  assert.equal(gaps("book", "crossed"), 1);
  assert.equal(gaps("trade", "sequence"), 1);
  assert.equal(gaps("trade", "reconnect"), 1);
  assert.equal(gaps("none", "decode"), 1);
  assert.equal(gaps("book", "overflow"), undefined);
  assert.equal(value('kraken_ws_checksum_mismatches_total{symbol="BTC/USD"}'), 2);
  assert.equal(value('kraken_ws_checksum_mismatches_total{symbol="ETH/USD"}'), undefined);
  assert.equal(value('kraken_ws_resyncs_total{symbol="BTC/USD"}'), undefined, "a gap is no resync");
  assert.equal(value("kraken_ws_decode_errors_total"), 1);
});

Deno.test("client metrics: resyncs are moves to resyncing, whatever the cause, by symbol", () => {
  const { feed, value } = fed();
  feed(subscription("book", "BTC/USD", "synced", "resyncing", "mismatch"));
  feed(subscription("book", "BTC/USD", "awaiting_snapshot", "resyncing", "crossed"));
  feed(subscription("book", "BTC/USD", "synced", "resyncing", "undecodable frame"));
  feed(subscription("book", "ETH/USD", "awaiting_snapshot", "resyncing", "depth 25"));
  feed(subscription("trade", "ETH/USD", "pending", "resyncing", "Already subscribed"));
  feed(subscription("trade", "SOL/USD", "synced", "stale", "silent")); // subscribed again: no resync
  feed(subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acknowledged"));
  assert.equal(value('kraken_ws_resyncs_total{symbol="BTC/USD"}'), 3);
  assert.equal(value('kraken_ws_resyncs_total{symbol="ETH/USD"}'), 2);
  assert.equal(value('kraken_ws_resyncs_total{symbol="SOL/USD"}'), undefined);
});

Deno.test("client metrics: symbols from the wire are capped per metric; the rest fold into other", () => {
  const { registry, feed, value } = fed({ symbolLimit: 3 });
  for (let i = 0; i < 500; i++) {
    feed({
      type: "gap",
      reason: "checksum",
      channel: "book",
      symbol: `HOSTILE${i}/USD`,
      expected: 1,
      computed: 2,
    });
    feed(subscription("book", `HOSTILE${i}/USD`, "synced", "resyncing", "mismatch"));
  }
  feed({
    type: "gap",
    reason: "checksum",
    channel: "book",
    symbol: "HOSTILE1/USD",
    expected: 1,
    computed: 2,
  });
  const text = renderPrometheusText(registry);
  const series = text.split("\n").filter((line) =>
    line.startsWith("kraken_ws_checksum_mismatches")
  );
  assert.deepEqual(series, [
    'kraken_ws_checksum_mismatches_total{symbol="HOSTILE0/USD"} 1',
    'kraken_ws_checksum_mismatches_total{symbol="HOSTILE1/USD"} 2',
    'kraken_ws_checksum_mismatches_total{symbol="HOSTILE2/USD"} 1',
    'kraken_ws_checksum_mismatches_total{symbol="other"} 497',
  ]);
  assert.equal(value('kraken_ws_resyncs_total{symbol="other"}'), 497);
  assert.ok(text.length < 10_000, "the exposition stays small");
});

Deno.test("client metrics: events emitted by type and channel", () => {
  const { feed, value } = fed();
  const trade = {
    type: "trade",
    symbol: "BTC/USD",
    side: "buy",
    price: 1,
    priceText: "1.0",
    qty: 1,
    qtyText: "1.0",
    ordType: "limit",
    tradeId: 1,
    timestamp: "2026-01-01T00:00:00Z",
    snapshot: true,
  } as Unstamped<KrakenEvent>;
  feed(trade);
  feed(trade);
  feed({ type: "status", system: "online" });
  feed(connection("idle", "connecting", "subscribe"));
  feed(subscription("book", "BTC/USD", "pending", "awaiting_snapshot"));
  feed({ type: "error", code: "rejected", message: "no", channel: "ohlc", symbol: "X/Y" });
  const events = (type: string, channel: string) =>
    value(`kraken_ws_events_total{type="${type}",channel="${channel}"}`);
  assert.equal(events("trade", "trade"), 2);
  assert.equal(events("status", "none"), 1);
  assert.equal(events("state", "none"), 1);
  assert.equal(events("state", "book"), 1);
  assert.equal(events("error", "ohlc"), 1);
});

Deno.test("client metrics: stream overflows and the events they dropped", () => {
  const { metrics, value } = fed();
  metrics.overflow({
    type: "gap",
    reason: "overflow",
    channel: "book",
    dropped: 17,
    seq: 1,
    time: 0,
  });
  metrics.overflow({
    type: "gap",
    reason: "overflow",
    channel: "book",
    dropped: 3,
    seq: 2,
    time: 0,
  });
  metrics.overflow({ type: "gap", reason: "overflow", dropped: 5, seq: 3, time: 0 });
  assert.equal(value('kraken_ws_stream_overflows_total{stream="book"}'), 2);
  assert.equal(value('kraken_ws_stream_dropped_events_total{stream="book"}'), 20);
  assert.equal(value('kraken_ws_stream_overflows_total{stream="events"}'), 1);
  assert.equal(value('kraken_ws_stream_dropped_events_total{stream="events"}'), 5);
  assert.equal(
    value('kraken_ws_gaps_total{channel="book",reason="overflow"}'),
    undefined,
    "a slow consumer is not data lost from Kraken",
  );
});

Deno.test("client metrics: subscriptions by state follow every transition; the final ones are counted", () => {
  const { feed, value } = fed();
  const gauge = (channel: string, state: string) =>
    value(`kraken_ws_subscriptions{channel="${channel}",state="${state}"}`);
  const ended = (channel: string, state: string) =>
    value(`kraken_ws_subscriptions_ended_total{channel="${channel}",state="${state}"}`);
  assert.equal(
    gauge("ohlc", "synced"),
    0,
    "every channel and live state is exposed from the start",
  );
  // A subscription is born with a transition from `unsubscribed` to `pending`.
  feed(subscription("book", "BTC/USD", "unsubscribed", "pending"));
  feed(subscription("book", "ETH/USD", "unsubscribed", "pending"));
  feed(subscription("trade", "BTC/USD", "unsubscribed", "pending"));
  feed(subscription("ticker", "BTC/USD", "unsubscribed", "pending"));
  assert.equal(gauge("book", "pending"), 2);
  feed(subscription("book", "BTC/USD", "pending", "awaiting_snapshot"));
  feed(subscription("book", "ETH/USD", "pending", "awaiting_snapshot"));
  assert.equal(gauge("book", "pending"), 0);
  assert.equal(gauge("book", "awaiting_snapshot"), 2);
  feed(subscription("book", "BTC/USD", "awaiting_snapshot", "synced"));
  feed(subscription("book", "BTC/USD", "synced", "resyncing"));
  assert.equal(gauge("book", "resyncing"), 1);
  feed(subscription("book", "BTC/USD", "resyncing", "synced"));
  // A reconnect: both go back to pending, visibly this time.
  feed(subscription("book", "BTC/USD", "synced", "pending"));
  feed(subscription("book", "ETH/USD", "awaiting_snapshot", "pending"));
  assert.equal(gauge("book", "pending"), 2);
  assert.equal(gauge("book", "synced"), 0);
  feed(subscription("book", "BTC/USD", "pending", "awaiting_snapshot"));
  feed(subscription("book", "BTC/USD", "awaiting_snapshot", "synced"));
  feed(subscription("book", "ETH/USD", "pending", "rejected"));
  feed(subscription("trade", "BTC/USD", "pending", "synced"));
  feed(subscription("trade", "BTC/USD", "synced", "unsubscribing"));
  feed(subscription("trade", "BTC/USD", "unsubscribing", "unsubscribed"));
  feed(subscription("ticker", "BTC/USD", "pending", "unsubscribed"));
  const states = ["pending", "awaiting_snapshot", "synced", "resyncing", "stale", "unsubscribing"];
  assert.deepEqual(states.map((state) => gauge("book", state)), [0, 0, 1, 0, 0, 0]);
  assert.deepEqual(states.map((state) => gauge("trade", state)), [0, 0, 0, 0, 0, 0]);
  assert.equal(gauge("book", "rejected"), undefined, "final states are not a gauge");
  assert.equal(ended("book", "rejected"), 1);
  assert.equal(ended("trade", "unsubscribed"), 1);
  assert.equal(ended("ticker", "unsubscribed"), 1);
});

Deno.test("client metrics: delay from Kraken's timestamp to receipt, exact to the nanosecond", () => {
  const { registry, feed, value } = fed();
  const sentAt = Date.UTC(2026, 0, 1);
  const book = (timestamp: string | undefined, snapshot: boolean) =>
    ({
      type: "book",
      symbol: "BTC/USD",
      bids: [],
      asks: [],
      checksum: 0,
      snapshot,
      validated: true,
      changes: [],
      ...(timestamp === undefined ? {} : { timestamp }),
    }) as Unstamped<KrakenEvent>;
  feed(book("2026-01-01T00:00:00.123456789Z", false), sentAt + 250);
  feed(book("2026-01-01T00:00:00Z", false), sentAt + 30_000);
  feed(book("2026-01-01T00:00:00Z", true), sentAt + 7); // a snapshot's time is not a delay
  feed(book(undefined, false), sentAt + 7);
  feed(book("2026-01-01T00:00:01Z", false), sentAt + 500); // the local clock runs behind
  feed(book("yesterday", false), sentAt);
  const histogram = (suffix: string) => value(`kraken_ws_exchange_delay_seconds_${suffix}`);
  assert.equal(histogram('count{channel="book"}'), 3);
  assert.equal(histogram('sum{channel="book"}'), 0.250 - 0.123456789 + 30);
  assert.equal(histogram('bucket{channel="book",le="0.1"}'), 1, "the clamped negative delay");
  assert.equal(histogram('bucket{channel="book",le="0.25"}'), 2);
  assert.equal(histogram('bucket{channel="book",le="30"}'), 3);
  assert.equal(histogram('bucket{channel="book",le="+Inf"}'), 3);
  assert.equal(value('kraken_ws_exchange_timestamp_errors_total{channel="book"}'), 1);
  assert.equal(histogram('count{channel="trade"}'), undefined);
  assert.match(
    renderPrometheusText(registry),
    /^# TYPE kraken_ws_exchange_delay_seconds histogram$/m,
  );
});

Deno.test("client metrics: two clients share a registry only under two prefixes", () => {
  const registry = new MetricsRegistry();
  new ClientMetrics(registry);
  assert.throws(() => new ClientMetrics(registry), RangeError);
  assert.throws(() => new ClientMetrics(registry, { prefix: "bad-prefix_" }), RangeError);
  new ClientMetrics(registry, { prefix: "backup_feed_" }).frame("{}");
  assert.equal(sampleValue(renderPrometheusText(registry), "backup_feed_frames_received_total"), 1);
});

Deno.test("client metrics: a real client against a loopback server counts what happened", async () => {
  const run = await runScriptedSession();
  const value = (series: string) => sampleValue(run.exposition, series);
  assert.ok(run.framesSent > 10);
  assert.equal(value("kraken_ws_frames_received_total"), run.framesSent);
  assert.equal(value("kraken_ws_received_bytes_total"), run.bytesSent);
  assert.equal(value('kraken_ws_gaps_total{channel="book",reason="checksum"}'), 1);
  assert.equal(value('kraken_ws_gaps_total{channel="trade",reason="sequence"}'), 1);
  assert.equal(value('kraken_ws_gaps_total{channel="book",reason="reconnect"}'), 1);
  // Trades seen before the reconnect recover by id (trade 6 follows 5): no loss, no gap.
  assert.equal(value('kraken_ws_gaps_total{channel="trade",reason="reconnect"}'), undefined);
  assert.equal(value('kraken_ws_checksum_mismatches_total{symbol="BTC/USD"}'), 1);
  assert.equal(value('kraken_ws_resyncs_total{symbol="BTC/USD"}'), 1);
  assert.equal(value('kraken_ws_reconnects_total{cause="close_1006"}'), 1);
  assert.equal(value("kraken_ws_connection_attempts_total"), 2);
  assert.equal(value('kraken_ws_connection_state{state="closed"}'), 1);
  assert.equal(value('kraken_ws_connection_state{state="live"}'), 0);
  // The client was closed at the end: its subscriptions ended with it.
  assert.equal(value('kraken_ws_subscriptions{channel="book",state="synced"}'), 0);
  assert.equal(value('kraken_ws_subscriptions{channel="trade",state="synced"}'), 0);
  assert.equal(value('kraken_ws_subscriptions{channel="book",state="pending"}'), 0);
  assert.equal(
    value('kraken_ws_subscriptions_ended_total{channel="book",state="unsubscribed"}'),
    1,
  );
  assert.equal(
    value('kraken_ws_subscriptions_ended_total{channel="trade",state="unsubscribed"}'),
    1,
  );
  assert.equal(value("kraken_ws_decode_errors_total"), 0);
  // Every event the client emitted is counted once, by type and channel; the stream's opening
  // description of where things stood (cause "current") was told to that stream alone.
  const byType = new Map<string, number>();
  for (const event of run.events) {
    if (event.type === "state" && event.cause === "current") continue;
    const channel = "channel" in event && event.channel !== undefined
      ? event.channel
      : ["book", "trade", "ticker", "ohlc"].includes(event.type)
      ? event.type
      : "none";
    const key = `kraken_ws_events_total{type="${event.type}",channel="${channel}"}`;
    byType.set(key, (byType.get(key) ?? 0) + 1);
  }
  for (const [series, count] of byType) assert.equal(value(series), count, series);
  // The delay of every trade update, from its exchange timestamp to the client's receipt.
  const trades = run.events.filter((event) => event.type === "trade" && !event.snapshot);
  assert.equal(trades.length, 4);
  const sentAt = Date.UTC(2026, 0, 1);
  const delays = trades.map((event) => (event.time - sentAt) / 1000);
  assert.equal(value('kraken_ws_exchange_delay_seconds_count{channel="trade"}'), 4);
  assert.equal(
    value('kraken_ws_exchange_delay_seconds_sum{channel="trade"}'),
    delays.reduce((sum, delay) => sum + delay, 0),
  );
});

Deno.test("client metrics: clients made one after another on one registry count on", async () => {
  const registry = new MetricsRegistry();
  const clock = new VirtualClock(0);
  for (let round = 1; round <= 2; round++) {
    const kraken = new KrakenWs({ url: "ws://127.0.0.1:1/v2", clock, metrics: registry });
    kraken.trades("BTC/USD");
    await kraken.close();
    const text = renderPrometheusText(registry);
    assert.equal(sampleValue(text, "kraken_ws_connection_attempts_total"), round);
    assert.equal(sampleValue(text, 'kraken_ws_connection_state{state="closed"}'), 1);
    assert.equal(sampleValue(text, 'kraken_ws_connection_state{state="connecting"}'), 0);
    assert.equal(
      sampleValue(
        text,
        'kraken_ws_subscriptions_ended_total{channel="trade",state="unsubscribed"}',
      ),
      round,
    );
  }
});
