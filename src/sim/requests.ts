/**
 * Kraken's side of the request envelope, for the simulator: what a client asked, checked as
 * Kraken checks it, and the replies Kraken sends, with its own strings.
 *
 * @module
 */

import { BOOK_DEPTHS } from "../book/order_book.ts";
import { OHLC_INTERVALS } from "../core/subscription.ts";

/**
 * A request as the simulated server understood it.
 *
 * @example
 * ```ts
 * import { parseSimRequest } from "./requests.ts";
 * const request = parseSimRequest('{"method":"ping","req_id":4}', 0);
 * console.log(request.kind); // "ping"
 * ```
 */
export type SimRequest =
  | { readonly kind: "ping"; readonly reqId?: number }
  | {
    readonly kind: "subscription";
    readonly method: "subscribe" | "unsubscribe";
    readonly reqId?: number;
    readonly channel: "book" | "trade" | "ticker" | "ohlc";
    readonly symbols: readonly string[];
    readonly depth?: number;
    readonly interval?: number;
    readonly trigger: "trades" | "bbo";
    readonly snapshot: boolean;
  }
  | {
    readonly kind: "instrument";
    readonly method: "subscribe" | "unsubscribe";
    readonly reqId?: number;
  }
  | {
    /** Refused as a whole: `reply` is the error frame to send. */
    readonly kind: "invalid";
    readonly reply: string;
  };

/**
 * RFC 3339 with microseconds, as Kraken prints its times.
 *
 * @param ms Time in ms since the epoch.
 * @returns The text, like `2026-01-01T00:00:00.000000Z`.
 *
 * @example
 * ```ts
 * import { krakenTime } from "./requests.ts";
 * console.log(krakenTime(0)); // "1970-01-01T00:00:00.000000Z"
 * ```
 */
export function krakenTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/**
 * Kraken's acknowledgement of one symbol's subscribe or unsubscribe.
 *
 * @param now Server time in ms.
 * @param method What it answers.
 * @param result The `result` object.
 * @param reqId The request's `req_id`, echoed when it had one.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { ackFrame } from "./requests.ts";
 * console.log(ackFrame(0, "subscribe", { channel: "trade", symbol: "BTC/USD" }, 7).includes('"req_id":7')); // true
 * ```
 */
export function ackFrame(
  now: number,
  method: string,
  result: Record<string, unknown>,
  reqId: number | undefined,
): string {
  return JSON.stringify({
    method,
    result,
    success: true,
    time_in: krakenTime(now),
    time_out: krakenTime(now),
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

/**
 * Kraken's error reply: `error` is a string, `symbol` is named when the error is about one.
 *
 * @param now Server time in ms.
 * @param method The method that failed.
 * @param error Kraken's text, like `Currency pair not supported XBT/USD`.
 * @param reqId The request's `req_id`, echoed when it had one.
 * @param symbol The symbol concerned, if any.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { errorFrame } from "./requests.ts";
 * console.log(JSON.parse(errorFrame(0, "subscribe", "Exceeded msg rate", 3)).success); // false
 * ```
 */
export function errorFrame(
  now: number,
  method: string,
  error: string,
  reqId: number | undefined,
  symbol?: string,
): string {
  return JSON.stringify({
    error,
    method,
    success: false,
    ...(symbol === undefined ? {} : { symbol }),
    time_in: krakenTime(now),
    time_out: krakenTime(now),
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

/**
 * Kraken's answer to a `ping`.
 *
 * @param now Server time in ms.
 * @param reqId The ping's `req_id`.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { pongFrame } from "./requests.ts";
 * console.log(JSON.parse(pongFrame(0, 9)).method); // "pong"
 * ```
 */
export function pongFrame(now: number, reqId: number | undefined): string {
  return JSON.stringify({
    method: "pong",
    ...(reqId === undefined ? {} : { req_id: reqId }),
    time_in: krakenTime(now),
    time_out: krakenTime(now),
  });
}

/**
 * A connection id like Kraken's: above 2^63, so never a JS number; made from the time of
 * connecting.
 *
 * @param now Server time in ms when the connection opened.
 * @returns The id.
 *
 * @example
 * ```ts
 * import { connectionIdAt } from "./requests.ts";
 * console.log(connectionIdAt(0) > 2n ** 63n); // true
 * ```
 */
export function connectionIdAt(now: number): bigint {
  return 12393906104898154338n + BigInt(Math.floor(now));
}

/**
 * The `status` frame Kraken sends on connect and whenever the system state changes.
 *
 * @param now Server time in ms.
 * @param system `online`, `maintenance`, `cancel_only` or `post_only`.
 * @param connectionId The connection's id (default: one made from `now`); a connection keeps
 *   its id across status changes.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { statusFrame } from "./requests.ts";
 * console.log(statusFrame(0, "maintenance").includes('"system":"maintenance"')); // true
 * ```
 */
export function statusFrame(
  now: number,
  system: string,
  connectionId: bigint = connectionIdAt(now),
): string {
  // The connection id is above 2^63 on Kraken: printed from a bigint, never a float.
  return `{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"${system}","api_version":"v2","connection_id":${connectionId}}]}`;
}

function reqIdOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Reads a client's request as Kraken would: malformed JSON, unknown methods and channels, bad
 * depths and intervals are refused with Kraken's strings.
 *
 * @param text The request as received.
 * @param now Server time in ms, for the replies' times.
 * @returns What was asked, or the error frame to answer.
 *
 * @example
 * ```ts
 * import { parseSimRequest } from "./requests.ts";
 * const bad = parseSimRequest('{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":7}}', 0);
 * if (bad.kind === "invalid") console.log(JSON.parse(bad.reply).error); // "Subscription depth not supported"
 * ```
 */
export function parseSimRequest(text: string, now: number): SimRequest {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    return { kind: "invalid", reply: errorFrame(now, "", "Malformed request", undefined) };
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return { kind: "invalid", reply: errorFrame(now, "", "Malformed request", undefined) };
  }
  const fields = request as Record<string, unknown>;
  const reqId = reqIdOf(fields.req_id);
  const method = typeof fields.method === "string" ? fields.method : "";
  if (method === "ping") return { kind: "ping", reqId };
  if (method !== "subscribe" && method !== "unsubscribe") {
    return { kind: "invalid", reply: errorFrame(now, method, `Method not found`, reqId) };
  }
  const params = typeof fields.params === "object" && fields.params !== null
    ? fields.params as Record<string, unknown>
    : {};
  const refuse = (error: string): SimRequest => ({
    kind: "invalid",
    reply: errorFrame(now, method, error, reqId),
  });
  const channel = params.channel;
  if (channel === "instrument") return { kind: "instrument", method, reqId };
  if (channel !== "book" && channel !== "trade" && channel !== "ticker" && channel !== "ohlc") {
    return refuse("Subscription name invalid");
  }
  const symbols = Array.isArray(params.symbol)
    ? params.symbol.filter((item): item is string => typeof item === "string")
    : [];
  if (symbols.length === 0) return refuse("Missing field: symbol");
  const depth = channel === "book" ? (params.depth ?? 10) : undefined;
  if (depth !== undefined && !BOOK_DEPTHS.some((known) => known === depth)) {
    return refuse("Subscription depth not supported");
  }
  const interval = channel === "ohlc" ? (params.interval ?? 1) : undefined;
  if (interval !== undefined && !OHLC_INTERVALS.some((known) => known === interval)) {
    return refuse("Subscription ohlc interval not supported");
  }
  return {
    kind: "subscription",
    method,
    reqId,
    channel,
    symbols,
    ...(depth === undefined ? {} : { depth: depth as number }),
    ...(interval === undefined ? {} : { interval: interval as number }),
    trigger: params.event_trigger === "bbo" ? "bbo" : "trades",
    // Kraken sends trade snapshots only when asked; every other channel unless told not to.
    snapshot: channel === "trade" ? params.snapshot === true : params.snapshot !== false,
  };
}
