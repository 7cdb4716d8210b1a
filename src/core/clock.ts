/**
 * The source of time and timers, injected so that tests run in virtual time.
 *
 * @module
 */

/**
 * Time and timers. The client's default is the runtime's (`SYSTEM_CLOCK`);
 * {@link VirtualClock} is the one tests use.
 *
 * @example
 * ```ts
 * import type { Clock } from "@kraken-ws/sdk";
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (callback, ms) => setTimeout(callback, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as number),
 * };
 * console.log(typeof clock.now());
 * ```
 */
export interface Clock {
  /** Current time in ms; must never go backwards. */
  now(): number;
  /** Calls `callback` after `ms`; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending callback. */
  clearTimeout(handle: unknown): void;
}
