/**
 * Gauges: values that go up and down, like the connection's state or subscriptions per state.
 *
 * @module
 */

import type { Collectable, CollectedMetric } from "./collected.ts";
import { assertLabelNames, assertMetricName } from "./metric_names.ts";
import type { MetricOptions } from "./metric_options.ts";
import { type LabelValues, SeriesMap } from "./series_map.ts";

/**
 * The value of one set of label values.
 *
 * @example
 * ```ts
 * import { GaugeSeries } from "./gauge.ts";
 * const series = new GaugeSeries();
 * series.set(5);
 * series.dec(2);
 * console.log(series.value); // 3
 * ```
 */
export class GaugeSeries {
  #value = 0;

  /**
   * Sets the value.
   *
   * @param value The new value.
   */
  set(value: number): void {
    this.#value = value;
  }

  /**
   * Adds `amount`.
   *
   * @param amount How much (default 1).
   */
  inc(amount = 1): void {
    this.#value += amount;
  }

  /**
   * Subtracts `amount`.
   *
   * @param amount How much (default 1).
   */
  dec(amount = 1): void {
    this.#value -= amount;
  }

  /** The current value. */
  get value(): number {
    return this.#value;
  }
}

/**
 * A gauge with fixed label names. A gauge without labels is exposed at 0 from the start; a
 * labeled one shows a series once its label values are first used.
 *
 * @example
 * ```ts
 * import { Gauge } from "./gauge.ts";
 * const state = new Gauge({
 *   name: "state",
 *   help: "1 for the current state.",
 *   labelNames: ["state"],
 * });
 * state.labels({ state: "live" }).set(1);
 * console.log(state.labels({ state: "live" }).value); // 1
 * ```
 */
export class Gauge<L extends string = never> implements Collectable {
  /** The metric name. */
  readonly name: string;
  /** The help text. */
  readonly help: string;
  /** The one sample name it writes: its own. */
  readonly sampleNames: readonly string[];
  readonly #series: SeriesMap<L, GaugeSeries>;

  /**
   * Creates the gauge; an invalid name or label name is a `RangeError`.
   *
   * @param options Name, help and label names.
   */
  constructor(options: MetricOptions<L>) {
    assertMetricName(options.name);
    const labelNames = [...options.labelNames ?? []];
    assertLabelNames(labelNames, []);
    this.name = options.name;
    this.help = options.help;
    this.sampleNames = [options.name];
    this.#series = new SeriesMap(labelNames, () => new GaugeSeries());
    if (labelNames.length === 0) this.#series.get({} as LabelValues<L>);
  }

  /**
   * The series of one set of label values, created at 0 on first use; keep it to skip the lookup.
   *
   * @param labels One value per label name.
   * @returns The series.
   */
  labels(labels: LabelValues<L>): GaugeSeries {
    return this.#series.get(labels);
  }

  /**
   * Sets a gauge without labels (a `RangeError` for one with labels).
   *
   * @param value The new value.
   */
  set(value: number): void {
    this.#series.get({} as LabelValues<L>).set(value);
  }

  /** The value of a gauge without labels. */
  get value(): number {
    return this.#series.get({} as LabelValues<L>).value;
  }

  /**
   * Reads every series, ordered by label values.
   *
   * @returns The metric as it is now.
   */
  collect(): CollectedMetric {
    const names = this.#series.labelNames;
    return {
      name: this.name,
      help: this.help,
      type: "gauge",
      samples: this.#series.sorted().map(({ labelValues, series }) => ({
        name: this.name,
        labels: names.map((name, i) => [name, labelValues[i]] as const),
        value: series.value,
      })),
    };
  }
}
