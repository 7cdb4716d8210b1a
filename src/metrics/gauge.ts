/**
 * Gauges: values that go up and down, like the connection's state or subscriptions per state.
 *
 * @module
 */

import type { MetricOptions } from "./metric_options.ts";
import { SingleValueMetric } from "./single_value_metric.ts";

/**
 * The value of one set of label values.
 *
 * @example
 * ```ts
 * import { GaugeSeries } from "@kraken-ws/sdk/extended";
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
 * import { Gauge } from "@kraken-ws/sdk/extended";
 * const state = new Gauge({
 *   name: "state",
 *   help: "1 for the current state.",
 *   labelNames: ["state"],
 * });
 * state.labels({ state: "live" }).set(1);
 * console.log(state.labels({ state: "live" }).value); // 1
 * ```
 */
export class Gauge<L extends string = never> extends SingleValueMetric<L, GaugeSeries> {
  /**
   * Creates the gauge; an invalid name or label name is a `RangeError`.
   *
   * @param options Name, help and label names.
   */
  constructor(options: MetricOptions<L>) {
    super("gauge", options, () => new GaugeSeries());
  }

  /**
   * Sets a gauge without labels (a `RangeError` for one with labels).
   *
   * @param value The new value.
   */
  set(value: number): void {
    this.unlabeled.set(value);
  }
}
