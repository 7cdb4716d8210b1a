/**
 * Requests the client sends: `subscribe`, `unsubscribe` and `ping`, each with a `req_id`.
 *
 * @module
 */

/**
 * Parameters of a public subscription, in Kraken's wire names.
 *
 * @example
 * ```ts
 * import type { SubscriptionParams } from "@kraken-ws/sdk/extended";
 * const params: SubscriptionParams = { channel: "book", symbol: ["BTC/USD"], depth: 10, snapshot: true };
 * console.log(params.channel);
 * ```
 */
export interface SubscriptionParams {
  /** `book`, `trade`, `ticker`, `ohlc`, `instrument`, or a channel this SDK does not know yet. */
  readonly channel: string;
  /** Pairs, like `["BTC/USD"]`; absent for `instrument`. */
  readonly symbol?: readonly string[];
  /** Book depth: 10, 25, 100, 500 or 1000. */
  readonly depth?: number;
  /** Whether to start with a snapshot. */
  readonly snapshot?: boolean;
  /** Ticker trigger: `trades` (default) or `bbo`. */
  readonly event_trigger?: "trades" | "bbo";
  /** OHLC interval in minutes. */
  readonly interval?: number;
  /** `executions`: open orders in the snapshot. */
  readonly snap_orders?: boolean;
  /** `executions`: the last fills in the snapshot. */
  readonly snap_trades?: boolean;
  /** `executions`: every status transition. */
  readonly order_status?: boolean;
  /** `executions`: Kraken's rate counter in the stream. */
  readonly ratecounter?: boolean;
  /** The session token of an account channel; the session adds it when it sends. */
  readonly token?: string;
}

/**
 * Builds a `subscribe` request.
 *
 * @param params What to subscribe to.
 * @param reqId Echoed back in the acknowledgement so it can be matched.
 * @returns The request text.
 *
 * @example
 * ```ts
 * import { encodeSubscribe } from "@kraken-ws/sdk/extended";
 * console.log(encodeSubscribe({ channel: "book", symbol: ["BTC/USD"], depth: 10 }, 7));
 * // {"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":7}
 * ```
 */
export function encodeSubscribe(params: SubscriptionParams, reqId: number): string {
  return JSON.stringify({ method: "subscribe", params, req_id: reqId });
}

/**
 * Builds an `unsubscribe` request; it names the same params as the subscription (a book's `depth`
 * included).
 *
 * @param params What to unsubscribe from.
 * @param reqId Echoed back in the acknowledgement.
 * @returns The request text.
 *
 * @example
 * ```ts
 * import { encodeUnsubscribe } from "@kraken-ws/sdk/extended";
 * console.log(encodeUnsubscribe({ channel: "trade", symbol: ["BTC/USD"] }, 8));
 * ```
 */
export function encodeUnsubscribe(params: SubscriptionParams, reqId: number): string {
  return JSON.stringify({ method: "unsubscribe", params, req_id: reqId });
}

/**
 * Builds an application-level `ping`; Kraken closes a connection that sends nothing for about 60 s.
 *
 * @param reqId Echoed back in the `pong`.
 * @returns The request text.
 *
 * @example
 * ```ts
 * import { encodePing } from "@kraken-ws/sdk/extended";
 * console.log(encodePing(9)); // {"method":"ping","req_id":9}
 * ```
 */
export function encodePing(reqId: number): string {
  return JSON.stringify({ method: "ping", req_id: reqId });
}
