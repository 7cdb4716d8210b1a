/**
 * The client's level 3 connections (experimental): Kraken takes at most 200 symbols on one, so
 * the client opens as many as the symbols asked for need, each with its own session, and a
 * stream over symbols of several is one stream.
 *
 * @module
 */

import type { Level3Depth } from "../book/level3_book.ts";
import type { KrakenEvent } from "../core/events.ts";
import type { ClientDriver } from "./driver.ts";
import { mergeStreams } from "./merge_streams.ts";

/** Kraken's level 3 endpoint. */
export const KRAKEN_LEVEL3_URL = "wss://ws-l3.kraken.com/v2";

/**
 * The most symbols Kraken takes on one level 3 connection.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { LEVEL3_SYMBOLS_PER_CONNECTION } from "@kraken-ws/sdk/extended";
 * console.log(LEVEL3_SYMBOLS_PER_CONNECTION); // 200
 * ```
 */
export const LEVEL3_SYMBOLS_PER_CONNECTION = 200;

/**
 * The level 3 connections of one client. Not exported: `KrakenWs.level3` is its face.
 *
 * @example
 * ```ts
 * import { Level3Connections } from "./level3_connections.ts";
 * const connections = new Level3Connections(() => {
 *   throw new Error("no driver in this example");
 * });
 * console.log(connections.drivers.length); // 0
 * ```
 */
export class Level3Connections {
  readonly #make: () => ClientDriver;
  readonly #drivers: ClientDriver[] = [];
  /** Which connection each symbol lives on: for the client's life, so a symbol never moves. */
  readonly #home = new Map<string, ClientDriver>();
  readonly #count = new Map<ClientDriver, number>();
  readonly #listeners = new Set<(driver: ClientDriver) => void>();

  /**
   * Creates the set, empty.
   *
   * @param make Makes the driver of one more connection.
   */
  constructor(make: () => ClientDriver) {
    this.#make = make;
  }

  /** The connections made so far. */
  get drivers(): readonly ClientDriver[] {
    return this.#drivers;
  }

  /**
   * Calls `listener` with each connection made from now on (for `events()` streams), until the
   * returned function is called.
   *
   * @param listener Called with each new driver.
   * @returns Stops the calls.
   */
  onConnection(listener: (driver: ClientDriver) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Opens one stream of level 3 books of `symbols`, across the connections they live on.
   *
   * @param symbols The pairs.
   * @param depth The depth.
   * @returns The stream.
   */
  open(symbols: readonly string[], depth: Level3Depth): ReadableStream<KrakenEvent> {
    const groups = new Map<ClientDriver, string[]>();
    for (const symbol of symbols) {
      const driver = this.#homeOf(symbol);
      const group = groups.get(driver) ?? [];
      group.push(symbol);
      groups.set(driver, group);
    }
    const streams = [...groups].map(([driver, group]) =>
      driver.open(
        "level3",
        group.map((symbol) => ({ channel: "level3" as const, symbol, depth })),
        { depth },
      )
    );
    return streams.length === 1 ? streams[0] : mergeStreams(streams);
  }

  #homeOf(symbol: string): ClientDriver {
    const known = this.#home.get(symbol);
    if (known !== undefined) return known;
    let driver = this.#drivers.find((candidate) =>
      (this.#count.get(candidate) ?? 0) < LEVEL3_SYMBOLS_PER_CONNECTION
    );
    if (driver === undefined) {
      driver = this.#make();
      this.#drivers.push(driver);
      for (const listener of this.#listeners) listener(driver);
    }
    this.#home.set(symbol, driver);
    this.#count.set(driver, (this.#count.get(driver) ?? 0) + 1);
    return driver;
  }
}
