/**
 * Typed messages of Kraken's `level3` channel (individual orders), as `decode` returns them.
 *
 * Like every other decimal of the SDK, `limit_price` and `order_qty` keep their wire text beside
 * their number: the level 3 checksum is computed from the text.
 *
 * @module
 */

import type { FrameType } from "./messages.ts";

/**
 * What an update did to an order: `add` a new order (it joins the back of its price level),
 * `modify` its quantity (Kraken: "The order quantity has been modified, i.e. a fill"), `delete`
 * it (a full fill or a cancel).
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3Event } from "@kraken-ws/sdk/extended";
 * const event: Level3Event = "modify";
 * console.log(event);
 * ```
 */
export type Level3Event = "add" | "modify" | "delete";

/**
 * One resting order, or one order event of an update, with the exact wire text of its price and
 * quantity.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3Order } from "@kraken-ws/sdk/extended";
 * const order: Level3Order = {
 *   orderId: "OFVLAA-HRSSP-BK75KB",
 *   limitPrice: 44939.5,
 *   limitPriceText: "44939.5",
 *   orderQty: 4.52308393,
 *   orderQtyText: "4.52308393",
 *   timestamp: "2024-01-08T12:18:05.770906486Z",
 * };
 * console.log(order.orderQtyText);
 * ```
 */
export interface Level3Order {
  /** Kraken's order identifier, like `OFVLAA-HRSSP-BK75KB`. */
  readonly orderId: string;
  /** Limit price as a number (a view of `limitPriceText`). */
  readonly limitPrice: number;
  /** Limit price exactly as sent. */
  readonly limitPriceText: string;
  /** Remaining visible quantity as a number (a view of `orderQtyText`). */
  readonly orderQty: number;
  /** Remaining visible quantity exactly as sent. */
  readonly orderQtyText: string;
  /** RFC 3339 time the order was inserted or amended. */
  readonly timestamp: string;
  /** In an update, what happened to the order; absent in a snapshot and in a book's queues. */
  readonly event?: Level3Event;
}

/**
 * The payload of a `level3` frame for one symbol.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3Payload } from "@kraken-ws/sdk/extended";
 * const payload: Level3Payload = { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 };
 * console.log(payload.symbol);
 * ```
 */
export interface Level3Payload {
  /** Pair, like `BTC/USD`. */
  readonly symbol: string;
  /** Buy orders (snapshot) or buy order events (update), in wire order. */
  readonly bids: readonly Level3Order[];
  /** Sell orders (snapshot) or sell order events (update), in wire order. */
  readonly asks: readonly Level3Order[];
  /** CRC-32 of the top 10 price levels, order by order, after this frame; unsigned 32-bit. */
  readonly checksum: number;
  /** RFC 3339 time the matching engine generated the frame. */
  readonly timestamp?: string;
}

/**
 * A `level3` channel frame.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode(
 *   '{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","checksum":0,"bids":[],' +
 *     '"asks":[{"event":"delete","order_id":"O1","limit_price":101.0,"order_qty":0.5,' +
 *     '"timestamp":"2024-01-08T12:26:44.129718463Z"}]}]}',
 * );
 * if (message.kind === "level3") console.log(message.data[0].asks[0].event); // "delete"
 * ```
 */
export interface Level3Message {
  /** Discriminant. */
  readonly kind: "level3";
  /** Snapshot or update. */
  readonly type: FrameType;
  /** Kraken sends one item; kept as a list so nothing is ever dropped. */
  readonly data: readonly Level3Payload[];
}
