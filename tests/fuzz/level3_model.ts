/**
 * The reference level 3 book, from Kraken's rules as `Level3Book` documents them and nothing of
 * its code: orders in a map by id, each with its arrival number; levels rebuilt by sorting on every
 * read; a level's text is that of the order that opened it; each side cut to the depth in price
 * levels after every message; the checksum from every order's wire text of the top 10 levels, by
 * `node:zlib`'s CRC-32.
 *
 * @module
 */

import { crc32 } from "node:zlib";
import type { Level3Event } from "../../src/protocol/level3_messages.ts";
import { checksumDigitsOf } from "./book_model.ts";

/** One order event as the wire wrote it. */
export interface WireOrder {
  readonly event?: Level3Event;
  readonly orderId: string;
  readonly priceText: string;
  readonly qtyText: string;
}

/** One resting order of the reference. */
export interface ModelOrder {
  readonly id: string;
  readonly side: "bid" | "ask";
  readonly price: number;
  readonly priceText: string;
  readonly qtyText: string;
  readonly seq: number;
}

/** One price level of the reference: its price, its opener's text, its queue. */
export interface ModelLevel3 {
  readonly price: number;
  readonly priceText: string;
  readonly orders: readonly ModelOrder[];
}

/** Exact sum of decimal texts, with the most decimals among them; "0" when there are none. */
export function sumDecimals(texts: readonly string[]): string {
  if (texts.length === 0) return "0";
  const places = Math.max(...texts.map((text) => text.split(".")[1]?.length ?? 0));
  const total = texts.reduce((sum, text) => {
    const [whole, fraction = ""] = text.split(".");
    return sum + BigInt(whole + fraction.padEnd(places, "0"));
  }, 0n);
  const digits = total.toString().padStart(places + 1, "0");
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** The reference level 3 book. */
export class Level3Model {
  readonly #orders = new Map<string, ModelOrder>();
  /** The text of the order that opened each level, by side and price. */
  readonly #openers = { bid: new Map<number, string>(), ask: new Map<number, string>() };
  /** How many orders rest at each price, by side: a level ends with its last order. */
  readonly #counts = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  /** The levels as last built, until the next change: reads between changes share them. */
  #built: { bid?: ModelLevel3[]; ask?: ModelLevel3[] } = {};
  #seq = 0;
  state: "empty" | "synced" | "failed" = "empty";

  constructor(readonly depth: number) {}

  /** A snapshot replaces the book; its orders join in wire order (an id twice: the later). */
  snapshot(bids: readonly WireOrder[], asks: readonly WireOrder[]): void {
    this.#orders.clear();
    this.#openers.bid.clear();
    this.#openers.ask.clear();
    this.#counts.bid.clear();
    this.#counts.ask.clear();
    this.#built = {};
    for (const order of bids) this.#add("bid", order);
    for (const order of asks) this.#add("ask", order);
    this.#cut();
  }

  /** An update applies its events in order, bids then asks, then cuts. */
  update(bids: readonly WireOrder[], asks: readonly WireOrder[]): void {
    for (const order of bids) this.#event("bid", order);
    for (const order of asks) this.#event("ask", order);
    this.#cut();
  }

  /** The orders the model holds. */
  get size(): number {
    return this.#orders.size;
  }

  /** Every resting order. */
  orders(): ModelOrder[] {
    return [...this.#orders.values()];
  }

  #event(side: "bid" | "ask", order: WireOrder): void {
    const held = this.#orders.get(order.orderId);
    const event = order.event ?? "add";
    if (event === "delete") {
      if (held !== undefined) this.#remove(held);
    } else if (event === "add") {
      this.#add(side, order);
    } else if (held !== undefined) {
      // A modify at the order's own price and side keeps its place; elsewhere it joins the back.
      const inPlace = held.side === side && held.price === Number(order.priceText) &&
        Number(order.qtyText) > 0;
      if (inPlace) {
        this.#orders.set(held.id, { ...held, priceText: order.priceText, qtyText: order.qtyText });
        this.#built = {};
      } else {
        this.#remove(held);
        this.#add(side, order);
      }
    }
  }

  #add(side: "bid" | "ask", order: WireOrder): void {
    const held = this.#orders.get(order.orderId);
    if (held !== undefined) this.#remove(held);
    if (!(Number(order.qtyText) > 0)) return;
    const price = Number(order.priceText);
    const count = this.#counts[side].get(price) ?? 0;
    if (count === 0) this.#openers[side].set(price, order.priceText);
    this.#counts[side].set(price, count + 1);
    this.#built = {};
    this.#orders.set(order.orderId, {
      id: order.orderId,
      side,
      price,
      priceText: order.priceText,
      qtyText: order.qtyText,
      seq: ++this.#seq,
    });
  }

  #remove(order: ModelOrder): void {
    this.#orders.delete(order.id);
    this.#built = {};
    const count = (this.#counts[order.side].get(order.price) ?? 0) - 1;
    if (count > 0) this.#counts[order.side].set(order.price, count);
    else {
      this.#counts[order.side].delete(order.price);
      this.#openers[order.side].delete(order.price);
    }
  }

  #cut(): void {
    for (const side of ["bid", "ask"] as const) {
      for (const level of this.levels(side).slice(this.depth)) {
        for (const order of level.orders) this.#remove(order);
      }
    }
  }

  /** One side's levels, best first, each queue in arrival order. */
  levels(side: "bid" | "ask"): ModelLevel3[] {
    const built = this.#built[side];
    if (built !== undefined) return built;
    const mine = [...this.#orders.values()].filter((order) => order.side === side);
    mine.sort((a, b) => (side === "ask" ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
    const levels: { price: number; priceText: string; orders: ModelOrder[] }[] = [];
    for (const order of mine) {
      const last = levels.at(-1);
      if (last !== undefined && last.price === order.price) last.orders.push(order);
      else {
        levels.push({
          price: order.price,
          priceText: this.#openers[side].get(order.price) ?? "?",
          orders: [order],
        });
      }
    }
    this.#built[side] = levels;
    return levels;
  }

  /** Kraken's level 3 checksum of the book as it stands. */
  checksum(): number {
    const digits = (side: "bid" | "ask") =>
      this.levels(side).slice(0, 10).flatMap((level) => level.orders).map((order) =>
        checksumDigitsOf(order.priceText) + checksumDigitsOf(order.qtyText)
      ).join("");
    return crc32(digits("ask") + digits("bid"));
  }
}
