/**
 * What goes into a session and what comes out of it: the whole contract between the sans-I/O core
 * and its driver.
 *
 * @module
 */

import type { DataChannel, KrakenEvent } from "./events.ts";
import type { TradingOrder, TradingOutcome } from "./trading.ts";
import type { SubscriptionRequest, UnkeyedRequest } from "./subscription.ts";

/**
 * An input to the session. Socket inputs name the connection they belong to; inputs of a
 * connection the session already left are ignored.
 *
 * `overflow` says a consumer's stream dropped `dropped` events: the session answers with the
 * overflow gap, addressed to that consumer (a book stream conflates instead: it keeps the newest
 * book and counts what it skipped), so
 * every event a stream sees still comes out of the session with its `seq`. `defect` reports a
 * defect the driver caught (the session itself threw, or a tap did) as an `internal` error event.
 * `describe` tells a consumer where everything stands, as `state` events addressed to it: the
 * connection's state, then each subscription's, each with `from` equal to `to` and the cause
 * `current`; a stream that starts late starts from the present, not from nothing.
 *
 * The authenticated connection (experimental): `opened` carries the token fetched for that
 * connection; `token` a fresh one asked for with a `fetchToken` effect; `authFailed` says no token
 * could be had (the attempt fails, and it retries with backoff); `order` is a trading request and
 * `deadManSwitch` sets the countdown (0: off).
 *
 * @example
 * ```ts
 * import type { SessionInput } from "@kraken-ws/sdk/extended";
 * const input: SessionInput = { type: "closed", connection: 1, code: 1006, reason: "" };
 * console.log(input.type);
 * ```
 */
export type SessionInput =
  | { readonly type: "start" }
  | { readonly type: "stop" }
  | { readonly type: "opened"; readonly connection: number; readonly token?: string }
  | { readonly type: "token"; readonly connection: number; readonly token: string }
  | { readonly type: "authFailed"; readonly connection: number; readonly message: string }
  | { readonly type: "order"; readonly order: TradingOrder }
  | { readonly type: "deadManSwitch"; readonly timeoutSeconds: number }
  | {
    readonly type: "closed";
    readonly connection: number;
    readonly code: number;
    readonly reason: string;
  }
  | { readonly type: "frame"; readonly connection: number; readonly text: string }
  | { readonly type: "timer"; readonly id: string }
  | {
    readonly type: "subscribe";
    readonly consumer: number;
    readonly request: SubscriptionRequest | UnkeyedRequest;
  }
  | { readonly type: "unsubscribe"; readonly consumer: number }
  | {
    readonly type: "overflow";
    readonly consumer: number;
    readonly dropped: number;
    readonly channel?: DataChannel;
    readonly symbol?: string;
  }
  | { readonly type: "defect"; readonly message: string }
  | { readonly type: "describe"; readonly consumer: number };

/**
 * What the driver must do. An `emit` with a `consumer` is for that consumer's stream alone (a
 * stream's own overflow gap, or the books it starts from); without one, it goes to every stream it
 * concerns, to taps and to the unified event stream. On the authenticated connection,
 * `fetchToken` asks for a fresh token for `connection` (answered with a `token` or `authFailed`
 * input) and `settle` ends a trading request.
 *
 * @example
 * ```ts
 * import type { SessionEffect } from "@kraken-ws/sdk/extended";
 * const effect: SessionEffect = { type: "setTimer", id: "ping", delayMs: 30_000 };
 * console.log(effect.type);
 * ```
 */
export type SessionEffect =
  | { readonly type: "open"; readonly connection: number; readonly url: string }
  | {
    readonly type: "close";
    readonly connection: number;
    readonly code: number;
    readonly reason: string;
  }
  | { readonly type: "send"; readonly connection: number; readonly text: string }
  | { readonly type: "setTimer"; readonly id: string; readonly delayMs: number }
  | { readonly type: "cancelTimer"; readonly id: string }
  | { readonly type: "emit"; readonly event: KrakenEvent; readonly consumer?: number }
  | { readonly type: "fetchToken"; readonly connection: number }
  | { readonly type: "settle"; readonly id: number; readonly outcome: TradingOutcome };
