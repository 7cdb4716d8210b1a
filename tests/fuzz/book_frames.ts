/**
 * Book frames as a server writes them, from a seed: a market (depth, precisions, mid, spread),
 * snapshots and updates with zero in every spelling, respelled prices, repeated levels, levels past
 * the depth and deletes of absent levels, and their text. Shared by the book target and the
 * session's server.
 *
 * @module
 */

import type { BookDepth } from "../../src/book/order_book.ts";
import { type BookModel, spell, type WireLevel, ZERO_SPELLINGS } from "./book_model.ts";
import type { Rng } from "./random.ts";

/** The prices and sizes of one book life, from its seed. */
export interface Market {
  readonly depth: BookDepth;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** The mid, in price ticks. */
  readonly mid: number;
  /** How far levels spread from the mid, in ticks. */
  readonly spread: number;
  /** How often a price is written with more or fewer trailing zeros than the pair's precision. */
  readonly respell: number;
}

function qty(rng: Rng, market: Market): string {
  const units = rng.chance(0.1) ? 1 : rng.range(1, 10 ** Math.min(market.qtyDecimals + 2, 10));
  return spell(rng, units, market.qtyDecimals, market.respell / 3);
}

function price(rng: Rng, market: Market, side: "bid" | "ask", from: number, to: number): string {
  const offset = rng.range(from, to);
  const ticks = side === "bid" ? market.mid - offset : market.mid + offset;
  return spell(rng, ticks, market.priceDecimals, market.respell);
}

const zero = (rng: Rng, market: Market): string =>
  rng.chance(0.3) ? spell(rng, 0, market.qtyDecimals) : rng.pick(ZERO_SPELLINGS);

/** One side of a snapshot. */
export function snapshotSide(rng: Rng, market: Market, side: "bid" | "ask"): WireLevel[] {
  // Sometimes deeper than the depth (the book must cut it), with a price given twice now and then.
  const count = rng.chance(0.1) ? 0 : rng.int(market.depth + 20);
  const levels: WireLevel[] = [];
  for (let i = 0; i < count; i++) {
    const repeat = levels.length > 0 && rng.chance(0.03);
    const priceText = repeat
      ? rng.pick(levels).priceText
      : price(rng, market, side, 1, market.spread);
    levels.push({ priceText, qtyText: qty(rng, market) });
  }
  return levels;
}

/** One update's levels: sets, deletes, absent deletes, repeats, respellings, far levels. */
export function updateSide(
  rng: Rng,
  market: Market,
  model: BookModel,
  side: "bid" | "ask",
  count: number,
): WireLevel[] {
  const held = model.levels(side);
  const levels: WireLevel[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    const existing = held.length > 0 ? rng.pick(held) : undefined;
    if (roll < 0.25 && existing !== undefined) {
      levels.push({ priceText: existing.priceText, qtyText: qty(rng, market) });
    } else if (roll < 0.45 && existing !== undefined) {
      levels.push({ priceText: existing.priceText, qtyText: zero(rng, market) });
    } else if (roll < 0.52 && existing !== undefined) {
      // The same price in another spelling: one level, now with this text.
      const ticks = Math.round(existing.price * 10 ** market.priceDecimals);
      levels.push({
        priceText: spell(rng, ticks, market.priceDecimals, 1),
        qtyText: qty(rng, market),
      });
    } else if (roll < 0.6) {
      levels.push({
        priceText: price(rng, market, side, 1, market.spread),
        qtyText: zero(rng, market),
      });
    } else if (roll < 0.7 && levels.length > 0) {
      // The same price twice in one message: the later wins, a zero included.
      const again = rng.pick(levels).priceText;
      levels.push({
        priceText: again,
        qtyText: rng.chance(0.4) ? zero(rng, market) : qty(rng, market),
      });
    } else if (roll < 0.78) {
      // Past the last level the depth keeps: cut at once.
      levels.push({
        priceText: price(rng, market, side, market.spread, market.spread * 2),
        qtyText: qty(rng, market),
      });
    } else {
      levels.push({
        priceText: price(rng, market, side, 1, market.spread),
        qtyText: qty(rng, market),
      });
    }
  }
  return levels;
}

/** A level on the wrong side of the best opposite level: the book must say `crossed`. */
export function crossing(rng: Rng, market: Market, model: BookModel): WireLevel[] {
  const [bestAsk] = model.levels("ask");
  if (bestAsk === undefined) return [];
  const ticks = Math.round(bestAsk.price * 10 ** market.priceDecimals) + rng.int(3);
  return [{ priceText: spell(rng, ticks, market.priceDecimals), qtyText: qty(rng, market) }];
}

/** A book frame's text, in Kraken's layout or (now and then) in another the general reader takes. */
export function bookFrameText(
  rng: Rng,
  type: "snapshot" | "update",
  symbol: string,
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  checksum: number,
): string {
  const side = (levels: readonly WireLevel[]) =>
    `[${levels.map((level) => `{"price":${level.priceText},"qty":${level.qtyText}}`).join(",")}]`;
  const head = `"channel":"book","type":"${type}"`;
  const fields = [
    `"symbol":${JSON.stringify(symbol)}`,
    `"bids":${side(bids)}`,
    `"asks":${side(asks)}`,
    `"checksum":${checksum}`,
    `"timestamp":"2026-07-07T23:00:04.585581Z"`,
  ];
  if (rng.chance(0.9)) return `{${head},"data":[{${fields.join(",")}}]}`;
  const reversed = [...fields].reverse();
  return `{ "data" : [ { ${reversed.join(" , ")} } ] , ${head} }`;
}
