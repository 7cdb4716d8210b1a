/**
 * What is counted: the one definition of each thing that the client's consumers count, so that a
 * dashboard (`ClientMetrics`) and a screen (the live view) fed the same events show the same
 * numbers. Each is a pure test of one event, and each is what the README's "What is counted"
 * list says in one sentence.
 *
 * @module
 */

import type { ErrorEvent, GapEvent, GapReason, KrakenEvent, StateEvent } from "./events.ts";

/**
 * The reasons a gap is counted under: every {@link GapReason} but `overflow`, which is a consumer
 * falling behind, not data lost from Kraken (see {@link isGap}).
 *
 * @example
 * ```ts
 * import type { CountedGapReason } from "@kraken-ws/sdk/extended";
 * const byReason: Record<CountedGapReason, number> = {
 *   checksum: 0, crossed: 0, sequence: 0, reconnect: 1, resubscribe: 0, decode: 0,
 * };
 * console.log(byReason.reconnect); // 1
 * ```
 */
export type CountedGapReason = Exclude<GapReason, "overflow">;

/**
 * A resync: the client gave up what it held of a subscription and subscribed again for a fresh
 * snapshot. That is a subscription's `state` event to `resyncing`, whatever the cause: a checksum
 * mismatch, a crossed book, an undecodable frame naming the book, a deeper depth asked for, or
 * Kraken answering `Already subscribed`.
 *
 * Why this definition: the move to `resyncing` is the session's one statement that it threw a
 * book away; counting causes instead (checksum and crossed gaps) would miss the others and would
 * count again what the `gap` events already count. Each move is one resync, so a fresh snapshot
 * that fails again is a second one (the event's `attempt` says which). A subscription that went
 * silent and is subscribed again is not a resync: it goes `stale`, and its loss is a
 * `resubscribe` gap.
 *
 * @param event Any event of the client.
 * @returns True when `event` is a resync.
 *
 * @example
 * ```ts
 * import { isResync } from "@kraken-ws/sdk/extended";
 * console.log(isResync({
 *   type: "state", scope: "subscription", channel: "book", symbol: "BTC/USD",
 *   from: "synced", to: "resyncing", cause: "mismatch", attempt: 1, seq: 7, time: 0,
 * })); // true
 * ```
 */
export function isResync(
  event: KrakenEvent,
): event is Extract<StateEvent, { readonly scope: "subscription" }> {
  return event.type === "state" && event.scope === "subscription" && event.to === "resyncing";
}

/**
 * A connection attempt: the connection's `state` event to `connecting`, the first (`start`) and
 * every retry after it. Per the transition table nothing else leads there, so this is exactly
 * one socket being opened.
 *
 * @param event Any event of the client.
 * @returns True when `event` is a connection attempt.
 *
 * @example
 * ```ts
 * import { isConnectionAttempt } from "@kraken-ws/sdk/extended";
 * console.log(isConnectionAttempt({
 *   type: "state", scope: "connection", from: "idle", to: "connecting", cause: "subscribe",
 *   seq: 1, time: 0,
 * })); // true
 * ```
 */
export function isConnectionAttempt(
  event: KrakenEvent,
): event is Extract<StateEvent, { readonly scope: "connection" }> {
  return event.type === "state" && event.scope === "connection" && event.to === "connecting";
}

/**
 * A reconnect: a new connection attempt after a link was lost or an attempt failed. That is the
 * connection's `state` event from `backoff` to `connecting`, the table's `retry`.
 *
 * Why this definition: it counts what the word says, connecting again, and nothing else. A link
 * lost (or an attempt failed) is a move to `backoff`, but a client closed during its backoff
 * never connects again, so counting moves to `backoff` would count reconnects that never
 * happened. Every reconnect is also a connection attempt: attempts are the first connection
 * plus the reconnects.
 *
 * @param event Any event of the client.
 * @returns True when `event` is a reconnect.
 *
 * @example
 * ```ts
 * import { isReconnect } from "@kraken-ws/sdk/extended";
 * const retry = {
 *   type: "state", scope: "connection", from: "backoff", to: "connecting", cause: "retry",
 *   seq: 9, time: 0,
 * } as const;
 * console.log(isReconnect(retry), isReconnect({ ...retry, from: "idle", cause: "subscribe" }));
 * // true false
 * ```
 */
export function isReconnect(
  event: KrakenEvent,
): event is Extract<StateEvent, { readonly scope: "connection" }> {
  return event.type === "state" && event.scope === "connection" && event.from === "backoff" &&
    event.to === "connecting";
}

/**
 * A gap: data the client lost between Kraken and itself, one per `gap` event the client emits,
 * by its `reason` (every reason but `overflow`).
 *
 * Why this definition: an `overflow` gap is not data lost from Kraken but a consumer too slow for
 * its stream, and it reaches only the stream that overflowed, so a consumer of some streams would
 * see some overflows and not others. Overflows are counted apart, once per stream that fell
 * behind, from the tap's `overflow` call.
 *
 * @param event Any event of the client.
 * @returns True when `event` is a gap.
 *
 * @example
 * ```ts
 * import { isGap } from "@kraken-ws/sdk/extended";
 * console.log(isGap({ type: "gap", reason: "crossed", channel: "book", seq: 3, time: 0 })); // true
 * console.log(isGap({ type: "gap", reason: "overflow", dropped: 5, seq: 4, time: 0 })); // false
 * ```
 */
export function isGap(
  event: KrakenEvent,
): event is GapEvent & { readonly reason: CountedGapReason } {
  return event.type === "gap" && event.reason !== "overflow";
}

/**
 * A decode error: a frame the client could not decode, one `error` event with code `decode`.
 * The same frame also makes a `decode` gap, which counts what was lost rather than what failed;
 * it is never counted as a decode error a second time.
 *
 * @param event Any event of the client.
 * @returns True when `event` is a decode error.
 *
 * @example
 * ```ts
 * import { isDecodeError } from "@kraken-ws/sdk/extended";
 * console.log(isDecodeError({
 *   type: "error", code: "decode", message: "invalid JSON", excerpt: "{", seq: 5, time: 0,
 * })); // true
 * ```
 */
export function isDecodeError(event: KrakenEvent): event is ErrorEvent {
  return event.type === "error" && event.code === "decode";
}
