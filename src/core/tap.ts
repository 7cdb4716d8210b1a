/**
 * A synchronous view of what the client receives and produces, in the order it happens: for
 * metrics, recorders and audit logs that must see every frame and never fall behind a stream.
 *
 * @module
 */

import type { GapEvent, KrakenEvent } from "./events.ts";

/**
 * Called by the client as things happen, before anything is queued for a stream. Every method is
 * optional. A tap that throws does not stop the client: the error becomes an `internal` error
 * event on the streams.
 *
 * @example
 * ```ts
 * import type { KrakenWsTap } from "@kraken-ws/sdk";
 * let bytes = 0;
 * const tap: KrakenWsTap = { frame: (text) => void (bytes += text.length) };
 * tap.frame?.('{"channel":"heartbeat"}', 0);
 * console.log(bytes); // 23
 * ```
 */
export interface KrakenWsTap {
  /**
   * A frame exactly as received, before it is decoded.
   *
   * @param text The frame's text.
   * @param receivedAt Client time of receipt, in ms.
   */
  frame?(text: string, receivedAt: number): void;
  /**
   * An event the client produced for its streams: data and lifecycle, in `seq` order.
   *
   * @param event The event.
   */
  event?(event: KrakenEvent): void;
  /**
   * One stream fell behind and dropped events: the `overflow` gap delivered to that stream.
   *
   * @param gap The gap, with `dropped`.
   */
  overflow?(gap: GapEvent): void;
}

/**
 * One tap that calls each of `taps` in order. Every tap is called even when one before it
 * throws; the first error is thrown afterwards, so the client reports it.
 *
 * @param taps The taps; `undefined` ones are skipped.
 * @returns The combined tap, or undefined when there is none.
 *
 * @example
 * ```ts
 * import { combineTaps } from "@kraken-ws/sdk/extended";
 * const seen: string[] = [];
 * const tap = combineTaps({ frame: () => void seen.push("a") }, undefined, {
 *   frame: () => void seen.push("b"),
 * });
 * tap?.frame?.("{}", 0);
 * console.log(seen); // ["a", "b"]
 * ```
 */
export function combineTaps(...taps: (KrakenWsTap | undefined)[]): KrakenWsTap | undefined {
  const present = taps.filter((tap) => tap !== undefined);
  if (present.length <= 1) return present[0];
  const each = (call: (tap: KrakenWsTap) => void) => {
    let failure: { error: unknown } | undefined;
    for (const tap of present) {
      try {
        call(tap);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  };
  return {
    frame: (text, receivedAt) => each((tap) => tap.frame?.(text, receivedAt)),
    event: (event) => each((tap) => tap.event?.(event)),
    overflow: (gap) => each((tap) => tap.overflow?.(gap)),
  };
}

/**
 * Hands a client the tap that watches it: a `MetricsRegistry` is one (it counts the client's
 * health), which is how `new KrakenWs({ metrics })` counts without the client knowing metrics.
 *
 * @example
 * ```ts
 * import type { ClientTapSource } from "@kraken-ws/sdk/extended";
 * let frames = 0;
 * const source: ClientTapSource = { clientTap: () => ({ frame: () => void frames++ }) };
 * source.clientTap().frame?.("{}", 0);
 * console.log(frames); // 1
 * ```
 */
export interface ClientTapSource {
  /** The tap for a client; every client given this source gets the same one. */
  clientTap(): KrakenWsTap;
}
