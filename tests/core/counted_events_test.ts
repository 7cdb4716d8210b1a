import assert from "node:assert/strict";
import { CONNECTION_TRANSITIONS } from "../../src/core/connection_machine.ts";
import {
  isConnectionAttempt,
  isDecodeError,
  isGap,
  isReconnect,
  isResync,
} from "../../src/core/counted_events.ts";
import type {
  ConnectionState,
  ErrorCode,
  GapReason,
  KrakenEvent,
  StateEvent,
  SubscriptionState,
} from "../../src/core/events.ts";

const connection = (from: ConnectionState, to: ConnectionState, cause: string): StateEvent => ({
  type: "state",
  scope: "connection",
  from,
  to,
  cause,
  seq: 1,
  time: 0,
});

const subscription = (
  from: SubscriptionState,
  to: SubscriptionState,
  cause: string,
  channel: "book" | "trade" = "book",
): StateEvent => ({
  type: "state",
  scope: "subscription",
  channel,
  symbol: "BTC/USD",
  from,
  to,
  cause,
  seq: 1,
  time: 0,
});

const SUBSCRIPTION_STATES: readonly SubscriptionState[] = [
  "pending",
  "awaiting_snapshot",
  "synced",
  "resyncing",
  "stale",
  "unsubscribing",
  "unsubscribed",
  "rejected",
];

Deno.test("counted events: a resync is any move of a subscription to resyncing, whatever the cause", () => {
  // Every cause the session gives for it: checksum, crossed, a bad frame, a deeper book, and a
  // server that already held the subscription (which can be any channel).
  const resyncs = [
    subscription("synced", "resyncing", "mismatch"),
    subscription("awaiting_snapshot", "resyncing", "crossed"),
    subscription("synced", "resyncing", "undecodable frame"),
    subscription("awaiting_snapshot", "resyncing", "depth 25"),
    subscription("pending", "resyncing", "Already subscribed", "trade"),
  ];
  for (const event of resyncs) assert.ok(isResync(event), event.cause);
  for (const from of SUBSCRIPTION_STATES) {
    for (const to of SUBSCRIPTION_STATES) {
      if (from === to) continue;
      assert.equal(isResync(subscription(from, to, "any")), to === "resyncing", `${from} -> ${to}`);
    }
  }
  // A silent subscription subscribed again is stale, not a resync; a gap is not one either.
  assert.equal(isResync(subscription("synced", "stale", "silent")), false);
  const gap: KrakenEvent = {
    type: "gap",
    reason: "checksum",
    channel: "book",
    expected: 1,
    computed: 2,
    seq: 1,
    time: 0,
  };
  assert.equal(isResync(gap), false);
});

Deno.test("counted events: a reconnect is the table's retry; attempts are start and retry", () => {
  const reconnects = CONNECTION_TRANSITIONS.filter((row) =>
    isReconnect(connection(row.from, row.to, row.trigger))
  );
  assert.deepEqual(reconnects, [{ from: "backoff", trigger: "retry", to: "connecting" }]);
  const attempts = CONNECTION_TRANSITIONS.filter((row) =>
    isConnectionAttempt(connection(row.from, row.to, row.trigger))
  );
  assert.deepEqual(attempts.map((row) => row.trigger), ["start", "retry"]);
  // A link lost is not yet a reconnect: the client may be closed before it retries.
  assert.equal(isReconnect(connection("live", "backoff", "close 1006")), false);
  assert.equal(isReconnect(connection("backoff", "closed", "user")), false);
  assert.equal(isReconnect(subscription("pending", "awaiting_snapshot", "acknowledged")), false);
});

Deno.test("counted events: a gap is every gap event but an overflow", () => {
  const reasons: readonly GapReason[] = [
    "checksum",
    "crossed",
    "sequence",
    "reconnect",
    "resubscribe",
    "overflow",
    "decode",
  ];
  for (const reason of reasons) {
    const gap = { type: "gap", reason, seq: 1, time: 0 } as unknown as KrakenEvent;
    assert.equal(isGap(gap), reason !== "overflow", reason);
  }
  assert.equal(isGap(connection("live", "backoff", "close 1006")), false);
});

Deno.test("counted events: a decode error is an error event of code decode, not its gap", () => {
  const codes: readonly ErrorCode[] = ["rejected", "decode", "unknown", "protocol", "internal"];
  for (const code of codes) {
    const event: KrakenEvent = { type: "error", code, message: "m", seq: 1, time: 0 };
    assert.equal(isDecodeError(event), code === "decode", code);
  }
  assert.equal(isDecodeError({ type: "gap", reason: "decode", seq: 1, time: 0 }), false);
});
