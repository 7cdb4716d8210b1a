/**
 * A server-side book for tests: produces Kraken book frames with correct checksums, computed
 * independently of the client's order book (straight from level texts with `bookChecksum`).
 *
 * @module
 */

import { bookChecksum } from "../../src/book/checksum.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";

function level(price: number, qty: number): BookLevel {
  return { price, priceText: price.toFixed(1), qty, qtyText: qty.toFixed(8) };
}

function raw(levels: readonly BookLevel[]): string {
  return levels.map((entry) => `{"price":${entry.priceText},"qty":${entry.qtyText}}`).join(",");
}

export class ServerBook {
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];

  constructor(readonly symbol: string, readonly depth = 10, mid = 100) {
    for (let i = 0; i < depth; i++) {
      this.bids.push(level(mid - 0.5 - i, 1 + i / 10));
      this.asks.push(level(mid + 0.5 + i, 1 + i / 10));
    }
  }

  checksum(): number {
    return bookChecksum(this.asks, this.bids);
  }

  #frame(
    type: "snapshot" | "update",
    bids: readonly BookLevel[],
    asks: readonly BookLevel[],
    checksum: number,
  ): string {
    return `{"channel":"book","type":"${type}","data":[{"symbol":"${this.symbol}","bids":[${
      raw(bids)
    }],"asks":[${raw(asks)}],"checksum":${checksum},"timestamp":"2026-01-01T00:00:00.000000Z"}]}`;
  }

  snapshot(): string {
    return this.#frame("snapshot", this.bids, this.asks, this.checksum());
  }

  /** Changes the best bid's quantity and returns the update frame; `corrupt` sends a wrong checksum. */
  update(qty: number, corrupt = false): string {
    this.bids[0] = level(this.bids[0].price, qty);
    const checksum = this.checksum();
    return this.#frame("update", [this.bids[0]], [], corrupt ? (checksum + 1) >>> 0 : checksum);
  }

  /** Deletes the bid at `index` and returns the update frame. */
  deleteBid(index: number): string {
    const [gone] = this.bids.splice(index, 1);
    return this.#frame("update", [level(gone.price, 0)], [], this.checksum());
  }

  /** An update that crosses the book (a bid above the best ask) with a matching checksum. */
  crossing(): string {
    const crossing = level(this.asks[0].price + 1, 1);
    this.bids = [crossing, ...this.bids].slice(0, this.depth);
    return this.#frame("update", [crossing], [], this.checksum());
  }
}

export function tradeFrame(symbol: string, ...ids: number[]): string {
  const trades = ids.map((id) =>
    `{"symbol":"${symbol}","side":"buy","price":100.0,"qty":0.10000000,"ord_type":"limit","trade_id":${id},"timestamp":"2026-01-01T00:00:00.000000Z"}`
  );
  return `{"channel":"trade","type":"update","data":[${trades.join(",")}]}`;
}
