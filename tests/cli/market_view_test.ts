import assert from "node:assert/strict";
import { MarketView } from "../../src/cli/market_view.ts";
import { EventScript, ladder } from "./view_events.ts";

Deno.test("market view: best levels, exact spread, top levels and trades per pair", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD", "ETH/USD"], levels: 3, trades: 2 });
  view.apply(script.book("BTC/USD", ladder(45283.5, -1, 10), ladder(45285.2, 1, 10)));
  view.apply(script.book("ETH/USD", [["2000.10", "0.50000000"]], [["2000.35", "1.00000000"]]));
  view.apply(script.book("SOL/USD", [["150.00", "1.0"]], [["150.10", "1.0"]]));
  for (const id of [1, 2, 3]) view.apply(script.trade("BTC/USD", id, id === 3 ? "sell" : "buy"));
  const [btc, eth] = view.symbols;
  assert.deepEqual(view.symbols.map((pair) => pair.symbol), ["BTC/USD", "ETH/USD"]);
  assert.equal(btc.bids[0].priceText, "45283.5");
  assert.equal(btc.asks[0].priceText, "45285.2");
  assert.equal(btc.spread, "1.7", "exact, not 1.6999999999970896");
  assert.deepEqual(btc.bids.map((level) => level.priceText), ["45283.5", "45282.5", "45281.5"]);
  assert.deepEqual(btc.asks.map((level) => level.priceText), ["45285.2", "45286.2", "45287.2"]);
  assert.equal(eth.spread, "0.25");
  assert.deepEqual(btc.trades.map((trade) => trade.tradeId), [3, 2], "newest first, bounded");
  assert.equal(btc.tradeCount, 3);
  assert.equal(eth.trades.length, 0);
  assert.equal(view.counters.bookUpdates, 3, "a pair not shown still counts");
  assert.equal(view.counters.trades, 3);
});

Deno.test("market view: a checksum gap, a resync and its recovery are counted and logged", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"], startedAt: 0 });
  view.apply(
    script.subscription("book", "BTC/USD", "pending", "awaiting_snapshot", "acknowledged"),
  );
  assert.equal(view.symbols[0].valid, false);
  view.apply(script.subscription("book", "BTC/USD", "awaiting_snapshot", "synced", "snapshot"));
  view.apply(script.book("BTC/USD", [["99.5", "1.0"]], [["100.5", "1.0"]]));
  assert.equal(view.symbols[0].valid, true);
  script.time = 1500;
  view.apply(script.gap({
    reason: "checksum",
    channel: "book",
    symbol: "BTC/USD",
    expected: 10,
    computed: 11,
  }));
  view.apply(script.subscription("book", "BTC/USD", "synced", "resyncing", "mismatch", 1));
  const [pair] = view.symbols;
  assert.equal(pair.valid, false);
  assert.deepEqual(pair.book, { state: "resyncing", cause: "mismatch", attempt: 1 });
  assert.equal(pair.bids[0].priceText, "99.5", "the last verified book stays, marked invalid");
  script.time = 1700;
  view.apply(script.subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acked"));
  view.apply(script.subscription("book", "BTC/USD", "awaiting_snapshot", "synced", "snapshot"));
  view.apply(script.book("BTC/USD", [["99.0", "2.0"]], [["100.0", "2.0"]]));
  assert.equal(view.symbols[0].valid, true);
  assert.equal(view.symbols[0].spread, "1.0");
  assert.equal(view.counters.resyncs, 1);
  assert.equal(view.counters.gaps.checksum, 1);
  assert.deepEqual(view.log.map((entry) => [entry.time, entry.level, entry.text]), [
    [0, "info", "book BTC/USD awaiting_snapshot -> synced (snapshot)"],
    [1500, "warning", "gap checksum book BTC/USD: expected 10, computed 11"],
    [1500, "warning", "book BTC/USD synced -> resyncing (mismatch, attempt 1)"],
    [1700, "info", "book BTC/USD awaiting_snapshot -> synced (snapshot)"],
  ]);
});

Deno.test("market view: a reconnect, gaps by reason, status and errors", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"] });
  view.apply(script.connection("idle", "connecting", "subscribe"));
  view.apply(script.connection("connecting", "open", "opened"));
  view.apply(script.status("online"));
  view.apply(script.connection("open", "live", "frame"));
  assert.equal(view.connection, "live");
  script.time = 5000;
  view.apply(script.connection("live", "backoff", "close 1006"));
  view.apply(script.subscription("trade", "BTC/USD", "synced", "pending", "disconnected"));
  assert.equal(view.connection, "backoff");
  assert.equal(view.connectionCause, "close 1006");
  assert.deepEqual(view.symbols[0].trade, { state: "pending", cause: "disconnected" });
  view.apply(script.connection("backoff", "connecting", "retry"));
  view.apply(script.connection("connecting", "open", "opened"));
  view.apply(script.status("online"));
  view.apply(script.connection("open", "live", "frame"));
  script.time = 5200;
  view.apply(script.gap({
    reason: "reconnect",
    channel: "trade",
    symbol: "BTC/USD",
    fromTime: 4000,
    toTime: 5200,
  }));
  view.apply(
    script.gap({
      reason: "sequence",
      channel: "trade",
      symbol: "BTC/USD",
      fromTradeId: 12,
      toTradeId: 14,
    }),
  );
  view.apply(script.gap({ reason: "decode" }));
  view.apply(script.error("decode", "unexpected character"));
  view.apply(script.status("maintenance"));
  view.apply(script.error("rejected", "Currency pair not supported BTC/USD", "BTC/USD", "book"));
  assert.equal(view.counters.reconnects, 1);
  assert.deepEqual(view.counters.gaps, {
    checksum: 0,
    crossed: 0,
    sequence: 1,
    reconnect: 1,
    resubscribe: 0,
    decode: 1,
  });
  assert.equal(view.counters.decodeErrors, 1);
  assert.equal(view.counters.errors, 1);
  assert.equal(view.system, "maintenance");
  assert.equal(view.symbols[0].rejection, "Currency pair not supported BTC/USD");
  const texts = view.log.map((entry) => `${entry.level} ${entry.text}`);
  assert.deepEqual(texts, [
    "info connection idle -> connecting (subscribe)",
    "info connection connecting -> open (opened)",
    "info status online",
    "info connection open -> live (frame)",
    "warning connection live -> backoff (close 1006)",
    "info connection backoff -> connecting (retry)",
    "info connection connecting -> open (opened)",
    "info connection open -> live (frame)",
    "warning gap reconnect trade BTC/USD: 1.2 s without data",
    "warning gap sequence trade BTC/USD: trade ids 12-14 missing",
    "warning gap decode",
    "warning error decode: unexpected character",
    "warning status maintenance",
    "warning error rejected book BTC/USD: Currency pair not supported BTC/USD",
  ], "an unchanged status is not logged twice; a subscription going pending is not logged");
});

Deno.test("market view: frames come from the tap; summary is a copy", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"], startedAt: 1000 });
  view.frame('{"channel":"heartbeat"}', 1000);
  view.frame('{"channel":"heartbeat"}', 2000);
  view.apply(script.book("BTC/USD", [["99.5", "1.0"]], [["100.5", "1.0"]]));
  view.apply(script.trade("BTC/USD", 1));
  const summary = view.summary(21_000);
  assert.deepEqual(summary, {
    elapsedMs: 20_000,
    connection: "idle",
    connectionCause: "not started",
    counters: {
      frames: 2,
      bookUpdates: 1,
      trades: 1,
      gaps: {
        checksum: 0,
        crossed: 0,
        sequence: 0,
        reconnect: 0,
        resubscribe: 0,
        decode: 0,
      },
      overflows: 0,
      resyncs: 0,
      reconnects: 0,
      decodeErrors: 0,
      errors: 0,
    },
    symbols: [{
      symbol: "BTC/USD",
      bestBid: "99.5",
      bestAsk: "100.5",
      spread: "1.0",
      bookState: "pending",
      bookUpdates: 1,
      trades: 1,
    }],
  });
  view.frame("{}", 3000);
  view.overflow(script.gap({ reason: "overflow", dropped: 3 }));
  assert.equal(view.counters.overflows, 1);
  assert.equal(summary.counters.frames, 2, "the summary does not follow the view");
  assert.equal(summary.counters.overflows, 0);
});

Deno.test("market view: overflows come from the tap, once each; the gap on a stream is passed over", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"] });
  const overflow = script.gap({
    reason: "overflow",
    channel: "book",
    symbol: "BTC/USD",
    dropped: 7,
  });
  view.overflow(overflow);
  view.apply(overflow); // the same overflow, read from the book stream
  view.overflow(script.gap({ reason: "overflow", dropped: 2 })); // a stream the view does not read
  assert.equal(view.counters.overflows, 2);
  assert.equal(Object.values(view.counters.gaps).reduce((sum, count) => sum + count, 0), 0);
  assert.deepEqual(view.log.map((entry) => entry.text), [
    "gap overflow book BTC/USD: 7 dropped",
    "gap overflow: 2 dropped",
  ]);
});

Deno.test("market view: every move to resyncing is a resync; a reconnect is a retry from backoff", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"] });
  view.apply(script.subscription("book", "BTC/USD", "synced", "resyncing", "undecodable frame"));
  view.apply(script.subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acked"));
  view.apply(script.subscription("book", "BTC/USD", "awaiting_snapshot", "resyncing", "depth 25"));
  view.apply(script.subscription("trade", "BTC/USD", "pending", "resyncing", "Already subscribed"));
  view.apply(script.subscription("trade", "BTC/USD", "synced", "stale", "silent"));
  assert.equal(view.counters.resyncs, 3, "whatever the cause; stale is not one");
  view.apply(script.connection("idle", "connecting", "subscribe"));
  view.apply(script.connection("connecting", "backoff", "connect timeout"));
  view.apply(script.connection("backoff", "connecting", "retry"));
  view.apply(script.connection("connecting", "open", "opened"));
  view.apply(script.connection("open", "live", "first frame"));
  view.apply(script.connection("live", "backoff", "close 1006"));
  view.apply(script.connection("backoff", "closed", "user"));
  assert.equal(view.counters.reconnects, 1, "a backoff ended by close() is no reconnect");
});

Deno.test("market view: every list stays within its bound", () => {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"], levels: 5, trades: 4, logEntries: 6 });
  for (let i = 0; i < 1000; i++) {
    script.time = i;
    view.apply(script.book("BTC/USD", ladder(1000 - i, -1, 100), ladder(1001 + i, 1, 100)));
    view.apply(script.trade("BTC/USD", i));
    view.apply(
      script.gap({
        reason: "sequence",
        channel: "trade",
        symbol: "BTC/USD",
        fromTradeId: i,
        toTradeId: i,
      }),
    );
  }
  const [pair] = view.symbols;
  assert.equal(pair.bids.length, 5);
  assert.equal(pair.asks.length, 5);
  assert.equal(pair.trades.length, 4);
  assert.deepEqual(pair.trades.map((trade) => trade.tradeId), [999, 998, 997, 996]);
  assert.equal(view.log.length, 6);
  assert.equal(view.log.at(-1)?.text, "gap sequence trade BTC/USD: trade ids 999-999 missing");
  assert.equal(view.log[0].time, 994, "the oldest go first");
  assert.equal(view.counters.gaps.sequence, 1000);
});
