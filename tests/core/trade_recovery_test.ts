import assert from "node:assert/strict";
import type { SubscriptionRequest } from "../../src/core/subscription.ts";
import { SessionHarness } from "./session_harness.ts";

const BTC = { channel: "trade", symbol: "BTC/USD" } as const;

function trade(tradeId: number) {
  return {
    symbol: "BTC/USD",
    side: "buy",
    price: 100.5,
    qty: 1.0,
    ord_type: "limit",
    trade_id: tradeId,
    timestamp: "2026-01-01T00:00:00.000000Z",
  };
}

const frame = (type: "snapshot" | "update", ...ids: number[]) => ({
  channel: "trade",
  type,
  data: ids.map(trade),
});

function synced(request: SubscriptionRequest = BTC): SessionHarness {
  const harness = new SessionHarness();
  harness.subscribe(request);
  harness.goLive();
  harness.ackAll();
  return harness;
}

function reconnect(harness: SessionHarness): void {
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(1000);
  harness.ackAll();
}

Deno.test("trade recovery: snapshot is explicit: false on a first subscribe, true when asked, true after a loss", () => {
  const plain = synced();
  assert.equal(plain.requests("subscribe")[0].params!.snapshot, false);
  const asked = synced({ ...BTC, snapshot: true });
  assert.equal(asked.requests("subscribe")[0].params!.snapshot, true);
  reconnect(plain);
  assert.equal(plain.requests("subscribe")[0].params!.snapshot, true, "the replay recovers");
});

Deno.test("trade recovery: after a reconnect, the trades not seen are delivered once, in order; only ids still missing are a gap", () => {
  const harness = synced();
  harness.frame(frame("update", 10, 11));
  reconnect(harness);
  // Kraken's snapshot of the last trades, overlapping what was seen, listed newest first.
  harness.frame(frame("snapshot", 14, 13, 12, 11, 10, 9));
  harness.frame(frame("update", 15));
  const delivered = harness.eventsOf("trade").map((event) => event.tradeId);
  assert.deepEqual(delivered, [10, 11, 12, 13, 14, 15], "never twice, in order");
  const gaps = harness.eventsOf("gap");
  assert.deepEqual(gaps, [], "nothing was lost: no gap at all");
});

Deno.test("trade recovery: more missed than the snapshot holds is a sequence gap naming exactly those ids", () => {
  const harness = synced();
  harness.frame(frame("update", 10));
  reconnect(harness);
  harness.frame(frame("snapshot", 70, 71, 72));
  const gaps = harness.eventsOf("gap");
  assert.deepEqual(
    gaps.map((gap) => gap.reason === "sequence" ? [gap.fromTradeId, gap.toTradeId] : gap.reason),
    [[11, 69]],
  );
  assert.deepEqual(harness.eventsOf("trade").map((event) => event.tradeId), [10, 70, 71, 72]);
});

Deno.test("trade recovery: a subscription that never saw a trade still hears of the outage as a reconnect gap", () => {
  const harness = synced();
  reconnect(harness);
  const gaps = harness.eventsOf("gap");
  assert.deepEqual(gaps.map((gap) => gap.reason), ["reconnect"]);
});

Deno.test("candle recovery: ohlc asks for its snapshot by default and after a loss", () => {
  const harness = synced({ channel: "ohlc", symbol: "BTC/USD", interval: 5 });
  assert.equal(harness.requests("subscribe")[0].params!.snapshot, true);
  const quiet = synced({ channel: "ohlc", symbol: "BTC/USD", interval: 5, snapshot: false });
  assert.equal(quiet.requests("subscribe")[0].params!.snapshot, false);
  reconnect(quiet);
  assert.equal(quiet.requests("subscribe")[0].params!.snapshot, true);
});
