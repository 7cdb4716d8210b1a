/**
 * Kraken's L2 book checksum, computed from the wire text of each level.
 *
 * Two ways to the same number: {@link bookChecksum} reads level texts directly (simple, for any
 * list of levels), and the digest path used by the order book hashes each level once when it
 * enters the book, then folds the top 20 digests with CRC-32's linearity, so a checksum costs 20
 * small steps instead of a pass over some 300 digits.
 *
 * @module
 */

import { padDecimalText } from "../protocol/decimal_text.ts";
import type { BookLevel } from "../protocol/messages.ts";
import { CRC32_TABLE, crc32Finish } from "./crc32.ts";

/** How many levels of each side Kraken's checksum covers. */
export const CHECKSUM_LEVELS = 10;

/**
 * Decimal places of a pair's prices and quantities, from the `instrument` channel.
 *
 * @example
 * ```ts
 * import type { Precision } from "@kraken-ws/sdk/extended";
 * const btcUsd: Precision = { price: 1, qty: 8 };
 * console.log(btcUsd.qty);
 * ```
 */
export interface Precision {
  /** Decimals of a price. */
  readonly price: number;
  /** Decimals of a quantity. */
  readonly qty: number;
}

/** Digits fed by the last {@link crcDigits} call: a second return value without an allocation. */
let fedDigits = 0;
/** Digits fed by the call before the last, for {@link digestLevel}'s two numbers. */
let fedDigitsBefore = 0;

/**
 * Feeds the checksum digits of a plain decimal text (no `.`, no leading zeros) into a running
 * CRC-32 without building the digit string. Returns NaN when the text is not plain digits and a
 * point (an exponent, say), so the caller can take the slow path.
 */
function crcDigits(state: number, text: string): number {
  fedDigitsBefore = fedDigits;
  const length = text.length;
  let i = 0;
  let code = text.charCodeAt(0);
  while (i < length && (code === 0x30 || code === 0x2e)) code = text.charCodeAt(++i);
  if (i === length) {
    // All zeros: the digits are a single "0", as `checksumDigits` defines.
    fedDigits = length === 0 ? 0 : 1;
    return length === 0 ? state : CRC32_TABLE[(state ^ 0x30) & 0xff] ^ (state >>> 8);
  }
  let crc = state;
  let fed = 0;
  for (; i < length; i++) {
    code = text.charCodeAt(i);
    if (code === 0x2e) continue;
    if (code < 0x30 || code > 0x39) return NaN;
    crc = CRC32_TABLE[(crc ^ code) & 0xff] ^ (crc >>> 8);
    fed++;
  }
  fedDigits = fed;
  return crc;
}

function crcNumber(state: number, text: string, decimals: number | undefined): number {
  if (decimals === undefined) {
    const fast = crcDigits(state, text);
    if (!Number.isNaN(fast)) return fast;
  }
  return crcDigits(state, padDecimalText(text, decimals ?? 0));
}

function crcSide(
  state: number,
  levels: readonly BookLevel[],
  precision: Precision | undefined,
): number {
  const count = Math.min(CHECKSUM_LEVELS, levels.length);
  const priceDecimals = precision?.price;
  const qtyDecimals = precision?.qty;
  for (let i = 0; i < count; i++) {
    const level = levels[i];
    state = crcNumber(state, level.priceText, priceDecimals);
    state = crcNumber(state, level.qtyText, qtyDecimals);
  }
  return state;
}

/**
 * Kraken's book checksum: CRC-32 of the 10 best asks (lowest first) then the 10 best bids
 * (highest first), fewer when the book is shallower; each level contributes its price digits then
 * its quantity digits, taken from the wire text without the `.` and without leading zeros.
 *
 * @param asks Asks, best (lowest) first; only the first 10 are read.
 * @param bids Bids, best (highest) first; only the first 10 are read.
 * @param precision When given, values with fewer decimals are padded with zeros first (for input
 *   that lost its trailing zeros).
 * @returns The checksum as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import { bookChecksum } from "@kraken-ws/sdk/extended";
 * const level = (priceText: string, qtyText: string) =>
 *   ({ price: Number(priceText), priceText, qty: Number(qtyText), qtyText });
 * console.log(bookChecksum([level("101.0", "2.00000000")], [level("100.0", "1.00000000")])); // 1424606772
 * console.log(bookChecksum([level("101", "2")], [level("100", "1")], { price: 1, qty: 8 })); // 1424606772
 * ```
 */
export function bookChecksum(
  asks: readonly BookLevel[],
  bids: readonly BookLevel[],
  precision?: Precision,
): number {
  return crc32Finish(crcSide(crcSide(0xffffffff, asks, precision), bids, precision));
}

/** 2^32: a digest packs the digit count above the 32 bits of the CRC register. */
const REGISTER_SPAN = 4294967296;

/**
 * Hashes a level's checksum digits once, for {@link ChecksumFold}: the raw CRC-32 register (from
 * 0, unconditioned) of its digits and how many digits there are, packed in one number as
 * `digits * 2^32 + register` (exact: far below 2^53), so a book side keeps its digests in a plain
 * array of doubles beside its levels.
 *
 * @param level The wire level.
 * @param precision Pads values with fewer decimals when given.
 * @returns The packed digest.
 *
 * @example
 * ```ts
 * import { digestLevel } from "@kraken-ws/sdk/extended";
 * const digest = digestLevel({ price: 0.001, priceText: "0.0010", qty: 5, qtyText: "5" }, undefined);
 * console.log(Math.floor(digest / 2 ** 32)); // 3 digits: "10" then "5"
 * ```
 */
export function digestLevel(level: BookLevel, precision: Precision | undefined): number {
  return digestPair(level.priceText, level.qtyText, precision);
}

/**
 * {@link digestLevel} from the two texts alone, for entries that are not {@link BookLevel}s: a
 * level 3 order contributes its `limit_price` then its `order_qty` exactly as a level does.
 *
 * @param priceText The price as sent.
 * @param qtyText The quantity as sent.
 * @param precision Pads values with fewer decimals when given.
 * @returns The packed digest.
 *
 * @example
 * ```ts
 * import { digestLevel, digestPair } from "@kraken-ws/sdk/extended";
 * const level = { price: 1, priceText: "1.0", qty: 2, qtyText: "2.00" };
 * console.log(digestPair("1.0", "2.00", undefined) === digestLevel(level, undefined)); // true
 * ```
 */
export function digestPair(
  priceText: string,
  qtyText: string,
  precision: Precision | undefined,
): number {
  const crc = crcNumber(crcNumber(0, priceText, precision?.price), qtyText, precision?.qty);
  const digits = fedDigitsBefore + fedDigits;
  return digits * REGISTER_SPAN + (crc >>> 0);
}

/**
 * The digest of one digit run followed by another, from their two digests alone (CRC-32 is
 * linear), so a level 3 price level can hash its queue from its orders' cached digests.
 * 0 is the digest of no digits.
 *
 * @param first The digest of the digits that come first.
 * @param second The digest of the digits that follow.
 * @returns The packed digest of both runs, in that order.
 *
 * @example
 * ```ts
 * import { concatDigests, digestPair } from "@kraken-ws/sdk/extended";
 * const both = concatDigests(digestPair("1.0", "2", undefined), digestPair("1.0", "3", undefined));
 * console.log(Math.floor(both / 2 ** 32)); // 6 digits: "102" then "103"
 * ```
 */
export function concatDigests(first: number, second: number): number {
  const tail = Math.floor(second / REGISTER_SPAN);
  const crc = advance(first >>> 0, tail) ^ (second >>> 0);
  return (Math.floor(first / REGISTER_SPAN) + tail) * REGISTER_SPAN + (crc >>> 0);
}

/** Longest digit run with a precomputed advance table; longer ones go in strides of it. */
const MAX_TABLED_DIGITS = 63;
/**
 * `ADVANCE[(n << 10) + part * 256 + byte]`: the register after n zero bytes, for a register whose
 * byte `part` is `byte` and whose other bytes are 0. Filled per n on first use.
 */
const ADVANCE = new Uint32Array((MAX_TABLED_DIGITS + 1) << 10);
const ADVANCE_READY = new Uint8Array(MAX_TABLED_DIGITS + 1);

/**
 * Fills the tables for "advance the register over n zero bytes". The step is linear over GF(2),
 * so the result for any register is the XOR of the results for its set bits, tabled by byte.
 */
function fillAdvance(n: number): void {
  const basis = new Uint32Array(32);
  for (let bit = 0; bit < 32; bit++) {
    let crc = (1 << bit) >>> 0;
    for (let i = 0; i < n; i++) crc = CRC32_TABLE[crc & 0xff] ^ (crc >>> 8);
    basis[bit] = crc >>> 0;
  }
  for (let part = 0; part < 4; part++) {
    const base = (n << 10) + part * 256;
    for (let byte = 1; byte < 256; byte++) {
      const low = byte & -byte;
      ADVANCE[base + byte] = ADVANCE[base + (byte ^ low)] ^ basis[part * 8 + 31 - Math.clz32(low)];
    }
  }
  ADVANCE_READY[n] = 1;
}

function advance(state: number, n: number): number {
  // A level 3 price level spans hundreds of digits: stride through them 4 lookups per 63.
  while (n > MAX_TABLED_DIGITS) {
    state = advance(state, MAX_TABLED_DIGITS);
    n -= MAX_TABLED_DIGITS;
  }
  if (ADVANCE_READY[n] === 0) fillAdvance(n);
  const base = n << 10;
  return ADVANCE[base + (state & 0xff)] ^ ADVANCE[base + 256 + ((state >>> 8) & 0xff)] ^
    ADVANCE[base + 512 + ((state >>> 16) & 0xff)] ^ ADVANCE[base + 768 + (state >>> 24)];
}

/**
 * Folds digested levels into Kraken's checksum, keeping the register after every level so that
 * the next fold can start where the book first changed. Positions 0 to 9 are the best asks,
 * lowest first, then come the best bids, highest first.
 *
 * @example
 * ```ts
 * import { bookChecksum, ChecksumFold, digestLevel } from "@kraken-ws/sdk/extended";
 * const ask = { price: 101, priceText: "101.0", qty: 2, qtyText: "2.00000000" };
 * const bid = { price: 100, priceText: "100.0", qty: 1, qtyText: "1.00000000" };
 * const fold = new ChecksumFold();
 * const checksum = fold.fold([digestLevel(ask, undefined)], [digestLevel(bid, undefined)]);
 * console.log(checksum === bookChecksum([ask], [bid])); // true
 * ```
 */
export class ChecksumFold {
  /** `#registers[i]`: the register after the first i positions; `[0]` is the CRC's initial value. */
  #registers = new Int32Array(2 * CHECKSUM_LEVELS + 1).fill(-1);
  /** How many positions of `#registers` still hold for the current book. */
  #valid = 0;

  /** Forgets every position from `position` on; they are folded again by the next call. */
  invalidateFrom(position: number): void {
    if (position < this.#valid) this.#valid = position;
  }

  /**
   * The checksum of the given top of book, folding again only the positions invalidated since
   * the last call.
   *
   * @param asks Digests of the asks, best first; only the first 10 are read.
   * @param bids Digests of the bids, best first; only the first 10 are read.
   * @returns The checksum as an unsigned 32-bit integer.
   */
  fold(asks: readonly number[], bids: readonly number[]): number {
    const registers = this.#registers;
    const askCount = Math.min(CHECKSUM_LEVELS, asks.length);
    const total = askCount + Math.min(CHECKSUM_LEVELS, bids.length);
    let state = registers[this.#valid];
    for (let i = this.#valid; i < total; i++) {
      const digest = i < askCount ? asks[i] : bids[i - askCount];
      state = advance(state, Math.floor(digest / REGISTER_SPAN)) ^ (digest >>> 0);
      registers[i + 1] = state;
    }
    this.#valid = total;
    return crc32Finish(registers[total]);
  }
}
