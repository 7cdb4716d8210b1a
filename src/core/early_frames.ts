/**
 * Frames that come before their subscribe's acknowledgement. Kraken may send the snapshot a
 * subscribe asked for ahead of the answer, so a book or an account feed would otherwise drop its
 * own snapshot and resubscribe for ever. A hold belongs to the one subscribe on the wire: a frame
 * that comes while no subscribe of its subscription is there (its unsubscribe is, or nothing) is the
 * old subscription's, and a hold outlives neither its request nor the link.
 *
 * @module
 */

import type { FrameType } from "../protocol/messages.ts";
import type { Subscription } from "./subscription.ts";

/**
 * The frames held for each subscription's subscribe on the wire.
 *
 * @example
 * ```ts
 * import { EarlyFrames } from "./early_frames.ts";
 * import { Subscription } from "./subscription.ts";
 * const subscription = new Subscription({ channel: "balances" }, 0, 0);
 * const early = new EarlyFrames<{ type: "snapshot" | "update" }>(() => 7, 100);
 * console.log(early.holds(subscription, { type: "snapshot" })); // true: held for request 7
 * console.log(early.take(subscription, 7).length); // 1
 * ```
 */
export class EarlyFrames<T extends { readonly type: FrameType }> {
  readonly #held = new Map<string, { readonly reqId: number; readonly frames: T[] }>();
  readonly #subscribeOnWire: (subscription: Subscription) => number | undefined;
  readonly #most: number;

  /**
   * Creates an empty hold.
   *
   * @param subscribeOnWire The `req_id` of the subscribe of a subscription on the wire, if any.
   * @param most The most frames held for one subscription: past it the hold is let go, and the
   *   checks after the acknowledgement (a missing snapshot, a checksum, a sequence) tell the loss.
   */
  constructor(subscribeOnWire: (subscription: Subscription) => number | undefined, most: number) {
    this.#subscribeOnWire = subscribeOnWire;
    this.#most = most;
  }

  /**
   * Whether `frame` is taken out of the flow: held (a snapshot while the subscription is being
   * subscribed starts a hold, the frames after it join), or dropped as the old subscription's.
   * The frames of a subscription acknowledged flow on.
   *
   * @param subscription The subscription the frame names.
   * @param frame The frame.
   * @returns True when the caller must not apply it now.
   */
  holds(subscription: Subscription, frame: T): boolean {
    const state = subscription.state;
    if (state !== "pending" && state !== "resyncing" && state !== "stale") return false;
    const key = subscription.key;
    const reqId = this.#subscribeOnWire(subscription);
    const held = this.#held.get(key);
    if (reqId !== undefined && frame.type === "snapshot") {
      this.#held.set(key, { reqId, frames: [frame] });
    } else if (reqId !== undefined && held?.reqId === reqId && held.frames.length < this.#most) {
      held.frames.push(frame);
    } else {
      this.#held.delete(key);
    }
    return true;
  }

  /**
   * The subscribe `reqId` of `subscription` was acknowledged: the frames held for it, to apply now.
   * A hold for any other request is let go.
   *
   * @param subscription The subscription.
   * @param reqId The acknowledged request.
   * @returns The frames, from the snapshot on; empty when none were held for it.
   */
  take(subscription: Subscription, reqId: number): T[] {
    const held = this.#held.get(subscription.key);
    this.#held.delete(subscription.key);
    return held?.reqId === reqId ? held.frames : [];
  }

  /**
   * `subscription`'s subscribe was refused or timed out: what was held for it is let go now, not
   * when the next subscribe is answered.
   *
   * @param subscription The subscription.
   */
  forget(subscription: Subscription): void {
    this.#held.delete(subscription.key);
  }

  /** The link is gone: what was held belonged to it. */
  clear(): void {
    this.#held.clear();
  }
}
