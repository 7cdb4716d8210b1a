/**
 * What every fuzz target returns, the seed loop, and the one command that replays a failure.
 *
 * @module
 */

/** The targets, in the order `--target all` runs them. */
import { Rng } from "./random.ts";

export const TARGETS = ["decode", "book", "level3", "session"] as const;

/** One fuzz target's name. */
export type TargetName = typeof TARGETS[number];

/** Named counts of what one run did (inputs fed, messages applied, checks made). */
export class Tally {
  readonly #counts = new Map<string, number>();

  /** Adds `n` to `name`. */
  add(name: string, n = 1): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + n);
  }

  /** The count of `name`. */
  get(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  /** Every count, in the order first counted. */
  entries(): [string, number][] {
    return [...this.#counts];
  }

  /** Adds every count of `other`. */
  merge(other: Tally): void {
    for (const [name, n] of other.entries()) this.add(name, n);
  }
}

/** What one seed of one target did. */
export interface FuzzResult {
  readonly target: TargetName;
  readonly seed: number;
  readonly counts: Tally;
  /** The first violation, with where it happened; undefined when every check held. */
  readonly failure?: string;
}

/** Settings of one seed's run. */
export interface FuzzOptions {
  /** How many cases the seed runs (each target has its own default). */
  readonly cases?: number;
}

/**
 * A violation: thrown by an oracle's helpers and caught by the target, which reports it with the
 * seed. Any other exception escaping a target is a defect of the subject too, reported the same.
 */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

/** Why `error` ended a run, in one line. */
export function describeError(error: unknown): string {
  if (error instanceof Violation) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown: ${String(error)}`;
}

/**
 * The command that reruns exactly one seed.
 *
 * @param target The target.
 * @param seed The seed.
 * @param cases The `--cases` given, when not the default.
 */
export function replayCommand(target: TargetName, seed: number, cases?: number): string {
  return `deno task fuzz --target ${target} --seed ${seed}${
    cases === undefined ? "" : ` --cases ${cases}`
  }`;
}

/** Every seed of one target: the totals and the seeds that failed. */
export interface TargetSummary {
  readonly target: TargetName;
  readonly seeds: number;
  readonly counts: Tally;
  readonly failures: readonly FuzzResult[];
}

/**
 * Runs `run` for each seed and sums what they did.
 *
 * @param target The target's name.
 * @param seeds The seeds.
 * @param run One seed's run.
 */
export function runSeeds(
  target: TargetName,
  seeds: readonly number[],
  run: (seed: number) => FuzzResult,
): TargetSummary {
  const counts = new Tally();
  const failures: FuzzResult[] = [];
  for (const seed of seeds) {
    const result = run(seed);
    counts.merge(result.counts);
    if (result.failure !== undefined) failures.push(result);
  }
  return { target, seeds: seeds.length, counts, failures };
}

/** The most failing seeds printed one by one; the rest are counted. */
const SHOWN_FAILURES = 20;

/**
 * The report of one target: a line of counts, then each failing seed with its replay command.
 *
 * @param summary The target's summary.
 * @param cases The `--cases` given, when not the default.
 */
export function formatSummary(summary: TargetSummary, cases?: number): string[] {
  const counts = summary.counts.entries().map(([name, n]) => `${n} ${name}`).join(", ");
  const verdict = summary.failures.length === 0 ? "ok" : `${summary.failures.length} seeds FAILED`;
  const lines = [`${summary.target}: ${summary.seeds} seeds, ${counts}: ${verdict}`];
  for (const failure of summary.failures.slice(0, SHOWN_FAILURES)) {
    lines.push(`  FAILED ${summary.target} seed ${failure.seed}: ${failure.failure}`);
    lines.push(`    replay: ${replayCommand(summary.target, failure.seed, cases)}`);
  }
  if (summary.failures.length > SHOWN_FAILURES) {
    lines.push(`  … and ${summary.failures.length - SHOWN_FAILURES} more failing seeds`);
  }
  return lines;
}

/**
 * Runs `cases` lives of one seed of a target, each from its own fork of the seed's generator,
 * counting them as `unit`; the first life that throws is the seed's failure, named by `where`.
 */
export function runLives(
  target: TargetName,
  seed: number,
  cases: number,
  unit: string,
  life: (rng: Rng, counts: Tally) => void,
  where: (index: number, counts: Tally) => string,
): FuzzResult {
  const rng = new Rng(seed);
  const counts = new Tally();
  for (let i = 0; i < cases; i++) {
    counts.add(unit);
    try {
      life(rng.fork(), counts);
    } catch (error) {
      return { target, seed, counts, failure: `${where(i, counts)}: ${describeError(error)}` };
    }
  }
  return { target, seed, counts };
}
