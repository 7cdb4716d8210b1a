/**
 * The level 3 book event (experimental): every resting order of the top levels, in queue order,
 * after a message that matched Kraken's checksum.
 *
 * @experimental
 *
 * @module
 */

import type { Level3PriceLevel } from "../book/level3_side.ts";
import type { Level3Order } from "../protocol/level3_messages.ts";
import type { EventBase } from "./events.ts";

/**
 * A verified level 3 book: the price levels of each side up to the subscribed depth, best first,
 * each with its orders in queue order (frozen views shared with the book: a level that did not
 * change is the same object as in the event before), and the order events of the message that
 * led here. Only ever emitted after the book matched Kraken's checksum and is not crossed.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { Level3BookEvent } from "@kraken-ws/sdk/extended";
 * const ahead = (event: Level3BookEvent) => event.bids[0]?.orders.length ?? 0;
 * console.log(typeof ahead);
 * ```
 */
export interface Level3BookEvent extends EventBase {
  /** Discriminant. */
  readonly type: "level3";
  /** The pair. */
  readonly symbol: string;
  /** Bid levels, highest first, each with its order queue. */
  readonly bids: readonly Level3PriceLevel[];
  /** Ask levels, lowest first, each with its order queue. */
  readonly asks: readonly Level3PriceLevel[];
  /** The order events of this message (`add`, `modify`, `delete`), bids then asks; empty on a snapshot. */
  readonly updates: readonly Level3Order[];
  /** Kraken's checksum, verified. */
  readonly checksum: number;
  /** Exchange time of the message, when it has one. */
  readonly timestamp?: string;
  /** Whether this book is a snapshot. */
  readonly snapshot: boolean;
  /** Always true: unverified books are never emitted. */
  readonly validated: true;
}
