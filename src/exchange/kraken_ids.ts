/**
 * Ids the fake exchange makes, shaped like Kraken's (`OK4GJX-KSTLS-7DZZO5` for an order,
 * `T…` for an execution, `L…` for a ledger entry) and WebSocket tokens, all from one seeded
 * generator so a run replays exactly.
 *
 * @module
 */

import { SeededRandom } from "../core/seeded_random.ts";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Makes ids and tokens from a seed.
 *
 * @example
 * ```ts
 * import { KrakenIds } from "./kraken_ids.ts";
 * const ids = new KrakenIds(1);
 * console.log(/^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/.test(ids.next("O"))); // true
 * console.log(ids.token().length); // 43
 * ```
 */
export class KrakenIds {
  readonly #random: SeededRandom;
  readonly #seen = new Set<string>();

  /**
   * Starts the ids of `seed`.
   *
   * @param seed The seed.
   */
  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }

  #chars(alphabet: string, count: number): string {
    let text = "";
    for (let i = 0; i < count; i++) {
      text += alphabet[Math.floor(this.#random.next() * alphabet.length)];
    }
    return text;
  }

  /**
   * A new id with Kraken's 6-5-6 shape, starting with `prefix`; never one given before.
   *
   * @param prefix `O` (order), `T` (execution), `L` (ledger), `A` (amend).
   * @returns The id.
   */
  next(prefix: string): string {
    for (;;) {
      const id = `${prefix}${this.#chars(ID_ALPHABET, 5)}-${this.#chars(ID_ALPHABET, 5)}-${
        this.#chars(ID_ALPHABET, 6)
      }`;
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      return id;
    }
  }

  /** A new WebSocket token: 43 base64 characters, like Kraken's. */
  token(): string {
    for (;;) {
      const token = this.#chars(TOKEN_ALPHABET, 43);
      if (this.#seen.has(token)) continue;
      this.#seen.add(token);
      return token;
    }
  }
}
