/**
 * Counters: values that only go up, like frames received or gaps, read by Prometheus as rates.
 *
 * @module
 */

import type { MetricOptions } from "./metric_options.ts";
import { SingleValueMetric } from "./single_value_metric.ts";

/**
 * The count of one set of label values.
 *
 * @example
 * ```ts
 * import { CounterSeries } from "@kraken-ws/sdk/extended";
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
 * import { Counter } from "@kraken-ws/sdk/extended";
 * const gaps = new Counter({
 *   name: "gaps_total",
 *   help: "Data lost.",
 *   labelNames: ["reason"],
 * });
 * gaps.labels({ reason: "checksum" }).inc();
 * console.log(gaps.labels({ reason: "checksum" }).value); // 1
 * ```
 */
export class Counter<L extends string = never> extends SingleValueMetric<L, CounterSeries> {
  /**
   * Creates the counter; an invalid name or label name is a `RangeError`.
   *
   * @param options Name, help and label names.
   */
  constructor(options: MetricOptions<L>) {
    super("counter", options, () => new CounterSeries());
  }

  /**
   * Adds `amount` to a counter without labels (a `RangeError` for one with labels).
   *
   * @param amount How much (default 1).
   */
  inc(amount = 1): void {
    this.unlabeled.inc(amount);
  }
}
