/**
 * What counters and gauges share: one sample per set of label values, each a single number.
 *
 * @module
 */

import type { Collectable, CollectedMetric, MetricType } from "./collected.ts";
import { assertLabelNames, assertMetricName } from "./metric_names.ts";
import type { MetricOptions } from "./metric_options.ts";
import { type LabelValues, SeriesMap } from "./series_map.ts";

/**
 * A metric family whose series each hold one number: the base of {@link Counter}-like and
 * gauge-like metrics. A family without labels is exposed at 0 from the start; a labeled one
 * shows a series once its label values are first used.
 *
 * @example
 * ```ts
 * import { SingleValueMetric } from "@kraken-ws/sdk/extended";
 * class Constant extends SingleValueMetric<never, { readonly value: number }> {
 *   constructor() {
 *     super("gauge", { name: "build_info", help: "Always 1." }, () => ({ value: 1 }));
 *   }
 * }
 * console.log(new Constant().collect().samples[0].value); // 1
 * ```
 */
export abstract class SingleValueMetric<L extends string, S extends { readonly value: number }>
  implements Collectable {
  /** The metric name. */
  readonly name: string;
  /** The help text. */
  readonly help: string;
  /** The one sample name it writes: its own. */
  readonly sampleNames: readonly string[];
  readonly #type: MetricType;
  readonly #series: SeriesMap<L, S>;

  /**
   * Checks the names and creates the family; an invalid name or label name is a `RangeError`.
   *
   * @param type How Prometheus reads it.
   * @param options Name, help and label names.
   * @param makeSeries Makes a series at its starting value.
   */
  protected constructor(type: MetricType, options: MetricOptions<L>, makeSeries: () => S) {
    assertMetricName(options.name);
    const labelNames = [...options.labelNames ?? []];
    assertLabelNames(labelNames, []);
    this.name = options.name;
    this.help = options.help;
    this.sampleNames = [options.name];
    this.#type = type;
    this.#series = new SeriesMap(labelNames, makeSeries);
    if (labelNames.length === 0) this.#series.get({} as LabelValues<L>);
  }

  /**
   * The series of one set of label values, created on first use; keep it to skip the lookup.
   *
   * @param labels One value per label name.
   * @returns The series.
   */
  labels(labels: LabelValues<L>): S {
    return this.#series.get(labels);
  }

  /** The series of a family without labels (a `RangeError` for one with labels). */
  protected get unlabeled(): S {
    return this.#series.get({} as LabelValues<L>);
  }

  /** The value of a family without labels (a `RangeError` for one with labels). */
  get value(): number {
    return this.unlabeled.value;
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
      type: this.#type,
      samples: this.#series.sorted().map(({ labelValues, series }) => ({
        name: this.name,
        labels: names.map((name, i) => [name, labelValues[i]] as const),
        value: series.value,
      })),
    };
  }
}
