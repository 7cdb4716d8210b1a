/**
 * The `instrument` feed: Kraken's pairs and assets, delivered to the instrument stream, and each
 * pair's precision, which the books pad re-serialised numbers with.
 *
 * @module
 */

import type { Precision } from "../book/checksum.ts";
import type { InstrumentMessage } from "../protocol/messages.ts";
import type { SessionContext } from "./session_context.ts";
import { INSTRUMENT_KEY } from "./subscription.ts";
import type { SubscriptionRegistry } from "./subscription_registry.ts";

/**
 * The instrument feed of one session.
 *
 * @example
 * ```ts
 * import { Instruments } from "./instruments.ts";
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1 };
 * const registry = new SubscriptionRegistry(context, new Requests(context, link, 10, 10_000, 100), link, 60_000);
 * const instruments = new Instruments(context, registry);
 * context.begin(0);
 * registry.add(1, { channel: "instrument" });
 * const pair = {
 *   symbol: "BTC/USD", base: "BTC", quote: "USD", status: "online",
 *   pricePrecision: 1, qtyPrecision: 8, fields: {},
 * };
 * const changed = instruments.apply({ kind: "instrument", type: "snapshot", assets: [], pairs: [pair] });
 * console.log(changed); // [ "BTC/USD" ]: its precision is new
 * console.log(instruments.precisionOf("BTC/USD")); // { price: 1, qty: 8 }
 * ```
 */
export class Instruments {
  readonly #context: SessionContext;
  readonly #registry: SubscriptionRegistry;
  /** Each pair's precision, from the last snapshot and the updates since. */
  readonly #precisions = new Map<string, Precision>();

  /**
   * Creates the feed.
   *
   * @param context The session's shared outbox.
   * @param registry The session's subscriptions.
   */
  constructor(context: SessionContext, registry: SubscriptionRegistry) {
    this.#context = context;
    this.#registry = registry;
  }

  /**
   * The precision of a pair's prices and quantities, while the `instrument` subscription is held:
   * precisions change over time, and one no feed keeps current would pad a book's numbers with
   * zeros Kraken no longer prints, failing every checksum of it from then on. (A book keeps the
   * precision it was given until its next subscribe: were that one stale, its checksum would fail
   * and the resync that follows would make a book without it.)
   *
   * @param symbol The pair.
   * @returns Its precision, or undefined when unknown.
   */
  precisionOf(symbol: string): Precision | undefined {
    const subscription = this.#registry.get(INSTRUMENT_KEY);
    if (subscription === undefined || subscription.state === "rejected") return undefined;
    return this.#precisions.get(symbol);
  }

  /**
   * Takes an `instrument` frame: each pair's precision is learnt (a snapshot is the whole list, so
   * a pair it leaves out has none any more), and the frame is delivered while the subscription is
   * synced. A frame of a subscription not synced is not delivered (it belongs to one being undone
   * or redone, whose snapshot follows), but its precisions are facts all the same.
   *
   * @param message The frame.
   * @returns The pairs whose precision changed, for their books to pad with the new one.
   */
  apply(message: InstrumentMessage): string[] {
    const subscription = this.#registry.receive(INSTRUMENT_KEY);
    if (subscription === undefined) return [];
    const snapshot = message.type === "snapshot";
    const changed: string[] = [];
    const listed = new Set<string>();
    for (const pair of message.pairs) {
      listed.add(pair.symbol);
      const before = this.#precisions.get(pair.symbol);
      if (before?.price === pair.pricePrecision && before.qty === pair.qtyPrecision) continue;
      this.#precisions.set(pair.symbol, { price: pair.pricePrecision, qty: pair.qtyPrecision });
      changed.push(pair.symbol);
    }
    if (snapshot) {
      for (const symbol of [...this.#precisions.keys()]) {
        if (listed.has(symbol)) continue;
        this.#precisions.delete(symbol);
        changed.push(symbol);
      }
    }
    if (subscription.state === "synced") {
      this.#context.emit({
        type: "instrument",
        snapshot,
        pairs: message.pairs,
        assets: message.assets,
      });
    }
    return changed;
  }
}
