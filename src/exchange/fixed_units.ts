/**
 * Exact fixed-point text for the fake exchange: prices and quantities are integers of the pair's
 * smallest unit, printed with exactly the pair's decimals, trailing zeros kept, as Kraken does.
 *
 * @module
 */

/**
 * Prints `units` (an integer count of 10^-decimals) as decimal text with exactly `decimals`
 * decimals.
 *
 * @param units A non-negative safe integer.
 * @param decimals Decimal places.
 * @returns The text, like `63498.0` or `0.00100000`.
 *
 * @example
 * ```ts
 * import { formatUnits } from "./fixed_units.ts";
 * console.log(formatUnits(634980, 1)); // "63498.0"
 * console.log(formatUnits(100000, 8)); // "0.00100000"
 * ```
 */
export function formatUnits(units: number, decimals: number): string {
  const digits = String(units).padStart(decimals + 1, "0");
  if (decimals === 0) return digits;
  return `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
}
