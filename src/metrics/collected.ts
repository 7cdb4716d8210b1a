/**
 * A metric as read at one moment: what an exposition format writes, with no behaviour of its own.
 *
 * @module
 */

/**
 * The Prometheus type of a metric.
 *
 * @example
 * ```ts
 * import type { MetricType } from "@kraken-ws/sdk/extended";
 * const type: MetricType = "histogram";
 * console.log(type);
 * ```
 */
export type MetricType = "counter" | "gauge" | "histogram";

/**
 * One sample line: its full name (for a histogram, with `_bucket`, `_sum` or `_count`), its label
 * pairs in order, and its value.
 *
 * @example
 * ```ts
 * import type { CollectedSample } from "@kraken-ws/sdk/extended";
 * const sample: CollectedSample = {
 *   name: "kraken_ws_gaps_total",
 *   labels: [["channel", "book"], ["reason", "checksum"]],
 *   value: 1,
 * };
 * console.log(sample.value);
 * ```
 */
export interface CollectedSample {
  /** The sample's name. */
  readonly name: string;
  /** Label names and values, in the order they are written. */
  readonly labels: readonly (readonly [string, string])[];
  /** The value. */
  readonly value: number;
}

/**
 * One metric family: its name, help, type and samples, in the order they are written.
 *
 * @example
 * ```ts
 * import type { CollectedMetric } from "@kraken-ws/sdk/extended";
 * const metric: CollectedMetric = {
 *   name: "kraken_ws_frames_received_total",
 *   help: "Frames received.",
 *   type: "counter",
 *   samples: [{ name: "kraken_ws_frames_received_total", labels: [], value: 3 }],
 * };
 * console.log(metric.samples.length);
 * ```
 */
export interface CollectedMetric {
  /** The family's name (for a histogram, without suffix). */
  readonly name: string;
  /** What it measures. */
  readonly help: string;
  /** Its type. */
  readonly type: MetricType;
  /** Its samples. */
  readonly samples: readonly CollectedSample[];
}

/**
 * What the registry holds: a metric that can be read, and the sample names it writes (so the
 * registry can refuse two metrics that would write the same line).
 *
 * @example
 * ```ts
 * import type { Collectable } from "@kraken-ws/sdk/extended";
 * const constant: Collectable = {
 *   name: "build_info",
 *   sampleNames: ["build_info"],
 *   collect: () => ({
 *     name: "build_info",
 *     help: "Always 1.",
 *     type: "gauge",
 *     samples: [{ name: "build_info", labels: [], value: 1 }],
 *   }),
 * };
 * console.log(constant.collect().samples[0].value); // 1
 * ```
 */
export interface Collectable {
  /** The family's name. */
  readonly name: string;
  /** Every sample name it writes. */
  readonly sampleNames: readonly string[];
  /** Reads it now. */
  collect(): CollectedMetric;
}
