import assert from "node:assert/strict";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { Level3BookEvent } from "../../src/core/level3_event.ts";
import type { SessionEffect, SessionInput } from "../../src/core/session.ts";
import type { SubscriptionRequest } from "../../src/core/subscription.ts";
import type { ScheduledFault } from "../../src/exchange/faults.ts";
import type { Tamper } from "../../src/sim/invariants.ts";
import { runSimulation, seedCommand } from "../../src/sim/simulation.ts";

/** Seeds run with level 3 here (CI's 500 seeds run it on one in twenty-five). */
const LEVEL3_SEEDS = 6;

Deno.test(`simulation with level 3: ${LEVEL3_SEEDS} seeds subscribe order by order under the book faults, and the client never lies`, async () => {
  const failed: string[] = [];
  let books = 0;
  let resyncs = 0;
  for (let seed = 2000; seed < 2000 + LEVEL3_SEEDS; seed++) {
    const report = await runSimulation({ seed, level3: true });
    books += report.stats.level3Books;
    resyncs += report.stats.level3Resyncs;
    if (report.violations.length > 0) {
      failed.push(`${seedCommand(seed)} --level3\n  ${report.violations.join("\n  ")}`);
    }
  }
  assert.deepEqual(failed, [], "failing seeds");
  // Every book was held to the truth, and the faults made the client resync, many times.
  assert.ok(books > LEVEL3_SEEDS * 200, `${books} level3 books`);
  assert.ok(resyncs > LEVEL3_SEEDS, `${resyncs} level3 resyncs`);
});

Deno.test("simulation with level 3: a seed reruns exactly, and one seed in twenty-five runs it by default", async () => {
  const first = await runSimulation({ seed: 28, durationMs: 30_000 });
  const second = await runSimulation({ seed: 28, durationMs: 30_000 });
  assert.deepEqual(second, first);
  assert.ok(first.stats.level3Books > 0, "seed 28 subscribes level 3 by default");
  const off = await runSimulation({ seed: 28, level3: false, durationMs: 10_000 });
  assert.equal(off.stats.level3Books, 0);
  const other = await runSimulation({ seed: 24, durationMs: 10_000 });
  assert.equal(other.stats.level3Books, 0);
});

/** Level 3 faults that make the checks' cases happen in a short run. */
const LEVEL3_FAULTS: readonly ScheduledFault[] = [
  { at: 3_000, kind: "wrong_checksum" },
  { at: 4_500, kind: "drop_update" },
  { at: 6_000, kind: "duplicate_frame" },
  { at: 7_000, kind: "wrong_checksum" },
  { at: 8_500, kind: "drop_update" },
  { at: 10_000, kind: "malformed_json" },
  { at: 11_000, kind: "drop_update" },
  { at: 12_500, kind: "wrong_checksum" },
  { at: 14_000, kind: "drop_connection" },
  { at: 19_000, kind: "drop_update" },
  { at: 20_000, kind: "wrong_checksum" },
  { at: 21_000, kind: "drop_update" },
  { at: 22_000, kind: "exceeded_msg_rate" },
  { at: 23_000, kind: "wrong_checksum" },
  { at: 25_000, kind: "drop_update" },
];

/** A book on the public side, and level 3 at two depths (one below the checksummed top 10). */
const SUBSCRIPTIONS: readonly SubscriptionRequest[] = [
  { channel: "book", symbol: "BTC/USD", depth: 10 },
  { channel: "level3", symbol: "BTC/USD", depth: 100 },
  { channel: "level3", symbol: "ETH/USD", depth: 10 },
];

Deno.test("simulation with level 3: scripted faults on the level 3 connection, and depth 1000 at the rate counter's edge, never catch the client lying", async () => {
  for (const seed of [1, 2]) {
    const report = await runSimulation({
      seed,
      durationMs: 30_000,
      subscriptions: SUBSCRIPTIONS,
      schedule: [],
      level3Schedule: LEVEL3_FAULTS,
    });
    assert.deepEqual(report.violations, [], `seed ${seed}`);
    assert.ok(report.stats.level3Resyncs >= 3, `seed ${seed}: ${report.stats.level3Resyncs}`);
  }
  // Two pairs at depth 1000 spend the whole budget of a second (2 × 100 of 200): a resync right
  // after must wait for the counter, never be refused.
  const report = await runSimulation({
    seed: 3,
    durationMs: 20_000,
    subscriptions: [
      { channel: "level3", symbol: "BTC/USD", depth: 1000 },
      { channel: "level3", symbol: "ETH/USD", depth: 1000 },
    ],
    schedule: [],
    level3Schedule: [
      { at: 1_000, kind: "wrong_checksum" },
      { at: 1_050, kind: "wrong_checksum" },
      { at: 5_000, kind: "wrong_checksum" },
      { at: 5_100, kind: "wrong_checksum" },
      { at: 5_200, kind: "wrong_checksum" },
    ],
  });
  assert.deepEqual(report.violations, []);
  assert.ok(report.stats.level3Resyncs >= 4, `${report.stats.level3Resyncs} resyncs`);
});

/**
 * Runs short seeds with scripted level 3 faults and a client whose level 3 connection lies as
 * `tamper` says, until a violation matching `expected` is found.
 */
async function assertCaught(
  tamper: NonNullable<Tamper["level3"]>,
  expected: RegExp,
  seeds = 4,
): Promise<void> {
  const seen: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runSimulation({
      seed,
      durationMs: 30_000,
      subscriptions: SUBSCRIPTIONS,
      schedule: [],
      level3Schedule: LEVEL3_FAULTS,
      tamper: { level3: tamper },
    });
    if (report.violations.some((violation) => expected.test(violation))) return;
    seen.push(...report.violations);
  }
  assert.fail(`expected ${expected}, saw: ${seen.slice(0, 5).join("; ") || "nothing"}`);
}

/** A client whose level 3 session's effects are rewritten. */
const rewriting = (
  rewrite: (effects: SessionEffect[], input: SessionInput) => SessionEffect[],
) => ({ effects: (input: SessionInput, effects: SessionEffect[]) => rewrite(effects, input) });

/** Keeps the emitted events that pass `keep`. */
const keepEvents = (keep: (event: KrakenEvent) => boolean) =>
  rewriting((effects) => effects.filter((effect) => effect.type !== "emit" || keep(effect.event)));

/** Replaces each emitted event with what `change` makes of it. */
const mapEvents = (change: (event: KrakenEvent) => KrakenEvent) =>
  rewriting((effects) =>
    effects.map((effect) =>
      effect.type === "emit" ? { ...effect, event: change(effect.event) } : effect
    )
  );

/** A level 3 book with the first order of its `side` level `index` given another quantity. */
function withWrongOrder(
  event: Level3BookEvent,
  side: "bids" | "asks",
  index: number,
): Level3BookEvent {
  const levels = [...event[side]];
  const level = levels[index];
  const [first, ...rest] = level.orders;
  levels[index] = { ...level, orders: [{ ...first, orderQtyText: "9.99999999" }, ...rest] };
  return { ...event, [side]: levels };
}

Deno.test("simulation with level 3: the checks catch a client that shows a book other than the truth", async () => {
  // In the checksummed top 10: a book that failed Kraken's checksum, shown anyway.
  await assertCaught(
    mapEvents((event) =>
      event.type === "level3" && event.bids.length > 2 ? withWrongOrder(event, "bids", 2) : event
    ),
    /level3 event for \S+ differs from the truth: bids level 2 is/,
  );
  // Below it, where only the truth sees it.
  await assertCaught(
    mapEvents((event) =>
      event.type === "level3" && event.asks.length > 40 ? withWrongOrder(event, "asks", 40) : event
    ),
    /level3 event for BTC\/USD differs from the truth: asks level 40 is/,
  );
  // An order's place in its queue is the truth's too.
  await assertCaught(
    mapEvents((event) => {
      if (event.type !== "level3") return event;
      const at = event.bids.findIndex((level) => level.orders.length > 1);
      if (at < 0) return event;
      const bids = [...event.bids];
      bids[at] = { ...bids[at], orders: [...bids[at].orders].reverse() };
      return { ...event, bids };
    }),
    /level3 event for \S+ differs from the truth: bids level \d+ is/,
  );
});

Deno.test("simulation with level 3: the checks catch a stream handed a book other than the one emitted", async () => {
  await assertCaught(
    {
      deliver: (stream, event) =>
        stream.channel === "level3" && event.type === "level3" && event.asks.length > 0
          ? withWrongOrder(event, "asks", 0)
          : event,
    },
    /level3\(.*\) delivered a level3 book of \S+ that fails its checksum/,
  );
  await assertCaught(
    {
      deliver: (stream, event) =>
        stream.channel === "level3" && event.type === "level3" && event.asks.length > 0
          ? withWrongOrder(event, "asks", 0)
          : event,
    },
    /level3\(.*\) delivered seq \d+ changed from what was emitted/,
  );
});

Deno.test("simulation with level 3: the checks catch a client that hides its checksum gaps", async () => {
  const hideChecksumGaps = keepEvents((event) =>
    !(event.type === "gap" && event.channel === "level3" && event.reason === "checksum")
  );
  // The exchange corrupted the frame, so the checksum gap is owed on that input ...
  await assertCaught(
    hideChecksumGaps,
    /corrupted level3 frame for \S+ fed while \S+ made no checksum gap/,
  );
  // ... and the subscription left `synced` and came back without any gap in between.
  await assertCaught(
    hideChecksumGaps,
    /level3\|\S+ was synced again after losing sync without a gap/,
  );
});

Deno.test("simulation with level 3: the checks catch a client that drops a level 3 book silently", async () => {
  let count = 0;
  // The session's book, never emitted: the frame made neither a book nor a gap.
  await assertCaught(
    keepEvents((event) => event.type !== "level3" || ++count % 25 !== 0),
    /level3 frame for \S+ fed while synced made neither a level3 event nor a gap/,
  );
  // Emitted, lost on the way to its stream.
  let delivered = 0;
  await assertCaught(
    {
      deliver: (stream, event) =>
        stream.channel === "level3" && event.type === "level3" && ++delivered % 25 === 0
          ? undefined
          : event,
    },
    /level3\(.*\) lost \d+ events without an overflow gap/,
  );
});

Deno.test("simulation with level 3: the checks catch a client that does not resync after a failed checksum", async () => {
  // It says the book failed, but its next book is no fresh snapshot: it carried on.
  const failed = new Set<string>();
  await assertCaught(
    rewriting((effects) =>
      effects.map((effect) => {
        if (effect.type !== "emit") return effect;
        const event = effect.event;
        if (event.type === "gap" && event.channel === "level3" && event.reason === "checksum") {
          failed.add(event.symbol ?? "");
        }
        if (event.type !== "level3" || !failed.delete(event.symbol)) return effect;
        return { ...effect, event: { ...event, snapshot: false } };
      })
    ),
    /level3 \S+: the first book after a corrupted checksum \(t=\d+\) is not a snapshot: the client did not resync/,
  );
  // Instead of its checksum gap it shows the book it had: after a lost update, that is caught in
  // the top 10 levels, all that Kraken's checksum can see.
  const last = new Map<string, Level3BookEvent>();
  await assertCaught(
    rewriting((effects) =>
      effects.map((effect) => {
        if (effect.type !== "emit") return effect;
        const event = effect.event;
        if (event.type === "level3") last.set(event.symbol, event);
        const shown = event.type === "gap" && event.channel === "level3" &&
            event.reason === "checksum"
          ? last.get(event.symbol ?? "")
          : undefined;
        return shown === undefined
          ? effect
          : { ...effect, event: { ...shown, seq: event.seq, snapshot: false } };
      })
    ),
    /level3 event for \S+ differs from the truth in its checksummed top 10 levels, after an update was lost/,
  );
});

Deno.test("simulation with level 3: the checks catch a client that hides a reconnect gap", async () => {
  await assertCaught(
    keepEvents((event) =>
      !(event.type === "gap" && event.channel === "level3" && event.reason === "reconnect")
    ),
    /level3\|\S+ (resumed|delivered data) after a reconnect without a reconnect gap/,
  );
});

Deno.test("simulation with level 3: the checks catch a client that overruns Kraken's level 3 rate counter", async () => {
  // Each subscribe goes out with a burst of unsubscribes and subscribes again: 5 per symbol at
  // depth 10, 25 at 100, well past 200 in a second.
  let reqId = 1_000_000;
  await assertCaught(
    rewriting((effects) =>
      effects.flatMap((effect) => {
        if (effect.type !== "send" || !effect.text.startsWith('{"method":"subscribe"')) {
          return [effect];
        }
        const burst: SessionEffect[] = [effect];
        for (let i = 0; i < 20; i++) {
          for (const method of ["unsubscribe", "subscribe"]) {
            const text = effect.text.replace('"method":"subscribe"', `"method":"${method}"`)
              .replace(/"req_id":\d+/, `"req_id":${++reqId}`);
            burst.push({ ...effect, text });
          }
        }
        return burst;
      })
    ),
    /the exchange answered "Exceeded msg rate" to a level3 request on connection \d+: the client overran Kraken's level 3 rate counter/,
  );
});
