/**
 * What every metric is created with.
 *
 * @module
 */

/**
 * The name, help text and label names of a metric, all fixed at creation. Each sample then gives
 * one value per label name.
 *
 * @example
 * ```ts
 * import type { MetricOptions } from "@kraken-ws/sdk/extended";
 * const options: MetricOptions<"channel" | "reason"> = {
 *   name: "kraken_ws_gaps_total",
 *   help: "Data lost, by channel and reason.",
 *   labelNames: ["channel", "reason"],
 * };
 * console.log(options.labelNames?.length); // 2
 * ```
 */
export interface MetricOptions<L extends string> {
  /** Metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters conventionally end in `_total`. */
  readonly name: string;
  /** What it measures, written on the `# HELP` line. */
  readonly help: string;
  /** Label names: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (default none). */
  readonly labelNames?: readonly L[];
}
