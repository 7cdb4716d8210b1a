/**
 * The local Kraken simulator and the seeded simulation: Deno only (`Deno.serve`, sockets), so
 * they live apart from the portable `@kraken-ws/sdk/extended`.
 *
 * @example
 * ```ts
 * import { runSimulation } from "@kraken-ws/sdk/sim";
 * const report = runSimulation({ seed: 1, durationMs: 10_000 });
 * console.log(report.violations.length); // 0
 * ```
 *
 * @module
 */

export {
  KrakenSimulator,
  type KrakenSimulatorOptions,
  type SimConnectionInfo,
  type SimulatorFaults,
} from "./simulator.ts";
export type { FaultKind, ScheduledFault } from "./faults.ts";
export { DEFAULT_SIM_SYMBOLS, type SimSymbol } from "./market.ts";
export type { SimFrame, SimSubscription } from "./sim_session.ts";
export { runSimulation, type SimulationOptions, type SimulationReport } from "./simulation.ts";
export { DEFAULT_DURATION_MS, replayCommand } from "./simulation.ts";
