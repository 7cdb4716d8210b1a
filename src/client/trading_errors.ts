/**
 * How a trading request fails: Kraken refused it, it was never sent, or its outcome is unknown.
 * Each is its own class, because each asks something different of the caller.
 *
 * @experimental
 *
 * @module
 */

import type { TradingMethod } from "../protocol/private_messages.ts";

/**
 * Kraken refused a trading request: nothing was done. `message` is Kraken's error exactly as
 * sent (`EOrder:Insufficient funds`, `EGeneral:Invalid arguments:volume minimum not met`); `code`
 * is its first two parts (`EOrder:Insufficient funds`, `EGeneral:Invalid arguments`), to match on.
 * A rate limit (`rateLimited`) is never retried by the client: slow down, then try again.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { KrakenRequestError } from "@kraken-ws/sdk/extended";
 * const error = new KrakenRequestError("add_order", "EOrder:Rate limit exceeded");
 * console.log(error.code, error.rateLimited); // "EOrder:Rate limit exceeded" true
 * ```
 */
export class KrakenRequestError extends Error {
  /** The method refused. */
  readonly method: TradingMethod;
  /**
   * What Kraken did do, for a request answered once per order: a `cancel_order` naming several
   * orders of which some were cancelled and some refused lists the cancelled ones' results here.
   */
  readonly answered: readonly unknown[];
  /** Kraken's error category and message, like `EOrder:Insufficient funds`. */
  readonly code: string;
  /** Whether Kraken refused it for a rate limit. */
  readonly rateLimited: boolean;

  /**
   * Creates the error.
   *
   * @param method The method refused.
   * @param error Kraken's error, as sent.
   * @param answered The results of the orders Kraken did answer, for a request answered per order.
   */
  constructor(method: TradingMethod, error: string, answered: readonly unknown[] = []) {
    super(error);
    this.name = "KrakenRequestError";
    this.method = method;
    this.answered = answered;
    this.code = error.split(":").slice(0, 2).join(":");
    this.rateLimited = /rate limit exceeded|exceeded msg rate/i.test(error);
  }
}

/**
 * A trading request was sent and its answer never came: the link was lost, or the timeout passed.
 * Kraken may or may not have done it, and the client never sends it again on its own: find out
 * from `executions` (by the `clOrdId` you gave it, ideally) before deciding what to do.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { KrakenOutcomeUnknownError } from "@kraken-ws/sdk/extended";
 * const error = new KrakenOutcomeUnknownError("add_order", "no answer within 10000 ms");
 * console.log(error.message); // "add_order outcome unknown: no answer within 10000 ms"
 * ```
 */
export class KrakenOutcomeUnknownError extends Error {
  /** The method sent. */
  readonly method: TradingMethod;
  /** Why the answer is missing. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param method The method sent.
   * @param reason Why the answer is missing.
   */
  constructor(method: TradingMethod, reason: string) {
    super(`${method} outcome unknown: ${reason}`);
    this.name = "KrakenOutcomeUnknownError";
    this.method = method;
    this.reason = reason;
  }
}

/**
 * A trading request never left the client (no connection in time, the client closed, or the
 * caller asked not to wait): Kraken did nothing, and it is safe to ask again.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { KrakenNotSentError } from "@kraken-ws/sdk/extended";
 * const error = new KrakenNotSentError("cancel_all", "not connected");
 * console.log(error.message); // "cancel_all not sent: not connected"
 * ```
 */
export class KrakenNotSentError extends Error {
  /** The method asked for. */
  readonly method: TradingMethod;
  /** Why it was not sent. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param method The method asked for.
   * @param reason Why it was not sent.
   */
  constructor(method: TradingMethod, reason: string) {
    super(`${method} not sent: ${reason}`);
    this.name = "KrakenNotSentError";
    this.method = method;
    this.reason = reason;
  }
}
