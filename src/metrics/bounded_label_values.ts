/**
 * A cap on the label values a metric takes from the wire. Every distinct label value is a series
 * held forever, so a feed that sends a new symbol in every frame (hostile or broken) would grow
 * memory and the scrape without bound; past the cap, new values fold into one.
 *
 * @module
 */

/**
 * Keeps the first `limit` distinct values as they are and folds every later one into `other`.
 * A value longer than `maxLength` characters, or not well-formed Unicode, folds too: it is
 * never a real symbol, and would make every series it names costly.
 *
 * @example
 * ```ts
 * import { BoundedLabelValues } from "./bounded_label_values.ts";
 * const symbols = new BoundedLabelValues(2);
 * console.log(["BTC/USD", "ETH/USD", "SOL/USD", "BTC/USD"].map((symbol) => symbols.of(symbol)));
 * // ["BTC/USD", "ETH/USD", "other", "BTC/USD"]
 * ```
 */
export class BoundedLabelValues {
  /** What every value past the cap becomes. */
  static readonly OTHER = "other";
  readonly #limit: number;
  readonly #maxLength: number;
  readonly #kept = new Set<string>();

  /**
   * Creates the cap.
   *
   * @param limit How many distinct values are kept as they are.
   * @param maxLength The longest value kept as it is (default 64 characters).
   */
  constructor(limit: number, maxLength = 64) {
    if (!(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`the limit must be a whole number, not ${limit}`);
    }
    this.#limit = limit;
    this.#maxLength = maxLength;
  }

  /**
   * The label value to use for `value`.
   *
   * @param value A value from the wire.
   * @returns `value` itself, or `other`.
   */
  of(value: string): string {
    if (this.#kept.has(value)) return value;
    if (
      this.#kept.size >= this.#limit || value.length > this.#maxLength || !value.isWellFormed()
    ) {
      return BoundedLabelValues.OTHER;
    }
    this.#kept.add(value);
    return value;
  }
}
