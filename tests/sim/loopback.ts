/**
 * A `KrakenWs` and a `KrakenSimulator` on one virtual clock, over real loopback sockets: time
 * moves only when a test moves it, and after each move the harness lets the sockets deliver what
 * was sent before time moves again.
 *
 * @module
 */

import type { DriverProbe } from "../../src/client/driver.ts";
import { KrakenWs, type KrakenWsOptions, probedClient } from "../../src/client/kraken_ws.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { SimFrame } from "../../src/exchange/feed.ts";
import { KrakenSimulator, type KrakenSimulatorOptions } from "../../src/sim/simulator.ts";
import { EventCollector } from "../client/event_collector.ts";

/** A frame the simulator put on the wire. */
export interface SentFrame {
  readonly connection: number;
  readonly frame: SimFrame;
}

/** Yields to the event loop so socket reads and writes can complete. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class Loopback {
  readonly clock: VirtualClock;
  readonly simulator: KrakenSimulator;
  readonly kraken: KrakenWs;
  readonly events: EventCollector<KrakenEvent>;
  readonly sent: SentFrame[];
  readonly #counter: { received: number };

  private constructor(
    clock: VirtualClock,
    simulator: KrakenSimulator,
    kraken: KrakenWs,
    sent: SentFrame[],
    counter: { received: number },
  ) {
    this.clock = clock;
    this.simulator = simulator;
    this.kraken = kraken;
    this.sent = sent;
    this.events = new EventCollector(kraken.events());
    this.#counter = counter;
  }

  /** Frames the client received. */
  get received(): number {
    return this.#counter.received;
  }

  /**
   * Starts the simulator and a client on one virtual clock; with `probe`, the client is a probed
   * one (the simulation's checks watch it).
   */
  static async start(
    simulatorOptions: KrakenSimulatorOptions = {},
    clientOptions: Omit<KrakenWsOptions, "url" | "clock"> = {},
    probe?: (clock: VirtualClock) => DriverProbe,
  ): Promise<Loopback> {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const sent: SentFrame[] = [];
    const simulator = new KrakenSimulator({
      ...simulatorOptions,
      clock,
      onFrame: (connection, frame) => {
        sent.push({ connection, frame });
        simulatorOptions.onFrame?.(connection, frame);
      },
    });
    const url = await simulator.start();
    const counter = { received: 0 };
    const userTap = clientOptions.tap;
    const options: KrakenWsOptions = {
      reconnect: { seed: 5 },
      ...clientOptions,
      url,
      clock,
      tap: {
        ...userTap,
        frame: (text, receivedAt) => {
          counter.received++;
          userTap?.frame?.(text, receivedAt);
        },
      },
    };
    const kraken = probe === undefined
      ? new KrakenWs(options)
      : probedClient(options, probe(clock));
    return new Loopback(clock, simulator, kraken, sent, counter);
  }

  /**
   * Lets the sockets carry what was sent: turns of the event loop until the client received
   * every frame the simulator wrote, or nothing moved for a while (frames on a link that died are
   * never received).
   */
  async settle(): Promise<void> {
    let idle = 0;
    let last = -1;
    // Frames written to a link that then died never arrive: a few idle turns mean nothing more
    // is coming.
    while (idle < 4) {
      await turn();
      const written = this.simulator.connections.reduce((sum, info) => sum + info.framesSent, 0);
      if (this.received >= written && this.received === last) return;
      idle = this.received === last ? idle + 1 : 0;
      last = this.received;
    }
  }

  /** Moves time forward `ms` in steps, letting the sockets deliver after each. */
  async run(ms: number, stepMs = 50): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      this.clock.advance(Math.min(stepMs, ms - elapsed));
      await this.settle();
    }
  }

  /** Runs until `predicate` holds, at most `maxMs` of virtual time; returns whether it held. */
  async until(predicate: () => boolean, maxMs = 60_000, stepMs = 50): Promise<boolean> {
    await this.settle();
    for (let elapsed = 0; elapsed < maxMs && !predicate(); elapsed += stepMs) {
      this.clock.advance(stepMs);
      await this.settle();
    }
    return predicate();
  }

  /** Events of one type. */
  of<T extends KrakenEvent["type"]>(type: T): Extract<KrakenEvent, { type: T }>[] {
    return this.events.events.filter((event): event is Extract<KrakenEvent, { type: T }> =>
      event.type === type
    );
  }

  /** Connection state events, as `to (cause)`. */
  connectionStates(): string[] {
    return this.of("state").filter((event) => event.scope === "connection")
      .map((event) => `${event.to} (${event.cause})`);
  }

  async close(): Promise<void> {
    await this.kraken.close();
    await this.events.done;
    await this.simulator.close();
  }
}
