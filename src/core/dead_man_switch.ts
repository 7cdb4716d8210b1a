/**
 * The dead man's switch: `cancel_all_orders_after` kept armed while the authenticated connection
 * is up, so that if this process dies or loses Kraken for longer than the countdown, Kraken cancels
 * every open order of the account.
 *
 * @module
 */

import type { RejectionMessage } from "../protocol/messages.ts";
import type { TradingReply } from "../protocol/private_messages.ts";
import { encodeTradingRequest } from "../protocol/trading_requests.ts";
import { type SessionContext, TIMER } from "./session_context.ts";

/** What the switch needs of the connection. */
interface SwitchLink {
  /** Whether requests can go out. */
  readonly connected: boolean;
  /** The connection they go out on. */
  readonly connection: number;
  /** The connection's token. */
  readonly token: string | undefined;
}

/**
 * How often the countdown is armed again: a quarter of it (Kraken suggests every 15 to 30 s for a
 * 60 s countdown), so three refreshes in a row can be lost before it runs out.
 *
 * @param timeoutSeconds The countdown.
 * @returns The refresh interval in ms.
 *
 * @example
 * ```ts
 * import { refreshIntervalMs } from "./dead_man_switch.ts";
 * console.log(refreshIntervalMs(60)); // 15000
 * ```
 */
export function refreshIntervalMs(timeoutSeconds: number): number {
  return Math.max(1000, Math.floor((timeoutSeconds * 1000) / 4));
}

/**
 * The switch of one authenticated session.
 *
 * @example
 * ```ts
 * import { DeadManSwitch } from "./dead_man_switch.ts";
 * import { SessionContext } from "./session_context.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1, token: "t" };
 * const effects = context.begin(0);
 * new DeadManSwitch(context, link).set(60);
 * console.log(effects.map((effect) => effect.type)); // send, setTimer
 * ```
 */
export class DeadManSwitch {
  readonly #context: SessionContext;
  readonly #link: SwitchLink;
  /** The countdown the user wants, in seconds; 0: off. */
  #timeoutSeconds = 0;
  /**
   * Whether Kraken may hold a countdown of ours: from the moment one is sent until Kraken confirms
   * it off. Turning the switch off must reach Kraken, across reconnects if need be.
   */
  #maybeArmed = false;
  /** The requests on the wire, with the countdown each asked for. */
  readonly #sent = new Map<number, number>();

  /**
   * Creates a switch that is off.
   *
   * @param context The session's shared outbox.
   * @param link The authenticated connection.
   */
  constructor(context: SessionContext, link: SwitchLink) {
    this.#context = context;
    this.#link = link;
  }

  /**
   * Whether the link is needed: the switch is on, or Kraken may still hold a countdown the user
   * turned off and has not confirmed off.
   */
  get needsLink(): boolean {
    return this.#timeoutSeconds > 0 || this.#maybeArmed;
  }

  /**
   * The `req_id` of the switch's request an answer is for: its own, or, for an answer of
   * `cancel_all_orders_after` that names none, the switch's one request on the wire.
   *
   * @param reqId The answer's `req_id`.
   * @param method The answer's method.
   * @returns The request's `req_id`, or undefined when the answer is for none of the switch's.
   */
  match(reqId: number | undefined, method: string): number | undefined {
    if (reqId !== undefined) return this.#sent.has(reqId) ? reqId : undefined;
    if (method !== "cancel_all_orders_after" || this.#sent.size !== 1) return undefined;
    return [...this.#sent.keys()][0];
  }

  /**
   * The user sets the countdown: armed now and refreshed while the link is up; 0 turns it off.
   *
   * @param timeoutSeconds Seconds of countdown, or 0.
   */
  set(timeoutSeconds: number): void {
    this.#timeoutSeconds = timeoutSeconds;
    this.#context.cancelTimer(TIMER.deadMan);
    if (timeoutSeconds > 0 || this.#maybeArmed) this.#arm();
  }

  /** The link is up with a token: a wanted countdown is armed again (or one turned off, told). */
  opened(): void {
    if (this.#timeoutSeconds > 0 || this.#maybeArmed) this.#arm();
  }

  /** The refresh is due. */
  refresh(): void {
    if (this.#timeoutSeconds > 0) this.#arm();
  }

  /** Kraken confirmed a countdown, or confirmed it off. */
  answered(reply: TradingReply): void {
    const timeoutSeconds = this.#take(reply.reqId);
    if (timeoutSeconds === undefined) return;
    // Off only once Kraken says so, and only if nothing was armed again since.
    if (timeoutSeconds === 0 && this.#timeoutSeconds === 0 && this.#sent.size === 0) {
      this.#maybeArmed = false;
    }
    const result = reply.result;
    const triggerTime = typeof result === "object" && result !== null && !Array.isArray(result) &&
        typeof result.triggerTime === "string"
      ? result.triggerTime
      : undefined;
    this.#context.emit({
      type: "dead_man_switch",
      state: timeoutSeconds > 0 ? "armed" : "disarmed",
      timeoutSeconds,
      ...(triggerTime === undefined || timeoutSeconds === 0 ? {} : { triggerTime }),
    });
  }

  /** Kraken refused a countdown. */
  refused(message: RejectionMessage): void {
    const timeoutSeconds = this.#take(message.reqId);
    if (timeoutSeconds === undefined) return;
    this.#context.emit({
      type: "dead_man_switch",
      state: "failed",
      timeoutSeconds,
      message: message.error,
    });
  }

  /**
   * The link is gone with a request unanswered: Kraken may be counting down. The countdown is
   * armed again on the next connection; until then it runs.
   */
  lost(): void {
    if (this.#sent.size === 0) return;
    const timeoutSeconds = [...this.#sent.values()].pop()!;
    this.#sent.clear();
    this.#context.emit({
      type: "dead_man_switch",
      state: "unknown",
      timeoutSeconds,
      message: "the connection was lost before the answer",
    });
  }

  /**
   * The client closes: a countdown Kraken may hold is turned off first, so closing on purpose
   * does not cancel the account's orders. With the link down that cannot be done, and the event
   * says so: Kraken's countdown may still run out.
   */
  stop(): void {
    this.#timeoutSeconds = 0;
    this.#context.cancelTimer(TIMER.deadMan);
    if (!this.#maybeArmed) return;
    if (this.#link.connected && this.#link.token !== undefined) {
      this.#send(0);
      return;
    }
    this.#context.emit({
      type: "dead_man_switch",
      state: "unknown",
      timeoutSeconds: 0,
      message: "closed while the link was down: Kraken's countdown may still run out",
    });
  }

  #take(reqId: number | undefined): number | undefined {
    if (reqId === undefined) return undefined;
    const timeoutSeconds = this.#sent.get(reqId);
    this.#sent.delete(reqId);
    return timeoutSeconds;
  }

  #arm(): void {
    if (!this.#link.connected || this.#link.token === undefined) return;
    this.#send(this.#timeoutSeconds);
    if (this.#timeoutSeconds > 0) {
      this.#context.setTimer(TIMER.deadMan, refreshIntervalMs(this.#timeoutSeconds));
    }
  }

  #send(timeoutSeconds: number): void {
    const reqId = this.#context.nextReqId();
    if (timeoutSeconds > 0) this.#maybeArmed = true;
    this.#context.push({
      type: "send",
      connection: this.#link.connection,
      text: encodeTradingRequest(
        "cancel_all_orders_after",
        `{"timeout":${timeoutSeconds}}`,
        this.#link.token!,
        reqId,
      ),
    });
    this.#sent.set(reqId, timeoutSeconds);
  }
}
