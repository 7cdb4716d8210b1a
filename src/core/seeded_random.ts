/**
 * A small seeded generator (mulberry32): the session's only source of randomness, so that every
 * run replays exactly from its seed.
 *
 * @module
 */

/**
 * Deterministic uniform numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "@kraken-ws/sdk/extended";
 * const a = new SeededRandom(42);
 * const b = new SeededRandom(42);
 * console.log(a.next() === b.next()); // true
 * ```
 */
export class SeededRandom {
  #state: number;

  /**
   * Starts the sequence of `seed`.
   *
   * @param seed Any number; its low 32 bits are used.
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
