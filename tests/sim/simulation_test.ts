import assert from "node:assert/strict";
import { simTestCommand } from "../../src/cli/sim_seeds.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { SessionEffect } from "../../src/core/session.ts";
import type { Tamper } from "../../src/sim/invariants.ts";
import { runSimulation, seedCommand, type SimulationReport } from "../../src/sim/simulation.ts";
import { fixtureLines } from "../fixtures.ts";
import type { SeedRange, SeedTotals } from "./simulation_seeds_worker.ts";

/** CI's share of seeds; `deno task sim-test --seeds N` runs more. */
const CI_SEEDS = 500;

/** Runs seeds `from`..`to` in a worker, so CI's seeds use both cores. */
function runSeeds(from: number, to: number): Promise<SeedTotals> {
  const worker = new Worker(new URL("./simulation_seeds_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<SeedTotals>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<SeedTotals>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`seeds ${from}..${to}: ${event.message}`));
    };
    worker.postMessage({ from, to } satisfies SeedRange);
  }).finally(() => worker.terminate());
}

Deno.test(`simulation: ${CI_SEEDS} seeds, each with its own faults, never catch the client lying`, async () => {
  const half = Math.floor(CI_SEEDS / 2);
  const parts = await Promise.all([runSeeds(1, half), runSeeds(half + 1, CI_SEEDS)]);
  const failed = parts.flatMap((part) => part.failed);
  const sum = (pick: (part: SeedTotals) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const faults = sum((part) => part.faults);
  const resyncs = sum((part) => part.resyncs);
  const connections = sum((part) => part.connections);
  const tradingCalls = sum((part) => part.tradingCalls);
  const openOrderChecks = sum((part) => part.openOrderChecks);
  assert.deepEqual(failed, [], `failing seeds, each with the command that reruns it`);
  // The runs were not quiet: faults hit, books resynced, connections were lost and replaced.
  assert.ok(faults > CI_SEEDS * 5, `${faults} faults`);
  assert.ok(resyncs > CI_SEEDS, `${resyncs} resyncs`);
  assert.ok(connections > CI_SEEDS * 2, `${connections} connections`);
  // One seed in ten also traded on the authenticated side, its open orders checked as it went.
  assert.ok(tradingCalls > (CI_SEEDS / 10) * 50, `${tradingCalls} trading calls`);
  assert.ok(openOrderChecks > (CI_SEEDS / 10) * 10, `${openOrderChecks} open-order checks`);
});

Deno.test("simulation: a seed reruns exactly", async () => {
  const first = await runSimulation({ seed: 4242 });
  const second = await runSimulation({ seed: 4242 });
  assert.deepEqual(second, first);
  assert.notDeepEqual((await runSimulation({ seed: 4243 })).stats, first.stats);
});

/** A client whose session's effects are rewritten by `rewrite`. */
const lying = (rewrite: (effects: SessionEffect[]) => SessionEffect[]): Tamper => ({
  effects: (_input, effects) => rewrite(effects),
});

/**
 * Runs seeds with a tampered client until a violation matching `expected` is found; returns it,
 * or every violation seen when none matched (for the failure message).
 */
async function caught(
  tamper: Tamper,
  expected: RegExp,
  seeds = 60,
  options: { readonly bufferSize?: number } = {},
): Promise<{ found: boolean; violations: string[] }> {
  const violations: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const report: SimulationReport = await runSimulation({ seed, tamper, ...options });
    const match = report.violations.find((violation) => expected.test(violation));
    if (match !== undefined) return { found: true, violations: [match] };
    violations.push(...report.violations);
  }
  return { found: false, violations };
}

/** Asserts that a client tampered so is caught with a violation matching `expected`. */
async function assertCaught(
  tamper: Tamper | ((effects: SessionEffect[]) => SessionEffect[]),
  expected: RegExp,
  options: { readonly bufferSize?: number } = {},
) {
  const { found, violations } = await caught(
    typeof tamper === "function" ? lying(tamper) : tamper,
    expected,
    60,
    options,
  );
  assert.ok(found, `expected ${expected}, saw: ${violations.slice(0, 5).join("; ") || "nothing"}`);
}

/** Keeps the effects whose emitted event passes `keep`. */
const filterEvents = (keep: (event: KrakenEvent) => boolean) => (effects: SessionEffect[]) =>
  effects.filter((effect) => effect.type !== "emit" || keep(effect.event));

/** Replaces each emitted event with what `change` makes of it. */
const mapEvents = (change: (event: KrakenEvent) => KrakenEvent) => (effects: SessionEffect[]) =>
  effects.map((effect) =>
    effect.type === "emit" ? { ...effect, event: change(effect.event) } : effect
  );

Deno.test("simulation: the checks catch a client that shows a wrong book", async () => {
  await assertCaught(
    mapEvents((event) => {
      if (event.type !== "book" || event.bids.length < 3) return event;
      const bids = [...event.bids];
      bids[2] = { ...bids[2], qtyText: "9.99999999", qty: 9.99999999 };
      return { ...event, bids };
    }),
    /fails its checksum/,
  );
  await assertCaught(
    mapEvents((event) => {
      // Below the checksummed top 10: only the oracle sees it.
      if (event.type !== "book" || event.bids.length < 12) return event;
      const bids = [...event.bids];
      bids[11] = { ...bids[11], qtyText: "9.99999999", qty: 9.99999999 };
      return { ...event, bids };
    }),
    /differs from the truth/,
  );
});

Deno.test("simulation: the checks catch a client that hides a trade gap", async () => {
  await assertCaught(
    filterEvents((event) => !(event.type === "gap" && event.reason === "sequence")),
    /trade \d+ of .* was lost without a gap/,
  );
});

Deno.test("simulation: the checks catch a client that delivers a trade twice", async () => {
  await assertCaught(
    (effects) =>
      effects.flatMap((effect) =>
        effect.type === "emit" && effect.event.type === "trade" ? [effect, effect] : [effect]
      ),
    /out of order or twice/,
  );
});

Deno.test("simulation: the checks catch a client that hides a reconnect or a bad frame", async () => {
  await assertCaught(
    filterEvents((event) => !(event.type === "gap" && event.reason === "reconnect")),
    /without a reconnect gap/,
  );
  await assertCaught(
    filterEvents((event) => !(event.type === "gap" && event.reason === "decode")),
    /without a decode gap/,
  );
  await assertCaught(
    filterEvents((event) => !(event.type === "error" && event.code === "unknown")),
    /without an error event/,
  );
});

Deno.test("simulation: the checks catch a client that never shows a book", async () => {
  await assertCaught(
    filterEvents((event) => event.type !== "book"),
    /book frame for .* fed while synced made neither a book event nor a gap/,
  );
});

Deno.test("simulation: the checks catch a client that never shows a trade", async () => {
  // With nothing delivered there is no range to find holes in: each frame of news is held instead.
  await assertCaught(
    filterEvents((event) => event.type !== "trade"),
    /new trades for .* fed while synced made neither a trade nor a sequence gap/,
  );
});

Deno.test("simulation: the checks catch a client that hides its checksum and crossed gaps", async () => {
  const hideResyncGaps = filterEvents((event) =>
    !(event.type === "gap" && (event.reason === "checksum" || event.reason === "crossed"))
  );
  // The simulation corrupted the frame, so it knows the checksum gap is owed on that input ...
  await assertCaught(hideResyncGaps, /corrupted book frame for .* made no checksum gap/);
  // ... and the book left `synced` and came back without any gap in between.
  await assertCaught(hideResyncGaps, /book\|.* was synced again after losing sync without a gap/);
});

Deno.test("simulation: the checks catch a client that drops tickers and candles", async () => {
  const dropTickersAndCandles = filterEvents((event) =>
    event.type !== "ticker" && event.type !== "ohlc"
  );
  await assertCaught(
    dropTickersAndCandles,
    /ticker frame for .* fed while synced made no ticker event/,
  );
  await assertCaught(
    dropTickersAndCandles,
    /ohlc frame for .* fed while synced made no ohlc event/,
  );
});

Deno.test("simulation: the checks catch a hidden reconnect gap even when the causes lie", async () => {
  // The checks cannot lean on `cause: "disconnected"`: they owe the gap from the link's death.
  const hideReconnectGaps = filterEvents((event) =>
    !(event.type === "gap" && event.reason === "reconnect")
  );
  const renameCauses = mapEvents((event) =>
    event.type === "state" && event.scope === "subscription" ? { ...event, cause: "fine" } : event
  );
  await assertCaught(
    (effects) => renameCauses(hideReconnectGaps(effects)),
    /resumed after a reconnect without a reconnect gap/,
  );
});

Deno.test("simulation: the checks catch state events that differ from the session's state", async () => {
  await assertCaught(
    filterEvents((event) => !(event.type === "state" && event.to === "resyncing")),
    /book\|.* is resyncing but its state events say synced/,
  );
});

Deno.test("simulation: the checks catch a client that reconnects without backoff", async () => {
  await assertCaught(
    (effects) =>
      effects.map((effect) =>
        effect.type === "setTimer" && effect.id === "reconnect" ? { ...effect, delayMs: 0 } : effect
      ),
    /attempt budget/,
  );
});

Deno.test("simulation: the checks catch a client that leaks timers", async () => {
  let leak = 0;
  await assertCaught(
    (effects) => [...effects, { type: "setTimer", id: `leak:${leak++}`, delayMs: 3_600_000 }],
    /timers set/,
  );
});

Deno.test("simulation: the checks catch a stream fed another symbol's events", async () => {
  // Routing, not the session, lies: only the real driver and its streams can show this.
  await assertCaught(
    {
      deliver: (stream, event) =>
        stream.channel === "book" && event.type === "book" && stream.symbols.has(event.symbol)
          ? { ...event, symbol: event.symbol === "BTC/USD" ? "ETH/USD" : "BTC/USD" }
          : event,
    },
    /book\(.*\) delivered a book event of .* it does not carry/,
  );
});

Deno.test("simulation: the checks catch an overflow that loses its gap", async () => {
  // A small buffer and the run's slow reader overflow; the driver's overflow gap never arrives.
  await assertCaught(
    {
      deliver: (_stream, event) =>
        event.type === "gap" && event.reason === "overflow" ? undefined : event,
    },
    /events\(\) read slowly lost \d+ events without an overflow gap/,
    { bufferSize: 16 },
  );
});

Deno.test("simulation: the checks catch a stream that silently drops events", async () => {
  let count = 0;
  await assertCaught(
    {
      deliver: (stream, event) =>
        stream.channel === "trade" && ++count % 50 === 0 ? undefined : event,
    },
    /trades\(.*\) lost \d+ events without an overflow gap/,
  );
});

Deno.test("simulation: a recording replayed through the exchange, with faults, never catches the client lying", async () => {
  const lines = fixtureLines("live-btc-eth.ndjson");
  for (const seed of [1, 2, 3]) {
    const report = await runSimulation({ seed, replay: { lines, speed: 1 }, durationMs: 40_000 });
    assert.deepEqual(report.violations, [], `seed ${seed}`);
    assert.ok(report.stats.books > 500, `seed ${seed}: ${report.stats.books} books`);
    assert.ok(report.stats.trades > 0, `seed ${seed}: ${report.stats.trades} trades`);
  }
  // The checks hold over a replay too: a client that shows a wrong book is caught.
  const report = await runSimulation({
    seed: 1,
    replay: { lines },
    durationMs: 20_000,
    faults: false,
    tamper: lying(mapEvents((event) => {
      if (event.type !== "book" || event.bids.length < 3) return event;
      const bids = [...event.bids];
      bids[2] = { ...bids[2], qtyText: "9.99999999", qty: 9.99999999 };
      return { ...event, bids };
    })),
  });
  assert.ok(report.violations.some((violation) => violation.includes("fails its checksum")));
});

Deno.test("sim-test: runs seeds, prints a summary, and refuses bad arguments", async () => {
  const lines: string[] = [];
  assert.equal(
    await simTestCommand(["--seeds", "3", "--duration", "10000"], (line) => lines.push(line)),
    0,
  );
  assert.match(lines[0], /^3 seeds of 10 s: \d+ frames/);
  assert.equal(lines.at(-1), "OK: every invariant held");
  const json: string[] = [];
  assert.equal(
    await simTestCommand(
      ["--seed", "9", "--duration", "5000", "--json"],
      (line) => json.push(line),
    ),
    0,
  );
  const report = JSON.parse(json[0]);
  assert.equal(report.seeds, 1);
  assert.deepEqual(report.failed, []);
  for (
    const bad of [["--seeds", "0"], ["--seeds"], ["--seed", "x"], ["--duration", "5"], ["--nope"]]
  ) {
    const errors: string[] = [];
    assert.equal(await simTestCommand(bad, (line) => errors.push(line)), 2, bad.join(" "));
    assert.match(errors[0], /^sim-test: /);
  }
  assert.equal(seedCommand(7, 30_000), "deno task sim-test --seed 7 --duration 30000");
});

Deno.test("simulation: a pair Kraken refuses inside a batched request ends alone; the rest hold", async () => {
  const errors: string[] = [];
  // Seeds divisible by 4 also ask for an unlisted pair beside the others' trades.
  const report = await runSimulation({
    seed: 8,
    durationMs: 30_000,
    onEvent: (event) => {
      if (event.type === "error" && event.code === "rejected") errors.push(event.symbol ?? "");
    },
  });
  assert.deepEqual(report.violations, []);
  assert.deepEqual(errors, ["NOT/LISTED"]);
  assert.ok(report.stats.trades > 0 || report.stats.books > 0, "the other subscriptions went on");
});
