/**
 * RFC 3339 timestamps, read exactly: Kraken stamps messages with up to nanosecond precision
 * (`2026-01-01T00:00:00.123456Z`), which `Date.parse` would cut to milliseconds and which a float
 * of epoch seconds cannot hold. The parse is by hand, with integers only, and never throws.
 *
 * @module
 */

/**
 * An instant as whole seconds since the Unix epoch and the nanoseconds within that second.
 *
 * @example
 * ```ts
 * import type { Rfc3339Instant } from "@kraken-ws/sdk/extended";
 * const instant: Rfc3339Instant = { epochSeconds: 1767225600, nanoseconds: 123456000 };
 * console.log(instant.nanoseconds);
 * ```
 */
export interface Rfc3339Instant {
  /** Whole seconds since 1970-01-01T00:00:00Z (negative before). */
  readonly epochSeconds: number;
  /** 0 to 999 999 999. */
  readonly nanoseconds: number;
}

/** The value of `length` decimal digits at `offset`, or -1 if any is not a digit. */
function digits(text: string, offset: number, length: number): number {
  let value = 0;
  for (let i = offset; i < offset + length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (!(code >= 0 && code <= 9)) return -1;
    value = value * 10 + code;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm, integers only). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Reads an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, and
 * `Z` or an offset `±HH:MM` (`T` and `Z` in either case). Anything else (a wrong field, a day
 * past the end of its month, a tenth fraction digit, trailing text) gives `undefined`.
 *
 * @example
 * ```ts
 * import { parseRfc3339 } from "@kraken-ws/sdk/extended";
 * console.log(parseRfc3339("2026-01-01T00:00:00.123456789Z"));
 * // { epochSeconds: 1767225600, nanoseconds: 123456789 }
 * console.log(parseRfc3339("2026-02-30T00:00:00Z")); // undefined
 * ```
 *
 * @param text The timestamp.
 * @returns The instant, or `undefined` when `text` is not an RFC 3339 date-time.
 */
export function parseRfc3339(text: string): Rfc3339Instant | undefined {
  if (text.length < 20 || text.length > 35) return undefined;
  if (text[4] !== "-" || text[7] !== "-" || (text[10] !== "T" && text[10] !== "t")) {
    return undefined;
  }
  if (text[13] !== ":" || text[16] !== ":") return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  // 60 is a leap second; counted as the first second of the next minute.
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > monthDays) return undefined;
  let offset = 19;
  let nanoseconds = 0;
  if (text[offset] === ".") {
    const start = ++offset;
    while (offset < text.length && digits(text, offset, 1) >= 0) offset++;
    const fractionDigits = offset - start;
    if (fractionDigits < 1 || fractionDigits > 9) return undefined;
    nanoseconds = digits(text, start, fractionDigits) * 10 ** (9 - fractionDigits);
  }
  let offsetSeconds = 0;
  const zone = text[offset];
  if (zone === "Z" || zone === "z") {
    offset++;
  } else if (zone === "+" || zone === "-") {
    if (text[offset + 3] !== ":") return undefined;
    const offsetHours = digits(text, offset + 1, 2);
    const offsetMinutes = digits(text, offset + 4, 2);
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
      return undefined;
    }
    offsetSeconds = (zone === "+" ? 1 : -1) * (offsetHours * 3600 + offsetMinutes * 60);
    offset += 6;
  } else {
    return undefined;
  }
  if (offset !== text.length) return undefined;
  const epochSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
    second - offsetSeconds;
  return { epochSeconds, nanoseconds };
}
