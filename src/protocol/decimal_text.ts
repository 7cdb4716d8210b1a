/**
 * Exact decimal text: how Kraken's checksum reads a number, and how a value that lost its trailing
 * zeros (a re-serialised recording) gets them back.
 *
 * @module
 */

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const EXPONENT_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;

/**
 * Rewrites a JSON number text without an exponent (`1.2e-7` becomes `0.00000012`), digit for
 * digit, with no float in between.
 *
 * @param text A JSON number text.
 * @returns The same value as plain decimal text.
 *
 * @example
 * ```ts
 * import { plainDecimalText } from "@kraken-ws/sdk/extended";
 * console.log(plainDecimalText("1.2e-7")); // "0.00000012"
 * ```
 */
export function plainDecimalText(text: string): string {
  if (PLAIN_DECIMAL.test(text)) return text;
  const match = EXPONENT_DECIMAL.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction = "", exponentText] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  // Position of the decimal point within `digits` after shifting by the exponent.
  const point = whole.length + exponent;
  let integerPart: string;
  let fractionPart: string;
  if (point <= 0) {
    integerPart = "0";
    fractionPart = "0".repeat(-point) + digits;
  } else if (point >= digits.length) {
    integerPart = digits + "0".repeat(point - digits.length);
    fractionPart = "";
  } else {
    integerPart = digits.slice(0, point);
    fractionPart = digits.slice(point);
  }
  integerPart = integerPart.replace(/^0+(?=\d)/, "");
  return sign + integerPart + (fractionPart === "" ? "" : "." + fractionPart);
}

/**
 * Pads a decimal text with trailing zeros to `decimals` places, as Kraken prints it. Text with as
 * many or more decimals is returned as it is: precision is never cut.
 *
 * @param text A JSON number text, possibly with an exponent.
 * @param decimals The pair's precision for this value.
 * @returns The text as Kraken would print it.
 *
 * @example
 * ```ts
 * import { padDecimalText } from "@kraken-ws/sdk/extended";
 * console.log(padDecimalText("4.0", 8)); // "4.00000000"
 * console.log(padDecimalText("29430", 1)); // "29430.0"
 * ```
 */
export function padDecimalText(text: string, decimals: number): string {
  const plain = plainDecimalText(text);
  const dot = plain.indexOf(".");
  const have = dot < 0 ? 0 : plain.length - dot - 1;
  if (have >= decimals) return plain;
  return (dot < 0 ? plain + "." : plain) + "0".repeat(decimals - have);
}

/**
 * The digits a number contributes to Kraken's book checksum: the text without its `.` and
 * without leading zeros (`0.00100000` gives `100000`).
 *
 * @param text A plain decimal text.
 * @returns The checksum digits.
 *
 * @example
 * ```ts
 * import { checksumDigits } from "@kraken-ws/sdk/extended";
 * console.log(checksumDigits("45285.2")); // "452852"
 * console.log(checksumDigits("0.00100000")); // "100000"
 * ```
 */
export function checksumDigits(text: string): string {
  const dot = text.indexOf(".");
  const joined = dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1);
  let start = 0;
  while (start < joined.length - 1 && joined.charCodeAt(start) === 0x30) start++;
  return start === 0 ? joined : joined.slice(start);
}
