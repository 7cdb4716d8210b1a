/**
 * Histograms: observations counted into cumulative buckets, with their sum and count, so that
 * Prometheus can compute quantiles across any number of clients.
 *
 * @module
 */

import type { Collectable, CollectedMetric, CollectedSample } from "./collected.ts";
import { assertLabelNames, assertMetricName } from "./metric_names.ts";
import type { MetricOptions } from "./metric_options.ts";
import { formatSampleValue } from "./sample_value.ts";
import { type LabelValues, SeriesMap } from "./series_map.ts";

/**
 * Prometheus' usual buckets, in seconds, for latencies from 5 ms to 10 s.
 *
 * @example
 * ```ts
 * import { DEFAULT_BUCKETS } from "@kraken-ws/sdk/extended";
 * console.log(DEFAULT_BUCKETS.length); // 11
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/**
 * The name, help, label names and bucket upper bounds of a histogram.
 *
 * @example
 * ```ts
 * import type { HistogramOptions } from "@kraken-ws/sdk/extended";
 * const options: HistogramOptions<"channel"> = {
 *   name: "delay_seconds",
 *   help: "Delay.",
 *   labelNames: ["channel"],
 *   buckets: [0.01, 0.1, 1],
 * };
 * console.log(options.buckets);
 * ```
 */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /**
   * Upper bounds, strictly increasing and finite (default {@link DEFAULT_BUCKETS}); the `+Inf`
   * bucket is always added.
   */
  readonly buckets?: readonly number[];
}

/**
 * The observations of one set of label values.
 *
 * @example
 * ```ts
 * import { HistogramSeries } from "@kraken-ws/sdk/extended";
 * const series = new HistogramSeries([0.1, 1]);
 * series.observe(0.05);
 * series.observe(3);
 * console.log(series.count, series.sum, series.cumulativeCounts()); // 2 3.05 [1, 1, 2]
 * ```
 */
export class HistogramSeries {
  readonly #bounds: readonly number[];
  /** Per bucket, not cumulative; the last is the `+Inf` bucket. */
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  /**
   * Creates an empty series.
   *
   * @param bounds Finite upper bounds, strictly increasing.
   */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.#counts = new Array(bounds.length + 1).fill(0);
  }

  /**
   * Counts one observation; NaN is a `RangeError`, since it would poison the sum for good.
   *
   * @param value The observed value.
   */
  observe(value: number): void {
    if (Number.isNaN(value)) throw new RangeError("a histogram cannot observe NaN");
    let bucket = 0;
    while (bucket < this.#bounds.length && value > this.#bounds[bucket]) bucket++;
    this.#counts[bucket]++;
    this.#sum += value;
    this.#count++;
  }

  /** How many observations. */
  get count(): number {
    return this.#count;
  }

  /** Their sum. */
  get sum(): number {
    return this.#sum;
  }

  /**
   * Observations at or below each bound, then the total (the `+Inf` bucket).
   *
   * @returns One count per bound, then one for `+Inf`.
   */
  cumulativeCounts(): number[] {
    let running = 0;
    return this.#counts.map((count) => running += count);
  }
}

/**
 * A histogram with fixed label names and buckets. It writes `name_bucket` (one per bound and
 * `+Inf`, with the bound in `le`), `name_sum` and `name_count` for each set of label values.
 *
 * @example
 * ```ts
 * import { Histogram } from "@kraken-ws/sdk/extended";
 * const delay = new Histogram({ name: "delay_seconds", help: "Delay.", buckets: [0.1, 1] });
 * delay.observe(0.5);
 * console.log(delay.collect().samples.map((sample) => `${sample.name} ${sample.value}`));
 * // delay_seconds_bucket 0, delay_seconds_bucket 1, delay_seconds_bucket 1, delay_seconds_sum 0.5,
 * // delay_seconds_count 1
 * ```
 */
export class Histogram<L extends string = never> implements Collectable {
  /** The family name. */
  readonly name: string;
  /** The help text. */
  readonly help: string;
  /** `name_bucket`, `name_sum` and `name_count`. */
  readonly sampleNames: readonly string[];
  /** Finite upper bounds, strictly increasing. */
  readonly buckets: readonly number[];
  readonly #series: SeriesMap<L, HistogramSeries>;

  /**
   * Creates the histogram; an invalid name, label name (`le` is reserved) or bucket list is a
   * `RangeError`.
   *
   * @param options Name, help, label names and buckets.
   */
  constructor(options: HistogramOptions<L>) {
    assertMetricName(options.name);
    const labelNames = [...options.labelNames ?? []];
    assertLabelNames(labelNames, ["le"]);
    const buckets = [...options.buckets ?? DEFAULT_BUCKETS];
    // `+Inf` is always there; saying so explicitly is allowed.
    if (buckets.at(-1) === Infinity) buckets.pop();
    buckets.forEach((bound, i) => {
      if (!Number.isFinite(bound) || (i > 0 && bound <= buckets[i - 1])) {
        throw new RangeError(`buckets must be finite and strictly increasing: ${buckets}`);
      }
    });
    this.name = options.name;
    this.help = options.help;
    this.buckets = Object.freeze(buckets);
    this.sampleNames = [`${this.name}_bucket`, `${this.name}_sum`, `${this.name}_count`];
    this.#series = new SeriesMap(labelNames, () => new HistogramSeries(this.buckets));
    if (labelNames.length === 0) this.#series.get({} as LabelValues<L>);
  }

  /**
   * The series of one set of label values, created empty on first use; keep it to skip the
   * lookup.
   *
   * @param labels One value per label name.
   * @returns The series.
   */
  labels(labels: LabelValues<L>): HistogramSeries {
    return this.#series.get(labels);
  }

  /**
   * Observes a value in a histogram without labels (a `RangeError` for one with labels).
   *
   * @param value The observed value.
   */
  observe(value: number): void {
    this.#series.get({} as LabelValues<L>).observe(value);
  }

  /**
   * Reads every series, ordered by label values; within one, the buckets by bound, then the sum
   * and the count.
   *
   * @returns The metric as it is now.
   */
  collect(): CollectedMetric {
    const names = this.#series.labelNames;
    const bounds = [...this.buckets.map(formatSampleValue), "+Inf"];
    const samples: CollectedSample[] = [];
    for (const { labelValues, series } of this.#series.sorted()) {
      const labels = names.map((name, i) => [name, labelValues[i]] as const);
      series.cumulativeCounts().forEach((count, i) => {
        samples.push({
          name: `${this.name}_bucket`,
          labels: [...labels, ["le", bounds[i]]],
          value: count,
        });
      });
      samples.push({ name: `${this.name}_sum`, labels, value: series.sum });
      samples.push({ name: `${this.name}_count`, labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: "histogram", samples };
  }
}
