/**
 * The account's feeds, `executions` and `balances`: delivered only for a synced subscription,
 * each message checked against the subscription's `sequence`. A jump is a loss nobody can repair
 * from what follows, so it is a `sequence` gap and the subscription starts over with a fresh
 * snapshot: the order and balance state a consumer rebuilds is never silently wrong.
 *
 * @module
 */

import { EarlyFrames } from "./early_frames.ts";
import type { FrameType } from "../protocol/messages.ts";
import type { BalancesMessage, ExecutionsMessage } from "../protocol/private_messages.ts";
import type { SessionContext } from "./session_context.ts";
import type { Subscription } from "./subscription.ts";
import type { SubscriptionRegistry } from "./subscription_registry.ts";

type AccountMessage = ExecutionsMessage | BalancesMessage;

/** The most messages held for one subscription until its acknowledgement. */
const MAX_EARLY_MESSAGES = 1000;

/**
 * The account feeds of one authenticated session.
 *
 * @example
 * ```ts
 * import { AccountChannels } from "./account_channels.ts";
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1 };
 * const registry = new SubscriptionRegistry(context, new Requests(context, link, 10, 10_000, 100), link, 60_000);
 * const account = new AccountChannels(context, registry, () => undefined);
 * const effects = context.begin(0);
 * account.executions({ kind: "executions", type: "update", sequence: 4, data: [] });
 * console.log(effects.length); // 0: nothing subscribed
 * ```
 */
export class AccountChannels {
  readonly #context: SessionContext;
  readonly #registry: SubscriptionRegistry;
  /**
   * Messages that came before their subscription's acknowledgement: Kraken may send the snapshot
   * a subscribe asked for ahead of the answer. Bounded: past {@link MAX_EARLY_MESSAGES} they are
   * let go, and the count, checked after the acknowledgement, tells the loss.
   */
  readonly #early: EarlyFrames<AccountMessage>;

  /**
   * Creates the feeds.
   *
   * @param context The session's shared outbox.
   * @param registry The session's subscriptions.
   * @param subscribeOnWire The `req_id` of a subscription's subscribe on the wire, if any:
   *   messages before its acknowledgement are held for it.
   */
  constructor(
    context: SessionContext,
    registry: SubscriptionRegistry,
    subscribeOnWire: (subscription: Subscription) => number | undefined,
  ) {
    this.#context = context;
    this.#registry = registry;
    this.#early = new EarlyFrames(subscribeOnWire, MAX_EARLY_MESSAGES);
  }

  /** An `executions` message. */
  executions(message: ExecutionsMessage): void {
    if (this.#holds("executions", message)) return;
    const subscription = this.#accept("executions", message.type, message.sequence);
    if (subscription === undefined) return;
    this.#context.emit({
      type: "executions",
      snapshot: message.type === "snapshot",
      sequence: message.sequence,
      executions: message.data,
    });
  }

  /** A `balances` message. */
  balances(message: BalancesMessage): void {
    if (this.#holds("balances", message)) return;
    const subscription = this.#accept("balances", message.type, message.sequence);
    if (subscription === undefined) return;
    this.#context.emit(
      message.type === "snapshot"
        ? {
          type: "balances",
          snapshot: true,
          sequence: message.sequence,
          balances: message.data,
        }
        : {
          type: "balances",
          snapshot: false,
          sequence: message.sequence,
          entries: message.data,
        },
    );
  }

  /**
   * `subscription`'s subscribe `reqId` was acknowledged: what came for it before is taken now.
   *
   * @param subscription The subscription, of any channel (only the account's hold anything).
   * @param reqId The acknowledged request.
   */
  acknowledged(subscription: Subscription, reqId: number): void {
    for (const message of this.#early.take(subscription, reqId)) {
      if (message.kind === "executions") this.executions(message);
      else this.balances(message);
    }
  }

  /** `subscription`'s subscribe was refused or timed out: nothing held is for it any more. */
  subscribeFailed(subscription: Subscription): void {
    this.#early.forget(subscription);
  }

  /** The link is gone: what was held belonged to it. */
  lost(): void {
    this.#early.clear();
  }

  /** Whether `message` is held for its subscription's acknowledgement, or dropped as too early. */
  #holds(channel: "executions" | "balances", message: AccountMessage): boolean {
    const subscription = this.#registry.get(channel);
    return subscription !== undefined && this.#early.holds(subscription, message);
  }

  /** A frame of `channel` could not be decoded: the subscription starts over. */
  undecodable(channel: "executions" | "balances"): void {
    const subscription = this.#registry.get(channel);
    if (subscription?.state !== "synced") return;
    this.#registry.move(subscription, "undecodable", "undecodable frame");
    this.#registry.again(subscription);
  }

  /**
   * The subscription a message of `channel` numbered `sequence` is delivered on, or undefined
   * when it is not delivered: nobody is synced on it, it repeats the last one, or the count broke.
   * A jump is a `sequence` gap naming the messages skipped and this one, which is not delivered
   * either: what follows a loss cannot be trusted until a fresh snapshot, so the subscription
   * starts over, and what it drops until then is a `resubscribe` gap. A count that goes back
   * (the server started over without a snapshot) starts over too, said by an error. A snapshot
   * asked for and not come first was lost: the update that shows it is a `sequence` gap from the
   * snapshot's number (1) on.
   */
  #accept(
    channel: "executions" | "balances",
    type: FrameType,
    sequence: number,
  ): Subscription | undefined {
    const subscription = this.#registry.receive(channel);
    if (subscription === undefined || subscription.state !== "synced") return undefined;
    const last = subscription.lastSequence;
    if (last === undefined && type === "update" && subscription.snapshotAsked) {
      this.#context.emit({
        type: "gap",
        reason: "sequence",
        channel,
        fromSequence: Math.min(1, sequence),
        toSequence: sequence,
      });
      this.#restart(subscription);
      return undefined;
    }
    // The first message after an acknowledgement sets the count: Kraken numbers each
    // subscription's messages from its snapshot.
    if (last !== undefined && sequence !== last + 1) {
      if (sequence === last) return undefined;
      if (sequence > last) {
        this.#context.emit({
          type: "gap",
          reason: "sequence",
          channel,
          fromSequence: last + 1,
          toSequence: sequence,
        });
      } else {
        this.#context.emit({
          type: "error",
          code: "protocol",
          message: `${channel} sequence went back from ${last} to ${sequence}`,
          channel,
        });
      }
      this.#restart(subscription);
      return undefined;
    }
    subscription.lastSequence = sequence;
    return subscription;
  }

  /** The count broke: subscribe again for a fresh snapshot, owing a gap for what is dropped. */
  #restart(subscription: Subscription): void {
    this.#registry.move(subscription, "validation_failed", "sequence");
    this.#registry.resubscribe(subscription);
  }
}
