/**
 * A clock that moves only when told: timers fire in time order, deterministically, with no real
 * waiting.
 *
 * @module
 */

import type { Clock } from "./clock.ts";

interface Pending {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * Virtual time for tests and simulations.
 *
 * @example
 * ```ts
 * import { VirtualClock } from "@kraken-ws/sdk/extended";
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 50);
 * clock.setTimeout(() => fired.push(clock.now()), 10);
 * clock.advance(100);
 * console.log(fired, clock.now()); // [10, 50] 100
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #next = 1;
  #pending = new Map<number, Pending>();

  /**
   * Starts the clock.
   *
   * @param start The initial time in ms.
   */
  constructor(start = 0) {
    this.#now = start;
  }

  /** Current virtual time. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at now + `ms` (at least now). */
  setTimeout(callback: () => void, ms: number): number {
    const handle = this.#next++;
    this.#pending.set(handle, { at: this.#now + Math.max(0, ms), order: handle, callback });
    return handle;
  }

  /** Cancels a scheduled callback. */
  clearTimeout(handle: unknown): void {
    if (typeof handle === "number") this.#pending.delete(handle);
  }

  /** Number of callbacks waiting. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Time of the earliest waiting callback, if any. */
  nextAt(): number | undefined {
    let earliest: number | undefined;
    for (const pending of this.#pending.values()) {
      if (earliest === undefined || pending.at < earliest) earliest = pending.at;
    }
    return earliest;
  }

  /**
   * Moves time forward by `ms`, firing every callback that falls due, in time order (ties in the
   * order they were set). Callbacks may schedule more; those fire too if due.
   *
   * @param ms How far to move.
   */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, Pending] | undefined;
      for (const entry of this.#pending) {
        const [, pending] = entry;
        if (pending.at > end) continue;
        if (
          due === undefined || pending.at < due[1].at ||
          (pending.at === due[1].at && pending.order < due[1].order)
        ) due = entry;
      }
      if (due === undefined) break;
      this.#pending.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = end;
  }
}
