/**
 * What kind of value a caller passed, for error messages that must not quote it: a value may be
 * huge, hostile, or a secret.
 *
 * @module
 */

/**
 * The kind of `value`: `null`, `an array`, or its `typeof`.
 *
 * @param value Any value.
 * @returns Its kind, in words.
 *
 * @example
 * ```ts
 * import { valueKind } from "./value_kind.ts";
 * console.log(valueKind([]), valueKind(null), valueKind("x")); // "an array" "null" "string"
 * ```
 */
export function valueKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
