// deno-lint-ignore-file no-console -- a command prints its results
/**
 * The `kraken-ws` command line: `deno run -A src/cli/main.ts COMMAND …`.
 *
 * Commands: `demo` (the live view against the local simulator, with faults), `verify` (replay
 * recorded frames and check every book checksum), `record` (write frames and the client's
 * lifecycle events to rotating NDJSON files), `watch` (the live terminal view of any pairs),
 * `sim` (the local simulator alone), `sim-test` (the seeded simulation).
 *
 * @example
 * ```sh
 * deno run -A src/cli/main.ts verify --json recording.ndjson
 * ```
 *
 * @module
 */

import { DEMO_USAGE, demoCommand } from "./demo.ts";
import { RECORD_USAGE, recordCommand } from "./record.ts";
import { SIM_USAGE, simCommand } from "./sim.ts";
import { SIM_TEST_USAGE, simTestCommand } from "./sim_seeds.ts";
import { VERIFY_USAGE, verifyCommand } from "./verify.ts";
import { watchCommand } from "./watch.ts";

const USAGE = `usage: kraken-ws COMMAND [ARGS…]

commands:
  demo     the live view against the local simulator, with faults thrown while it runs
  verify   replay NDJSON frames through the order book and check every checksum
  record   record frames and the client's lifecycle events to rotating NDJSON files
  watch    live view of pairs' verified books, trades and connection (Ctrl+C to stop)
  sim      run the local Kraken v2 simulator on 127.0.0.1 until Ctrl+C
  sim-test run the seeded simulation (the client against simulated faults), seed by seed

Run a command with --help for its arguments.`;

/**
 * Runs a command by name and returns its exit code.
 *
 * @param args The command line, command first.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["verify", "recording.ndjson"]));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "verify") {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(VERIFY_USAGE);
      return 0;
    }
    return await verifyCommand(rest);
  }
  if (command === "record") {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(RECORD_USAGE);
      return 0;
    }
    return await recordCommand(rest);
  }
  if (command === "watch") return await watchCommand(rest);
  if (command === "demo" || command === "sim") {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(command === "demo" ? DEMO_USAGE : SIM_USAGE);
      return 0;
    }
    return command === "demo" ? await demoCommand(rest) : await simCommand(rest);
  }
  if (command === "sim-test") {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(SIM_TEST_USAGE);
      return 0;
    }
    return simTestCommand(rest);
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  console.error(`kraken-ws: unknown command ${command}\n\n${USAGE}`);
  return 2;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
