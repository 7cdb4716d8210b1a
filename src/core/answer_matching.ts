/**
 * Which request on the wire an answer from Kraken belongs to. One request may carry many symbols
 * (Kraken answers each symbol on its own, with the request's `req_id`), so an answer is matched to
 * a request and then to the subscriptions in it that it names.
 *
 * @module
 */

import type { Subscription } from "./subscription.ts";

/**
 * One subscription's part of a request on the wire.
 *
 * @example
 * ```ts
 * import type { InFlight } from "./answer_matching.ts";
 * import { Subscription } from "./subscription.ts";
 * const request: InFlight = {
 *   reqId: 7,
 *   method: "subscribe",
 *   subscription: new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0),
 *   sentAt: 0,
 * };
 * console.log(request.method);
 * ```
 */
export interface InFlight {
  /** The request's `req_id`. */
  readonly reqId: number;
  /** What was asked. */
  readonly method: "subscribe" | "unsubscribe";
  /** For which subscription. */
  readonly subscription: Subscription;
  /** Client time it was sent. */
  readonly sentAt: number;
}

/**
 * A request on the wire: one method, one channel and its parameters, the subscriptions of every
 * symbol it names that are still unanswered.
 *
 * @example
 * ```ts
 * import type { InFlightRequest } from "./answer_matching.ts";
 * import { Subscription } from "./subscription.ts";
 * const request: InFlightRequest = {
 *   method: "subscribe",
 *   subscriptions: [new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0)],
 *   sentAt: 0,
 * };
 * console.log(request.subscriptions.length); // 1
 * ```
 */
export interface InFlightRequest {
  /** What was asked. */
  readonly method: "subscribe" | "unsubscribe";
  /** The subscriptions still waiting for their answer, in the order they were named. */
  readonly subscriptions: Subscription[];
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
 * Whether `subscription` fits what an answer names. Found by its `req_id`, an answer is the
 * request's whatever interval it names: a wrong one is for the answer's reader to refuse, not a
 * reason to leave the request unanswered.
 */
function fits(subscription: Subscription, names: AnswerNames, byReqId: boolean): boolean {
  return (names.symbol === undefined || subscription.symbol === names.symbol) &&
    (names.channel === undefined || subscription.channel === names.channel) &&
    (byReqId || names.interval === undefined || subscription.interval === names.interval);
}

/**
 * The request an answer belongs to, and which of its subscriptions it answers. Kraken echoes
 * `req_id` and names the symbol it answers; an answer that names no symbol (a refusal of the
 * whole request, like `Exceeded msg rate`, or any answer about `instrument`, which has no symbol)
 * answers every subscription still waiting in it that fits its channel. Its
 * documented error frames may carry no `req_id`: then the answer goes to the oldest request on the
 * wire that fits what it names (method, symbol, channel, interval), because Kraken answers in
 * order.
 *
 * @param inFlight Requests on the wire by `req_id`, oldest first.
 * @param reqId The answer's `req_id`, if it has one.
 * @param names What the answer names.
 * @returns The request's `req_id` and the subscriptions answered, or undefined for none.
 *
 * @example
 * ```ts
 * import { type InFlightRequest, matchAnswer } from "./answer_matching.ts";
 * import { Subscription } from "./subscription.ts";
 * const trade = (symbol: string) => new Subscription({ channel: "trade", symbol }, 0, 0);
 * const inFlight = new Map<number, InFlightRequest>([
 *   [4, { method: "subscribe", subscriptions: [trade("BTC/USD"), trade("ETH/USD")], sentAt: 0 }],
 * ]);
 * const match = matchAnswer(inFlight, 4, { method: "subscribe", symbol: "ETH/USD" });
 * console.log(match?.subscriptions.map((subscription) => subscription.symbol)); // [ "ETH/USD" ]
 * ```
 */
export function matchAnswer(
  inFlight: ReadonlyMap<number, InFlightRequest>,
  reqId: number | undefined,
  names: AnswerNames,
): { readonly reqId: number; readonly subscriptions: Subscription[] } | undefined {
  if (reqId !== undefined) {
    const request = inFlight.get(reqId);
    if (request === undefined) return undefined;
    const named = request.subscriptions.filter((subscription) => fits(subscription, names, true));
    if (names.symbol === undefined) return { reqId, subscriptions: named };
    if (named.length > 0) return { reqId, subscriptions: named.slice(0, 1) };
    // The request echoed names no symbol of ours: with one symbol it can only be that one.
    return request.subscriptions.length === 1
      ? { reqId, subscriptions: request.subscriptions.slice() }
      : undefined;
  }
  for (const [id, request] of inFlight) {
    if (names.method !== "" && request.method !== names.method) continue;
    const named = request.subscriptions.filter((subscription) => fits(subscription, names, false));
    if (named.length === 0) continue;
    return { reqId: id, subscriptions: names.symbol === undefined ? named : named.slice(0, 1) };
  }
  return undefined;
}
