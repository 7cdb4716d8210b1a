/**
 * What the parts of a session share while it handles one input: the time, the effects produced so
 * far, the event and request counters, and the timers the driver holds for it.
 *
 * @module
 */

import { EventCounter } from "./event_counter.ts";
import type { KrakenEvent, UnstampedEvent } from "./events.ts";
import type { SessionEffect } from "./session_io.ts";

/**
 * The session's timer ids. A book's resync timer is `resync:` and the subscription's key (see
 * {@link resyncTimer}).
 *
 * @example
 * ```ts
 * import { TIMER } from "./session_context.ts";
 * console.log(TIMER.ping); // "ping"
 * ```
 */
export const TIMER = {
  connect: "connect",
  reconnect: "reconnect",
  ping: "ping",
  tick: "tick",
  stable: "stable",
  pace: "pace",
  close: "close",
  linger: "linger",
  deadMan: "dead_man_switch",
  trading: "trading",
  resyncPrefix: "resync:",
} as const;

/**
 * The id of the resync timer of the book subscription `key`.
 *
 * @param key The subscription's key.
 * @returns The timer id.
 *
 * @example
 * ```ts
 * import { resyncTimer } from "./session_context.ts";
 * console.log(resyncTimer("book|BTC/USD")); // "resync:book|BTC/USD"
 * ```
 */
export function resyncTimer(key: string): string {
  return `${TIMER.resyncPrefix}${key}`;
}

/**
 * The shared outbox and counters of one session.
 *
 * @example
 * ```ts
 * import { SessionContext } from "./session_context.ts";
 * const context = new SessionContext();
 * const effects = context.begin(5);
 * context.emit({ type: "gap", reason: "overflow", dropped: 2 }, 7);
 * console.log(effects[0]); // the gap with seq 1 and time 5, for consumer 7
 * ```
 */
export class SessionContext {
  #now = 0;
  readonly #counter: EventCounter;
  readonly #link: "private" | "level3" | undefined;
  #reqId = 0;
  #effects: SessionEffect[] = [];
  /** Timers the driver holds: firing or cancelling one that is not set is a defect. */
  readonly #timers = new Set<string>();

  /**
   * Creates the context.
   *
   * @param counter Where event numbers come from (shared by a client's sessions).
   * @param link `private` for the authenticated connection, `level3` for a level 3 one: its
   *   connection states and statuses say so.
   */
  constructor(counter: EventCounter = new EventCounter(), link?: "private" | "level3") {
    this.#counter = counter;
    this.#link = link;
  }

  /** Client time of the input being handled. */
  get now(): number {
    return this.#now;
  }

  /**
   * Starts handling an input at `now`.
   *
   * @param now Client time.
   * @returns The list the effects of this input are appended to.
   */
  begin(now: number): SessionEffect[] {
    this.#now = now;
    this.#effects = [];
    return this.#effects;
  }

  /** Appends an effect. */
  push(effect: SessionEffect): void {
    this.#effects.push(effect);
  }

  /** The event with the next `seq` and the time `now`. */
  stamp(event: UnstampedEvent, now: number = this.#now): KrakenEvent {
    const linked = this.#link !== undefined &&
      (event.type === "status" || (event.type === "state" && event.scope === "connection"));
    return linked
      ? { ...event, link: this.#link, seq: this.#counter.next(), time: now } as KrakenEvent
      : { ...event, seq: this.#counter.next(), time: now } as KrakenEvent;
  }

  /** Emits `event`, for `consumer`'s stream alone when one is named. */
  emit(event: UnstampedEvent, consumer?: number): void {
    const stamped = this.stamp(event);
    this.#effects.push(
      consumer === undefined
        ? { type: "emit", event: stamped }
        : { type: "emit", event: stamped, consumer },
    );
  }

  /** A fresh `req_id`: pings and subscription requests share one sequence. */
  nextReqId(): number {
    return ++this.#reqId;
  }

  /** Sets (or resets) a timer. */
  setTimer(id: string, delayMs: number): void {
    this.#timers.add(id);
    this.#effects.push({ type: "setTimer", id, delayMs: Math.max(0, delayMs) });
  }

  /** Cancels a timer, if it is set. */
  cancelTimer(id: string): void {
    if (!this.#timers.delete(id)) return;
    this.#effects.push({ type: "cancelTimer", id });
  }

  /** Cancels every timer but those `keep` names. */
  cancelTimers(keep: (id: string) => boolean = () => false): void {
    for (const id of [...this.#timers]) if (!keep(id)) this.cancelTimer(id);
  }

  /** Whether a timer is set. */
  hasTimer(id: string): boolean {
    return this.#timers.has(id);
  }

  /** A timer fired: true when it was set (it is not any more). */
  fired(id: string): boolean {
    return this.#timers.delete(id);
  }
}
