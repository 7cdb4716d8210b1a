/**
 * Which request on the wire an answer from Kraken belongs to.
 *
 * @module
 */

import type { Subscription } from "./subscription.ts";

/**
 * A request on the wire, waiting for its answer.
 *
 * @example
 * ```ts
 * import type { InFlight } from "./answer_matching.ts";
 * import { Subscription } from "./subscription.ts";
 * const request: InFlight = {
 *   method: "subscribe",
 *   subscription: new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0),
 *   sentAt: 0,
 * };
 * console.log(request.method);
 * ```
 */
export interface InFlight {
  /** What was asked. */
  readonly method: "subscribe" | "unsubscribe";
  /** For which subscription. */
  readonly subscription: Subscription;
  /** Client time it was sent. */
  readonly sentAt: number;
}

/**
 * What an answer names of the request it answers; each field narrows the match when present, and
 * an empty `method` matches any.
 *
 * @example
 * ```ts
 * import type { AnswerNames } from "./answer_matching.ts";
 * const names: AnswerNames = { method: "subscribe", symbol: "XBT/USD" };
 * console.log(names.symbol);
 * ```
 */
export interface AnswerNames {
  /** `subscribe` or `unsubscribe`, or empty when the answer does not say. */
  readonly method: string;
  /** The pair. */
  readonly symbol?: string;
  /** The channel. */
  readonly channel?: string;
  /** The OHLC interval. */
  readonly interval?: number;
}

/**
 * The `req_id` of the request an answer belongs to. Kraken echoes `req_id`, but its documented
 * error frames may carry none: then the answer goes to the oldest request on the wire that fits
 * what the answer names, because Kraken answers in order.
 *
 * @param inFlight Requests on the wire by `req_id`, oldest first.
 * @param reqId The answer's `req_id`, if it has one.
 * @param names What the answer names.
 * @returns The `req_id` of the request answered, or undefined when it is none of them.
 *
 * @example
 * ```ts
 * import { matchAnswer, type InFlight } from "./answer_matching.ts";
 * import { Subscription } from "./subscription.ts";
 * const request = (symbol: string): InFlight => ({
 *   method: "subscribe",
 *   subscription: new Subscription({ channel: "trade", symbol }, 0, 0),
 *   sentAt: 0,
 * });
 * const inFlight = new Map([[1, request("BTC/USD")], [2, request("XBT/USD")]]);
 * console.log(matchAnswer(inFlight, undefined, { method: "subscribe", symbol: "XBT/USD" })); // 2
 * ```
 */
export function matchAnswer(
  inFlight: ReadonlyMap<number, InFlight>,
  reqId: number | undefined,
  names: AnswerNames,
): number | undefined {
  if (reqId !== undefined) return inFlight.has(reqId) ? reqId : undefined;
  for (const [id, { method, subscription }] of inFlight) {
    if (names.method !== "" && method !== names.method) continue;
    if (names.symbol !== undefined && subscription.symbol !== names.symbol) continue;
    if (names.channel !== undefined && subscription.channel !== names.channel) continue;
    if (names.interval !== undefined && subscription.interval !== names.interval) continue;
    return id;
  }
  return undefined;
}
