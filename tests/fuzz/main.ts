/**
 * `deno task fuzz`: the fuzz targets, seed after seed. Everything a seed does comes from the seed,
 * so a failing seed prints the one command that replays it.
 *
 *     deno run -A tests/fuzz/main.ts [--target decode|book|level3|session|all]
 *                                    [--seeds A-B | --seed N] [--cases K]
 *
 * Exit 0 when every check held, 1 when a seed failed, 2 on a usage error.
 *
 * @module
 */

import { fuzzBook } from "./book_target.ts";
import { fuzzDecode } from "./decode_target.ts";
import { fuzzLevel3 } from "./level3_target.ts";
import { formatSummary, type FuzzResult, runSeeds, type TargetName, TARGETS } from "./report.ts";
import { fuzzSession } from "./session_target.ts";

/** Each target's run of one seed. */
export const RUNNERS: Readonly<Record<TargetName, (seed: number, cases?: number) => FuzzResult>> = {
  decode: (seed, cases) => fuzzDecode(seed, { cases }),
  book: (seed, cases) => fuzzBook(seed, { cases }),
  level3: (seed, cases) => fuzzLevel3(seed, { cases }),
  session: (seed, cases) => fuzzSession(seed, { cases }),
};

/** Seeds run when none are given. */
const DEFAULT_SEEDS = { from: 1, to: 200 };

const USAGE =
  `usage: deno task fuzz [--target decode|book|level3|session|all] [--seeds A-B | --seed N]
                      [--cases K]

Runs the fuzz targets for seeds ${DEFAULT_SEEDS.from} to ${DEFAULT_SEEDS.to} (or those given), each seed replayable alone
with --seed. --cases sets the cases per seed (each target has its own default).`;

/** Parsed command line. */
export interface FuzzArgs {
  readonly targets: readonly TargetName[];
  readonly seeds: readonly number[];
  readonly cases?: number;
}

function wholeNumber(flag: string, text: string | undefined, min: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) >= 2 ** 32) {
    throw new RangeError(
      `${flag} needs a whole number from ${min} below 2^32, not ${text ?? "nothing"}`,
    );
  }
  return Number(text);
}

/**
 * Parses the arguments.
 *
 * @param args The command line after the script.
 * @returns What to run.
 * @throws {RangeError} On anything malformed.
 */
export function parseFuzzArgs(args: readonly string[]): FuzzArgs {
  let targets: readonly TargetName[] = TARGETS;
  let from = DEFAULT_SEEDS.from;
  let to = DEFAULT_SEEDS.to;
  let cases: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    i++;
    if (flag === "--target") {
      if (value === "all") targets = TARGETS;
      else if ((TARGETS as readonly string[]).includes(value ?? "")) {
        targets = [value as TargetName];
      } else {throw new RangeError(
          `--target must be one of ${TARGETS.join(", ")} or all, not ${value}`,
        );}
    } else if (flag === "--seed") {
      from = to = wholeNumber(flag, value, 0);
    } else if (flag === "--seeds") {
      const [a, b] = (value ?? "").split("-");
      from = wholeNumber(flag, a, 0);
      to = wholeNumber(flag, b, from);
    } else if (flag === "--cases") {
      cases = wholeNumber(flag, value, 1);
    } else throw new RangeError(`unknown argument ${flag}`);
  }
  const seeds = Array.from({ length: to - from + 1 }, (_, index) => from + index);
  return cases === undefined ? { targets, seeds } : { targets, seeds, cases };
}

function write(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

/**
 * Runs the command line and reports.
 *
 * @param args The command line after the script.
 * @returns The exit code.
 */
export function fuzzCommand(args: readonly string[]): number {
  let parsed: FuzzArgs;
  try {
    parsed = parseFuzzArgs(args);
  } catch (error) {
    write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  let failed = 0;
  for (const target of parsed.targets) {
    const summary = runSeeds(target, parsed.seeds, (seed) => RUNNERS[target](seed, parsed.cases));
    for (const line of formatSummary(summary, parsed.cases)) write(line);
    failed += summary.failures.length;
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(fuzzCommand(Deno.args));
