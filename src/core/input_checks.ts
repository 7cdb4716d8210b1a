/**
 * Runtime checks of what callers hand the session. The declared types bind TypeScript callers
 * only: a JavaScript caller (or a value read from a config file) can pass a depth of 7, a symbol
 * of 42 or a missing channel. Such a value must be refused where it enters, with a `TypeError` or
 * `RangeError` and before anything changes, never found later, deep inside, when the server
 * answers.
 *
 * @module
 */

import { LEVEL3_DEPTHS } from "../book/level3_book.ts";
import { BOOK_DEPTHS } from "../book/order_book.ts";
import { TRADING_METHODS } from "../protocol/private_messages.ts";
import { valueKind } from "../protocol/value_kind.ts";
import type { ReconnectOptions } from "./reconnect_policy.ts";
import type { SessionOptions } from "./session.ts";
import type { SessionInput } from "./session_io.ts";
import { OHLC_INTERVALS, type SubscriptionRequest, type UnkeyedRequest } from "./subscription.ts";

/** How a value is named in a message: short, and never the whole of a huge or hostile value. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "bigint") return `${value}n`;
  return value === null || typeof value !== "object" ? String(value) : valueKind(value);
}

/** `value` as an object whose fields can be read, or a `TypeError` naming `what`. */
function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks a number option: undefined (its default, unless `required`) or a finite number in
 * `[min, max]`, an integer when `integer`.
 *
 * @param value The value given.
 * @param name Its name, for the message.
 * @param limits Its bounds.
 * @throws {TypeError} When it is not a number.
 * @throws {RangeError} When it is out of bounds, not finite, or not whole where it must be.
 *
 * @example
 * ```ts
 * import { checkNumberOption } from "./input_checks.ts";
 * checkNumberOption(500, "lingerMs", { min: 0 });
 * try {
 *   checkNumberOption(-1, "lingerMs", { min: 0 });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export function checkNumberOption(
  value: unknown,
  name: string,
  limits: {
    readonly min: number;
    readonly max?: number;
    readonly integer?: boolean;
    readonly required?: boolean;
  },
): void {
  if (value === undefined) {
    if (limits.required === true) throw new TypeError(`${name} is missing`);
    return;
  }
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number, not ${describe(value)}`);
  }
  const max = limits.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isFinite(value) || value < limits.min || value > max) {
    throw new RangeError(`${name} must be from ${limits.min} to ${max}, not ${value}`);
  }
  if (limits.integer === true && !Number.isInteger(value)) {
    throw new RangeError(`${name} must be a whole number, not ${value}`);
  }
}

/**
 * Checks a flag option: undefined (its default) or a boolean.
 *
 * @param value The value given.
 * @param name Its name, for the message.
 * @throws {TypeError} When it is neither.
 *
 * @example
 * ```ts
 * import { checkBooleanOption } from "./input_checks.ts";
 * checkBooleanOption(true, "snapshot");
 * try {
 *   checkBooleanOption("yes", "snapshot");
 * } catch (error) {
 *   console.log(error instanceof TypeError); // true
 * }
 * ```
 */
export function checkBooleanOption(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${name} must be true or false, not ${describe(value)}`);
  }
}

/**
 * Checks a pair's name: a non-empty string of printable text.
 *
 * @param value The value given.
 * @param name What it is, for the message.
 * @throws {TypeError} When it is not a string.
 * @throws {RangeError} When it is empty, over 64 characters, or holds control characters.
 *
 * @example
 * ```ts
 * import { checkSymbol } from "./input_checks.ts";
 * checkSymbol("BTC/USD", "symbol");
 * try {
 *   checkSymbol(42, "symbol");
 * } catch (error) {
 *   console.log(error instanceof TypeError); // true
 * }
 * ```
 */
export function checkSymbol(value: unknown, name: string): void {
  if (typeof value !== "string") {
    throw new TypeError(`${name} must be a pair's name as text, not ${describe(value)}`);
  }
  // Kraken's names are short; a control character or a huge string is a caller's mistake that
  // would otherwise travel to the server and back as a refusal nobody can read.
  // deno-lint-ignore no-control-regex
  if (value.length === 0 || value.length > 64 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new RangeError(`${name} must be a pair's name like "BTC/USD", not ${describe(value)}`);
  }
}

/** Checks that `value` is one of `allowed`. */
function checkOneOf(value: unknown, allowed: readonly unknown[], name: string): void {
  if (!allowed.includes(value)) {
    const list = allowed.map((item) => typeof item === "string" ? `"${item}"` : String(item));
    const error = typeof value === typeof allowed[0] ? RangeError : TypeError;
    throw new error(`${name} must be one of ${list.join(", ")}, not ${describe(value)}`);
  }
}

/**
 * Checks a subscription request as a JavaScript caller may have built it: its channel, symbol and
 * every parameter, against what Kraken accepts.
 *
 * @param value What the caller passed.
 * @throws {TypeError} A missing field or one of the wrong type, an unknown channel.
 * @throws {RangeError} A depth, interval, trigger or symbol Kraken would not take.
 *
 * @example
 * ```ts
 * import { checkSubscriptionRequest } from "./input_checks.ts";
 * checkSubscriptionRequest({ channel: "book", symbol: "BTC/USD", depth: 25 });
 * try {
 *   checkSubscriptionRequest({ channel: "book", symbol: "BTC/USD", depth: 7 });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export function checkSubscriptionRequest(
  value: unknown,
): asserts value is SubscriptionRequest | UnkeyedRequest {
  const request = objectOf(value, "a subscription request");
  switch (request.channel) {
    case "book":
      checkSymbol(request.symbol, "symbol");
      checkOneOf(request.depth, BOOK_DEPTHS, "book depth");
      return;
    case "level3":
      checkSymbol(request.symbol, "symbol");
      checkOneOf(request.depth, LEVEL3_DEPTHS, "level 3 depth");
      return;
    case "trade":
      checkSymbol(request.symbol, "symbol");
      checkBooleanOption(request.snapshot, "snapshot");
      return;
    case "ticker":
      checkSymbol(request.symbol, "symbol");
      checkOneOf(request.trigger, ["trades", "bbo"], "ticker trigger");
      return;
    case "ohlc":
      checkSymbol(request.symbol, "symbol");
      checkOneOf(request.interval, OHLC_INTERVALS, "ohlc interval");
      checkBooleanOption(request.snapshot, "snapshot");
      return;
    case "instrument":
      return;
    case "executions":
      for (const name of ["snapOrders", "snapTrades", "orderStatus", "ratecounter"]) {
        checkBooleanOption(request[name], name);
      }
      return;
    case "balances":
      checkBooleanOption(request.snapshot, "snapshot");
      return;
    default:
      throw new TypeError(`not a channel: ${describe(request.channel)}`);
  }
}

/** Checks reconnect settings: every delay and count a finite number in range. */
function checkReconnectOptions(
  value: unknown,
): asserts value is ReconnectOptions | undefined {
  if (value === undefined) return;
  const options = objectOf(value, "reconnect");
  checkNumberOption(options.initialDelayMs, "reconnect.initialDelayMs", { min: 0 });
  checkNumberOption(options.maxDelayMs, "reconnect.maxDelayMs", {
    min: typeof options.initialDelayMs === "number" ? options.initialDelayMs : 0,
  });
  checkNumberOption(options.stableMs, "reconnect.stableMs", { min: 0 });
  checkNumberOption(options.seed, "reconnect.seed", {
    min: -Number.MAX_SAFE_INTEGER,
    integer: true,
  });
  checkNumberOption(options.maxAttempts, "reconnect.maxAttempts", { min: 1, integer: true });
  checkNumberOption(options.attemptWindowMs, "reconnect.attemptWindowMs", { min: 1 });
  checkNumberOption(options.maintenanceIntervalMs, "reconnect.maintenanceIntervalMs", { min: 0 });
}

/**
 * Checks a session's settings: the URL and seed it needs, and every timeout, pace and bound in
 * range, so that a typo is a `RangeError` at construction and not a timer that fires at once or
 * never.
 *
 * @param value What the caller passed.
 * @throws {TypeError} A missing URL or seed, a field of the wrong type.
 * @throws {RangeError} A timeout, rate or bound out of range.
 *
 * @example
 * ```ts
 * import { checkSessionOptions } from "./input_checks.ts";
 * checkSessionOptions({ url: "wss://ws.kraken.com/v2", seed: 1, lingerMs: 0 });
 * try {
 *   checkSessionOptions({ url: "wss://ws.kraken.com/v2", seed: 1, requestsPerSecond: 0 });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export function checkSessionOptions(value: unknown): asserts value is SessionOptions {
  const options = objectOf(value, "session options");
  checkText(options.url, "url");
  checkNumberOption(options.seed, "seed", {
    min: -Number.MAX_SAFE_INTEGER,
    integer: true,
    required: true,
  });
  checkConnectionOptions(options);
  checkNumberOption(options.requestTimeoutMs, "requestTimeoutMs", { min: 1 });
  checkNumberOption(options.closeTimeoutMs, "closeTimeoutMs", { min: 0 });
  checkNumberOption(options.immediateResyncs, "immediateResyncs", { min: 0, integer: true });
  checkNumberOption(options.maxFrameBytes, "maxFrameBytes", { min: 1, integer: true });
  if (options.link !== undefined) checkOneOf(options.link, ["private", "level3"], "link");
}

/**
 * Checks the settings a client and its sessions share: backoff, timeouts, linger and the pace of
 * requests.
 *
 * @param options What the caller passed.
 * @throws {TypeError} A field of the wrong type.
 * @throws {RangeError} A timeout, rate or bound out of range.
 *
 * @example
 * ```ts
 * import { checkConnectionOptions } from "./input_checks.ts";
 * checkConnectionOptions({ heartbeatTimeoutMs: 5000, requestsPerSecond: 5 });
 * ```
 */
export function checkConnectionOptions(options: Record<string, unknown>): void {
  checkReconnectOptions(options.reconnect);
  for (
    const name of [
      "heartbeatTimeoutMs",
      "pingIntervalMs",
      "connectTimeoutMs",
      "snapshotTimeoutMs",
      "subscriptionTimeoutMs",
    ]
  ) {
    checkNumberOption(options[name], name, { min: 1 });
  }
  checkNumberOption(options.lingerMs, "lingerMs", { min: 0 });
  // Slower than one request a minute would leave a whole market unsubscribed for hours.
  checkNumberOption(options.requestsPerSecond, "requestsPerSecond", { min: 1 / 60 });
  checkNumberOption(options.maxSymbolsPerRequest, "maxSymbolsPerRequest", {
    min: 1,
    integer: true,
  });
}

/** A consumer's or a connection's number: a whole number, as the driver and session number them. */
function checkNumbered(value: unknown, what: "consumer" | "connection"): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(`a ${what} must be a whole number, not ${describe(value)}`);
  }
}

function checkText(value: unknown, name: string): void {
  if (typeof value !== "string") {
    throw new TypeError(`${name} must be text, not ${describe(value)}`);
  }
}

/**
 * Checks one input to `Session.handle` and its time, as a caller may have built them. What a
 * server sends arrives inside them as text (a frame, a close reason), which the session reads
 * tolerantly; this checks the caller's part: the input's shape and the values a caller chooses.
 *
 * @param value The input.
 * @param now The time it comes with.
 * @throws {TypeError} An unknown input, or a field of the wrong type.
 * @throws {RangeError} A value out of range (a subscription's depth, a countdown, a time).
 *
 * @example
 * ```ts
 * import { checkSessionInput } from "./input_checks.ts";
 * checkSessionInput({ type: "timer", id: "tick" }, 0);
 * try {
 *   checkSessionInput({ type: "timer", id: "tick" }, Number.NaN);
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export function checkSessionInput(value: unknown, now: unknown): asserts value is SessionInput {
  if (typeof now !== "number") throw new TypeError(`now must be a number, not ${describe(now)}`);
  if (!Number.isFinite(now)) throw new RangeError(`now must be finite, not ${now}`);
  const input = objectOf(value, "a session input");
  switch (input.type) {
    case "start":
    case "stop":
      return;
    case "opened":
      checkNumbered(input.connection, "connection");
      if (input.token !== undefined) checkText(input.token, "token");
      return;
    case "token":
      checkNumbered(input.connection, "connection");
      checkText(input.token, "token");
      return;
    case "authFailed":
      checkNumbered(input.connection, "connection");
      checkText(input.message, "message");
      return;
    case "order":
      checkOrder(input.order);
      return;
    case "deadManSwitch":
      checkNumberOption(input.timeoutSeconds, "timeoutSeconds", {
        min: 0,
        max: 86_399,
        integer: true,
        required: true,
      });
      return;
    case "closed":
      checkNumbered(input.connection, "connection");
      if (typeof input.code !== "number") {
        throw new TypeError(`code must be a number, not ${describe(input.code)}`);
      }
      checkText(input.reason, "reason");
      return;
    case "frame":
      checkNumbered(input.connection, "connection");
      checkText(input.text, "frame text");
      return;
    case "timer":
      checkText(input.id, "timer id");
      return;
    case "subscribe":
      checkNumbered(input.consumer, "consumer");
      checkSubscriptionRequest(input.request);
      return;
    case "unsubscribe":
    case "describe":
      checkNumbered(input.consumer, "consumer");
      return;
    case "overflow":
      checkNumbered(input.consumer, "consumer");
      checkNumberOption(input.dropped, "dropped", { min: 1, integer: true, required: true });
      if (input.symbol !== undefined) checkText(input.symbol, "symbol");
      if (input.channel !== undefined) checkText(input.channel, "channel");
      return;
    case "defect":
      checkText(input.message, "message");
      return;
    default:
      throw new TypeError(`not a session input: ${describe(input.type)}`);
  }
}

/** A trading request as the client hands it to the session. */
function checkOrder(value: unknown): void {
  const order = objectOf(value, "order");
  checkNumberOption(order.id, "order.id", { min: 0, integer: true, required: true });
  if (!(TRADING_METHODS as readonly unknown[]).includes(order.method)) {
    throw new TypeError(`not a trading method: ${describe(order.method)}`);
  }
  checkText(order.params, "order.params");
  checkNumberOption(order.replies, "order.replies", { min: 1, integer: true, required: true });
  checkNumberOption(order.timeoutMs, "order.timeoutMs", { min: 0, required: true });
  if (typeof order.waitForConnection !== "boolean") {
    throw new TypeError("order.waitForConnection must be true or false");
  }
}
