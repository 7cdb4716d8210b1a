/**
 * Money on the fake exchange's account, exact: every amount is a bigint count of a fixed smallest
 * unit (10^-{@link ASSET_DECIMALS} of an asset), prices and quantities are bigint counts of the
 * pair's ticks and lots, and the only roundings (a cost finer than an asset's unit, a fee, an
 * average price) are written down here, once. No float ever holds money.
 *
 * @module
 */

import { plainDecimalText } from "../protocol/decimal_text.ts";

/**
 * Decimals of every asset balance, cost and fee: the `precision` the exchange's `instrument`
 * frame gives each asset.
 *
 * @example
 * ```ts
 * import { ASSET_DECIMALS } from "./amounts.ts";
 * console.log(ASSET_DECIMALS); // 10
 * ```
 */
export const ASSET_DECIMALS = 10;

/**
 * Reads a decimal text (a JSON number's text, exponent allowed) as a count of 10^-`decimals`,
 * exactly; undefined when it is not a number, is negative, or has non-zero digits finer than
 * `decimals` (Kraken refuses a price or a quantity finer than the pair allows).
 *
 * @param text The number's text, like `0.00100000` or `1e-3`.
 * @param decimals Decimals of the unit.
 * @returns The count, or undefined.
 *
 * @example
 * ```ts
 * import { unitsFromText } from "./amounts.ts";
 * console.log(unitsFromText("63500.1", 1), unitsFromText("1e-3", 8), unitsFromText("0.123", 2)); // 635001n 100000n undefined
 * ```
 */
export function unitsFromText(text: string, decimals: number): bigint | undefined {
  const plain = plainDecimalText(text.trim());
  const match = /^(\d+)(?:\.(\d+))?$/.exec(plain);
  if (match === null) return undefined;
  const [, whole, fraction = ""] = match;
  if (fraction.length > decimals && /[1-9]/.test(fraction.slice(decimals))) return undefined;
  return BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, "0"));
}

/**
 * Prints a count of 10^-`decimals` as decimal text with exactly `decimals` decimals, signed,
 * trailing zeros kept, as Kraken prints its numbers.
 *
 * @param units The count.
 * @param decimals Decimals of the unit.
 * @returns The text, like `-0.0050000000`.
 *
 * @example
 * ```ts
 * import { textOfUnits } from "./amounts.ts";
 * console.log(textOfUnits(-50000000n, 10), textOfUnits(635001n, 1)); // "-0.0050000000" "63500.1"
 * ```
 */
export function textOfUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals === 0 ? whole : `${whole}.${digits.slice(digits.length - decimals)}`;
  return negative ? `-${text}` : text;
}

/**
 * Converts a count of 10^-`from` into a count of 10^-`to`; a finer count is rounded half up
 * (the one rounding of a cost, on pairs whose price and quantity decimals add up past the asset's).
 *
 * @param units The count.
 * @param from Its decimals.
 * @param to The decimals wanted.
 * @returns The count at `to` decimals.
 *
 * @example
 * ```ts
 * import { rescale } from "./amounts.ts";
 * console.log(rescale(15n, 1, 3), rescale(15n, 1, 0)); // 1500n 2n
 * ```
 */
export function rescale(units: bigint, from: number, to: number): bigint {
  if (to >= from) return units * 10n ** BigInt(to - from);
  const divisor = 10n ** BigInt(from - to);
  return (units + divisor / 2n) / divisor;
}

/**
 * The quote cost of `lots` at `ticks`, in asset units: price × quantity, exact when the pair's
 * decimals allow it, else rounded half up to the asset's unit.
 *
 * @param ticks Price in 10^-`pricePrecision`.
 * @param lots Quantity in 10^-`qtyPrecision`.
 * @param pricePrecision The pair's price decimals.
 * @param qtyPrecision The pair's quantity decimals.
 * @returns The cost in 10^-{@link ASSET_DECIMALS}.
 *
 * @example
 * ```ts
 * import { costUnits, textOfUnits, ASSET_DECIMALS } from "./amounts.ts";
 * // 0.005 BTC at 26599.9 USD.
 * console.log(textOfUnits(costUnits(265999n, 500000n, 1, 8), ASSET_DECIMALS)); // "132.9995000000"
 * ```
 */
export function costUnits(
  ticks: bigint,
  lots: bigint,
  pricePrecision: number,
  qtyPrecision: number,
): bigint {
  return rescale(ticks * lots, pricePrecision + qtyPrecision, ASSET_DECIMALS);
}

/**
 * The fee on a cost, `cost × bps / 10000`, rounded up to the asset's unit: an exchange never
 * rounds a fee in the client's favour.
 *
 * @param cost The cost in asset units.
 * @param bps The fee rate in basis points (26 is 0.26 %).
 * @returns The fee in asset units.
 *
 * @example
 * ```ts
 * import { feeUnits } from "./amounts.ts";
 * console.log(feeUnits(10000n, 26), feeUnits(1n, 26)); // 26n 1n
 * ```
 */
export function feeUnits(cost: bigint, bps: number): bigint {
  const product = cost * BigInt(bps);
  return (product + 9999n) / 10000n;
}

/**
 * `numerator / denominator` rounded half up, both non-negative: an average price in ticks.
 *
 * @param numerator The sum of ticks × lots.
 * @param denominator The sum of lots (not zero).
 * @returns The quotient.
 *
 * @example
 * ```ts
 * import { roundedQuotient } from "./amounts.ts";
 * console.log(roundedQuotient(7n, 2n), roundedQuotient(6n, 4n)); // 4n 2n
 * ```
 */
export function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}
