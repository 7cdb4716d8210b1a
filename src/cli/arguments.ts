/**
 * Reading a command's arguments, the same way for every command: `--flag value` or
 * `--flag=value`, `--` before positionals that look like flags, and one message per mistake.
 *
 * @module
 */

import { BOOK_DEPTHS, type BookDepth } from "../book/order_book.ts";
import { UsageError } from "./usage_error.ts";

/**
 * One argument: an option (`--depth`, with its inline `=value` split off) or a positional.
 *
 * @example
 * ```ts
 * import type { Argument } from "./arguments.ts";
 * const argument: Argument = { flag: "--depth", inline: "25", positional: false };
 * console.log(argument.flag);
 * ```
 */
export interface Argument {
  /** The option's name, or the positional's text. */
  readonly flag: string;
  /** The value after `=`, when the option had one. */
  readonly inline: string | undefined;
  /** True for a positional: not an option, or anything after `--`. */
  readonly positional: boolean;
}

/**
 * The arguments of one command, read in order.
 *
 * @example
 * ```ts
 * import { ArgumentList } from "./arguments.ts";
 * const list = new ArgumentList(["--depth", "25", "--seconds=5", "BTC/USD"]);
 * for (let argument = list.next(); argument !== undefined; argument = list.next()) {
 *   console.log(argument.positional ? argument.flag : `${argument.flag} ${list.value(argument)}`);
 * }
 * ```
 */
export class ArgumentList {
  readonly #args: readonly string[];
  #index = 0;
  #positionalOnly = false;

  /**
   * Reads `args`.
   *
   * @param args The arguments after the command's name.
   */
  constructor(args: readonly string[]) {
    this.#args = args;
  }

  /** The next argument, or undefined at the end. */
  next(): Argument | undefined {
    const arg = this.#args[this.#index++];
    if (arg === undefined) return undefined;
    if (this.#positionalOnly) return { flag: arg, inline: undefined, positional: true };
    if (arg === "--") {
      this.#positionalOnly = true;
      return this.next();
    }
    if (!arg.startsWith("-") || arg === "-") {
      return { flag: arg, inline: undefined, positional: true };
    }
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    return equals < 0
      ? { flag: arg, inline: undefined, positional: false }
      : { flag: arg.slice(0, equals), inline: arg.slice(equals + 1), positional: false };
  }

  /**
   * The value of an option: its inline `=value`, else the next argument, which must not be
   * another option.
   *
   * @param argument The option.
   * @returns Its value.
   * @throws {UsageError} When it has none.
   */
  value(argument: Argument): string {
    if (argument.inline !== undefined) return argument.inline;
    const next = this.#args[this.#index];
    if (next === undefined || next.startsWith("--")) {
      throw new UsageError(`${argument.flag} needs a value`);
    }
    this.#index++;
    return next;
  }

  /**
   * Refuses an option that does not take a value but was given one (`--json=yes`).
   *
   * @param argument The option.
   * @throws {UsageError} When it has an inline value.
   */
  noValue(argument: Argument): void {
    if (argument.inline !== undefined) {
      throw new UsageError(`${argument.flag} takes no value, not ${argument.inline}`);
    }
  }
}

/**
 * A book depth Kraken offers.
 *
 * @param what The option, for the message (like `--depth`).
 * @param text The value given.
 * @returns The depth.
 * @throws {UsageError} When it is not 10, 25, 100, 500 or 1000.
 *
 * @example
 * ```ts
 * import { bookDepthValue } from "./arguments.ts";
 * console.log(bookDepthValue("--depth", "25")); // 25
 * ```
 */
export function bookDepthValue(what: string, text: string): BookDepth {
  const depth = BOOK_DEPTHS.find((known) => String(known) === text);
  if (depth === undefined) {
    throw new UsageError(`${what} must be one of ${BOOK_DEPTHS.join(", ")}, not ${text}`);
  }
  return depth;
}

/**
 * A `ws://` or `wss://` URL.
 *
 * @param what The option, for the message.
 * @param text The value given.
 * @returns The URL as given.
 * @throws {UsageError} When it is not one.
 *
 * @example
 * ```ts
 * import { webSocketUrlValue } from "./arguments.ts";
 * console.log(webSocketUrlValue("--url", "ws://127.0.0.1:8765/v2"));
 * ```
 */
export function webSocketUrlValue(what: string, text: string): string {
  let protocol = "";
  try {
    protocol = new URL(text).protocol;
  } catch {
    // Not a URL at all: the same message as a URL of another kind.
  }
  if (protocol !== "ws:" && protocol !== "wss:") {
    throw new UsageError(`${what} must be a ws:// or wss:// URL, not ${text}`);
  }
  return text;
}

/**
 * A number above 0, or with `whole`, a whole number within `[min, max]`.
 *
 * @param what The option, for the message.
 * @param text The value given.
 * @param range `whole` for whole numbers; `min` (default: above 0) and `max` bounds.
 * @returns The number.
 * @throws {UsageError} When it is not one.
 *
 * @example
 * ```ts
 * import { numberValue } from "./arguments.ts";
 * console.log(numberValue("--seconds", "2.5")); // 2.5
 * console.log(numberValue("--port", "0", { whole: true, min: 0, max: 65535 })); // 0
 * ```
 */
export function numberValue(
  what: string,
  text: string,
  range: { readonly whole?: boolean; readonly min?: number; readonly max?: number } = {},
): number {
  const value = Number(text);
  const whole = range.whole === true;
  const valid = text.trim() !== "" && Number.isFinite(value) &&
    (range.min === undefined ? value > 0 : value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (!whole || (/^\d+$/.test(text) && Number.isSafeInteger(value)));
  if (!valid) {
    const kind = whole ? "a whole number" : "a number";
    const bounds = range.min === undefined
      ? " above 0"
      : range.max === undefined
      ? ` of at least ${range.min}`
      : ` from ${range.min} to ${range.max}`;
    throw new UsageError(`${what} must be ${kind}${bounds}, not ${text}`);
  }
  return value;
}
