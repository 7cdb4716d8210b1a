/**
 * `sim`: the local Kraken simulator alone, for users' own integration tests.
 *
 * @module
 */

import { ArgumentList, numberValue } from "./arguments.ts";
import { readLines } from "./lines.ts";
import { KrakenSimulator } from "../sim/simulator.ts";
import { writeStderr, writeStdout } from "./terminal.ts";
import { UsageError } from "./usage_error.ts";

/** Usage text of `sim`. */
export const SIM_USAGE: string =
  `usage: sim [--port N] [--seed N] [--faults MEAN_MS] [--replay FILE [--speed X]]

Runs the local Kraken v2 simulator on 127.0.0.1 until Ctrl+C, and prints its URL. It serves a
seeded market of BTC/USD, ETH/USD, SOL/USD and XRP/USD (books to depth 1000, trades, ticker, ohlc,
instrument) with Kraken's envelopes and error strings.

  --port N          port to listen on (default 8765; 0 picks a free one)
  --seed N          seed of the market and of random faults (default 1)
  --faults MEAN_MS  throw random faults at each connection, one every MEAN_MS on average
  --replay FILE     serve a recorded NDJSON file (raw frames or a record recording) instead
  --speed X         replay speed: 1 is the recorded pace (default), 10 ten times faster`;

/**
 * Parsed arguments of `sim`.
 *
 * @example
 * ```ts
 * import { parseSimArgs } from "./sim.ts";
 * console.log(parseSimArgs(["--port", "0", "--faults", "5000"]).faultsMeanMs); // 5000
 * ```
 */
export interface SimArgs {
  /** Port to listen on. */
  readonly port: number;
  /** Seed of the market and of random faults. */
  readonly seed: number;
  /** Mean time between random faults, when asked. */
  readonly faultsMeanMs: number | undefined;
  /** A recording to serve. */
  readonly replay: string | undefined;
  /** Replay speed. */
  readonly speed: number;
}

/**
 * Parses `sim`'s arguments.
 *
 * @param args The arguments after `sim`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed.
 *
 * @example
 * ```ts
 * import { parseSimArgs } from "./sim.ts";
 * console.log(parseSimArgs([]).port); // 8765
 * ```
 */
export function parseSimArgs(args: readonly string[]): SimArgs {
  let port = 8765;
  let seed = 1;
  let faultsMeanMs: number | undefined;
  let replay: string | undefined;
  let speed = 1;
  const list = new ArgumentList(args);
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    const flag = argument.flag;
    if (argument.positional) throw new UsageError(`unexpected argument ${flag}`);
    else if (flag === "--port") {
      port = numberValue(flag, list.value(argument), { whole: true, min: 0, max: 65_535 });
    } else if (flag === "--seed") {
      seed = numberValue(flag, list.value(argument), { whole: true, min: 0, max: 2 ** 32 - 1 });
    } else if (flag === "--faults") {
      faultsMeanMs = numberValue(flag, list.value(argument), { whole: true, min: 100 });
    } else if (flag === "--replay") replay = list.value(argument);
    else if (flag === "--speed") speed = numberValue(flag, list.value(argument));
    else throw new UsageError(`unknown option ${flag}`);
  }
  return { port, seed, faultsMeanMs, replay, speed };
}

/**
 * Runs the simulator until Ctrl+C or `signal`.
 *
 * @param args The arguments after `sim`.
 * @param signal Ends it, as Ctrl+C does (tests).
 * @returns 0; 1 when the port cannot be listened on; 2 on usage errors (a replay file that
 *   cannot be read is one).
 *
 * @example
 * ```ts ignore
 * import { simCommand } from "./sim.ts";
 * Deno.exit(await simCommand(["--port", "8765"]));
 * ```
 */
export async function simCommand(args: readonly string[], signal?: AbortSignal): Promise<number> {
  let parsed: SimArgs;
  let lines: string[] | undefined;
  try {
    parsed = parseSimArgs(args);
    if (parsed.replay !== undefined) lines = await readReplay(parsed.replay);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeStderr(`sim: ${error.message}\n\n${SIM_USAGE}\n`);
    return 2;
  }
  const simulator = new KrakenSimulator({
    seed: parsed.seed,
    port: parsed.port,
    ...(lines === undefined ? {} : { replay: { lines, speed: parsed.speed } }),
    ...(parsed.faultsMeanMs === undefined
      ? {}
      : { faults: { random: { meanGapMs: parsed.faultsMeanMs } } }),
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    Deno.addSignalListener("SIGINT", stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop);
  });
  try {
    let url: string;
    try {
      url = await simulator.start();
    } catch (error) {
      writeStderr(
        `sim: cannot listen on port ${parsed.port}: ${
          error instanceof Error ? error.message : error
        }\n`,
      );
      return 1;
    }
    writeStdout(`${url}\n`);
    writeStderr(
      `sim: serving ${lines === undefined ? "the seeded market" : parsed.replay}; Ctrl+C stops\n`,
    );
    await stopped;
  } finally {
    await simulator.close();
  }
  const connections = simulator.connections;
  writeStderr(
    `sim: ${connections.length} connections, ${
      connections.reduce((sum, info) => sum + info.framesSent, 0)
    } frames sent\n`,
  );
  return 0;
}

async function readReplay(path: string): Promise<string[]> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : error}`);
  }
  const lines: string[] = [];
  for await (const line of readLines(file.readable)) lines.push(line);
  return lines;
}
