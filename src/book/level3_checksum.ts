/**
 * Kraken's level 3 checksum read directly from order texts: the plain definition, for any list of
 * price levels. The book itself gets the same number from cached digests (see `Level3Book`).
 *
 * @module
 */

import { checksumDigits, padDecimalText } from "../protocol/decimal_text.ts";
import { CHECKSUM_LEVELS, type Precision } from "./checksum.ts";
import { crc32Finish, crc32Update } from "./crc32.ts";
import type { Level3PriceLevel } from "./level3_side.ts";

function crcSide(
  state: number,
  levels: readonly Level3PriceLevel[],
  precision: Precision | undefined,
): number {
  const count = Math.min(CHECKSUM_LEVELS, levels.length);
  for (let i = 0; i < count; i++) {
    for (const order of levels[i].orders) {
      // Padding to 0 decimals only rewrites an exponent: every other text is kept as it is.
      const price = padDecimalText(order.limitPriceText, precision?.price ?? 0);
      const qty = padDecimalText(order.orderQtyText, precision?.qty ?? 0);
      state = crc32Update(crc32Update(state, checksumDigits(price)), checksumDigits(qty));
    }
  }
  return state;
}

/**
 * Kraken's level 3 checksum: CRC-32 of the 10 best ask price levels (lowest first) then the 10
 * best bid price levels (highest first), each level contributing every order in queue order, as
 * its `limit_price` digits then its `order_qty` digits, from the wire text without the `.` and
 * without leading zeros.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @param asks Ask levels, best (lowest) first; only the first 10 are read.
 * @param bids Bid levels, best (highest) first; only the first 10 are read.
 * @param precision When given, values with fewer decimals are padded with zeros first.
 * @returns The checksum as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import { level3Checksum } from "@kraken-ws/sdk/extended";
 * const order = (orderId: string, limitPriceText: string, orderQtyText: string) => ({
 *   orderId, limitPrice: Number(limitPriceText), limitPriceText,
 *   orderQty: Number(orderQtyText), orderQtyText, timestamp: "2024-01-08T12:26:39Z",
 * });
 * const ask = { price: 101, priceText: "101.0", orders: [order("A", "101.0", "2.00000000")] };
 * const bid = { price: 100, priceText: "100.0", orders: [order("B", "100.0", "1.00000000")] };
 * console.log(level3Checksum([ask], [bid])); // 1424606772, as the L2 book of the same two levels
 * ```
 */
export function level3Checksum(
  asks: readonly Level3PriceLevel[],
  bids: readonly Level3PriceLevel[],
  precision?: Precision,
): number {
  return crc32Finish(crcSide(crcSide(0xffffffff, asks, precision), bids, precision));
}
