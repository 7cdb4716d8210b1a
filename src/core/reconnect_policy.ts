/**
 * When to try connecting again: exponential backoff with full jitter, capped; a budget of attempts
 * per rolling window (Cloudflare bans an IP past about 150 per 10 minutes); a floor of 5 s between
 * attempts after Kraken announced maintenance; the attempt counter reset only after a connection
 * stayed live for a stable window.
 *
 * @module
 */

import type { SeededRandom } from "./seeded_random.ts";

/**
 * Reconnect settings. Every field has a default.
 *
 * @example
 * ```ts
 * import type { ReconnectOptions } from "@kraken-ws/sdk";
 * const options: ReconnectOptions = { initialDelayMs: 500, maxDelayMs: 10_000, seed: 7 };
 * console.log(options.seed);
 * ```
 */
export interface ReconnectOptions {
  /** Cap of the second attempt's delay; each later attempt doubles it (default 1000). */
  readonly initialDelayMs?: number;
  /** Largest delay cap (default 30 000). */
  readonly maxDelayMs?: number;
  /** A connection live this long resets the attempt counter (default 30 000). */
  readonly stableMs?: number;
  /** Seed of the jitter; the same seed gives the same delays (default: random). */
  readonly seed?: number;
  /** At most this many attempts per `attemptWindowMs` (default 150). */
  readonly maxAttempts?: number;
  /** The rolling window of `maxAttempts` (default 600 000, ten minutes). */
  readonly attemptWindowMs?: number;
  /** After a `maintenance` status, at least this long between attempts (default 5000). */
  readonly maintenanceIntervalMs?: number;
}

/** Defaults of {@link ReconnectOptions}, seed aside. */
export const RECONNECT_DEFAULTS = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  stableMs: 30_000,
  maxAttempts: 150,
  attemptWindowMs: 600_000,
  maintenanceIntervalMs: 5000,
} as const;

/**
 * Decides the delay before each connection attempt. Pure: time comes in as arguments, jitter
 * from the seeded generator.
 *
 * @example
 * ```ts
 * import { ReconnectPolicy } from "@kraken-ws/sdk/extended";
 * import { SeededRandom } from "@kraken-ws/sdk/extended";
 * const policy = new ReconnectPolicy({}, new SeededRandom(1));
 * policy.recordAttempt(0); // the first connection attempt, which fails
 * console.log(policy.nextDelay(0)); // 0: the first retry is at once
 * policy.recordAttempt(0); // the retry fails too
 * console.log(policy.nextDelay(0) <= 1000); // true
 * ```
 */
export class ReconnectPolicy {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #stableMs: number;
  readonly #maxAttempts: number;
  readonly #windowMs: number;
  readonly #maintenanceIntervalMs: number;
  readonly #random: SeededRandom;
  /** Attempts since the last stable connection. */
  #failures = 0;
  /** Times of the attempts inside the rolling window, oldest first. */
  #attempts: number[] = [];
  #maintenance = false;

  /**
   * Creates the policy.
   *
   * @param options Settings; missing ones take {@link RECONNECT_DEFAULTS}.
   * @param random The session's seeded generator.
   */
  constructor(options: ReconnectOptions, random: SeededRandom) {
    this.#initialDelayMs = options.initialDelayMs ?? RECONNECT_DEFAULTS.initialDelayMs;
    this.#maxDelayMs = options.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs;
    this.#stableMs = options.stableMs ?? RECONNECT_DEFAULTS.stableMs;
    this.#maxAttempts = options.maxAttempts ?? RECONNECT_DEFAULTS.maxAttempts;
    this.#windowMs = options.attemptWindowMs ?? RECONNECT_DEFAULTS.attemptWindowMs;
    this.#maintenanceIntervalMs = options.maintenanceIntervalMs ??
      RECONNECT_DEFAULTS.maintenanceIntervalMs;
    this.#random = random;
  }

  /** How long a connection must stay live before the attempt counter resets. */
  get stableMs(): number {
    return this.#stableMs;
  }

  /** Kraken announced maintenance (or said it is over): attempts are spaced accordingly. */
  setMaintenance(maintenance: boolean): void {
    this.#maintenance = maintenance;
  }

  /**
   * A connection stayed live for the stable window: the next failure starts from scratch. That
   * connection was itself one attempt, so exactly one retry after it goes at once.
   */
  markStable(): void {
    this.#failures = 1;
  }

  /** Notes that an attempt starts now. */
  recordAttempt(now: number): void {
    this.#failures++;
    this.#attempts.push(now);
    this.#forget(now);
  }

  #forget(now: number): void {
    const attempts = this.#attempts;
    let expired = 0;
    while (expired < attempts.length && attempts[expired] <= now - this.#windowMs) expired++;
    if (expired > 0) attempts.splice(0, expired);
  }

  /**
   * The delay before the next attempt, from `now`: full jitter over an exponentially growing cap
   * (none for the first attempt after a stable connection), then pushed back as far as the attempt
   * budget and the maintenance floor require.
   *
   * @param now Current time in ms.
   * @returns Milliseconds to wait.
   */
  nextDelay(now: number): number {
    this.#forget(now);
    let delay = 0;
    // The attempt that just failed was the first since a stable connection: retry at once.
    // Each further failure doubles the cap: initialDelayMs, 2×, 4×, … up to maxDelayMs.
    if (this.#failures > 1) {
      const cap = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** (this.#failures - 2));
      delay = Math.floor(this.#random.next() * cap);
    }
    const attempts = this.#attempts;
    if (attempts.length >= this.#maxAttempts) {
      // The attempt that would exceed the budget waits until the oldest one leaves the window.
      const oldest = attempts[attempts.length - this.#maxAttempts];
      delay = Math.max(delay, oldest + this.#windowMs - now);
    }
    if (this.#maintenance && attempts.length > 0) {
      const last = attempts[attempts.length - 1];
      delay = Math.max(delay, last + this.#maintenanceIntervalMs - now);
    }
    return delay;
  }
}
