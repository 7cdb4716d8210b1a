/**
 * The exact difference of two decimal texts, for showing a spread without float noise
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
 * import { decimalDifference } from "./decimal_difference.ts";
 * console.log(decimalDifference("45285.2", "45283.5")); // "1.7"
 * console.log(decimalDifference("0.0280", "0.02815")); // "-0.00015"
 * ```
 */
export function decimalDifference(minuend: string, subtrahend: string): string {
  const left = plainDecimalText(minuend);
  const right = plainDecimalText(subtrahend);
  const places = Math.max(decimalPlaces(left), decimalPlaces(right));
  const difference = scaledInteger(left, places) - scaledInteger(right, places);
  const negative = difference < 0n;
  const digits = (negative ? -difference : difference).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const text = places === 0 ? whole : `${whole}.${digits.slice(digits.length - places)}`;
  return negative ? `-${text}` : text;
}
