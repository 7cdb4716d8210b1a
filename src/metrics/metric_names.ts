/**
 * The names the Prometheus data model allows, checked when a metric is created so that a bad name
 * fails at once, in the code that chose it, and never at scrape time.
 *
 * @module
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Throws a `RangeError` unless `name` is a valid Prometheus metric name.
 *
 * @example
 * ```ts
 * import { assertMetricName } from "./metric_names.ts";
 * assertMetricName("kraken_ws_frames_received_total"); // fine
 * try {
 *   assertMetricName("frames-received");
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 *
 * @param name The metric name.
 */
export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) {
    throw new RangeError(`invalid metric name ${JSON.stringify(name)}: must match ${METRIC_NAME}`);
  }
}

/**
 * Throws a `RangeError` unless every label name is valid, none is reserved (`__` prefixes belong
 * to Prometheus, and `reserved` to the metric's type, like `le` for histograms) and none repeats.
 *
 * @example
 * ```ts
 * import { assertLabelNames } from "./metric_names.ts";
 * assertLabelNames(["channel", "reason"], []); // fine
 * try {
 *   assertLabelNames(["le"], ["le"]);
 * } catch (error) {
 *   console.log((error as Error).message); // label name "le" is reserved
 * }
 * ```
 *
 * @param labelNames The label names of one metric.
 * @param reserved Names the metric's type uses itself.
 */
export function assertLabelNames(
  labelNames: readonly string[],
  reserved: readonly string[],
): void {
  const seen = new Set<string>();
  for (const name of labelNames) {
    if (!LABEL_NAME.test(name)) {
      throw new RangeError(`invalid label name ${JSON.stringify(name)}: must match ${LABEL_NAME}`);
    }
    if (name.startsWith("__") || reserved.includes(name)) {
      throw new RangeError(`label name ${JSON.stringify(name)} is reserved`);
    }
    if (seen.has(name)) throw new RangeError(`label name ${JSON.stringify(name)} repeats`);
    seen.add(name);
  }
}
