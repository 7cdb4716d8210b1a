/**
 * The one timer a driver of the sans-I/O {@link Exchange} keeps: set for the exchange's next
 * output, and on firing carrying out everything due. The socket simulator (real timers) and the
 * seeded simulation (a virtual clock) both drive the exchange through it.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { Exchange, ExchangeOutput } from "../exchange/exchange.ts";

/**
 * Keeps one timer on `clock` for `exchange`'s next output.
 *
 * @example
 * ```ts
 * import { ExchangeTimer } from "./exchange_timer.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * import { Exchange } from "../exchange/exchange.ts";
 * import { MarketFeed } from "../exchange/market_feed.ts";
 * import { SimMarket } from "../exchange/market.ts";
 *
 * const clock = new VirtualClock(0);
 * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)), latencyMs: 5 });
 * const seen: string[] = [];
 * const timer = new ExchangeTimer(exchange, clock, (output) => seen.push(output.type));
 * exchange.connect(0);
 * timer.arm();
 * clock.advance(5);
 * console.log(seen); // [ "open", "deliver" ]: the connection opens and hears its status
 * ```
 */
export class ExchangeTimer {
  readonly #exchange: Exchange;
  readonly #clock: Clock;
  readonly #carry: (output: ExchangeOutput) => void;
  #timer: unknown;
  #timerAt: number | undefined;
  #stopped = false;

  /**
   * Creates the timer; nothing is set until {@link ExchangeTimer.arm} or {@link ExchangeTimer.run}.
   *
   * @param exchange The exchange.
   * @param clock Time and timers.
   * @param carry Carries out one output.
   */
  constructor(exchange: Exchange, clock: Clock, carry: (output: ExchangeOutput) => void) {
    this.#exchange = exchange;
    this.#clock = clock;
    this.#carry = carry;
  }

  /** Carries out whatever is due now, then waits for the next. */
  run(): void {
    if (this.#stopped) return;
    for (const output of this.#exchange.advance(this.#clock.now())) this.#carry(output);
    this.arm();
  }

  /**
   * Sets the timer for the next output, after an input scheduled more: nothing is carried out
   * now, so an output never reaches a client inside its own call into the exchange.
   */
  arm(): void {
    if (this.#stopped) return;
    const next = this.#exchange.nextDueAt();
    if (next === this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.run();
    }, next - this.#clock.now());
  }

  /** Clears the timer for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
