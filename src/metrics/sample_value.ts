/**
 * How a sample value (and a histogram bound in `le`) is written in the text format: the float
 * syntax Prometheus parses, with its spellings of the infinities and NaN.
 *
 * @module
 */

/**
 * The text of a sample value.
 *
 * @example
 * ```ts
 * import { formatSampleValue } from "./sample_value.ts";
 * console.log(formatSampleValue(0.25), formatSampleValue(Infinity), formatSampleValue(NaN));
 * // 0.25 +Inf NaN
 * ```
 *
 * @param value The value.
 * @returns Its text.
 */
export function formatSampleValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  // Exponents like 1e+21 and 1e-7 are valid float syntax for Prometheus' parser.
  return String(value);
}
