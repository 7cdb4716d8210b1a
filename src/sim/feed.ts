/**
 * What the simulator serves: a feed that moves with time, and one server session per connection
 * that turns the feed's moves into that connection's frames. The seeded market and a recorded
 * file are the two feeds.
 *
 * @module
 */

import type { SimChange, SimMarket } from "./market.ts";
import { type SimFrame, SimSession, type SimSubscription } from "./sim_session.ts";

/**
 * Kraken's side of one connection.
 *
 * @example
 * ```ts
 * import type { FeedSession } from "./feed.ts";
 * const frames = (session: FeedSession<unknown>) => session.status(0).text;
 * console.log(typeof frames);
 * ```
 */
export interface FeedSession<Step> {
  /** Subscriptions held. */
  readonly subscriptions: readonly SimSubscription[];
  /** The `status` frame, on connect or on change. */
  status(now: number, system?: string): SimFrame;
  /** Answers one request: acknowledgements, errors, snapshots. */
  receive(text: string, now: number): SimFrame[];
  /** The frames one move of the feed makes for this connection. */
  step(step: Step, now: number): SimFrame[];
  /** A heartbeat, when subscribed and nothing else was sent for a second. */
  heartbeat(now: number): SimFrame | undefined;
}

/**
 * A source of market data that moves when told.
 *
 * @example
 * ```ts
 * import { MarketFeed } from "./feed.ts";
 * import { SimMarket } from "./market.ts";
 * const feed = new MarketFeed(new SimMarket(1));
 * const session = feed.open();
 * console.log(session.step(feed.advance(100), 100).length); // 0: nothing subscribed
 * ```
 */
export interface SimFeed<Step> {
  /** The server side of a new connection. */
  open(): FeedSession<Step>;
  /** Moves the feed to `now`; what it returns is given to every session's `step`. */
  advance(now: number): Step;
}

/**
 * The seeded market as a feed.
 *
 * @example
 * ```ts
 * import { MarketFeed } from "./feed.ts";
 * import { SimMarket } from "./market.ts";
 * const feed = new MarketFeed(new SimMarket(7));
 * console.log(feed.advance(100).length >= 0); // true
 * ```
 */
export class MarketFeed implements SimFeed<readonly SimChange[]> {
  /** The market it serves. */
  readonly market: SimMarket;

  /**
   * Serves `market`.
   *
   * @param market The seeded market.
   */
  constructor(market: SimMarket) {
    this.market = market;
  }

  /** A new connection's server side. */
  open(): FeedSession<readonly SimChange[]> {
    return new SimSession(this.market);
  }

  /** One market step. */
  advance(now: number): readonly SimChange[] {
    return this.market.step(now);
  }
}
