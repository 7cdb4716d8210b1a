/**
 * Faults the fake exchange throws at a client, scripted or drawn from a seed, and the frame faults
 * that wait for the first frame they fit.
 *
 * @module
 */

import { SeededRandom } from "../core/seeded_random.ts";
import type { SimFrame } from "./feed.ts";

/**
 * Every fault the exchange knows.
 *
 * - `drop_connection`: the link dies with no close frame (the client sees 1006).
 * - `close_1001`, `close_1008`, `close_1011`: a close frame with that code and Kraken's reason.
 * - `stall`: nothing at all is sent for `durationMs`, heartbeats included.
 * - `wrong_checksum`: the next book (or `level3`) frame carries a wrong checksum.
 * - `drop_update`: the next book, trade (or `level3`) update is not sent.
 * - `duplicate_frame`: the next data frame is sent twice.
 * - `malformed_json`: a frame of broken JSON (on a level 3 connection, a broken `level3` frame).
 * - `unknown_channel`: a frame of a channel Kraken may add one day.
 * - `exceeded_msg_rate`: the next subscribe is refused with `Exceeded msg rate`.
 * - `maintenance`: the exchange's state, not a connection's: every connection, and every new one,
 *   is told `maintenance` until `durationMs` has passed, then `online`; a second window while one
 *   is on never ends it early.
 * - `slow`: every frame takes 200 ms instead of the link's latency, for `durationMs`.
 * - `oversized_frame`: a frame larger than any client should accept.
 * - `outage`: every link drops and every new connection is refused for `durationMs`, as when
 *   Kraken or the network is down; only backoff keeps a client within its attempt budget.
 * - The {@link PrivateFaultKind}s, thrown at an authenticated connection only.
 *
 * @example
 * ```ts
 * import type { FaultKind } from "./faults.ts";
 * const fault: FaultKind = "wrong_checksum";
 * console.log(fault);
 * ```
 */
export type FaultKind =
  | "drop_connection"
  | "close_1001"
  | "close_1008"
  | "close_1011"
  | "stall"
  | "wrong_checksum"
  | "drop_update"
  | "duplicate_frame"
  | "malformed_json"
  | "unknown_channel"
  | "exceeded_msg_rate"
  | "maintenance"
  | "slow"
  | "oversized_frame"
  | "outage"
  | PrivateFaultKind;

/**
 * Faults of the authenticated side, thrown at a private connection only (the newest one when no
 * connection is named), and drawn at random only on private connections:
 *
 * - `invalidate_token`: every token of the account stops being good: the next private request
 *   answers `EAPI:Invalid token` (subscriptions already made keep streaming).
 * - `skip_sequence`: the next `executions` or `balances` message is lost: its sequence number is
 *   skipped.
 * - `drop_with_order`: the next trading request is carried out, but the link is dropped (no close
 *   frame) before its reply goes out.
 * - `swallow_reply`: the next trading request is carried out, but its reply never comes (the
 *   executions and balances updates do).
 *
 * @example
 * ```ts
 * import type { PrivateFaultKind } from "./faults.ts";
 * const fault: PrivateFaultKind = "swallow_reply";
 * console.log(fault);
 * ```
 */
export type PrivateFaultKind =
  | "invalidate_token"
  | "skip_sequence"
  | "drop_with_order"
  | "swallow_reply";

/**
 * A fault at a time.
 *
 * @example
 * ```ts
 * import type { ScheduledFault } from "./faults.ts";
 * const fault: ScheduledFault = { at: 5000, kind: "stall", durationMs: 15_000 };
 * console.log(fault.kind);
 * ```
 */
export interface ScheduledFault {
  /** Time after start, in ms. */
  readonly at: number;
  /** What happens. */
  readonly kind: FaultKind;
  /** For `stall`, `maintenance`, `slow` and `outage`: how long. */
  readonly durationMs?: number;
}

/** How often each fault is drawn, relative to the others. 1008 is final, so it is rare. */
const WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ["drop_connection", 6],
  ["close_1001", 4],
  ["close_1008", 0.3],
  ["close_1011", 4],
  ["stall", 3],
  ["wrong_checksum", 8],
  ["drop_update", 8],
  ["duplicate_frame", 6],
  ["malformed_json", 5],
  ["unknown_channel", 4],
  ["exceeded_msg_rate", 3],
  ["maintenance", 2],
  ["slow", 3],
  ["oversized_frame", 2],
  ["outage", 1.5],
];

/** How often each private fault is drawn, on the same scale; kept apart so public draws stay as they were. */
const PRIVATE_WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ["invalidate_token", 2],
  ["skip_sequence", 5],
  ["drop_with_order", 2],
  ["swallow_reply", 3],
];

/**
 * Every private fault kind, in a fixed order.
 *
 * @example
 * ```ts
 * import { PRIVATE_FAULT_KINDS } from "./faults.ts";
 * console.log(PRIVATE_FAULT_KINDS.includes("skip_sequence")); // true
 * ```
 */
export const PRIVATE_FAULT_KINDS: readonly PrivateFaultKind[] = [
  "invalidate_token",
  "skip_sequence",
  "drop_with_order",
  "swallow_reply",
];

/**
 * Whether a fault is one of the authenticated side's.
 *
 * @param kind The fault.
 * @returns Whether it is a {@link PrivateFaultKind}.
 *
 * @example
 * ```ts
 * import { isPrivateFault } from "./faults.ts";
 * console.log(isPrivateFault("swallow_reply"), isPrivateFault("stall")); // true false
 * ```
 */
export function isPrivateFault(kind: FaultKind): kind is PrivateFaultKind {
  return (PRIVATE_FAULT_KINDS as readonly FaultKind[]).includes(kind);
}

/**
 * Every fault kind of a public connection, in a fixed order (the private ones are in
 * {@link PRIVATE_FAULT_KINDS}).
 *
 * @example
 * ```ts
 * import { FAULT_KINDS } from "./faults.ts";
 * console.log(FAULT_KINDS.includes("outage")); // true
 * ```
 */
export const FAULT_KINDS: readonly FaultKind[] = WEIGHTS.map(([kind]) => kind);

/**
 * One random fault: how long after the previous one it comes (exponentially distributed, mean
 * `meanGapMs`), and its kind, drawn by weight among `kinds`.
 *
 * @param random The generator.
 * @param meanGapMs Mean time between faults.
 * @param kinds The kinds to draw from (default every public kind, 1008 rarely; private kinds
 *   only when named).
 * @returns The gap before it and the fault (its `at` is the gap).
 *
 * @example
 * ```ts
 * import { drawFault } from "./faults.ts";
 * import { SeededRandom } from "../core/seeded_random.ts";
 * const fault = drawFault(new SeededRandom(3), 5000, ["stall", "slow"]);
 * console.log(["stall", "slow"].includes(fault.kind), fault.durationMs! > 0); // true true
 * ```
 */
export function drawFault(
  random: SeededRandom,
  meanGapMs: number,
  kinds?: readonly FaultKind[],
): ScheduledFault {
  const weights = kinds === undefined
    ? WEIGHTS
    : [...WEIGHTS, ...PRIVATE_WEIGHTS].filter(([kind]) => kinds.includes(kind));
  const at = Math.floor(-Math.log(1 - random.next()) * meanGapMs);
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let pick = random.next() * total;
  let kind: FaultKind = weights[0][0];
  for (const [candidate, weight] of weights) {
    pick -= weight;
    if (pick < 0) {
      kind = candidate;
      break;
    }
  }
  const lasting = kind === "stall"
    ? 12_000 + Math.floor(random.next() * 8000)
    : kind === "outage"
    ? 20_000 + Math.floor(random.next() * 40_000)
    : kind === "maintenance" || kind === "slow"
    ? 2000 + Math.floor(random.next() * 8000)
    : undefined;
  return lasting === undefined ? { at, kind } : { at, kind, durationMs: lasting };
}

/**
 * A random fault schedule: on average one fault every `meanGapMs`, kinds drawn by weight.
 *
 * @param seed The schedule's seed.
 * @param durationMs How long the run lasts.
 * @param meanGapMs Mean time between faults.
 * @returns Faults in time order.
 *
 * @example
 * ```ts
 * import { randomFaultSchedule } from "./faults.ts";
 * const schedule = randomFaultSchedule(7, 60_000, 5000);
 * console.log(schedule.length > 0, schedule.every((fault, i) => i === 0 || fault.at >= schedule[i - 1].at));
 * ```
 */
export function randomFaultSchedule(
  seed: number,
  durationMs: number,
  meanGapMs: number,
): ScheduledFault[] {
  const random = new SeededRandom(seed);
  const faults: ScheduledFault[] = [];
  let at = 0;
  for (;;) {
    const fault = drawFault(random, meanGapMs);
    at += fault.at;
    if (at >= durationMs) return faults;
    faults.push({ ...fault, at });
  }
}

/** The faults that change frames, armed until they hit a frame they apply to. */
type FrameFault = "wrong_checksum" | "drop_update" | "duplicate_frame" | "exceeded_msg_rate";

/**
 * What a frame fault did to one frame, for the checks' bookkeeping.
 *
 * @example
 * ```ts
 * import type { FrameFate } from "./faults.ts";
 * const fate: FrameFate = "dropped";
 * console.log(fate);
 * ```
 */
export type FrameFate = "sent" | "dropped" | "corrupted" | "duplicated";

/**
 * Whether a book or trade frame is a snapshot: from the oracle when the session gave one, else
 * from the frame's `type` (a replayed frame, a trade snapshot). No item of these channels has a
 * `type` of its own.
 */
function isSnapshot(frame: SimFrame): boolean {
  return frame.book?.snapshot ?? frame.level3?.snapshot ??
    /"type"\s*:\s*"snapshot"/.test(frame.text);
}

/**
 * Applies the frame faults to outgoing frames: each armed fault waits for the first frame it can
 * apply to.
 *
 * @example
 * ```ts
 * import { FrameFaults } from "./faults.ts";
 * const faults = new FrameFaults();
 * faults.arm("drop_update");
 * const out = faults.apply({ kind: "trade", text: "{}", symbol: "BTC/USD", tradeIds: [1] });
 * console.log(out.frames.length, out.fate); // 0 "dropped"
 * ```
 */
export class FrameFaults {
  #armed: FrameFault[] = [];

  /** Arms a frame fault; it applies to the next frame it fits. */
  arm(kind: FrameFault): void {
    this.#armed.push(kind);
  }

  /** Disarms every armed fault. */
  disarm(): void {
    this.#armed = [];
  }

  #take(kind: FrameFault): boolean {
    const index = this.#armed.indexOf(kind);
    if (index < 0) return false;
    this.#armed.splice(index, 1);
    return true;
  }

  /** Takes an armed `Exceeded msg rate` for a subscribe request, if any. */
  takeRateLimit(): boolean {
    return this.#take("exceeded_msg_rate");
  }

  /**
   * The frames to send for `frame`, and what happened to it.
   *
   * @param frame A frame a connection feed produced.
   * @returns Zero, one or two frames.
   */
  apply(frame: SimFrame): { readonly frames: SimFrame[]; readonly fate: FrameFate } {
    if (this.#armed.length === 0) return { frames: [frame], fate: "sent" };
    // A `level3` frame is a book frame of its own channel: the same faults fit it (it only
    // exists on a level 3 connection, so a public connection's faults hit what they always did).
    const book = frame.kind === "book" || frame.kind === "level3";
    const update = (book || frame.kind === "trade") && !isSnapshot(frame);
    if (update && this.#take("drop_update")) return { frames: [], fate: "dropped" };
    if (book && this.#take("wrong_checksum")) {
      const corrupted = frame.text.replace(
        /"checksum":(\d+)/,
        (_, value) => `"checksum":${(Number(value) + 1) >>> 0}`,
      );
      return { frames: [{ ...frame, text: corrupted }], fate: "corrupted" };
    }
    const data = book || frame.kind === "trade" || frame.kind === "ticker" ||
      frame.kind === "ohlc";
    if (data && this.#take("duplicate_frame")) {
      return { frames: [frame, frame], fate: "duplicated" };
    }
    return { frames: [frame], fate: "sent" };
  }
}

/**
 * A frame of broken JSON, as a buggy proxy might deliver.
 *
 * @example
 * ```ts
 * import { MALFORMED_FRAME } from "./faults.ts";
 * console.log(MALFORMED_FRAME.startsWith('{"channel":"book"')); // true
 * ```
 */
export const MALFORMED_FRAME =
  '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":';

/**
 * A `level3` frame of broken JSON: what `malformed_json` delivers on a level 3 connection.
 *
 * @example
 * ```ts
 * import { MALFORMED_LEVEL3_FRAME } from "./faults.ts";
 * console.log(MALFORMED_LEVEL3_FRAME.startsWith('{"channel":"level3"')); // true
 * ```
 */
export const MALFORMED_LEVEL3_FRAME =
  '{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","bids":[{"event":"add","order_id":';

/**
 * A frame of a channel this SDK does not know.
 *
 * @example
 * ```ts
 * import { UNKNOWN_CHANNEL_FRAME } from "./faults.ts";
 * console.log(JSON.parse(UNKNOWN_CHANNEL_FRAME).channel); // "level9"
 * ```
 */
export const UNKNOWN_CHANNEL_FRAME =
  '{"channel":"level9","type":"update","data":[{"symbol":"BTC/USD","depth":7}]}';

/**
 * A frame of `bytes` bytes: valid JSON of an unknown channel, far past any sane frame limit.
 *
 * @param bytes Its size.
 * @returns The frame.
 *
 * @example
 * ```ts
 * import { oversizedFrame } from "./faults.ts";
 * console.log(oversizedFrame(100).length); // 100
 * ```
 */
export function oversizedFrame(bytes: number): string {
  const head = '{"channel":"bulk","data":"';
  const tail = '"}';
  return head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
