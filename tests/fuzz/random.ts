/**
 * The fuzz suite's only source of randomness: the project's seeded generator (mulberry32), with
 * the few helpers every target needs. Nothing here reads a clock or `Math.random`, so a seed
 * replays exactly.
 *
 * @module
 */

import { seededRandom } from "../fixtures.ts";

/** A seeded stream of choices. */
export class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** A whole number in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One of `items` (which must not be empty). */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A seed for a sub-stream, so that one part's choices do not shift another's. */
  fork(): Rng {
    return new Rng(this.int(2 ** 32));
  }
}
