import assert from "node:assert/strict";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { SessionEffect, SessionInput } from "../../src/core/session.ts";
import type { ScheduledFault } from "../../src/exchange/faults.ts";
import type { Tamper } from "../../src/sim/invariants.ts";
import { runSimulation, seedCommand } from "../../src/sim/simulation.ts";

/** Seeds run with the authenticated side here (CI's 500 seeds run it on one in ten). */
const ACCOUNT_SEEDS = 12;

Deno.test(`simulation with the account: ${ACCOUNT_SEEDS} seeds trade under private faults, and the client never lies`, async () => {
  const failed: string[] = [];
  let calls = 0;
  let checks = 0;
  let faults = 0;
  for (let seed = 1000; seed < 1000 + ACCOUNT_SEEDS; seed++) {
    const report = await runSimulation({ seed, account: true });
    calls += report.stats.tradingCalls;
    checks += report.stats.openOrderChecks;
    faults += report.stats.faults;
    if (report.violations.length > 0) {
      failed.push(`${seedCommand(seed)} (account)\n  ${report.violations.join("\n  ")}`);
    }
  }
  assert.deepEqual(failed, [], "failing seeds");
  // The runs traded, and their open orders were held against the exchange's, many times.
  assert.ok(calls > ACCOUNT_SEEDS * 50, `${calls} trading calls`);
  assert.ok(checks > ACCOUNT_SEEDS * 10, `${checks} open-order checks`);
  assert.ok(faults > ACCOUNT_SEEDS * 5, `${faults} faults`);
});

Deno.test("simulation with the account: a seed reruns exactly", async () => {
  const first = await runSimulation({ seed: 31, account: true, durationMs: 40_000 });
  const second = await runSimulation({ seed: 31, account: true, durationMs: 40_000 });
  assert.deepEqual(second, first);
  assert.ok(first.stats.tradingCalls > 0);
  // One seed in ten runs the account by default; `account: false` turns it off.
  const off = await runSimulation({ seed: 31, account: false, durationMs: 10_000 });
  assert.equal(off.stats.tradingCalls, 0);
  const byDefault = await runSimulation({ seed: 31, durationMs: 10_000 });
  assert.ok(byDefault.stats.tradingCalls > 0, "seed 31 runs the account by default");
});

/** Private faults that make the checks' cases happen in a short run. */
const PRIVATE_FAULTS: readonly ScheduledFault[] = [
  { at: 6_000, kind: "skip_sequence" },
  { at: 9_000, kind: "swallow_reply" },
  { at: 12_000, kind: "drop_with_order" },
  { at: 18_000, kind: "skip_sequence" },
  { at: 21_000, kind: "swallow_reply" },
  { at: 24_000, kind: "drop_with_order" },
  { at: 30_000, kind: "skip_sequence" },
];

/**
 * Runs seeds with the account and a client whose authenticated connection lies as `tamper` says,
 * until a violation matching `expected` is found.
 */
async function assertCaught(
  tamper: NonNullable<Tamper["account"]>,
  expected: RegExp,
  seeds = 12,
): Promise<void> {
  const seen: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runSimulation({
      seed,
      account: true,
      durationMs: 40_000,
      schedule: PRIVATE_FAULTS,
      tamper: { account: tamper },
    });
    if (report.violations.some((violation) => expected.test(violation))) return;
    seen.push(...report.violations);
  }
  assert.fail(`expected ${expected}, saw: ${seen.slice(0, 5).join("; ") || "nothing"}`);
}

/** A client whose authenticated session's effects are rewritten. */
const rewriting = (
  rewrite: (effects: SessionEffect[], input: SessionInput) => SessionEffect[],
) => ({ effects: (input: SessionInput, effects: SessionEffect[]) => rewrite(effects, input) });

/** Keeps the emitted events that pass `keep`. */
const keepEvents = (keep: (event: KrakenEvent) => boolean) =>
  rewriting((effects) => effects.filter((effect) => effect.type !== "emit" || keep(effect.event)));

Deno.test("simulation with the account: the checks catch a client that resends an order after a reconnect", async () => {
  // It keeps the last order it sent and sends it again on the next connection.
  let last: string | undefined;
  await assertCaught(
    rewriting((effects, input) => {
      for (const effect of effects) {
        if (effect.type === "send" && effect.text.startsWith('{"method":"add_order"')) {
          last = effect.text;
        }
      }
      if (input.type !== "opened" || last === undefined) return effects;
      const again: SessionEffect = { type: "send", connection: input.connection, text: last };
      return [...effects, again];
    }),
    /cl_ord_id \S+ reached the exchange 2 times/,
  );
});

Deno.test("simulation with the account: the checks catch a request sent twice", async () => {
  await assertCaught(
    rewriting((effects) =>
      effects.flatMap((effect) =>
        effect.type === "send" && effect.text.startsWith('{"method":"cancel_order"')
          ? [effect, effect]
          : [effect]
      )
    ),
    /call #\d+ cancel_order \(req_id \d+\) reached the exchange 2 times/,
  );
});

Deno.test("simulation with the account: the checks catch a call said not sent when it was", async () => {
  // Outcome unknown (the link was lost, or no answer came) told as never sent: the caller would
  // place the order again.
  await assertCaught(
    rewriting((effects) =>
      effects.map((effect): SessionEffect =>
        effect.type === "settle" && effect.outcome.status === "unknown"
          ? { ...effect, outcome: { status: "unsent", reason: "a lie" } }
          : effect
      )
    ),
    /call #\d+ \S+.* rejected as not sent, but the exchange received it/,
  );
});

Deno.test("simulation with the account: the checks catch an order id the exchange never gave", async () => {
  await assertCaught(
    rewriting((effects) =>
      effects.map((effect): SessionEffect =>
        effect.type === "settle" && effect.outcome.status === "answered" &&
          effect.outcome.replies[0]?.method === "add_order"
          ? {
            ...effect,
            outcome: {
              ...effect.outcome,
              replies: effect.outcome.replies.map((reply) => ({
                ...reply,
                result: { ...(reply.result as object), order_id: "OFAKE0-ORDER-ID0000" },
              })),
            },
          }
          : effect
      )
    ),
    /call #\d+ add_order \S+ resolved with order OFAKE0-ORDER-ID0000, but the exchange placed O/,
  );
});

Deno.test("simulation with the account: the checks catch a call settled twice", async () => {
  await assertCaught(
    rewriting((effects) =>
      effects.flatMap((effect): SessionEffect[] =>
        effect.type === "settle" ? [effect, effect] : [effect]
      )
    ),
    /call #\d+ .* settled 2 times/,
  );
});

Deno.test("simulation with the account: the checks catch a client that hides its sequence gaps", async () => {
  await assertCaught(
    keepEvents((event) => !(event.type === "gap" && event.reason === "sequence")),
    /(executions|balances) messages \d+\.\.\d+ lost on connection \d+ without a sequence gap/,
  );
});

Deno.test("simulation with the account: the checks catch a fresh snapshot after a loss nobody was told of", async () => {
  // No gap at all on the account channels: the reconnects' and resubscribes' hidden too.
  await assertCaught(
    keepEvents((event) =>
      !(event.type === "gap" && (event.channel === "executions" || event.channel === "balances"))
    ),
    /(executions|balances) snapshot .* delivered with no gap since the last/,
  );
});

Deno.test("simulation with the account: the checks catch a sequence gap that names the wrong messages", async () => {
  await assertCaught(
    rewriting((effects) =>
      effects.map((effect): SessionEffect =>
        effect.type === "emit" && effect.event.type === "gap" && effect.event.reason === "sequence"
          ? {
            ...effect,
            event: { ...effect.event, toSequence: effect.event.toSequence! + 1 } as KrakenEvent,
          }
          : effect
      )
    ),
    /sequence gap \d+\.\.\d+ names what was not lost/,
  );
});

Deno.test("simulation with the account: the checks catch a client that drops an executions message", async () => {
  let count = 0;
  await assertCaught(
    keepEvents((event) => event.type !== "executions" || event.snapshot || ++count % 15 !== 0),
    /executions message seq \d+ taken while synced was neither delivered nor reported in a gap/,
  );
});

Deno.test("simulation with the account: the checks catch an executions stream whose open orders go wrong", async () => {
  // The session is honest; the stream loses an order's cancellation on its way to the reader.
  let count = 0;
  const dropCancels = {
    deliver: (stream: { readonly channel: string | undefined }, event: KrakenEvent) =>
      stream.channel === "executions" && event.type === "executions" &&
        event.executions.some((execution) => execution.execType === "canceled") &&
        ++count % 3 === 0
        ? undefined
        : event,
  };
  await assertCaught(
    dropCancels,
    /open orders rebuilt from executions differ from the exchange's: extra O/,
  );
  await assertCaught(dropCancels, /executions lost \d+ events without an overflow gap/);
});

Deno.test({
  // After a reconnect `skip_sequence` loses the snapshot (sequence 1): the update that shows it is
  // a `sequence` gap from 1, and the subscription starts over, so the open orders a consumer
  // rebuilds come back right.
  name: "simulation with the account: a snapshot lost after a reconnect is reported, not skipped",
  fn: async () => {
    const report = await runSimulation({ seed: 1015, account: true });
    assert.deepEqual(report.violations, []);
  },
});
