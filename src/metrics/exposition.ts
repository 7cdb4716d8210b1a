/**
 * The Prometheus text exposition format, version 0.0.4: what `/metrics` serves and what every
 * Prometheus server and `promtool check metrics` read.
 *
 * @module
 */

import type { CollectedMetric, CollectedSample } from "./collected.ts";
import type { MetricsRegistry } from "./registry.ts";
import { formatSampleValue } from "./sample_value.ts";

/**
 * The content type of the text format, version 0.0.4.
 *
 * @example
 * ```ts
 * import { PROMETHEUS_TEXT_CONTENT_TYPE } from "@kraken-ws/sdk/extended";
 * console.log(PROMETHEUS_TEXT_CONTENT_TYPE); // text/plain; version=0.0.4; charset=utf-8
 * ```
 */
export const PROMETHEUS_TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Help text escapes backslash and line feed; a label value escapes the double quote as well. */
function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabelValue(value: string): string {
  return escapeHelp(value).replaceAll('"', '\\"');
}

function sampleLine(sample: CollectedSample): string {
  const labels = sample.labels.length === 0
    ? ""
    : `{${sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
  return `${sample.name}${labels} ${formatSampleValue(sample.value)}\n`;
}

function familyText(metric: CollectedMetric): string {
  let text = `# HELP ${metric.name} ${
    escapeHelp(metric.help)
  }\n# TYPE ${metric.name} ${metric.type}\n`;
  for (const sample of metric.samples) text += sampleLine(sample);
  return text;
}

/**
 * Writes every metric of `registry` in the text format 0.0.4: for each metric, ordered by name,
 * its `# HELP` and `# TYPE` lines, then its samples ordered by label values. A histogram writes
 * cumulative `_bucket` samples with `le` up to `+Inf`, then `_sum` and `_count`.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "@kraken-ws/sdk";
 * import { renderPrometheusText } from "@kraken-ws/sdk/extended";
 *
 * const registry = new MetricsRegistry();
 * registry.counter({ name: "frames_total", help: "Frames." }).inc(3);
 * console.log(renderPrometheusText(registry));
 * // # HELP frames_total Frames.
 * // # TYPE frames_total counter
 * // frames_total 3
 * ```
 *
 * @param registry The metrics.
 * @returns The exposition; empty for an empty registry.
 */
export function renderPrometheusText(registry: MetricsRegistry): string {
  return registry.collect().map(familyText).join("");
}
