/**
 * Runs a range of the seeded simulation's seeds in a worker and posts back the totals and the
 * failures: CI's seeds run on both cores at once.
 *
 * @module
 */

import { runSimulation, seedCommand } from "../../src/sim/simulation.ts";

/** What the test asks of a worker. */
export interface SeedRange {
  readonly from: number;
  readonly to: number;
}

/** What a worker answers. */
export interface SeedTotals {
  readonly failed: string[];
  readonly faults: number;
  readonly resyncs: number;
  readonly connections: number;
  readonly tradingCalls: number;
  readonly openOrderChecks: number;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SeedRange>) => void) | null;
  postMessage(message: SeedTotals): void;
  close(): void;
};

scope.onmessage = async (event) => {
  const totals = {
    failed: [] as string[],
    faults: 0,
    resyncs: 0,
    connections: 0,
    tradingCalls: 0,
    openOrderChecks: 0,
  };
  for (let seed = event.data.from; seed <= event.data.to; seed++) {
    const report = await runSimulation({ seed });
    totals.faults += report.stats.faults;
    totals.resyncs += report.stats.resyncs;
    totals.connections += report.stats.connections;
    totals.tradingCalls += report.stats.tradingCalls;
    totals.openOrderChecks += report.stats.openOrderChecks;
    if (report.violations.length > 0) {
      totals.failed.push(`${seedCommand(seed)}\n  ${report.violations.join("\n  ")}`);
    }
  }
  scope.postMessage(totals);
  scope.close();
};
