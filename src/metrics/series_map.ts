/**
 * The series of one metric, one per distinct set of label values: created on first use, found
 * again by its values, and listed in a fixed order so that every exposition of the same state is
 * the same text.
 *
 * @module
 */

/**
 * The label values of one sample: one string per label name of the metric, no more, no less.
 *
 * @example
 * ```ts
 * import type { LabelValues } from "@kraken-ws/sdk/extended";
 * const labels: LabelValues<"channel" | "reason"> = { channel: "book", reason: "checksum" };
 * console.log(labels.reason);
 * ```
 */
export type LabelValues<L extends string> = { readonly [K in L]: string };

/**
 * One series and the label values that name it, in the order of the metric's label names.
 *
 * @example
 * ```ts
 * import type { LabeledSeries } from "./series_map.ts";
 * const entry: LabeledSeries<{ value: number }> = { labelValues: ["book"], series: { value: 1 } };
 * console.log(entry.labelValues[0]);
 * ```
 */
export interface LabeledSeries<S> {
  /** Values in the order of the metric's label names. */
  readonly labelValues: readonly string[];
  /** The series' state. */
  readonly series: S;
}

function compareLabelValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/**
 * The series of one metric keyed by label values. A missing or extra label is a `RangeError`, as
 * is a value that is not well-formed Unicode (it could not be written as UTF-8, and two such
 * values could collapse into one series on the wire).
 *
 * @example
 * ```ts
 * import { SeriesMap } from "./series_map.ts";
 * const series = new SeriesMap(["channel"], () => ({ value: 0 }));
 * series.get({ channel: "trade" }).value += 2;
 * series.get({ channel: "book" }).value += 1;
 * console.log(series.sorted().map((entry) => entry.labelValues[0])); // ["book", "trade"]
 * ```
 */
export class SeriesMap<L extends string, S> {
  /** The metric's label names, fixed at creation. */
  readonly labelNames: readonly L[];
  readonly #create: () => S;
  readonly #series = new Map<string, LabeledSeries<S>>();

  /**
   * Creates an empty map.
   *
   * @param labelNames The metric's label names (already validated).
   * @param create Makes the state of a new series.
   */
  constructor(labelNames: readonly L[], create: () => S) {
    this.labelNames = labelNames;
    this.#create = create;
  }

  /**
   * The series for `labels`, created on first use.
   *
   * @param labels One value per label name.
   * @returns The series' state.
   */
  get(labels: LabelValues<L>): S {
    let key = "";
    for (const name of this.labelNames) {
      const value: unknown = labels[name];
      if (typeof value !== "string") {
        throw new RangeError(`label ${JSON.stringify(name)} needs a string value`);
      }
      // Length-prefixed, so no value can spell another set of values.
      key += `${value.length}:${value}`;
    }
    let extra = 0;
    for (const _ in labels) extra++;
    if (extra !== this.labelNames.length) {
      throw new RangeError(`expected exactly the labels [${this.labelNames.join(", ")}]`);
    }
    const found = this.#series.get(key);
    if (found !== undefined) return found.series;
    const labelValues = this.labelNames.map((name) => labels[name]);
    for (const value of labelValues) {
      if (!value.isWellFormed()) {
        throw new RangeError(`label value ${JSON.stringify(value)} is not well-formed Unicode`);
      }
    }
    const entry = { labelValues, series: this.#create() };
    this.#series.set(key, entry);
    return entry.series;
  }

  /**
   * Every series, ordered by label values (compared value by value, by UTF-16 code unit).
   *
   * @returns The series.
   */
  sorted(): LabeledSeries<S>[] {
    return [...this.#series.values()].sort((a, b) =>
      compareLabelValues(a.labelValues, b.labelValues)
    );
  }
}
