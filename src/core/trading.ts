/**
 * Trading requests on the authenticated connection: each sent at most once, matched to its answer
 * by `req_id`, and settled exactly once: answered, refused, never sent, or (sent, then the link
 * was lost or no answer came) unknown. Never resent: only the user, who can see `executions`, can
 * tell whether an order whose answer was lost exists.
 *
 * @module
 */

import type { RejectionMessage } from "../protocol/messages.ts";
import type { TradingMethod, TradingReply } from "../protocol/private_messages.ts";
import { encodeTradingRequest } from "../protocol/trading_requests.ts";
import { type SessionContext, TIMER } from "./session_context.ts";

/**
 * How a trading request ended, as the session settles it.
 *
 * - `answered`: Kraken's replies (one, or one per order for `cancel_order` naming several), and
 *   for those, the errors Kraken answered for single orders among them (`EOrder:…`).
 * - `refused`: Kraken's error, as sent; nothing was done (replies received before it, if any, are
 *   kept).
 * - `unsent`: it never left the client (not connected in time, or the client closed): nothing
 *   happened.
 * - `unknown`: it was sent, and the link was lost or no answer came in time: it may or may not
 *   have been done.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingOutcome } from "@kraken-ws/sdk/extended";
 * const outcome: TradingOutcome = { status: "unknown", reason: "link lost" };
 * console.log(outcome.status);
 * ```
 */
export type TradingOutcome =
  | {
    readonly status: "answered";
    readonly replies: readonly TradingReply[];
    readonly errors: readonly string[];
  }
  | {
    readonly status: "refused";
    readonly error: string;
    readonly replies: readonly TradingReply[];
  }
  | { readonly status: "unsent"; readonly reason: string }
  | { readonly status: "unknown"; readonly reason: string };

/**
 * One trading request as the driver hands it to the session.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingOrder } from "@kraken-ws/sdk/extended";
 * const order: TradingOrder = {
 *   id: 1, method: "cancel_all", params: "{}", replies: 1, timeoutMs: 10_000, waitForConnection: true,
 * };
 * console.log(order.method);
 * ```
 */
export interface TradingOrder {
  /** The driver's number for it: its settlement names it. */
  readonly id: number;
  /** The method. */
  readonly method: TradingMethod;
  /** The wire `params` as JSON text, without the token (the session adds it). */
  readonly params: string;
  /** How many answers complete it: one, or one per order a `cancel_order` names. */
  readonly replies: number;
  /** From the moment it is asked for: how long it may wait to be sent plus wait for its answer. */
  readonly timeoutMs: number;
  /** While the link is down: wait for it (up to the timeout), or fail at once. */
  readonly waitForConnection: boolean;
}

/** What the trading requests need of the connection. */
interface TradingLink {
  /** Whether requests can go out. */
  readonly connected: boolean;
  /** The connection they go out on. */
  readonly connection: number;
  /** The connection's token. */
  readonly token: string | undefined;
}

interface Pending {
  readonly order: TradingOrder;
  readonly deadline: number;
  readonly replies: TradingReply[];
  /** For a request answered once per order: the orders Kraken refused. */
  readonly errors: string[];
}

/**
 * The trading requests of one authenticated session.
 *
 * @example
 * ```ts
 * import { SessionContext } from "./session_context.ts";
 * import { TradingRequests } from "./trading.ts";
 * const context = new SessionContext();
 * const trading = new TradingRequests(context, { connected: false, connection: 0, token: undefined });
 * const effects = context.begin(0);
 * trading.submit({ id: 1, method: "cancel_all", params: "{}", replies: 1, timeoutMs: 1000, waitForConnection: false });
 * console.log(effects[0]); // settle 1: unsent, not connected
 * ```
 */
export class TradingRequests {
  readonly #context: SessionContext;
  readonly #link: TradingLink;
  /** Waiting for the link, in the order asked. */
  readonly #queued: Pending[] = [];
  /** On the wire, by `req_id`. */
  readonly #sent = new Map<number, Pending>();

  /**
   * Creates the requests.
   *
   * @param context The session's shared outbox.
   * @param link The authenticated connection.
   */
  constructor(context: SessionContext, link: TradingLink) {
    this.#context = context;
    this.#link = link;
  }

  /** Whether any request is waiting to be sent or for its answer: the link is needed. */
  get busy(): boolean {
    return this.#queued.length > 0 || this.#sent.size > 0;
  }

  /**
   * The `req_id` of the request on the wire an answer is for: its own, or, for an answer that
   * names none, the one request of its method on the wire (with two, it could be either: none).
   *
   * @param reqId The answer's `req_id`.
   * @param method The answer's method.
   * @returns The request's `req_id`, or undefined when the answer is for none of these.
   */
  match(reqId: number | undefined, method: string): number | undefined {
    if (reqId !== undefined) return this.#sent.has(reqId) ? reqId : undefined;
    const candidates = [...this.#sent].filter(([, pending]) => pending.order.method === method);
    return candidates.length === 1 ? candidates[0][0] : undefined;
  }

  /** A request from the user: sent now, queued for the link, or refused at once. */
  submit(order: TradingOrder): void {
    const pending: Pending = {
      order,
      deadline: this.#context.now + Math.max(0, order.timeoutMs),
      replies: [],
      errors: [],
    };
    if (this.#ready) {
      this.#send(pending);
    } else if (order.waitForConnection && order.timeoutMs > 0) {
      this.#queued.push(pending);
    } else {
      this.#settle(order.id, { status: "unsent", reason: "not connected" });
    }
    this.#arm();
  }

  /** The link is up with a token: what waited goes out, in order. */
  pump(): void {
    if (!this.#ready) return;
    for (const pending of this.#queued.splice(0)) this.#send(pending);
    this.#arm();
  }

  /** A successful answer to one of these requests. */
  answered(reply: TradingReply): void {
    if (reply.reqId === undefined) return;
    const pending = this.#sent.get(reply.reqId);
    if (pending === undefined) return;
    pending.replies.push(reply);
    this.#complete(reply.reqId, pending);
  }

  /** Settles a request answered once per order once every order is answered. */
  #complete(reqId: number, pending: Pending): void {
    if (pending.replies.length + pending.errors.length < pending.order.replies) return;
    this.#sent.delete(reqId);
    this.#settle(pending.order.id, {
      status: "answered",
      replies: pending.replies,
      errors: pending.errors,
    });
    this.#arm();
  }

  /**
   * Kraken refused one of these requests: it is settled with Kraken's error. For a request
   * answered once per order, an order's own error (`EOrder:…`) is that order's answer, and the
   * others still come; any other error refuses the whole request.
   */
  refused(message: RejectionMessage): void {
    if (message.reqId === undefined) return;
    const pending = this.#sent.get(message.reqId);
    if (pending === undefined) return;
    if (pending.order.replies > 1 && message.error.startsWith("EOrder:")) {
      pending.errors.push(message.error);
      this.#complete(message.reqId, pending);
      return;
    }
    this.#sent.delete(message.reqId);
    this.#settle(pending.order.id, {
      status: "refused",
      error: message.error,
      replies: pending.replies,
    });
    this.#arm();
  }

  /** The link is gone: what was on it has an unknown outcome; what waits goes on waiting. */
  lost(): void {
    for (const [reqId, pending] of this.#sent) {
      this.#sent.delete(reqId);
      this.#settle(pending.order.id, {
        status: "unknown",
        reason: "the connection was lost before the answer",
      });
    }
    this.#arm();
  }

  /** The deadline check: what waited too long is settled. */
  expire(): void {
    const now = this.#context.now;
    for (const [reqId, pending] of this.#sent) {
      if (now < pending.deadline) continue;
      this.#sent.delete(reqId);
      this.#settle(pending.order.id, {
        status: "unknown",
        reason: `no answer within ${pending.order.timeoutMs} ms`,
      });
    }
    const late = this.#queued.filter((pending) => now >= pending.deadline);
    for (const pending of late) {
      this.#queued.splice(this.#queued.indexOf(pending), 1);
      this.#settle(pending.order.id, {
        status: "unsent",
        reason: `not connected within ${pending.order.timeoutMs} ms`,
      });
    }
    this.#arm();
  }

  /** The client closes: nothing more goes out, and nothing more will be answered. */
  stop(): void {
    for (const pending of this.#queued.splice(0)) {
      this.#settle(pending.order.id, { status: "unsent", reason: "the client closed" });
    }
    this.lost();
  }

  get #ready(): boolean {
    return this.#link.connected && this.#link.token !== undefined;
  }

  #send(pending: Pending): void {
    const reqId = this.#context.nextReqId();
    const text = encodeTradingRequest(
      pending.order.method,
      pending.order.params,
      this.#link.token!,
      reqId,
    );
    this.#context.push({ type: "send", connection: this.#link.connection, text });
    this.#sent.set(reqId, pending);
  }

  /**
   * The deadline timer: set for the earliest deadline of anything waiting. Its own timer, as the
   * link's deadline check stops with the link, and a request may wait for a link that is down.
   */
  #arm(): void {
    let earliest = Infinity;
    for (const pending of this.#queued) earliest = Math.min(earliest, pending.deadline);
    for (const pending of this.#sent.values()) earliest = Math.min(earliest, pending.deadline);
    if (earliest === Infinity) this.#context.cancelTimer(TIMER.trading);
    else this.#context.setTimer(TIMER.trading, earliest - this.#context.now);
  }

  #settle(id: number, outcome: TradingOutcome): void {
    this.#context.push({ type: "settle", id, outcome });
  }
}
