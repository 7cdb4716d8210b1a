/**
 * `sim-test`: the seeded simulation, seed after seed. Each seed runs the client against the fake
 * exchange under its own random faults, in virtual time; a failing seed prints the one command
 * that reruns exactly that run.
 *
 * @module
 */

import {
  DEFAULT_DURATION_MS,
  runSimulation,
  seedCommand,
  type SimulationReport,
} from "../sim/simulation.ts";
import { ArgumentList, numberValue } from "./arguments.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Usage text of `sim-test`.
 *
 * @example
 * ```ts
 * import { SIM_TEST_USAGE } from "./sim_seeds.ts";
 * console.log(SIM_TEST_USAGE.startsWith("usage: sim-test")); // true
 * ```
 */
export const SIM_TEST_USAGE: string =
  `usage: sim-test [--seeds N] [--from SEED] [--seed SEED] [--duration MS] [--account] [--level3]
                [--json]

Runs the seeded simulation: the client against the fake exchange in virtual time, with a random
fault schedule per seed, checking after every step that it never lies. By default seeds 1 to 500;
--seed runs one seed (to rerun a failure). One seed in ten also runs the authenticated side (an
account, its executions and balances, a seeded trader, the private faults); --account runs it on
every seed. One seed in twenty-five also subscribes level 3 (one or two pairs, order by order,
under the book faults); --level3 runs it on every seed. Exit 0 when every seed held every
invariant, 1 otherwise, 2 on usage errors.`;

/**
 * Parsed arguments of `sim-test`.
 *
 * @example
 * ```ts
 * import { parseSimTestArgs } from "./sim_seeds.ts";
 * console.log(parseSimTestArgs(["--seeds", "20"]).seeds); // [1, 2, …, 20]
 * ```
 */
export interface SimTestArgs {
  /** The seeds to run, in order. */
  readonly seeds: readonly number[];
  /** Virtual time per seed. */
  readonly durationMs: number;
  /** One JSON object instead of a summary. */
  readonly json: boolean;
  /** Run the authenticated side on every seed (default: on one seed in ten). */
  readonly account: boolean;
  /** Subscribe level 3 on every seed (default: on one seed in twenty-five). */
  readonly level3: boolean;
}

/**
 * Parses `sim-test`'s arguments.
 *
 * @param args The arguments after `sim-test`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed.
 *
 * @example
 * ```ts
 * import { parseSimTestArgs } from "./sim_seeds.ts";
 * console.log(parseSimTestArgs(["--seed", "77"]).seeds); // [77]
 * ```
 */
export function parseSimTestArgs(args: readonly string[]): SimTestArgs {
  let count = 500;
  let from = 1;
  let single: number | undefined;
  let durationMs = DEFAULT_DURATION_MS;
  let json = false;
  let account = false;
  let level3 = false;
  const list = new ArgumentList(args);
  const seed = { whole: true, min: 0, max: 2 ** 32 - 1 } as const;
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    const flag = argument.flag;
    if (argument.positional) throw new UsageError(`unexpected argument ${flag}`);
    else if (flag === "--seeds") {
      count = numberValue(flag, list.value(argument), { whole: true, min: 1 });
    } else if (flag === "--from") from = numberValue(flag, list.value(argument), seed);
    else if (flag === "--seed") single = numberValue(flag, list.value(argument), seed);
    else if (flag === "--duration") {
      durationMs = numberValue(flag, list.value(argument), { whole: true, min: 1000 });
    } else if (flag === "--json") {
      list.noValue(argument);
      json = true;
    } else if (flag === "--account") {
      list.noValue(argument);
      account = true;
    } else if (flag === "--level3") {
      list.noValue(argument);
      level3 = true;
    } else throw new UsageError(`unknown option ${flag}`);
  }
  const seeds = single !== undefined
    ? [single]
    : Array.from({ length: count }, (_, index) => from + index);
  if (seeds.some((seed) => seed >= 2 ** 32)) throw new UsageError("seeds are 32-bit");
  return { seeds, durationMs, json, account, level3 };
}

/**
 * Runs the seeds and reports.
 *
 * @param args The arguments after `sim-test`.
 * @param write Where the report goes (default stdout).
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { simTestCommand } from "./sim_seeds.ts";
 * const lines: string[] = [];
 * console.log(await simTestCommand(["--seeds", "2", "--duration", "5000"], (line) => lines.push(line))); // 0
 * ```
 */
export async function simTestCommand(
  args: readonly string[],
  write: (line: string) => void = (line) =>
    void Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`)),
): Promise<number> {
  let parsed: SimTestArgs;
  try {
    parsed = parseSimTestArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    write(`sim-test: ${error.message}\n\n${SIM_TEST_USAGE}`);
    return 2;
  }
  const failed: SimulationReport[] = [];
  const totals = {
    frames: 0,
    books: 0,
    trades: 0,
    gaps: 0,
    resyncs: 0,
    connections: 0,
    faults: 0,
    tradingCalls: 0,
    openOrderChecks: 0,
    level3Books: 0,
    level3Resyncs: 0,
  };
  const rerun = (seed: number) =>
    `${seedCommand(seed, parsed.durationMs)}${parsed.account ? " --account" : ""}${
      parsed.level3 ? " --level3" : ""
    }`;
  for (const seed of parsed.seeds) {
    const report = await runSimulation({
      seed,
      durationMs: parsed.durationMs,
      ...(parsed.account ? { account: true } : {}),
      ...(parsed.level3 ? { level3: true } : {}),
    });
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
      totals[key] += report.stats[key];
    }
    if (report.violations.length > 0) failed.push(report);
  }
  if (parsed.json) {
    write(JSON.stringify({
      seeds: parsed.seeds.length,
      durationMs: parsed.durationMs,
      totals,
      failed: failed.map((report) => ({
        seed: report.seed,
        rerun: rerun(report.seed),
        violations: report.violations,
      })),
    }));
  } else {
    write(
      `${parsed.seeds.length} seeds of ${parsed.durationMs / 1000} s: ${totals.frames} frames, ` +
        `${totals.books} books, ${totals.trades} trades, ${totals.faults} faults, ` +
        `${totals.connections} connections, ${totals.gaps} gaps, ${totals.resyncs} resyncs, ` +
        `${totals.tradingCalls} trading calls, ${totals.openOrderChecks} open-order checks, ` +
        `${totals.level3Books} level3 books, ${totals.level3Resyncs} level3 resyncs`,
    );
    for (const report of failed) {
      write(
        `FAILED seed ${report.seed}: rerun with ${rerun(report.seed)}`,
      );
      for (const violation of report.violations) write(`  ${violation}`);
    }
    write(failed.length === 0 ? "OK: every invariant held" : `${failed.length} seeds failed`);
  }
  return failed.length === 0 ? 0 : 1;
}
