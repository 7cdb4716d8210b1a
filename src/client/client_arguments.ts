/**
 * Runtime checks of what a caller hands `KrakenWs`: its options, symbols and each method's
 * options. A JavaScript caller is not held to the declared types, and a value refused here, with
 * a `TypeError` or `RangeError` before anything changes, is one never found later, inside, when
 * the server answers.
 *
 * @module
 */

import type { DataChannel, KrakenEvent } from "../core/events.ts";
import {
  checkBooleanOption,
  checkConnectionOptions,
  checkNumberOption,
  checkSubscriptionRequest,
  checkSymbol,
} from "../core/input_checks.ts";
import type { SubscriptionRequest, UnkeyedRequest } from "../core/subscription.ts";
import { valueKind } from "../protocol/value_kind.ts";

/**
 * `value` as an options bag: undefined is `{}`; anything but a plain object is a `TypeError`, and
 * so is a field not in `known` (a misspelt option would otherwise be its default, silently).
 *
 * @param value What the caller passed.
 * @param what Whose options, for the message.
 * @param known The option names.
 * @returns The options.
 * @throws {TypeError} When it is not an object, or names an unknown option.
 *
 * @example
 * ```ts
 * import { optionsOf } from "./client_arguments.ts";
 * console.log(optionsOf(undefined, "book", ["depth"])); // {}
 * try {
 *   optionsOf({ dept: 25 }, "book", ["depth"]);
 * } catch (error) {
 *   console.log((error as Error).message); // "book: unknown option dept (known: depth)"
 * }
 * ```
 */
export function optionsOf(
  value: unknown,
  what: string,
  known: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what}: options must be an object, not ${valueKind(value)}`);
  }
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) {
      throw new TypeError(
        `${what}: unknown option ${name.slice(0, 40)} (known: ${known.join(", ")})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/**
 * The pairs a caller named: one name, or a list of them without repeats.
 *
 * @param symbols What the caller passed.
 * @returns The pairs, in order, each once.
 * @throws {TypeError} When it is neither a string nor a list of strings.
 * @throws {RangeError} When the list is empty or a name is not a pair's name.
 *
 * @example
 * ```ts
 * import { symbolList } from "./client_arguments.ts";
 * console.log(symbolList(["BTC/USD", "ETH/USD", "BTC/USD"])); // ["BTC/USD", "ETH/USD"]
 * ```
 */
export function symbolList(symbols: unknown): string[] {
  const list = symbolsNamed(symbols);
  if (list.length === 0) throw new RangeError("at least one symbol is needed");
  return list;
}

/**
 * The pairs a caller named, where naming none is allowed (`ready([])` waits for nothing).
 *
 * @param symbols What the caller passed.
 * @returns The pairs, in order, each once; perhaps none.
 * @throws {TypeError} When it is neither a string nor a list of strings.
 * @throws {RangeError} When a name is not a pair's name.
 *
 * @example
 * ```ts
 * import { symbolsNamed } from "./client_arguments.ts";
 * console.log(symbolsNamed([])); // []
 * ```
 */
export function symbolsNamed(symbols: unknown): string[] {
  if (typeof symbols === "string") {
    checkSymbol(symbols, "symbol");
    return [symbols];
  }
  if (!Array.isArray(symbols)) {
    throw new TypeError(
      `symbols must be a pair's name or a list of them, not ${valueKind(symbols)}`,
    );
  }
  symbols.forEach((symbol, index) => checkSymbol(symbol, `symbols[${index}]`));
  return [...new Set(symbols as string[])];
}

/** Every option of `KrakenWs`, by name. */
const CLIENT_OPTIONS = [
  "url",
  "reconnect",
  "heartbeatTimeoutMs",
  "pingIntervalMs",
  "bufferSize",
  "signal",
  "webSocket",
  "clock",
  "snapshotTimeoutMs",
  "subscriptionTimeoutMs",
  "requestsPerSecond",
  "maxSymbolsPerRequest",
  "lingerMs",
  "connectTimeoutMs",
  "tap",
  "metrics",
  "auth",
  "authUrl",
  "level3Url",
  "restUrl",
  "fetch",
  "tradingTimeoutMs",
];

function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function, not ${valueKind(value)}`);
  }
}

function checkObject(value: unknown, name: string, methods: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${name} must be an object, not ${valueKind(value)}`);
  }
  for (const method of methods) {
    checkFunction((value as Record<string, unknown>)[method], `${name}.${method}`);
    if ((value as Record<string, unknown>)[method] === undefined) {
      throw new TypeError(`${name}.${method} is missing`);
    }
  }
}

function checkString(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`${name} must be a string, not ${valueKind(value)}`);
  }
}

/**
 * Checks a `KrakenWs`'s options, every one, before the client makes anything.
 *
 * @param value What the caller passed.
 * @returns The options.
 * @throws {TypeError} An unknown option, one of the wrong type, `auth` of neither shape.
 * @throws {RangeError} A timeout, rate or bound out of range.
 *
 * @example
 * ```ts
 * import { checkClientOptions } from "./client_arguments.ts";
 * checkClientOptions({ bufferSize: 256, lingerMs: 0 });
 * try {
 *   checkClientOptions({ bufferSize: 0 });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export function checkClientOptions(value: unknown): Record<string, unknown> {
  const options = optionsOf(value, "KrakenWs", CLIENT_OPTIONS);
  for (const name of ["url", "authUrl", "level3Url", "restUrl"]) checkString(options[name], name);
  checkConnectionOptions(options);
  checkNumberOption(options.tradingTimeoutMs, "tradingTimeoutMs", { min: 1 });
  checkNumberOption(options.bufferSize, "bufferSize", { min: 1, integer: true });
  checkFunction(options.webSocket, "webSocket");
  checkFunction(options.fetch, "fetch");
  checkObject(options.clock, "clock", ["now", "setTimeout", "clearTimeout"]);
  checkObject(options.signal, "signal", ["addEventListener", "removeEventListener"]);
  checkObject(options.tap, "tap", []);
  checkObject(options.metrics, "metrics", ["clientTap"]);
  checkAuth(options.auth);
  return options;
}

/** `auth` is `{ apiKey, apiSecret }` or `{ token }`; the message never quotes a secret. */
function checkAuth(value: unknown): void {
  if (value === undefined) return;
  const auth = optionsOf(value, "auth", ["apiKey", "apiSecret", "token"]);
  if (auth.token !== undefined) {
    checkFunction(auth.token, "auth.token");
    if (auth.apiKey !== undefined || auth.apiSecret !== undefined) {
      throw new TypeError("auth takes { apiKey, apiSecret } or { token }, not both");
    }
    return;
  }
  for (const name of ["apiKey", "apiSecret"]) {
    if (typeof auth[name] !== "string" || auth[name] === "") {
      throw new TypeError(`auth.${name} must be a non-empty string`);
    }
  }
}

/**
 * Checks a trading call's options.
 *
 * @param value What the caller passed.
 * @throws {TypeError} An unknown option or one of the wrong type.
 * @throws {RangeError} A timeout that is not a positive finite number.
 *
 * @example
 * ```ts
 * import { checkTradingCallOptions } from "./client_arguments.ts";
 * checkTradingCallOptions({ timeoutMs: 5000, waitForConnection: false });
 * ```
 */
export function checkTradingCallOptions(value: unknown): void {
  const options = optionsOf(value, "trading call", ["timeoutMs", "waitForConnection"]);
  checkNumberOption(options.timeoutMs, "timeoutMs", { min: 1 });
  checkBooleanOption(options.waitForConnection, "waitForConnection");
}

/**
 * Checks what a stream is about to ask for, every request before the first goes out, so a bad
 * one leaves nothing half-subscribed.
 *
 * @param requests One request per symbol, as built from the caller's arguments.
 * @returns The same requests, checked.
 * @throws {TypeError} A field of the wrong type.
 * @throws {RangeError} A depth, interval, trigger or symbol Kraken would not take.
 *
 * @example
 * ```ts
 * import { checkedRequests } from "./client_arguments.ts";
 * const [request] = checkedRequests([{ channel: "book", symbol: "BTC/USD", depth: 25 }]);
 * console.log(request.channel); // "book"
 * ```
 */
export function checkedRequests(
  requests: readonly unknown[],
): (SubscriptionRequest | UnkeyedRequest)[] {
  return requests.map((request) => {
    checkSubscriptionRequest(request);
    return request;
  });
}

/** Every data channel and event type; `Record`s, so that the compiler keeps them complete. */
const CHANNEL_FLAGS = {
  book: true,
  trade: true,
  ticker: true,
  ohlc: true,
  instrument: true,
  executions: true,
  balances: true,
  level3: true,
} satisfies Record<DataChannel, true>;
const DATA_CHANNELS = Object.keys(CHANNEL_FLAGS);
const EVENT_TYPES = Object.keys(
  {
    ...CHANNEL_FLAGS,
    dead_man_switch: true,
    state: true,
    gap: true,
    status: true,
    error: true,
  } satisfies Record<KrakenEvent["type"], true>,
);

/**
 * Checks an `events()` filter: each part, when given, a list of known names.
 *
 * @param value What the caller passed.
 * @throws {TypeError} An unknown part, a part that is not a list, a name that is not text.
 * @throws {RangeError} An event type or channel that does not exist.
 *
 * @example
 * ```ts
 * import { checkEventFilter } from "./client_arguments.ts";
 * checkEventFilter({ types: ["gap", "error"], symbols: ["BTC/USD"] });
 * ```
 */
export function checkEventFilter(value: unknown): void {
  const filter = optionsOf(value, "events", ["types", "channels", "symbols"]);
  for (const [name, allowed] of [["types", EVENT_TYPES], ["channels", DATA_CHANNELS]] as const) {
    const list = filter[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`events: ${name} must be a list`);
    for (const item of list) {
      if (!(allowed as readonly unknown[]).includes(item)) {
        throw new RangeError(`events: ${name} has ${String(item).slice(0, 40)}, not one of them`);
      }
    }
  }
  if (filter.symbols !== undefined) {
    if (!Array.isArray(filter.symbols)) throw new TypeError("events: symbols must be a list");
    filter.symbols.forEach((symbol, index) => checkSymbol(symbol, `events: symbols[${index}]`));
  }
}
