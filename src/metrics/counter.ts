/**
 * Counters: values that only go up, like frames received or gaps, read by Prometheus as rates.
 *
 * @module
 */

import type { Collectable, CollectedMetric } from "./collected.ts";
import { assertLabelNames, assertMetricName } from "./metric_names.ts";
import type { MetricOptions } from "./metric_options.ts";
import { type LabelValues, SeriesMap } from "./series_map.ts";

/**
 * The count of one set of label values.
 *
 * @example
 * ```ts
 * import { CounterSeries } from "./counter.ts";
 * const series = new CounterSeries();
 * series.inc();
 * series.inc(2);
 * console.log(series.value); // 3
 * ```
 */
export class CounterSeries {
  #value = 0;

  /**
   * Adds `amount`; a counter never goes down, so a negative or non-finite amount is a
   * `RangeError`.
   *
   * @param amount How much (default 1).
   */
  inc(amount = 1): void {
    if (!(amount >= 0 && amount < Infinity)) {
      throw new RangeError(`a counter only goes up by a finite amount, not ${amount}`);
    }
    this.#value += amount;
  }

  /** The count so far. */
  get value(): number {
    return this.#value;
  }
}

/**
 * A counter with fixed label names. A counter without labels is exposed at 0 from the start;
 * a labeled one shows a series once its label values are first used.
 *
 * @example
 * ```ts
 * import { Counter } from "./counter.ts";
 * const gaps = new Counter({
 *   name: "gaps_total",
 *   help: "Data lost.",
 *   labelNames: ["reason"],
 * });
 * gaps.labels({ reason: "checksum" }).inc();
 * console.log(gaps.labels({ reason: "checksum" }).value); // 1
 * ```
 */
export class Counter<L extends string = never> implements Collectable {
  /** The metric name. */
  readonly name: string;
  /** The help text. */
  readonly help: string;
  /** The one sample name it writes: its own. */
  readonly sampleNames: readonly string[];
  readonly #series: SeriesMap<L, CounterSeries>;

  /**
   * Creates the counter; an invalid name or label name is a `RangeError`.
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
    this.#series = new SeriesMap(labelNames, () => new CounterSeries());
    if (labelNames.length === 0) this.#series.get({} as LabelValues<L>);
  }

  /**
   * The series of one set of label values, created at 0 on first use; keep it to skip the lookup.
   *
   * @param labels One value per label name.
   * @returns The series.
   */
  labels(labels: LabelValues<L>): CounterSeries {
    return this.#series.get(labels);
  }

  /**
   * Adds `amount` to a counter without labels (a `RangeError` for one with labels).
   *
   * @param amount How much (default 1).
   */
  inc(amount = 1): void {
    this.#series.get({} as LabelValues<L>).inc(amount);
  }

  /** The count of a counter without labels. */
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
      type: "counter",
      samples: this.#series.sorted().map(({ labelValues, series }) => ({
        name: this.name,
        labels: names.map((name, i) => [name, labelValues[i]] as const),
        value: series.value,
      })),
    };
  }
}
