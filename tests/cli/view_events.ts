/**
 * Builds client events for view tests, stamped with increasing `seq` and the current `time`.
 *
 * @module
 */

import type {
  BookEvent,
  ConnectionState,
  DataChannel,
  ErrorCode,
  ErrorEvent,
  GapEvent,
  StateEvent,
  StatusEvent,
  SubscriptionState,
  TradeEvent,
} from "../../src/core/events.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";

function level([priceText, qtyText]: readonly [string, string]): BookLevel {
  return { price: Number(priceText), priceText, qty: Number(qtyText), qtyText };
}

/** `count` levels stepping away from `best` by `step`, each with `qty`. */
export function ladder(
  best: number,
  step: number,
  count: number,
  decimals = 1,
  qty = "1.00000000",
): [string, string][] {
  return Array.from({ length: count }, (_, i) => [(best + step * i).toFixed(decimals), qty]);
}

/** A gap's own fields, per reason. */
type GapFields = GapEvent extends infer G
  ? G extends GapEvent ? Omit<G, "type" | "seq" | "time"> : never
  : never;

export class EventScript {
  #seq = 0;
  /** Client time of the next events, in ms. */
  time = 0;

  #stamp() {
    return { seq: ++this.#seq, time: this.time };
  }

  book(
    symbol: string,
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
    snapshot = true,
  ): BookEvent {
    return {
      type: "book",
      ...this.#stamp(),
      symbol,
      bids: bids.map(level),
      asks: asks.map(level),
      checksum: 1,
      snapshot,
      validated: true,
      changes: [],
    };
  }

  trade(
    symbol: string,
    tradeId: number,
    side: "buy" | "sell" = "buy",
    priceText = "100.0",
    qtyText = "0.10000000",
  ): TradeEvent {
    return {
      type: "trade",
      ...this.#stamp(),
      symbol,
      side,
      price: Number(priceText),
      priceText,
      qty: Number(qtyText),
      qtyText,
      ordType: "limit",
      tradeId,
      timestamp: "2026-01-01T12:34:56.000000Z",
      snapshot: false,
    };
  }

  connection(from: ConnectionState, to: ConnectionState, cause: string): StateEvent {
    return { type: "state", ...this.#stamp(), scope: "connection", from, to, cause };
  }

  subscription(
    channel: DataChannel,
    symbol: string,
    from: SubscriptionState,
    to: SubscriptionState,
    cause: string,
    attempt?: number,
  ): StateEvent {
    return {
      type: "state",
      ...this.#stamp(),
      scope: "subscription",
      channel,
      symbol,
      from,
      to,
      cause,
      ...(attempt === undefined ? {} : { attempt }),
    };
  }

  gap(fields: GapFields): GapEvent {
    return { type: "gap", ...this.#stamp(), ...fields };
  }

  status(system: string): StatusEvent {
    return { type: "status", ...this.#stamp(), system };
  }

  error(code: ErrorCode, message: string, symbol?: string, channel?: DataChannel): ErrorEvent {
    return {
      type: "error",
      ...this.#stamp(),
      code,
      message,
      ...(symbol === undefined ? {} : { symbol }),
      ...(channel === undefined ? {} : { channel }),
    };
  }
}

/** Text without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex -- escape sequences start with a control character
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Columns a text takes on screen, escape codes aside. */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
