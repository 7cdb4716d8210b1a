/**
 * What Kraken's answer to a request, or its silence, does to the subscription asked about.
 *
 * @module
 */

import type { AckMessage, RejectionMessage, SubscriptionResult } from "../protocol/messages.ts";
import type { AccountChannels } from "./account_channels.ts";
import type { BookSync } from "./book_sync.ts";
import type { InFlight } from "./answer_matching.ts";
import type { Requests } from "./requests.ts";
import type { SessionContext } from "./session_context.ts";
import type { Subscription } from "./subscription.ts";
import type { SubscriptionRegistry } from "./subscription_registry.ts";

/**
 * The reactions to answers of one session.
 *
 * @example
 * ```ts
 * import { Answers } from "./answers.ts";
 * import { BookSync } from "./book_sync.ts";
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1 };
 * const requests = new Requests(context, link, 10, 10_000, 100);
 * const registry = new SubscriptionRegistry(context, requests, link, 60_000);
 * const books = new BookSync(context, registry, () => undefined, 10_000, 3);
 * const answers = new Answers(context, requests, registry, books);
 * const effects = context.begin(0);
 * answers.refused({ kind: "rejection", method: "subscribe", error: "Currency pair not supported" });
 * console.log(effects.length); // 1: an error, as it answers no request
 * ```
 */
export class Answers {
  readonly #context: SessionContext;
  readonly #requests: Requests;
  readonly #registry: SubscriptionRegistry;
  readonly #books: BookSync;
  readonly #account: AccountChannels | undefined;
  readonly #tokenRefused: (subscription: Subscription) => boolean;

  /**
   * Creates the reactions.
   *
   * @param context The session's shared outbox.
   * @param requests The session's requests.
   * @param registry The session's subscriptions.
   * @param books The session's books.
   * @param account The session's account feeds, on the authenticated connection.
   * @param tokenRefused Kraken refused a subscription's token: true when it is taken care of
   *   (subscribed again with a fresh one), false when the refusal is final.
   */
  constructor(
    context: SessionContext,
    requests: Requests,
    registry: SubscriptionRegistry,
    books: BookSync,
    account?: AccountChannels,
    tokenRefused: (subscription: Subscription) => boolean = () => false,
  ) {
    this.#context = context;
    this.#requests = requests;
    this.#registry = registry;
    this.#books = books;
    this.#account = account;
    this.#tokenRefused = tokenRefused;
  }

  /** Kraken acknowledged a request. */
  acknowledged(message: AckMessage): void {
    const answered = this.#requests.answered(message.reqId, {
      method: message.method,
      ...message.result,
    });
    // Acknowledgements of pings or of requests of a connection we left carry no news.
    for (const request of answered) this.#acknowledged(request, message.result);
    // What waited for this answer may go out now.
    if (answered.length > 0) this.#requests.pump();
  }

  #acknowledged(request: InFlight, result: SubscriptionResult): void {
    const subscription = request.subscription;
    if (request.method === "unsubscribe") {
      if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
        this.#registry.end(subscription, "unsubscribe_acknowledged", "acknowledged");
      }
      return;
    }
    if (subscription.state === "unsubscribing") return;
    const unkept = unhonourable(subscription, result);
    if (unkept !== undefined) {
      this.#unhonourable(subscription, result, unkept);
      return;
    }
    const booked = subscription.channel === "book" || subscription.channel === "level3";
    if (booked && subscription.depth !== subscription.wireDepth) {
      // A deeper book was asked for while this subscribe was on the wire.
      this.#registry.move(subscription, "depth_changed", `depth ${subscription.depth}`);
      this.#registry.again(subscription);
      return;
    }
    subscription.lastDataAt = this.#context.now;
    // From now on a subscribe follows a loss: it asks for the snapshot that recovers it.
    subscription.wantsSnapshot = true;
    subscription.recovering = true;
    subscription.lastSequence = undefined;
    subscription.tokenRetried = false;
    this.#registry.settleGap(subscription);
    if (booked) {
      this.#books.expectSnapshot(subscription);
      this.#registry.move(subscription, "book_acknowledged", "acknowledged");
      this.#books.acknowledged(subscription, request.reqId);
    } else {
      this.#registry.move(subscription, "acknowledged", "acknowledged");
      this.#account?.acknowledged(subscription, request.reqId);
    }
  }

  /**
   * Kraken acknowledged something other than what was asked: the client cannot keep that feed
   * (a book of another depth drains its deeper levels out of a shallower one's sight), so it is
   * treated as a refusal of the subscription, and the server's subscription is undone.
   */
  #unhonourable(subscription: Subscription, result: SubscriptionResult, why: string): void {
    // The undoing names what Kraken holds, not what was asked.
    subscription.acknowledgedAs = { depth: result.depth, interval: result.interval };
    this.#requests.discard(subscription);
    this.#requests.queue({ method: "unsubscribe", subscription });
    this.#registry.move(subscription, "rejected", why);
    this.#context.emit({ type: "error", code: "rejected", message: why, ...subscription.topic });
  }

  /** Kraken refused a request. */
  refused(message: RejectionMessage): void {
    const answered = this.#requests.answered(message.reqId, message);
    if (answered.length === 0) {
      this.#context.emit({
        type: "error",
        code: "protocol",
        message: `${message.method || "request"} failed: ${message.error}`,
        symbol: message.symbol,
      });
      return;
    }
    if (/exceeded msg rate/i.test(message.error)) {
      // One refusal of the request, however many symbols it named: slow down once, and retry
      // first, in their order, all but the subscribes nobody needs any more.
      this.#requests.slowDown();
      this.#requests.retry(
        answered.filter((request) =>
          request.method === "unsubscribe" || this.#registry.wanted(request.subscription)
        ),
      );
      return;
    }
    for (const request of answered) this.#refused(request, message);
    this.#requests.pump();
  }

  #refused(request: InFlight, message: RejectionMessage): void {
    const subscription = request.subscription;
    if (request.method === "unsubscribe") {
      // Kraken no longer had it: for a user's unsubscribe that is the goal reached; for a resync
      // the subscribe queued behind goes on.
      if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
        this.#registry.end(subscription, "unsubscribe_rejected", message.error);
      }
      return;
    }
    this.#subscribeFailed(subscription);
    if (!this.#registry.isCurrent(subscription)) return;
    if (/invalid token/i.test(message.error) && this.#tokenRefused(subscription)) return;
    if (/already subscribed/i.test(message.error)) {
      // The server holds it and nobody wants it: the unsubscribe already queued undoes it.
      if (!this.#registry.wanted(subscription)) return;
      // The server holds a subscription we do not: start over to get a clean snapshot.
      this.#registry.move(subscription, "already_subscribed", message.error);
      this.#registry.resubscribe(subscription);
      return;
    }
    this.#requests.discard(subscription);
    if (!this.#registry.wanted(subscription)) {
      // Refused, and nobody needs it any more: the server holds nothing to undo.
      this.#registry.end(subscription, "rejected", message.error);
      return;
    }
    this.#registry.move(subscription, "rejected", message.error);
    this.#context.emit({
      type: "error",
      code: "rejected",
      message: message.error,
      ...subscription.topic,
    });
  }

  /** What was held for a subscribe that ended unacknowledged is let go. */
  #subscribeFailed(subscription: Subscription): void {
    this.#books.subscribeFailed(subscription);
    this.#account?.subscribeFailed(subscription);
  }

  /** Requests unanswered past their deadline: ask again, or give up an unsubscribe. */
  expire(): void {
    let expired = false;
    for (const request of this.#requests.expired()) {
      expired = true;
      const subscription = request.subscription;
      if (request.method === "unsubscribe") {
        // Whatever the server holds, nobody wants it; a resync's subscribe follows on its own.
        if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
          this.#registry.end(subscription, "unsubscribe_timeout", "no acknowledgement");
        }
        continue;
      }
      this.#subscribeFailed(subscription);
      if (this.#registry.wanted(subscription)) {
        this.#registry.move(subscription, "subscribe_timeout", "no acknowledgement");
        this.#registry.resubscribe(subscription);
      }
    }
    if (expired) this.#requests.pump();
  }
}

/**
 * Why an acknowledgement cannot be honoured, or undefined when it can: it names a book depth or
 * candle interval other than the one asked for. Fields it leaves out are taken as asked.
 */
function unhonourable(subscription: Subscription, result: SubscriptionResult): string | undefined {
  const booked = subscription.channel === "book" || subscription.channel === "level3";
  if (booked && result.depth !== undefined && result.depth !== subscription.wireDepth) {
    return `acknowledged at depth ${result.depth}, not the ${subscription.wireDepth} asked for`;
  }
  if (
    subscription.channel === "ohlc" && result.interval !== undefined &&
    result.interval !== subscription.interval
  ) {
    return `acknowledged at interval ${result.interval}, not the ${subscription.interval} asked for`;
  }
  return undefined;
}
