/**
 * The client's authenticated connection (experimental): its own session and driver beside the
 * public ones, the account streams, and trading requests as promises.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { EventCounter } from "../core/event_counter.ts";
import type { ReconnectOptions } from "../core/reconnect_policy.ts";
import { Session } from "../core/session.ts";
import type { KrakenWsTap } from "../core/tap.ts";
import type { TradingOutcome } from "../core/trading.ts";
import type { TradingMethod } from "../protocol/private_messages.ts";
import { tradingParamsJson, tradingResult } from "../protocol/trading_requests.ts";
import { ClientDriver, type DriverProbe } from "./driver.ts";
import type { KrakenInternalError } from "./kraken_internal_error.ts";
import { checkTradingCallOptions } from "./client_arguments.ts";
import {
  KrakenNotSentError,
  KrakenOutcomeUnknownError,
  KrakenRequestError,
} from "./trading_errors.ts";

/**
 * How one trading call behaves.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingCallOptions } from "@kraken-ws/sdk/extended";
 * const failFast: TradingCallOptions = { waitForConnection: false, timeoutMs: 2000 };
 * console.log(failFast.waitForConnection);
 * ```
 */
export interface TradingCallOptions {
  /**
   * From the call: how long it may wait for the connection plus wait for Kraken's answer
   * (default: the client's `tradingTimeoutMs`, 10 000). Past it the promise rejects:
   * `KrakenNotSentError` if it never went out, `KrakenOutcomeUnknownError` if it did.
   */
  readonly timeoutMs?: number;
  /**
   * While the authenticated connection is down: wait for it (default true), or reject at once
   * with `KrakenNotSentError`.
   */
  readonly waitForConnection?: boolean;
}

/** Settings of an {@link AccountConnection}. */
interface AccountConnectionOptions {
  readonly url: string;
  readonly seed: number;
  readonly token: () => Promise<string>;
  readonly counter: EventCounter;
  readonly clock: Clock;
  readonly webSocket: (url: string) => WebSocket;
  readonly bufferSize: number;
  readonly tradingTimeoutMs: number;
  readonly reconnect?: ReconnectOptions;
  readonly heartbeatTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  readonly subscriptionTimeoutMs?: number;
  readonly lingerMs?: number;
  readonly tap?: KrakenWsTap;
  readonly probe?: DriverProbe;
  /** The session threw: every call waiting has been rejected, and the client must close. */
  readonly failed?: (error: KrakenInternalError) => void;
}

interface Waiting {
  readonly method: TradingMethod;
  readonly resolve: (replies: readonly unknown[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The authenticated connection of a `KrakenWs`. Not exported: `KrakenWs` is its face.
 *
 * @example
 * ```ts
 * import { AccountConnection } from "./account_connection.ts";
 * import { EventCounter, VirtualClock } from "@kraken-ws/sdk/extended";
 * const account = new AccountConnection({
 *   url: "ws://127.0.0.1:1/auth/v2", seed: 1, token: () => Promise.resolve("t"),
 *   counter: new EventCounter(), clock: new VirtualClock(0), bufferSize: 16, tradingTimeoutMs: 1000,
 *   webSocket: () => { throw new TypeError("no network in this example"); },
 * });
 * const error = await account.call("cancel_all", {}, { waitForConnection: false }).catch((e) => e);
 * console.log(error.name); // "KrakenNotSentError"
 * ```
 */
export class AccountConnection {
  /** The driver of the authenticated session. */
  readonly driver: ClientDriver;
  readonly #tradingTimeoutMs: number;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;

  /**
   * Creates the connection; nothing connects until a subscription, a call or the switch needs it.
   *
   * @param options Settings.
   */
  constructor(options: AccountConnectionOptions) {
    this.#tradingTimeoutMs = options.tradingTimeoutMs;
    this.driver = new ClientDriver({
      session: new Session({
        url: options.url,
        seed: options.seed,
        link: "private",
        counter: options.counter,
        reconnect: options.reconnect,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        pingIntervalMs: options.pingIntervalMs,
        connectTimeoutMs: options.connectTimeoutMs,
        subscriptionTimeoutMs: options.subscriptionTimeoutMs,
        lingerMs: options.lingerMs,
      }),
      clock: options.clock,
      webSocket: options.webSocket,
      bufferSize: options.bufferSize,
      tap: options.tap,
      probe: options.probe,
      token: options.token,
      settle: (id, outcome) => this.#settled(id, outcome),
      failed: (error) => {
        // Whether each call went out, a session that threw can no longer say.
        for (const [id, waiting] of this.#waiting) {
          this.#waiting.delete(id);
          waiting.reject(new KrakenOutcomeUnknownError(waiting.method, error.message));
        }
        options.failed?.(error);
      },
    });
  }

  /**
   * Sends one trading request, never more than once, and resolves with Kraken's answers (one, or
   * one per order a `cancel_order` names).
   *
   * @param method The method.
   * @param params Its parameters, checked and written before anything is sent.
   * @param options Timeout and whether to wait for the connection.
   * @param replies How many answers complete it.
   * @returns Kraken's typed results, in the order they came.
   */
  call(
    method: TradingMethod,
    params: object,
    options: TradingCallOptions = {},
    replies = 1,
  ): Promise<unknown[]> {
    let paramsJson: string;
    try {
      checkTradingCallOptions(options);
      paramsJson = tradingParamsJson(method, params as never);
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#tradingTimeoutMs;
    const id = ++this.#nextId;
    const promise = new Promise<unknown[]>((resolve, reject) => {
      this.#waiting.set(id, {
        method,
        resolve: (results) => resolve([...results]),
        reject,
      });
    });
    this.driver.dispatch({
      type: "order",
      order: {
        id,
        method,
        params: paramsJson,
        replies,
        timeoutMs,
        waitForConnection: options.waitForConnection ?? true,
      },
    });
    return promise;
  }

  #settled(id: number, outcome: TradingOutcome): void {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return;
    this.#waiting.delete(id);
    const method = waiting.method;
    switch (outcome.status) {
      case "answered": {
        let results: unknown[];
        try {
          results = outcome.replies.map((reply) => tradingResult(method, reply.result));
        } catch (error) {
          // Done, by Kraken's word, but in a shape this SDK cannot read: the caller must check.
          waiting.reject(
            new KrakenOutcomeUnknownError(
              method,
              `answered in an unexpected shape: ${error instanceof Error ? error.message : error}`,
            ),
          );
          return;
        }
        // Some orders refused: the call fails, saying what was done.
        if (outcome.errors.length > 0) {
          waiting.reject(new KrakenRequestError(method, outcome.errors[0], results));
        } else waiting.resolve(results);
        return;
      }
      case "refused":
        waiting.reject(new KrakenRequestError(method, outcome.error));
        return;
      case "unsent":
        waiting.reject(new KrakenNotSentError(method, outcome.reason));
        return;
      case "unknown":
        waiting.reject(new KrakenOutcomeUnknownError(method, outcome.reason));
        return;
    }
  }
}
