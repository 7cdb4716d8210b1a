/**
 * The subscription state machine as data: every move a subscription can make, and nothing else.
 *
 * The table is wide on purpose. Kraken's answers are matched to requests that may overlap (a
 * resubscribe while an earlier subscribe is still on the wire), may come out of order, twice, or
 * never; the session acts on each answer whatever state the subscription reached meanwhile, so
 * every such meeting is a row here rather than a surprise at run time.
 *
 * @module
 */

import type { SubscriptionState } from "./events.ts";

/**
 * What can move a subscription.
 *
 * - `subscribe`: a stream asked for it (a new subscription, or one Kraken refused, asked again).
 * - `acknowledged`: Kraken acknowledged a trade, ticker or OHLC subscribe: data flows.
 * - `book_acknowledged`: Kraken acknowledged a book subscribe: its snapshot is awaited.
 * - `depth_changed`: a stream wants a deeper book than the one subscribed (or on the wire).
 * - `snapshot`: a book snapshot applied and verified.
 * - `validation_failed`: a book failed its checksum or crossed.
 * - `undecodable`: a frame naming the book could not be decoded.
 * - `no_snapshot`: the awaited snapshot did not come in time.
 * - `silent`: no data and no heartbeat past the subscription timeout.
 * - `subscribe_timeout`: a subscribe went unanswered.
 * - `already_subscribed`: Kraken holds a subscription the session does not: start over.
 * - `rejected`: Kraken refused a subscribe (for a subscription nobody wants any more, that is
 *   its end).
 * - `unsubscribe`: the last stream left and Kraken holds, or may hold, it.
 * - `unsubscribe_local`: the last stream left and there is nothing on the wire to undo.
 * - `unsubscribe_acknowledged`, `unsubscribe_rejected`, `unsubscribe_timeout`: the unsubscribe
 *   was answered, refused (Kraken no longer had it), or never answered.
 * - `wanted_again`: a stream asked for it while it was being unsubscribed.
 * - `disconnected`: the connection was lost; it will be replayed on the next.
 * - `closed`: the session reached `closed`.
 *
 * @example
 * ```ts
 * import type { SubscriptionTrigger } from "@kraken-ws/sdk/extended";
 * const trigger: SubscriptionTrigger = "validation_failed";
 * console.log(trigger);
 * ```
 */
export type SubscriptionTrigger =
  | "subscribe"
  | "acknowledged"
  | "book_acknowledged"
  | "depth_changed"
  | "snapshot"
  | "validation_failed"
  | "undecodable"
  | "no_snapshot"
  | "silent"
  | "subscribe_timeout"
  | "already_subscribed"
  | "rejected"
  | "unsubscribe"
  | "unsubscribe_local"
  | "unsubscribe_acknowledged"
  | "unsubscribe_rejected"
  | "unsubscribe_timeout"
  | "wanted_again"
  | "disconnected"
  | "closed";

/**
 * One row of the subscription transition table.
 *
 * @example
 * ```ts
 * import type { SubscriptionTransition } from "@kraken-ws/sdk/extended";
 * const row: SubscriptionTransition = { from: "awaiting_snapshot", trigger: "snapshot", to: "synced" };
 * console.log(row.to);
 * ```
 */
export interface SubscriptionTransition {
  /** State before. */
  readonly from: SubscriptionState;
  /** What happened. */
  readonly trigger: SubscriptionTrigger;
  /** State after. */
  readonly to: SubscriptionState;
}

/**
 * Every legal move of a subscription. Anything not here is an
 * {@link IllegalSubscriptionTransitionError}. A row whose `from` and `to` are equal changes
 * nothing and emits no `state` event.
 *
 * @example
 * ```ts
 * import { SUBSCRIPTION_TRANSITIONS } from "@kraken-ws/sdk/extended";
 * console.log(SUBSCRIPTION_TRANSITIONS.filter((row) => row.to === "resyncing").length);
 * ```
 */
export const SUBSCRIPTION_TRANSITIONS: readonly SubscriptionTransition[] = [
  { from: "unsubscribed", trigger: "subscribe", to: "pending" },
  { from: "pending", trigger: "acknowledged", to: "synced" },
  { from: "pending", trigger: "book_acknowledged", to: "awaiting_snapshot" },
  { from: "pending", trigger: "depth_changed", to: "resyncing" },
  { from: "pending", trigger: "subscribe_timeout", to: "stale" },
  { from: "pending", trigger: "already_subscribed", to: "resyncing" },
  { from: "pending", trigger: "rejected", to: "rejected" },
  { from: "pending", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "pending", trigger: "unsubscribe_local", to: "unsubscribed" },
  { from: "pending", trigger: "disconnected", to: "pending" },
  { from: "pending", trigger: "closed", to: "unsubscribed" },
  // Only books await a snapshot: a trade, ticker or OHLC acknowledgement never meets this state.
  // A subscription has one request on the wire, and it is acknowledged or synced only once that
  // request is answered: no answer meets these two states.
  { from: "awaiting_snapshot", trigger: "snapshot", to: "synced" },
  { from: "awaiting_snapshot", trigger: "validation_failed", to: "resyncing" },
  { from: "awaiting_snapshot", trigger: "undecodable", to: "resyncing" },
  { from: "awaiting_snapshot", trigger: "no_snapshot", to: "stale" },
  { from: "awaiting_snapshot", trigger: "depth_changed", to: "resyncing" },
  { from: "awaiting_snapshot", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "awaiting_snapshot", trigger: "unsubscribe_local", to: "unsubscribed" },
  { from: "awaiting_snapshot", trigger: "disconnected", to: "pending" },
  { from: "awaiting_snapshot", trigger: "closed", to: "unsubscribed" },
  { from: "synced", trigger: "snapshot", to: "synced" },
  { from: "synced", trigger: "validation_failed", to: "resyncing" },
  { from: "synced", trigger: "undecodable", to: "resyncing" },
  { from: "synced", trigger: "silent", to: "stale" },
  { from: "synced", trigger: "depth_changed", to: "resyncing" },
  { from: "synced", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "synced", trigger: "unsubscribe_local", to: "unsubscribed" },
  { from: "synced", trigger: "disconnected", to: "pending" },
  { from: "synced", trigger: "closed", to: "unsubscribed" },
  { from: "stale", trigger: "acknowledged", to: "synced" },
  { from: "stale", trigger: "book_acknowledged", to: "awaiting_snapshot" },
  { from: "stale", trigger: "depth_changed", to: "resyncing" },
  { from: "stale", trigger: "subscribe_timeout", to: "stale" },
  { from: "stale", trigger: "already_subscribed", to: "resyncing" },
  { from: "stale", trigger: "rejected", to: "rejected" },
  { from: "stale", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "stale", trigger: "unsubscribe_local", to: "unsubscribed" },
  { from: "stale", trigger: "disconnected", to: "pending" },
  { from: "stale", trigger: "closed", to: "unsubscribed" },
  { from: "resyncing", trigger: "acknowledged", to: "synced" },
  { from: "resyncing", trigger: "book_acknowledged", to: "awaiting_snapshot" },
  { from: "resyncing", trigger: "depth_changed", to: "resyncing" },
  { from: "resyncing", trigger: "subscribe_timeout", to: "stale" },
  { from: "resyncing", trigger: "already_subscribed", to: "resyncing" },
  { from: "resyncing", trigger: "rejected", to: "rejected" },
  { from: "resyncing", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "resyncing", trigger: "unsubscribe_local", to: "unsubscribed" },
  { from: "resyncing", trigger: "disconnected", to: "pending" },
  { from: "resyncing", trigger: "closed", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "unsubscribe_acknowledged", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "unsubscribe_rejected", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "unsubscribe_timeout", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "rejected", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "wanted_again", to: "pending" },
  // Kraken forgets a subscription with the connection: the unsubscribe has nothing left to do.
  { from: "unsubscribing", trigger: "disconnected", to: "unsubscribed" },
  { from: "unsubscribing", trigger: "closed", to: "unsubscribed" },
  { from: "rejected", trigger: "subscribe", to: "pending" },
  // A refusal leaves nothing on the wire, and a subscription has one request there at a time, so
  // no answer meets a refused subscription, but for the unsubscribe that undoes an
  // acknowledgement the client could not honour.
  { from: "rejected", trigger: "unsubscribe", to: "unsubscribing" },
  { from: "rejected", trigger: "unsubscribe_local", to: "unsubscribed" },
];

const TABLE = new Map<string, SubscriptionState>(
  SUBSCRIPTION_TRANSITIONS.map((row) => [`${row.from}|${row.trigger}`, row.to]),
);

/**
 * A subscription was asked to make a move its table does not have: a defect in the session, not
 * in its input.
 *
 * @example
 * ```ts
 * import { IllegalSubscriptionTransitionError } from "@kraken-ws/sdk/extended";
 * const error = new IllegalSubscriptionTransitionError("unsubscribed", "snapshot");
 * console.log(error.message); // "subscription trigger snapshot is illegal in state unsubscribed"
 * ```
 */
export class IllegalSubscriptionTransitionError extends Error {
  /** The subscription's state. */
  readonly from: SubscriptionState;
  /** The trigger it refused. */
  readonly trigger: SubscriptionTrigger;

  /**
   * Creates the error.
   *
   * @param from The subscription's state.
   * @param trigger The refused trigger.
   */
  constructor(from: SubscriptionState, trigger: SubscriptionTrigger) {
    super(`subscription trigger ${trigger} is illegal in state ${from}`);
    this.name = "IllegalSubscriptionTransitionError";
    this.from = from;
    this.trigger = trigger;
  }
}

/**
 * The state `trigger` leads a subscription to from `from`.
 *
 * @param from The current state.
 * @param trigger What happened.
 * @returns The next state.
 * @throws {IllegalSubscriptionTransitionError} When the table has no such transition.
 *
 * @example
 * ```ts
 * import { nextSubscriptionState } from "@kraken-ws/sdk/extended";
 * console.log(nextSubscriptionState("synced", "validation_failed")); // "resyncing"
 * ```
 */
export function nextSubscriptionState(
  from: SubscriptionState,
  trigger: SubscriptionTrigger,
): SubscriptionState {
  const to = TABLE.get(`${from}|${trigger}`);
  if (to === undefined) throw new IllegalSubscriptionTransitionError(from, trigger);
  return to;
}
