/**
 * What an event is about: its channel and its pair, where it has them. The client routes events to
 * streams by these, and the seeded simulation holds the streams to the same reading.
 *
 * @module
 */

import type { DataChannel, KrakenEvent } from "./events.ts";

/**
 * The channel an event concerns: a data event's own, a gap's, an error's or a subscription
 * state's; undefined for a connection state, a status, or a loss no one can place.
 *
 * @param event Any event of the client.
 * @returns The channel, or undefined.
 *
 * @example
 * ```ts
 * import { eventChannel } from "@kraken-ws/sdk/extended";
 * console.log(eventChannel({ type: "gap", reason: "decode", seq: 1, time: 0 })); // undefined
 * ```
 */
export function eventChannel(event: KrakenEvent): DataChannel | undefined {
  switch (event.type) {
    case "book":
    case "trade":
    case "ticker":
    case "ohlc":
    case "instrument":
    case "executions":
    case "balances":
    case "level3":
      return event.type;
    case "gap":
    case "error":
      return event.channel;
    case "state":
      return event.scope === "subscription" ? event.channel : undefined;
    default:
      return undefined;
  }
}

/**
 * The pair an event concerns, where it names one.
 *
 * @param event Any event of the client.
 * @returns The symbol, or undefined.
 *
 * @example
 * ```ts
 * import { eventSymbol } from "@kraken-ws/sdk/extended";
 * console.log(eventSymbol({ type: "status", system: "online", seq: 1, time: 0 })); // undefined
 * ```
 */
export function eventSymbol(event: KrakenEvent): string | undefined {
  switch (event.type) {
    case "book":
    case "trade":
    case "ticker":
    case "ohlc":
    case "level3":
    case "gap":
    case "error":
      return event.symbol;
    case "state":
      return event.scope === "subscription" ? event.symbol : undefined;
    default:
      return undefined;
  }
}
