/**
 * Kraken's authenticated side of one connection, sans I/O: the `executions` and `balances`
 * subscriptions (their acks, their snapshots, and a `sequence` per subscription counting from 1
 * on the snapshot), the trading methods answered from the account, and the token every private
 * request must carry (`EAPI:Invalid token` otherwise; the socket stays open).
 *
 * @module
 */

import type { Account, AccountEvent } from "./account.ts";
import type { SimFrame } from "./feed.ts";
import { privateDataFrame, privateErrorFrame, privateReplyFrame } from "./private_frames.ts";
import type { PrivateRequest } from "./private_requests.ts";

/**
 * Kraken's answer to a request without a valid token.
 *
 * @example
 * ```ts
 * import { INVALID_TOKEN } from "./private_feed.ts";
 * console.log(INVALID_TOKEN); // "EAPI:Invalid token"
 * ```
 */
export const INVALID_TOKEN = "EAPI:Invalid token";

/** One private subscription of the connection. */
interface PrivateSubscription {
  /** The last sequence number given (0: none yet). */
  sequence: number;
}

/**
 * One authenticated connection's private side.
 *
 * @example
 * ```ts
 * import { PrivateFeed } from "./private_feed.ts";
 * import { Account } from "./account.ts";
 * import { SimMarket } from "./market.ts";
 * import { parsePrivateRequest } from "./private_requests.ts";
 * const account = new Account({ apiKey: "k", apiSecret: "c2VjcmV0", balances: { USD: "100" } }, new SimMarket(1), 1);
 * const token = account.issueToken(0);
 * const feed = new PrivateFeed(account, 1);
 * const frames = feed.receive(parsePrivateRequest(`{"method":"subscribe","params":{"channel":"balances","token":"${token}"}}`), 0);
 * console.log(frames.map((frame) => frame.kind)); // ["reply", "balances"]
 * ```
 */
export class PrivateFeed {
  readonly #account: Account;
  readonly #connection: number;
  readonly #subscriptions = new Map<
    "executions" | "balances",
    PrivateSubscription & { readonly snapOrders: boolean; readonly snapTrades: boolean }
  >();

  /**
   * Creates the private side of connection `connection`.
   *
   * @param account The exchange's account.
   * @param connection The connection's number, for the request log.
   */
  constructor(account: Account, connection: number) {
    this.#account = account;
    this.#connection = connection;
  }

  /** The private channels subscribed. */
  get subscriptions(): ("executions" | "balances")[] {
    return [...this.#subscriptions.keys()];
  }

  /**
   * Answers one private request (one that is not `public`).
   *
   * @param request The request as read.
   * @param now Server time in ms.
   * @returns The replies (several for a `cancel_order` of several orders), then any snapshot.
   */
  receive(request: PrivateRequest, now: number): SimFrame[] {
    if (request.kind === "public") return [];
    const reply = (text: string): SimFrame => ({ kind: "reply", text });
    if (request.kind === "trading") {
      const { method, reqId } = request;
      this.#account.record({
        connection: this.#connection,
        at: now,
        method,
        ...(reqId === undefined ? {} : { reqId }),
        clOrdIds: request.clOrdIds,
        params: request.params,
      });
      if (!this.#account.tokens.use(request.token, now)) {
        return [reply(privateErrorFrame(now, method, INVALID_TOKEN, reqId))];
      }
      if ("error" in request.call) {
        return [reply(privateErrorFrame(now, method, request.call.error, reqId))];
      }
      return this.#account.trade(request.call, now).map((answer) =>
        reply(
          "error" in answer
            ? privateErrorFrame(now, method, answer.error, reqId)
            : privateReplyFrame(now, method, answer.result, reqId),
        )
      );
    }
    const { method, reqId, channel } = request;
    if (!this.#account.tokens.use(request.token, now)) {
      return [reply(privateErrorFrame(now, method, INVALID_TOKEN, reqId))];
    }
    if (method === "unsubscribe") {
      if (!this.#subscriptions.delete(channel)) {
        return [reply(privateErrorFrame(now, method, "Subscription Not Found", reqId))];
      }
      return [reply(privateReplyFrame(now, method, { channel }, reqId))];
    }
    if (this.#subscriptions.has(channel)) {
      return [reply(privateErrorFrame(now, method, "Already subscribed", reqId))];
    }
    const held = { sequence: 0, snapOrders: request.snapOrders, snapTrades: request.snapTrades };
    this.#subscriptions.set(channel, held);
    if (channel === "executions") {
      const ack = reply(privateReplyFrame(now, method, {
        channel,
        maxratecount: this.#account.maxRateCount,
        snap_orders: request.snapOrders,
        snap_trades: request.snapTrades,
      }, reqId));
      const items = this.#account.executionSnapshot(request.snapOrders, request.snapTrades);
      return [ack, this.#data(channel, "snapshot", held, items)];
    }
    const ack = reply(
      privateReplyFrame(now, method, { channel, snapshot: request.snapshot }, reqId),
    );
    if (!request.snapshot) return [ack];
    return [ack, this.#data(channel, "snapshot", held, this.#account.balanceSnapshot())];
  }

  /**
   * The update frames of what the account did, one per event, for the channels subscribed.
   *
   * @param events The account's events, in order.
   * @returns The frames.
   */
  events(events: readonly AccountEvent[]): SimFrame[] {
    const frames: SimFrame[] = [];
    for (const event of events) {
      const held = this.#subscriptions.get(event.channel);
      if (held !== undefined) frames.push(this.#data(event.channel, "update", held, [event.item]));
    }
    return frames;
  }

  #data(
    channel: "executions" | "balances",
    type: "snapshot" | "update",
    held: PrivateSubscription,
    items: Parameters<typeof privateDataFrame>[2],
  ): SimFrame {
    const sequence = ++held.sequence;
    return { kind: channel, sequence, text: privateDataFrame(channel, type, items, sequence) };
  }
}
