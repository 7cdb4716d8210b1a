/**
 * The reference L2 book, written from Kraken's rules and nothing of the engine's: a map per side
 * keyed by the numeric price, holding the wire text last sent for it; each side cut to the depth
 * after every message; the checksum built as a string of digits from the wire text and hashed by
 * `node:zlib`'s CRC-32. Plus the spellings a server may use for the same value, and the frame text.
 *
 * @module
 */

import { crc32 } from "node:zlib";
import type { Rng } from "./random.ts";

/** One level as the wire wrote it. */
export interface WireLevel {
  readonly priceText: string;
  readonly qtyText: string;
}

/** A level of the reference, with the numbers its texts stand for. */
export interface ModelLevel {
  readonly price: number;
  readonly priceText: string;
  readonly qty: number;
  readonly qtyText: string;
}

/** A checksum's digits of one number: the text without its point and without leading zeros. */
export function checksumDigitsOf(text: string): string {
  return text.replace(".", "").replace(/^0+/, "");
}

/** Kraken's checksum of a top of book: the 10 best asks then the 10 best bids, price then qty. */
export function referenceChecksum(
  asks: readonly WireLevel[],
  bids: readonly WireLevel[],
): number {
  const digits = (levels: readonly WireLevel[]) =>
    levels.slice(0, 10).map((level) =>
      checksumDigitsOf(level.priceText) + checksumDigitsOf(level.qtyText)
    ).join("");
  return crc32(digits(asks) + digits(bids));
}

/** Where the reference book stands, by the same words as the engine's. */
export type ModelState = "empty" | "synced" | "failed";

/** The reference L2 book. */
export class BookModel {
  readonly #sides = { bid: new Map<number, ModelLevel>(), ask: new Map<number, ModelLevel>() };
  /** Each side sorted, as last built; dropped at every change. */
  #sorted: { bid?: ModelLevel[]; ask?: ModelLevel[] } = {};
  state: ModelState = "empty";

  constructor(readonly depth: number) {}

  /** A snapshot replaces the book. */
  snapshot(bids: readonly WireLevel[], asks: readonly WireLevel[]): void {
    this.#sides.bid.clear();
    this.#sides.ask.clear();
    this.update(bids, asks);
  }

  /** An update applies its levels in order (the same price twice: the later wins), then cuts. */
  update(bids: readonly WireLevel[], asks: readonly WireLevel[]): void {
    this.#sorted = {};
    for (const [side, levels] of [["bid", bids], ["ask", asks]] as const) {
      const map = this.#sides[side];
      for (const { priceText, qtyText } of levels) {
        const price = Number(priceText);
        const qty = Number(qtyText);
        if (qty === 0) map.delete(price);
        else map.set(price, { price, priceText, qty, qtyText });
      }
      if (map.size > this.depth) {
        for (const level of this.levels(side).slice(this.depth)) map.delete(level.price);
        this.#sorted = {};
      }
    }
  }

  /** One side, best first (shared until the next change: do not modify). */
  levels(side: "bid" | "ask"): readonly ModelLevel[] {
    const sorted = this.#sorted[side];
    if (sorted !== undefined) return sorted;
    const levels = [...this.#sides[side].values()];
    levels.sort((a, b) => side === "bid" ? b.price - a.price : a.price - b.price);
    return this.#sorted[side] = levels;
  }

  /** The checksum of the book as it stands. */
  checksum(): number {
    return referenceChecksum(this.levels("ask"), this.levels("bid"));
  }
}

/** Every way JSON can write zero: each one deletes. */
export const ZERO_SPELLINGS: readonly string[] = [
  "0",
  "0.0",
  "0.00000000",
  "0e5",
  "0E-3",
  "-0",
  "-0.0",
  "0.0e+2",
  "0e0",
  "0.000",
];

/**
 * A value given in ticks of `10^-decimals`, as Kraken prints it (`decimals` places, trailing zeros
 * kept), or now and then respelled with more or fewer trailing zeros: the same number, other text.
 */
export function spell(rng: Rng, ticks: number, decimals: number, respell = 0): string {
  const digits = String(ticks).padStart(decimals + 1, "0");
  const text = decimals === 0
    ? digits
    : `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
  if (!rng.chance(respell)) return text;
  if (rng.chance(0.5)) {
    return (text.includes(".") ? text : `${text}.`) + "0".repeat(rng.range(1, 3));
  }
  const trimmed = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  return trimmed === text ? `${text}${text.includes(".") ? "" : "."}0` : trimmed;
}
