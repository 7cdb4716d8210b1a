/**
 * One exchange, two drivers: the same scripted faults thrown through the socket simulator (real
 * sockets, the relay, a virtual clock) and through the seeded simulation (virtual sockets) make
 * the client see the same thing: the same connection states with the same causes, the same gaps
 * per subscription, the same exchange status.
 */

import assert from "node:assert/strict";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { SubscriptionRequest } from "../../src/core/subscription.ts";
import type { ScheduledFault } from "../../src/exchange/faults.ts";
import { runSimulation } from "../../src/sim/simulation.ts";
import { EventCollector } from "../client/event_collector.ts";
import { Loopback } from "./loopback.ts";

const SEED = 21;
const RUN_MS = 80_000;

/** Faults well apart, so each recovery is over before the next: every kind a link can take. */
const SCHEDULE: readonly ScheduledFault[] = [
  { at: 3000, kind: "wrong_checksum" },
  { at: 8000, kind: "drop_update" },
  { at: 13_000, kind: "drop_connection" },
  { at: 20_000, kind: "duplicate_frame" },
  { at: 22_000, kind: "malformed_json" },
  { at: 24_000, kind: "unknown_channel" },
  { at: 25_000, kind: "oversized_frame" },
  { at: 27_000, kind: "close_1001" },
  { at: 34_000, kind: "maintenance", durationMs: 3000 },
  { at: 40_000, kind: "slow", durationMs: 2000 },
  { at: 45_000, kind: "close_1011" },
  { at: 52_000, kind: "stall", durationMs: 15_000 },
];

const SUBSCRIPTIONS: readonly SubscriptionRequest[] = [
  { channel: "book", symbol: "BTC/USD", depth: 10 },
  { channel: "book", symbol: "ETH/USD", depth: 25 },
  { channel: "trade", symbol: "SOL/USD" },
];

/** What a client saw, in the terms both drivers must agree on. */
function seen(events: readonly KrakenEvent[]) {
  const gaps = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== "gap") continue;
    const key = `${event.channel ?? "-"} ${event.symbol ?? "-"}`;
    gaps.set(key, [...gaps.get(key) ?? [], event.reason]);
  }
  return {
    // A new `events()` stream first hears where the connection stands (`current`): no transition.
    connection: events.flatMap((event) =>
      event.type === "state" && event.scope === "connection" && event.cause !== "current"
        ? [`${event.to} (${event.cause})`]
        : []
    ),
    gaps: Object.fromEntries([...gaps].sort(([a], [b]) => a.localeCompare(b))),
    status: events.flatMap((event) => event.type === "status" ? [event.system] : []),
    errors: events.flatMap((event) => event.type === "error" ? [event.code] : []),
  };
}

Deno.test("drivers: the same faults through the socket simulator and the seeded simulation look the same to the client", async () => {
  const simulated: KrakenEvent[] = [];
  const report = await runSimulation({
    seed: SEED,
    durationMs: RUN_MS,
    schedule: SCHEDULE,
    subscriptions: SUBSCRIPTIONS,
    onEvent: (event) => simulated.push(event),
  });
  assert.deepEqual(report.violations, []);

  const loop = await Loopback.start(
    { seed: SEED, faults: { schedule: SCHEDULE } },
    { reconnect: { seed: SEED } },
  );
  const start = loop.clock.now();
  let overSockets: KrakenEvent[];
  try {
    const streams = [
      new EventCollector(loop.kraken.book("BTC/USD", { depth: 10 })),
      new EventCollector(loop.kraken.book("ETH/USD", { depth: 25 })),
      new EventCollector(loop.kraken.trades("SOL/USD")),
    ];
    await loop.run(RUN_MS, 50);
    overSockets = loop.events.events.filter((event) => event.time < start + RUN_MS);
    assert.ok(streams.every((stream) => !stream.ended));
  } finally {
    await loop.close();
  }

  const expected = seen(overSockets);
  // The simulation closes the client when its time is up: what came before is what compares.
  const actual = seen(simulated.filter((event) => event.time < RUN_MS));
  // The run did meet its faults: links were lost and replaced, books resynced, maintenance told.
  assert.ok(expected.connection.filter((state) => state.startsWith("backoff")).length >= 4);
  assert.ok((expected.gaps["book BTC/USD"] ?? []).includes("checksum"), JSON.stringify(expected));
  assert.ok(expected.status.includes("maintenance"));
  assert.deepEqual(actual.connection, expected.connection);
  assert.deepEqual(actual.gaps, expected.gaps);
  assert.deepEqual(actual.status, expected.status);
  assert.deepEqual(actual.errors, expected.errors);
});
