/**
 * Exact arithmetic on decimal texts, for a spread or a mid without float noise
 * (`45285.2 - 45283.5` is `1.7`, not `1.6999999999970896`).
 *
 * @module
 */

import { plainDecimalText } from "./decimal_text.ts";

/** Digits after the point of a plain decimal text. */
function decimalPlaces(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** The text as an integer count of `10^-places`, with no float in between. */
function scaledInteger(text: string, places: number): bigint {
  const negative = text.startsWith("-");
  const unsigned = negative ? text.slice(1) : text;
  const [whole, fraction = ""] = unsigned.split(".");
  const value = BigInt(whole + fraction.padEnd(places, "0"));
  return negative ? -value : value;
}

/**
 * `minuend - subtrahend`, computed digit for digit and printed with as many decimals as the more
 * precise of the two, as Kraken would print a price at that precision.
 *
 * @param minuend A JSON number text, like an ask's `priceText`.
 * @param subtrahend A JSON number text, like a bid's `priceText`.
 * @returns The difference as plain decimal text.
 *
 * @example
 * ```ts
 * import { decimalDifference } from "@kraken-ws/sdk/extended";
 * console.log(decimalDifference("45285.2", "45283.5")); // "1.7"
 * console.log(decimalDifference("0.0280", "0.02815")); // "-0.00015"
 * ```
 */
export function decimalDifference(minuend: string, subtrahend: string): string {
  const left = plainDecimalText(minuend);
  const right = plainDecimalText(subtrahend);
  const places = Math.max(decimalPlaces(left), decimalPlaces(right));
  return decimalText(scaledInteger(left, places) - scaledInteger(right, places), places);
}

/**
 * The exact midpoint of two decimal texts, `(a + b) / 2`, with as many decimals as the more
 * precise of the two, and one more only when the halving needs it.
 *
 * @param a A JSON number text, like a bid's `priceText`.
 * @param b A JSON number text, like an ask's `priceText`.
 * @returns The midpoint as plain decimal text.
 *
 * @example
 * ```ts
 * import { decimalMidpoint } from "@kraken-ws/sdk/extended";
 * console.log(decimalMidpoint("63501.8", "63501.9")); // "63501.85"
 * console.log(decimalMidpoint("100.0", "102.0")); // "101.0"
 * ```
 */
export function decimalMidpoint(a: string, b: string): string {
  const left = plainDecimalText(a);
  const right = plainDecimalText(b);
  let places = Math.max(decimalPlaces(left), decimalPlaces(right));
  let sum = scaledInteger(left, places) + scaledInteger(right, places);
  if (sum % 2n !== 0n) {
    // An odd sum halves into one more decimal: 5 in it, exactly.
    sum *= 10n;
    places++;
  }
  return decimalText(sum / 2n, places);
}

/**
 * The exact sum of decimal texts, with as many decimals as the most precise of them: the
 * quantity resting ahead of an order, say, without float noise.
 *
 * @param texts JSON number texts, like order quantities' `orderQtyText`.
 * @returns The sum as plain decimal text; `"0"` for no texts.
 *
 * @example
 * ```ts
 * import { decimalSum } from "@kraken-ws/sdk/extended";
 * console.log(decimalSum(["0.10000000", "0.2", "1.2e-7"])); // "0.30000012"
 * console.log(decimalSum([])); // "0"
 * ```
 */
export function decimalSum(texts: readonly string[]): string {
  const plain = texts.map(plainDecimalText);
  let places = 0;
  for (const text of plain) places = Math.max(places, decimalPlaces(text));
  let sum = 0n;
  for (const text of plain) sum += scaledInteger(text, places);
  return decimalText(sum, places);
}

/** `value` counted in `10^-places`, printed as plain decimal text. */
function decimalText(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const text = places === 0 ? whole : `${whole}.${digits.slice(digits.length - places)}`;
  return negative ? `-${text}` : text;
}
