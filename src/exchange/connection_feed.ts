/**
 * Kraken's side of one connection, sans I/O: Kraken's request rules, written once for every feed
 * (one answer per symbol, `Currency pair not supported …`, `Already subscribed`, `Subscription Not
 * Found`, pong, instrument), the `status` frame with one connection id, heartbeats while
 * subscribed and otherwise silent, and the data frames of the feed's view. An authenticated
 * connection also has a private side (executions, balances, trading); a public one refuses
 * private requests, as Kraken's public endpoint does. A connection to the level 3 endpoint
 * (`ws-l3`) serves the `level3` channel and nothing else (see `level3_feed.ts`), with the same
 * status, pong and heartbeats.
 *
 * @module
 */

import {
  type Feed,
  type FeedView,
  type SimFrame,
  type SimSubscription,
  subscriptionKeyOf,
} from "./feed.ts";
import {
  ackFrame,
  connectionIdAt,
  errorFrame,
  HEARTBEAT_FRAME,
  pongFrame,
  statusFrame,
} from "./frames.ts";
import type { AccountEvent } from "./account.ts";
import type { Level3Feed } from "./level3_feed.ts";
import type { PrivateFeed } from "./private_feed.ts";
import { parsePrivateRequest } from "./private_requests.ts";
import { parseClientRequest } from "./requests.ts";

/**
 * What Kraken's public endpoint answers a private subscription or a trading request (the words
 * of its v1 endpoint; v2's are not documented).
 *
 * @example
 * ```ts
 * import { PRIVATE_ON_PUBLIC } from "./connection_feed.ts";
 * console.log(PRIVATE_ON_PUBLIC.startsWith("Private data")); // true
 * ```
 */
export const PRIVATE_ON_PUBLIC =
  "Private data and trading are unavailable in this endpoint. Try ws-auth.kraken.com";

/** Silence after which a subscribed connection gets a heartbeat. */
const HEARTBEAT_MS = 1000;

/**
 * One connection's server side: answers its requests and turns the feed's moves into its frames.
 *
 * @example
 * ```ts
 * import { ConnectionFeed } from "./connection_feed.ts";
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const connection = new ConnectionFeed(new MarketFeed(new SimMarket(1)));
 * const replies = connection.receive('{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":1}', 0);
 * console.log(replies.map((frame) => frame.kind)); // ["reply"]
 * ```
 */
export class ConnectionFeed<Step = unknown> {
  readonly #feed: Feed<Step>;
  readonly #view: FeedView<Step>;
  readonly #subscriptions = new Map<string, SimSubscription>();
  readonly #private: PrivateFeed | undefined;
  readonly #level3: Level3Feed | undefined;
  #lastSentAt = 0;
  /** Set by the first `status`: one connection keeps one id. */
  #connectionId: bigint | undefined;

  /**
   * Creates the server side of a new connection.
   *
   * @param feed What it serves.
   * @param privateSide The private side of an authenticated connection (none: a public one).
   * @param level3 The `level3` channel of a connection to the level 3 endpoint: it then answers
   *   every request.
   */
  constructor(feed: Feed<Step>, privateSide?: PrivateFeed, level3?: Level3Feed) {
    this.#feed = feed;
    this.#view = feed.view();
    this.#private = privateSide;
    this.#level3 = level3;
  }

  /** Subscriptions held (a level 3 connection's `level3` ones included). */
  get subscriptions(): SimSubscription[] {
    return [...this.#subscriptions.values(), ...(this.#level3?.subscriptions ?? [])];
  }

  /** Private subscriptions held (an authenticated connection's). */
  get privateSubscriptions(): ("executions" | "balances")[] {
    return this.#private?.subscriptions ?? [];
  }

  /**
   * The update frames of the account's events for this connection's private subscriptions.
   *
   * @param events What the account did.
   * @param now Server time in ms.
   * @returns The frames, in order.
   */
  account(events: readonly AccountEvent[], now: number): SimFrame[] {
    if (this.#private === undefined || events.length === 0) return [];
    return this.#private.events(events).map((frame) => this.#frame(now, frame));
  }

  /** The `status` frame Kraken sends on connect, or later with another system state. */
  status(now: number, system = "online"): SimFrame {
    this.#connectionId ??= connectionIdAt(now);
    return this.#frame(now, { kind: "status", text: statusFrame(now, system, this.#connectionId) });
  }

  #frame(now: number, frame: SimFrame): SimFrame {
    this.#lastSentAt = now;
    return frame;
  }

  #reply(now: number, text: string): SimFrame {
    return this.#frame(now, { kind: "reply", text });
  }

  /**
   * Answers one request from the client.
   *
   * @param text The request as received.
   * @param now Server time in ms.
   * @returns The frames to send back, in order.
   */
  receive(text: string, now: number): SimFrame[] {
    if (this.#level3 !== undefined) {
      return this.#level3.receive(text, now).map((frame) => this.#frame(now, frame));
    }
    const privateRequest = parsePrivateRequest(text);
    if (privateRequest.kind !== "public") {
      if (this.#private === undefined) {
        const { method, reqId } = privateRequest;
        return [this.#reply(now, errorFrame(now, method, PRIVATE_ON_PUBLIC, reqId))];
      }
      return this.#private.receive(privateRequest, now).map((frame) => this.#frame(now, frame));
    }
    const request = parseClientRequest(text, now);
    switch (request.kind) {
      case "invalid":
        return [this.#reply(now, request.reply)];
      case "ping":
        return [this.#reply(now, pongFrame(now, request.reqId))];
      case "instrument": {
        const { method, reqId } = request;
        const instrument = this.#feed.instrument();
        if (instrument === undefined) {
          return [this.#reply(now, errorFrame(now, method, "Subscription name invalid", reqId))];
        }
        const ack = this.#reply(
          now,
          ackFrame(now, method, { channel: "instrument", snapshot: true }, reqId),
        );
        return method === "unsubscribe"
          ? [ack]
          : [ack, this.#frame(now, { kind: "instrument", text: instrument })];
      }
    }
    const { method, reqId, channel, depth, interval, trigger, snapshot } = request;
    const frames: SimFrame[] = [];
    const refuse = (error: string, symbol: string) =>
      frames.push(this.#reply(now, errorFrame(now, method, error, reqId, symbol)));
    // One answer per symbol, as Kraken gives.
    for (const symbol of request.symbols) {
      if (!this.#feed.hasSymbol(symbol)) {
        refuse(`Currency pair not supported ${symbol}`, symbol);
        continue;
      }
      const subscription: SimSubscription = {
        channel,
        symbol,
        ...(depth === undefined ? {} : { depth }),
        ...(interval === undefined ? {} : { interval }),
        ...(channel === "ticker" ? { trigger } : {}),
      };
      const key = subscriptionKeyOf(subscription);
      const result: Record<string, unknown> = { channel, symbol };
      if (depth !== undefined) result.depth = depth;
      if (interval !== undefined) result.interval = interval;
      if (channel === "ticker") result.event_trigger = trigger;
      if (method === "unsubscribe") {
        if (this.#subscriptions.delete(key)) {
          this.#view.unsubscribe(key);
          frames.push(this.#reply(now, ackFrame(now, method, result, reqId)));
        } else refuse("Subscription Not Found", symbol);
        continue;
      }
      if (this.#subscriptions.has(key)) {
        refuse("Already subscribed", symbol);
        continue;
      }
      const refusal = this.#feed.refusal(subscription);
      if (refusal !== undefined) {
        refuse(refusal, symbol);
        continue;
      }
      this.#subscriptions.set(key, subscription);
      frames.push(this.#reply(now, ackFrame(now, method, { ...result, snapshot }, reqId)));
      for (const frame of this.#view.subscribe(subscription, snapshot, now)) {
        frames.push(this.#frame(now, frame));
      }
    }
    return frames;
  }

  /**
   * The frames one move of the feed makes for this connection.
   *
   * @param step What the feed's `advance` returned.
   * @param now Server time in ms.
   * @returns Frames, in order.
   */
  step(step: Step, now: number): SimFrame[] {
    const frames = this.#view.step(step, now);
    if (this.#level3 !== undefined) frames.push(...this.#level3.step(now));
    if (frames.length > 0) this.#lastSentAt = now;
    return frames;
  }

  /** A heartbeat, when subscribed and nothing was sent for a second. */
  heartbeat(now: number): SimFrame | undefined {
    const subscribed = this.#subscriptions.size > 0 ||
      (this.#private?.subscriptions.length ?? 0) > 0 ||
      (this.#level3?.subscriptions.length ?? 0) > 0;
    if (!subscribed || now - this.#lastSentAt < HEARTBEAT_MS) return undefined;
    return this.#frame(now, { kind: "heartbeat", text: HEARTBEAT_FRAME });
  }
}
