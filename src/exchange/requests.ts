/**
 * Kraken's side of the request envelope: what a client asked, checked as Kraken checks it; a
 * request Kraken refuses as a whole comes with its error frame, in Kraken's own strings.
 *
 * @module
 */

import { BOOK_DEPTHS } from "../book/order_book.ts";
import { OHLC_INTERVALS } from "../core/subscription.ts";
import { errorFrame } from "./frames.ts";

/**
 * A request as the fake exchange understood it.
 *
 * @example
 * ```ts
 * import { parseClientRequest } from "./requests.ts";
 * const request = parseClientRequest('{"method":"ping","req_id":4}', 0);
 * console.log(request.kind); // "ping"
 * ```
 */
export type ClientRequest =
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
 * import { parseClientRequest } from "./requests.ts";
 * const bad = parseClientRequest('{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":7}}', 0);
 * if (bad.kind === "invalid") console.log(JSON.parse(bad.reply).error); // "Subscription depth not supported"
 * ```
 */
export function parseClientRequest(text: string, now: number): ClientRequest {
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
  const refuse = (error: string): ClientRequest => ({
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
