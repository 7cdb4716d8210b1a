/**
 * Kraken's per-pair trading rate counter (the spot rate-limit guide): each trading request adds
 * its cost to its pair's counter, which decays by a fixed amount per second; a request that would
 * take the counter past the threshold (`maxratecount`) is refused with
 * `EOrder:Rate limit exceeded` and adds nothing.
 *
 * @module
 */

/**
 * Kraken's extra cost of touching an order by its age (amend, edit, cancel), in the guide's age
 * brackets: under 5, 10, 15, 45, 90 and 300 seconds.
 *
 * @example
 * ```ts
 * import { AGE_PENALTIES } from "./rate_counter.ts";
 * console.log(AGE_PENALTIES.cancel[0]); // 8
 * ```
 */
export const AGE_PENALTIES: Readonly<Record<"amend" | "edit" | "cancel", readonly number[]>> = {
  amend: [3, 2, 1, 0, 0, 0],
  edit: [6, 5, 4, 2, 1, 0],
  cancel: [8, 6, 5, 4, 2, 1],
};
const AGE_BRACKETS_MS = [5000, 10_000, 15_000, 45_000, 90_000, 300_000];

/**
 * The extra cost of an action on an order of age `ageMs`.
 *
 * @param action What is done.
 * @param ageMs The order's age.
 * @returns The penalty (0 past five minutes).
 *
 * @example
 * ```ts
 * import { agePenalty } from "./rate_counter.ts";
 * console.log(agePenalty("cancel", 1000), agePenalty("cancel", 400_000)); // 8 0
 * ```
 */
export function agePenalty(action: "amend" | "edit" | "cancel", ageMs: number): number {
  const bracket = AGE_BRACKETS_MS.findIndex((limit) => ageMs < limit);
  return bracket < 0 ? 0 : AGE_PENALTIES[action][bracket];
}

/**
 * The counters of every pair of one account.
 *
 * @example
 * ```ts
 * import { RateCounter } from "./rate_counter.ts";
 * const counter = new RateCounter(2, 1);
 * console.log(counter.charge("BTC/USD", 1, 0), counter.charge("BTC/USD", 1, 0), counter.charge("BTC/USD", 1, 0)); // true true false
 * console.log(counter.charge("BTC/USD", 1, 1000)); // true: one decayed
 * ```
 */
export class RateCounter {
  readonly #max: number;
  readonly #decayPerSecond: number;
  readonly #pairs = new Map<string, { value: number; at: number }>();

  /**
   * Creates the counters.
   *
   * @param max The threshold (Kraken's intermediate tier: 125).
   * @param decayPerSecond The decay (intermediate tier: 2.34).
   */
  constructor(max: number, decayPerSecond: number) {
    this.#max = max;
    this.#decayPerSecond = decayPerSecond;
  }

  /** The threshold: what the executions ack calls `maxratecount`. */
  get max(): number {
    return this.#max;
  }

  /**
   * The counter of `symbol` at `now`.
   *
   * @param symbol The pair.
   * @param now The time.
   * @returns Its value after decay.
   */
  value(symbol: string, now: number): number {
    const held = this.#pairs.get(symbol);
    if (held === undefined) return 0;
    return Math.max(0, held.value - (Math.max(0, now - held.at) / 1000) * this.#decayPerSecond);
  }

  /**
   * Adds `cost` to the pair's counter, unless that takes it past the threshold.
   *
   * @param symbol The pair.
   * @param cost The request's cost.
   * @param now The time.
   * @returns Whether it was added (false: refuse the request).
   */
  charge(symbol: string, cost: number, now: number): boolean {
    const value = this.value(symbol, now) + cost;
    if (value > this.#max) return false;
    this.#pairs.set(symbol, { value, at: now });
    return true;
  }
}
