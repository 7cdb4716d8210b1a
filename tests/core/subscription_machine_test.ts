import assert from "node:assert/strict";
import { IllegalInputError } from "../../src/core/connection_machine.ts";
import type { KrakenEvent, StateEvent, SubscriptionState } from "../../src/core/events.ts";
import { Session } from "../../src/core/session.ts";
import {
  IllegalSubscriptionTransitionError,
  nextSubscriptionState,
  SUBSCRIPTION_TRANSITIONS,
  type SubscriptionTransition,
  type SubscriptionTrigger,
} from "../../src/core/subscription_machine.ts";
import { emitted, runHostileWorld } from "./hostile_world.ts";
import { ServerBook, tradeFrame } from "./server_book.ts";
import { SessionHarness } from "./session_harness.ts";

const STATES: readonly SubscriptionState[] = [
  "unsubscribed",
  "pending",
  "awaiting_snapshot",
  "synced",
  "stale",
  "resyncing",
  "unsubscribing",
  "rejected",
];

const key = (row: SubscriptionTransition) => `${row.from} ${row.trigger} ${row.to}`;

type SubscriptionStateEvent = Extract<StateEvent, { scope: "subscription" }>;

function subscriptionStates(events: readonly KrakenEvent[]): SubscriptionStateEvent[] {
  return events.filter((event): event is SubscriptionStateEvent =>
    event.type === "state" && event.scope === "subscription"
  );
}

/** The triggers a state event's cause can stand for; Kraken's error texts are the rest. */
function triggersOf(cause: string): readonly SubscriptionTrigger[] {
  switch (cause) {
    case "subscribe":
      return ["subscribe"];
    case "acknowledged":
      return ["acknowledged", "book_acknowledged", "unsubscribe_acknowledged"];
    case "snapshot":
      return ["snapshot"];
    case "mismatch":
    case "crossed":
      return ["validation_failed"];
    case "undecodable frame":
      return ["undecodable"];
    case "no snapshot":
      return ["no_snapshot"];
    case "silent":
      return ["silent"];
    case "no acknowledgement":
      return ["subscribe_timeout", "unsubscribe_timeout"];
    case "no consumer":
      return ["unsubscribe", "unsubscribe_local"];
    case "wanted again":
      return ["wanted_again"];
    case "disconnected":
      return ["disconnected"];
    case "closed":
      return ["closed"];
  }
  return /^depth \d+$/.test(cause)
    ? ["depth_changed"]
    : ["already_subscribed", "rejected", "unsubscribe_rejected"];
}

/** The rows of the table a state event is; an empty list means a move outside the table. */
function rowsOf(event: SubscriptionStateEvent): SubscriptionTransition[] {
  const triggers = triggersOf(event.cause);
  return SUBSCRIPTION_TRANSITIONS.filter((row) =>
    row.from === event.from && row.to === event.to && triggers.includes(row.trigger)
  );
}

function assertRows(events: readonly KrakenEvent[]): void {
  for (const event of subscriptionStates(events)) {
    assert.notEqual(rowsOf(event).length, 0, `${event.from} -> ${event.to} (${event.cause})`);
  }
}

Deno.test("subscription machine: every row is a legal move, and each state and trigger has one", () => {
  const seen = new Set<string>();
  for (const row of SUBSCRIPTION_TRANSITIONS) {
    assert.equal(nextSubscriptionState(row.from, row.trigger), row.to, key(row));
    assert.ok(!seen.has(`${row.from} ${row.trigger}`), `${key(row)} is listed once`);
    seen.add(`${row.from} ${row.trigger}`);
  }
  for (const state of STATES) {
    assert.ok(SUBSCRIPTION_TRANSITIONS.some((row) => row.to === state), `${state} is reached`);
    assert.ok(SUBSCRIPTION_TRANSITIONS.some((row) => row.from === state), `${state} is left`);
  }
  // Gone is gone: a subscription leaves `unsubscribed` only by being asked for anew.
  assert.deepEqual(
    SUBSCRIPTION_TRANSITIONS.filter((row) => row.from === "unsubscribed").map(key),
    ["unsubscribed subscribe pending"],
  );
});

Deno.test("subscription machine: a move not in the table is a typed error", () => {
  const illegal: [SubscriptionState, SubscriptionTrigger][] = [
    ["unsubscribed", "snapshot"],
    ["pending", "snapshot"],
    ["pending", "silent"],
    ["awaiting_snapshot", "acknowledged"],
    ["stale", "wanted_again"],
    ["unsubscribing", "acknowledged"],
    ["rejected", "disconnected"],
    ["rejected", "closed"],
  ];
  for (const [from, trigger] of illegal) {
    assert.ok(
      !SUBSCRIPTION_TRANSITIONS.some((row) => row.from === from && row.trigger === trigger),
    );
    assert.throws(
      () => nextSubscriptionState(from, trigger),
      (error: unknown) =>
        error instanceof IllegalSubscriptionTransitionError && error.from === from &&
        error.trigger === trigger,
    );
  }
});

Deno.test("subscription machine: whatever the server does, the session moves only by the table, every row that emits is reached, and pending requests stay within three per subscription", () => {
  const reached = new Set<string>();
  for (let seed = 1; seed <= 150; seed++) {
    const session = new Session({
      url: "ws://hostile",
      seed,
      snapshotTimeoutMs: 3000,
      subscriptionTimeoutMs: 8000,
      requestTimeoutMs: 4000,
      heartbeatTimeoutMs: 6000,
      immediateResyncs: 2,
    });
    runHostileWorld(session, seed, 3000, (step) => {
      // The world feeds inputs a connection state may refuse (a frame before its socket opened);
      // anything else thrown is a defect.
      if (step.error !== undefined) {
        assert.ok(step.error instanceof IllegalInputError, `seed ${seed}: ${step.error}`);
      }
      assert.ok(
        session.pendingRequests <= 3 * session.subscriptionCount,
        `seed ${seed}: ${session.pendingRequests} pending for ${session.subscriptionCount}`,
      );
      for (const event of subscriptionStates(emitted(step.effects))) {
        const rows = rowsOf(event);
        assert.notEqual(
          rows.length,
          0,
          `seed ${seed}: ${event.from} -> ${event.to} (${event.cause})`,
        );
        for (const row of rows) reached.add(key(row));
      }
    });
  }
  // One row the world seldom arranges: a deeper stream joins while the book awaits its snapshot.
  const deeper = new SessionHarness();
  deeper.subscribe({ channel: "book", symbol: "BTC/USD", depth: 10 });
  deeper.goLive();
  deeper.ackAll();
  deeper.subscribe({ channel: "book", symbol: "BTC/USD", depth: 25 });
  for (const event of subscriptionStates(deeper.events)) {
    for (const row of rowsOf(event)) reached.add(key(row));
  }
  const emitting = SUBSCRIPTION_TRANSITIONS.filter((row) => row.from !== row.to).map(key);
  assert.deepEqual(emitting.filter((row) => !reached.has(row)), []);
});

Deno.test("subscription machine: a realistic life emits only rows of the table", () => {
  const harness = new SessionHarness({ immediateResyncs: 1 });
  const server = new ServerBook("BTC/USD");
  const book = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;
  const trades = { channel: "trade", symbol: "BTC/USD" } as const;
  const bookConsumer = harness.subscribe(book);
  const tradeConsumer = harness.subscribe(trades);
  harness.goLive();
  harness.advance(200);
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame(tradeFrame("BTC/USD", 1));
  harness.frame(server.update(2, true)); // checksum failure: resync at once
  harness.advance(200);
  harness.ackAll(); // the unsubscribe; the subscribe follows its answer
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame(server.update(3, true)); // again: resync after a backoff
  harness.advance(1500);
  harness.ackAll();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(200);
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.unsubscribe(bookConsumer);
  harness.unsubscribe(tradeConsumer);
  harness.advance(200);
  harness.ackAll();
  assertRows(harness.events);
  const moves = subscriptionStates(harness.events).map((event) =>
    `${event.channel} ${event.from} -> ${event.to} (${event.cause}${
      event.attempt === undefined ? "" : ` ${event.attempt}`
    })`
  );
  assert.deepEqual(moves, [
    "book unsubscribed -> pending (subscribe)",
    "trade unsubscribed -> pending (subscribe)",
    "book pending -> awaiting_snapshot (acknowledged)",
    "trade pending -> synced (acknowledged)",
    "book awaiting_snapshot -> synced (snapshot)",
    "book synced -> resyncing (mismatch 1)",
    "book resyncing -> awaiting_snapshot (acknowledged)",
    "book awaiting_snapshot -> synced (snapshot)",
    "book synced -> resyncing (mismatch 2)",
    "book resyncing -> awaiting_snapshot (acknowledged)",
    "book awaiting_snapshot -> synced (snapshot)",
    "book synced -> pending (disconnected)",
    "trade synced -> pending (disconnected)",
    "book pending -> awaiting_snapshot (acknowledged)",
    "trade pending -> synced (acknowledged)",
    "book awaiting_snapshot -> synced (snapshot)",
    "book synced -> unsubscribing (no consumer)",
    "trade synced -> unsubscribing (no consumer)",
    "book unsubscribing -> unsubscribed (acknowledged)",
    "trade unsubscribing -> unsubscribed (acknowledged)",
  ]);
  assert.equal(harness.session.subscriptionCount, 0);
});
