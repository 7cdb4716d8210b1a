/**
 * The account's events, from the authenticated connection (experimental): executions, balances
 * and the dead man's switch.
 *
 * @experimental
 *
 * @module
 */

import type { AssetBalance, Execution, LedgerEntry } from "../protocol/private_messages.ts";
import type { EventBase } from "./events.ts";

/**
 * One `executions` message: the whole snapshot (open orders, and recent fills when asked), or an
 * update. A snapshot replaces what a consumer knows of its orders, even an empty one: after a gap
 * the client subscribes again and the fresh snapshot is the truth. Its fills (`execType`
 * `trade`) are history, not open orders.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionsEvent } from "@kraken-ws/sdk/extended";
 * const open = new Map<string, string>();
 * function follow(event: ExecutionsEvent): void {
 *   if (event.snapshot) open.clear();
 *   for (const execution of event.executions) {
 *     // A snapshot's fills (after a loss the client asks for the last 50) are history, not orders.
 *     if (event.snapshot && execution.execType === "trade") continue;
 *     const status = execution.orderStatus;
 *     if (status === "filled" || status === "canceled" || status === "expired") open.delete(execution.orderId);
 *     else if (status !== undefined) open.set(execution.orderId, status);
 *   }
 * }
 * console.log(typeof follow);
 * ```
 */
export interface ExecutionsEvent extends EventBase {
  /** Discriminant. */
  readonly type: "executions";
  /** Whether this is a snapshot. */
  readonly snapshot: boolean;
  /** The subscription's message number: consecutive, checked by the client. */
  readonly sequence: number;
  /** The executions, in Kraken's order. */
  readonly executions: readonly Execution[];
}

/**
 * One `balances` message: a snapshot of every asset, or ledger entries with the balance after
 * each.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BalancesEvent } from "@kraken-ws/sdk/extended";
 * const show = (event: BalancesEvent) =>
 *   event.snapshot
 *     ? event.balances.map((balance) => `${balance.asset} ${balance.balanceText}`)
 *     : event.entries.map((entry) => `${entry.asset} ${entry.amountText} -> ${entry.balanceText}`);
 * console.log(typeof show);
 * ```
 */
export type BalancesEvent =
  | (EventBase & {
    /** Discriminant. */
    readonly type: "balances";
    /** A snapshot. */
    readonly snapshot: true;
    /** The subscription's message number. */
    readonly sequence: number;
    /** Every asset's balance. */
    readonly balances: readonly AssetBalance[];
  })
  | (EventBase & {
    /** Discriminant. */
    readonly type: "balances";
    /** An update. */
    readonly snapshot: false;
    /** The subscription's message number. */
    readonly sequence: number;
    /** The ledger entries. */
    readonly entries: readonly LedgerEntry[];
  });

/**
 * The dead man's switch changed (experimental): `armed` when Kraken confirmed the countdown (with
 * its `triggerTime`), `disarmed` when it confirmed it off, `failed` when Kraken refused to arm it
 * (with its error); `unknown` when the link was lost with the request unanswered: Kraken's countdown
 * may still run, and the client arms it again once reconnected.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { DeadManSwitchEvent } from "@kraken-ws/sdk/extended";
 * const show = (event: DeadManSwitchEvent) => `${event.state} ${event.triggerTime ?? ""}`;
 * console.log(typeof show);
 * ```
 */
export interface DeadManSwitchEvent extends EventBase {
  /** Discriminant. */
  readonly type: "dead_man_switch";
  /** Where the switch stands. */
  readonly state: "armed" | "disarmed" | "failed" | "unknown";
  /** The countdown asked for, in seconds (0: off). */
  readonly timeoutSeconds: number;
  /** When Kraken will cancel every order unless armed again, as Kraken sent it. */
  readonly triggerTime?: string;
  /** Kraken's error, for `failed`; why, for `unknown`. */
  readonly message?: string;
}
