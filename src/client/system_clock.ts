/**
 * The runtime's time and timers, the client's default {@link Clock}.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";

/**
 * The runtime's clock.
 *
 * @example
 * ```ts
 * import { SYSTEM_CLOCK } from "@kraken-ws/sdk/extended";
 * console.log(SYSTEM_CLOCK.now() > 0); // true
 * ```
 */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
