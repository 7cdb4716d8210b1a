/**
 * The fake exchange's one account, sans I/O: balances (each asset's total and what open orders
 * hold of it), orders and their fills against the seeded market's books, Kraken's trading
 * methods with Kraken's error strings, the per-pair rate counter, the dead man's switch, the
 * WebSocket tokens, and the log of every trading request. What happens to orders and balances
 * comes out as events (execution reports, ledger entries) for every private connection to
 * stream; the account itself knows no connection.
 *
 * Money is exact: balances, costs and fees are bigint counts of 10^-{@link ASSET_DECIMALS};
 * prices and quantities are counts of the pair's ticks and lots. A buy holds its quote (limit
 * price × quantity, plus the taker fee, the most it could pay); a sell holds its base. A fill
 * moves base and quote and charges the fee in quote (0.26 % taker, 0.16 % maker by default).
 *
 * @module
 */

import {
  ASSET_DECIMALS,
  costUnits,
  feeUnits,
  rescale,
  roundedQuotient,
  textOfUnits,
  unitsFromText,
} from "./amounts.ts";
import { krakenTime } from "./frames.ts";
import { KrakenIds } from "./kraken_ids.ts";
import type { SimMarket, SimSymbol } from "./market.ts";
import { availableFills, type BookFill, crosses, StepLiquidity } from "./matching_engine.ts";
import { wireNumber, type WireObject } from "./private_frames.ts";
import type { TradingMethod } from "../protocol/private_messages.ts";
import type { OrderRequest, TradingCall } from "./private_requests.ts";
import { agePenalty, RateCounter } from "./rate_counter.ts";
import { TokenBook } from "./tokens.ts";

/**
 * Settings of the exchange's account.
 *
 * @example
 * ```ts
 * import type { AccountOptions } from "./account.ts";
 * const account: AccountOptions = {
 *   apiKey: "sim-key",
 *   apiSecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
 *   balances: { USD: "10000", BTC: "0.5" },
 * };
 * console.log(account.balances?.USD);
 * ```
 */
export interface AccountOptions {
  /** The API key the token endpoint accepts. */
  readonly apiKey: string;
  /** The API secret, base64 as Kraken issues it: what signatures are checked with. */
  readonly apiSecret: string;
  /** Starting balances per asset, as decimal text (default none: every asset at 0). */
  readonly balances?: Readonly<Record<string, string>>;
  /** Taker fee in basis points (default 26: 0.26 %). */
  readonly takerFeeBps?: number;
  /** Maker fee in basis points (default 16: 0.16 %). */
  readonly makerFeeBps?: number;
  /** The per-pair rate counter's threshold (default 125, the intermediate tier). */
  readonly maxRateCount?: number;
  /** The counter's decay per second (default 2.34). */
  readonly rateDecayPerSecond?: number;
}

/**
 * An open order, as the account holds it: what an invariant compares a client's view with.
 *
 * @example
 * ```ts
 * import type { AccountOrder } from "./account.ts";
 * const show = (order: AccountOrder) => `${order.orderId} ${order.side} ${order.filled}/${order.qty}`;
 * console.log(typeof show);
 * ```
 */
export interface AccountOrder {
  /** Kraken's order id. */
  readonly orderId: string;
  /** The client's id, if it gave one. */
  readonly clOrdId?: string;
  /** The client's numeric tag, if it gave one. */
  readonly orderUserref?: number;
  /** The pair. */
  readonly symbol: string;
  /** `buy` or `sell`. */
  readonly side: "buy" | "sell";
  /** `limit` or `market`. */
  readonly orderType: "limit" | "market";
  /** Order quantity, at the pair's quantity decimals. */
  readonly qty: string;
  /** Quantity filled so far. */
  readonly filled: string;
  /** Limit price, at the pair's price decimals. */
  readonly price?: string;
  /** `new` or `partially_filled`. */
  readonly status: "new" | "partially_filled";
  /** Time in force. */
  readonly timeInForce: "gtc" | "ioc" | "fok";
  /** Whether it only makes liquidity. */
  readonly postOnly: boolean;
  /** When it was placed (ms). */
  readonly openedAt: number;
}

/**
 * One asset's balance: the total, and what open orders hold of it.
 *
 * @example
 * ```ts
 * import type { AccountBalance } from "./account.ts";
 * const free = (balance: AccountBalance) => balance.available;
 * console.log(typeof free);
 * ```
 */
export interface AccountBalance {
  /** The asset, like `USD`. */
  readonly asset: string;
  /** The total, at {@link ASSET_DECIMALS} decimals. */
  readonly balance: string;
  /** Held by open orders. */
  readonly reserved: string;
  /** Total minus held. */
  readonly available: string;
}

/**
 * A trading request as the exchange received it: the log invariants read.
 *
 * @example
 * ```ts
 * import type { TradingRequestRecord } from "./account.ts";
 * const show = (record: TradingRequestRecord) => `#${record.connection} ${record.method} ${record.reqId}`;
 * console.log(typeof show);
 * ```
 */
export interface TradingRequestRecord {
  /** The connection it came on. */
  readonly connection: number;
  /** When it arrived (ms). */
  readonly at: number;
  /** The method. */
  readonly method: TradingMethod;
  /** Its `req_id`, if any. */
  readonly reqId?: number;
  /** The `cl_ord_id`s it named. */
  readonly clOrdIds: readonly string[];
  /** Its params as sent, the token left out. */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * What the account did, for the private connections to stream: an execution report (one
 * `executions` item) or a ledger entry (one `balances` update item).
 *
 * @example
 * ```ts
 * import type { AccountEvent } from "./account.ts";
 * const isLedger = (event: AccountEvent) => event.channel === "balances";
 * console.log(typeof isLedger);
 * ```
 */
export interface AccountEvent {
  /** Which channel streams it. */
  readonly channel: "executions" | "balances";
  /** The data item. */
  readonly item: WireObject;
}

/**
 * The answer to one trading request (or one of the replies of a `cancel_order`).
 *
 * @example
 * ```ts
 * import type { TradingAnswer } from "./account.ts";
 * const answer: TradingAnswer = { error: "EOrder:Unknown order" };
 * console.log("error" in answer);
 * ```
 */
export type TradingAnswer = { readonly result: unknown } | { readonly error: string };

/** An order on the account (open or closed). */
interface Order {
  readonly orderId: string;
  readonly clOrdId?: string;
  readonly orderUserref?: number;
  readonly symbol: string;
  readonly pair: SimSymbol;
  readonly side: "buy" | "sell";
  readonly orderType: "limit" | "market";
  qtyLots: bigint;
  filledLots: bigint;
  limitTicks?: bigint;
  readonly timeInForce: "gtc" | "ioc" | "fok";
  postOnly: boolean;
  status: "pending_new" | "new" | "partially_filled" | "filled" | "canceled";
  readonly openedAt: number;
  /** Asset units held for it (quote for a buy, base for a sell). */
  reserved: bigint;
  /** Sum of ticks × lots of its fills: the exact average price's numerator. */
  notional: bigint;
  /** Sum of its fills' costs, in asset units. */
  cumCost: bigint;
  amended: boolean;
}

/** An order checked and ready to place. */
interface Checked {
  readonly request: OrderRequest;
  readonly pair: SimSymbol;
  readonly qtyLots: bigint;
  readonly limitTicks?: bigint;
}

/** Kraken's strings, once. */
const UNKNOWN_ORDER = "EOrder:Unknown order";
const INSUFFICIENT_FUNDS = "EOrder:Insufficient funds";
const RATE_LIMITED = "EOrder:Rate limit exceeded";
/** Not in Kraken's docs: the simulator's refusal of a post-only order that would take. */
const POST_ONLY_REFUSAL = "EOrder:Post only order";
const invalid = (field: string): string => `EGeneral:Invalid arguments:${field}`;

/** The last fills kept for an executions snapshot with `snap_trades` (Kraken gives 50). */
const SNAPSHOT_TRADES = 50;

/**
 * The account. Inputs: {@link Account.trade} (a checked trading request), {@link Account.step}
 * (the market moved), {@link Account.expireCancelAfter} (the dead man's switch's time came);
 * outputs: answers, and {@link Account.takeEvents}.
 *
 * @example
 * ```ts
 * import { Account } from "./account.ts";
 * import { SimMarket } from "./market.ts";
 * const market = new SimMarket(1);
 * const account = new Account({ apiKey: "k", apiSecret: "c2VjcmV0", balances: { USD: "1000" } }, market, 1);
 * const [answer] = account.trade({
 *   method: "add_order",
 *   order: { orderType: "limit", side: "buy", symbol: "BTC/USD", qtyText: "0.001", limitPriceText: "50000.0", timeInForce: "gtc", postOnly: false, validate: false },
 * }, 0);
 * console.log("result" in answer, account.openOrders().length); // true 1
 * console.log(account.balances().find((balance) => balance.asset === "USD")?.reserved); // "50.1300000000"
 * ```
 */
export class Account {
  /** The API key. */
  readonly apiKey: string;
  /** The API secret (base64). */
  readonly apiSecret: string;
  /** Its tokens and nonce. */
  readonly tokens: TokenBook = new TokenBook();
  readonly #market: SimMarket | undefined;
  readonly #ids: KrakenIds;
  readonly #takerBps: number;
  readonly #makerBps: number;
  readonly #rate: RateCounter;
  readonly #totals = new Map<string, bigint>();
  readonly #reserved = new Map<string, bigint>();
  readonly #open = new Map<string, Order>();
  readonly #used = new StepLiquidity();
  readonly #requests: TradingRequestRecord[] = [];
  #recentTrades: WireObject[] = [];
  #events: AccountEvent[] = [];
  #tradeId = 0;
  #cancelAfterAt: number | undefined;

  /**
   * Opens the account.
   *
   * @param options Key, secret, balances, fees, rate limit.
   * @param market The seeded market whose books orders trade on (none: no pair trades).
   * @param seed Seed of its ids and tokens.
   * @throws {RangeError} When a starting balance is not a non-negative decimal.
   */
  constructor(options: AccountOptions, market: SimMarket | undefined, seed: number) {
    this.apiKey = options.apiKey;
    this.apiSecret = options.apiSecret;
    this.#market = market;
    this.#ids = new KrakenIds((seed ^ 0x5eed_acc7) >>> 0);
    this.#takerBps = options.takerFeeBps ?? 26;
    this.#makerBps = options.makerFeeBps ?? 16;
    this.#rate = new RateCounter(options.maxRateCount ?? 125, options.rateDecayPerSecond ?? 2.34);
    for (const state of market?.symbols ?? []) {
      for (const asset of state.pair.symbol.split("/")) this.#totals.set(asset, 0n);
    }
    for (const [asset, text] of Object.entries(options.balances ?? {})) {
      const units = unitsFromText(text, ASSET_DECIMALS);
      if (units === undefined) {
        throw new RangeError(`balance of ${asset} is not a decimal: ${text}`);
      }
      this.#totals.set(asset, units);
    }
  }

  /** The rate counter's threshold: the executions ack's `maxratecount`. */
  get maxRateCount(): number {
    return this.#rate.max;
  }

  /** When the dead man's switch fires, if armed. */
  get cancelAfterAt(): number | undefined {
    return this.#cancelAfterAt;
  }

  /** Every trading request received, in order. */
  get requests(): readonly TradingRequestRecord[] {
    return this.#requests;
  }

  /**
   * Issues a WebSocket token at `now`.
   *
   * @param now The time.
   * @returns The token.
   */
  issueToken(now: number): string {
    const token = this.#ids.token();
    this.tokens.add(token, now);
    return token;
  }

  /**
   * Logs a trading request.
   *
   * @param record What arrived.
   */
  record(record: TradingRequestRecord): void {
    this.#requests.push(record);
  }

  /** The open orders, oldest first. */
  openOrders(): AccountOrder[] {
    return [...this.#open.values()].map((order) => ({
      orderId: order.orderId,
      ...(order.clOrdId === undefined ? {} : { clOrdId: order.clOrdId }),
      ...(order.orderUserref === undefined ? {} : { orderUserref: order.orderUserref }),
      symbol: order.symbol,
      side: order.side,
      orderType: order.orderType,
      qty: textOfUnits(order.qtyLots, order.pair.qtyPrecision),
      filled: textOfUnits(order.filledLots, order.pair.qtyPrecision),
      ...(order.limitTicks === undefined
        ? {}
        : { price: textOfUnits(order.limitTicks, order.pair.pricePrecision) }),
      status: order.status === "partially_filled" ? "partially_filled" : "new",
      timeInForce: order.timeInForce,
      postOnly: order.postOnly,
      openedAt: order.openedAt,
    }));
  }

  /** Every asset's balance, by asset name. */
  balances(): AccountBalance[] {
    return [...this.#totals.keys()].sort().map((asset) => {
      const total = this.#total(asset);
      const reserved = this.#reserved.get(asset) ?? 0n;
      return {
        asset,
        balance: textOfUnits(total, ASSET_DECIMALS),
        reserved: textOfUnits(reserved, ASSET_DECIMALS),
        available: textOfUnits(total - reserved, ASSET_DECIMALS),
      };
    });
  }

  /** What happened since the last call, in order. */
  takeEvents(): AccountEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** The balances snapshot's items: every asset, its spot wallet. */
  balanceSnapshot(): WireObject[] {
    return [...this.#totals.keys()].sort().map((asset) => {
      const balance = wireNumber(textOfUnits(this.#total(asset), ASSET_DECIMALS));
      return {
        asset,
        asset_class: "currency",
        balance,
        wallets: [{ type: "spot", id: "main", balance }],
      };
    });
  }

  /**
   * The executions snapshot's items: the open orders and, when asked, the last fills.
   *
   * @param orders Include the open orders.
   * @param trades Include the last 50 fills.
   * @returns The items.
   */
  executionSnapshot(orders: boolean, trades: boolean): WireObject[] {
    const items: WireObject[] = [];
    if (trades) items.push(...this.#recentTrades);
    if (orders) {
      for (const order of this.#open.values()) {
        items.push({
          ...this.#idFields(order),
          symbol: order.symbol,
          order_qty: this.#qty(order, order.qtyLots),
          cum_qty: this.#qty(order, order.filledLots),
          cum_cost: this.#amount(order.cumCost),
          avg_price: this.#averagePrice(order),
          time_in_force: order.timeInForce.toUpperCase(),
          exec_type: "new",
          side: order.side,
          order_type: order.orderType,
          limit_price: order.limitTicks === undefined
            ? undefined
            : this.#price(order, order.limitTicks),
          post_only: order.postOnly,
          order_status: order.status,
          amended: order.amended,
          timestamp: krakenTime(order.openedAt),
        });
      }
    }
    return items;
  }

  // ---- trading --------------------------------------------------------------------------------

  /**
   * Carries out one checked trading request at `now`.
   *
   * @param call What was asked.
   * @param now The time.
   * @returns One answer per reply frame (several for a `cancel_order` naming several orders).
   */
  trade(call: TradingCall, now: number): TradingAnswer[] {
    switch (call.method) {
      case "add_order": {
        const checked = this.#check(call.order);
        if (typeof checked === "string") return [{ error: checked }];
        if (!this.#rate.charge(checked.pair.symbol, 1, now)) return [{ error: RATE_LIMITED }];
        return [this.#place(checked, now)];
      }
      case "batch_add": {
        const checked: Checked[] = [];
        for (const order of call.orders) {
          const one = this.#check(order);
          // One invalid order refuses the whole batch, as Kraken does.
          if (typeof one === "string") return [{ error: one }];
          checked.push(one);
        }
        if (!this.#rate.charge(call.symbol, call.orders.length / 2, now)) {
          return [{ error: RATE_LIMITED }];
        }
        return [{
          result: checked.map((order) => {
            const answer = this.#place(order, now);
            return "result" in answer ? answer.result : answer;
          }),
        }];
      }
      case "amend_order":
        return [this.#amend(call, now)];
      case "edit_order":
        return [this.#edit(call, now)];
      case "cancel_order":
        return this.#cancelOrders(call, now);
      case "cancel_all": {
        const count = this.#open.size;
        for (const order of [...this.#open.values()]) this.#cancel(order, "User requested", now);
        return [{ result: { count } }];
      }
      case "cancel_all_orders_after": {
        const currentTime = new Date(now).toISOString().replace(/\.\d+Z$/, "Z");
        if (call.timeout === 0) {
          this.#cancelAfterAt = undefined;
          // Kraken's REST twin answers a disarm with triggerTime "0" (WS: undocumented).
          return [{ result: { currentTime, triggerTime: "0" } }];
        }
        this.#cancelAfterAt = now + call.timeout * 1000;
        const triggerTime = new Date(this.#cancelAfterAt).toISOString().replace(/\.\d+Z$/, "Z");
        return [{ result: { currentTime, triggerTime } }];
      }
      case "batch_cancel": {
        let count = 0;
        const targets = new Set<Order>();
        for (const id of call.orders) {
          for (
            const order of this.#find(id, undefined, /^\d+$/.test(id) ? Number(id) : undefined)
          ) {
            targets.add(order);
          }
        }
        for (const clOrdId of call.clOrdIds) {
          for (const order of this.#find(undefined, clOrdId, undefined)) targets.add(order);
        }
        for (const order of targets) {
          if (!this.#rate.charge(order.symbol, agePenalty("cancel", now - order.openedAt), now)) {
            continue;
          }
          this.#cancel(order, "User requested", now);
          count++;
        }
        return [{ result: { count } }];
      }
    }
  }

  /**
   * The dead man's switch's time came: every open order is cancelled, if it is still armed for
   * a time at or before `now`.
   *
   * @param now The time.
   */
  expireCancelAfter(now: number): void {
    if (this.#cancelAfterAt === undefined || now < this.#cancelAfterAt) return;
    this.#cancelAfterAt = undefined;
    for (const order of [...this.#open.values()]) {
      this.#cancel(order, "CancelAllOrdersAfter Timeout", now);
    }
  }

  /**
   * The market moved: every resting limit order the book now crosses fills, at its own limit
   * price (it is the maker), up to the liquidity that crosses it.
   *
   * @param now The time.
   */
  step(now: number): void {
    this.#used.reset();
    for (const order of [...this.#open.values()]) {
      if (order.limitTicks === undefined) continue;
      this.#match(order, "m", now);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  #total(asset: string): bigint {
    return this.#totals.get(asset) ?? 0n;
  }

  #available(asset: string): bigint {
    return this.#total(asset) - (this.#reserved.get(asset) ?? 0n);
  }

  #hold(asset: string, units: bigint): void {
    this.#reserved.set(asset, (this.#reserved.get(asset) ?? 0n) + units);
  }

  #assets(pair: SimSymbol): { base: string; quote: string } {
    const [base, quote] = pair.symbol.split("/");
    return { base, quote };
  }

  #idFields(order: Order): WireObject {
    return {
      order_id: order.orderId,
      cl_ord_id: order.clOrdId,
      order_userref: order.orderUserref === undefined ? undefined : wireNumber(order.orderUserref),
    };
  }

  #qty(order: Order, lots: bigint) {
    return wireNumber(textOfUnits(lots, order.pair.qtyPrecision));
  }

  #price(order: Order, ticks: bigint) {
    return wireNumber(textOfUnits(ticks, order.pair.pricePrecision));
  }

  #amount(units: bigint) {
    return wireNumber(textOfUnits(units, ASSET_DECIMALS));
  }

  #averagePrice(order: Order) {
    return order.filledLots === 0n
      ? undefined
      : this.#price(order, roundedQuotient(order.notional, order.filledLots));
  }

  #book(symbol: string) {
    const state = this.#market!.symbol(symbol);
    return { bids: state.bids, asks: state.asks };
  }

  /** Checks an order's fields against its pair. */
  #check(request: OrderRequest): Checked | string {
    const market = this.#market;
    if (market === undefined || !market.has(request.symbol)) return invalid("symbol");
    const pair = market.symbol(request.symbol).pair;
    const qtyLots = unitsFromText(request.qtyText, pair.qtyPrecision);
    if (qtyLots === undefined || qtyLots === 0n) return invalid("order_qty");
    if (request.limitPriceText === undefined) return { request, pair, qtyLots };
    const limitTicks = unitsFromText(request.limitPriceText, pair.pricePrecision);
    if (limitTicks === undefined || limitTicks === 0n) return invalid("limit_price");
    return { request, pair, qtyLots, limitTicks };
  }

  /** What a buy of `lots` at `ticks` holds: its cost and the most fee it could pay. */
  #buyHold(pair: SimSymbol, ticks: bigint, lots: bigint): bigint {
    const cost = costUnits(ticks, lots, pair.pricePrecision, pair.qtyPrecision);
    return cost + feeUnits(cost, Math.max(this.#takerBps, this.#makerBps));
  }

  /** What the book would charge a market buy now, fee included. */
  #marketBuyCost(pair: SimSymbol, fills: readonly BookFill[]): bigint {
    let cost = 0n;
    for (const fill of fills) {
      const one = costUnits(fill.ticks, fill.lots, pair.pricePrecision, pair.qtyPrecision);
      cost += one + feeUnits(one, this.#takerBps);
    }
    return cost;
  }

  /** Places a checked order: funds, post-only, then live, then what it takes at once. */
  #place(checked: Checked, now: number): TradingAnswer {
    const { request, pair, qtyLots, limitTicks } = checked;
    const { base, quote } = this.#assets(pair);
    const book = this.#book(pair.symbol);
    const opposite = request.side === "buy" ? book.asks : book.bids;
    const takeable = availableFills(
      pair.symbol,
      request.side,
      opposite,
      limitTicks,
      qtyLots,
      this.#used,
    );
    let hold: bigint;
    if (request.side === "sell") {
      hold = rescale(qtyLots, pair.qtyPrecision, ASSET_DECIMALS);
      if (this.#available(base) < hold) return { error: INSUFFICIENT_FUNDS };
    } else if (limitTicks !== undefined) {
      hold = this.#buyHold(pair, limitTicks, qtyLots);
      if (this.#available(quote) < hold) return { error: INSUFFICIENT_FUNDS };
    } else {
      // A market buy pays what the book asks for what it can fill, at once: nothing rests.
      hold = 0n;
      if (this.#available(quote) < this.#marketBuyCost(pair, takeable)) {
        return { error: INSUFFICIENT_FUNDS };
      }
    }
    if (
      request.postOnly && limitTicks !== undefined &&
      crosses(request.side, limitTicks, book.bids, book.asks)
    ) {
      return { error: POST_ONLY_REFUSAL };
    }
    const ids = {
      ...(request.clOrdId === undefined ? {} : { cl_ord_id: request.clOrdId }),
      ...(request.orderUserref === undefined ? {} : { order_userref: request.orderUserref }),
    };
    // Kraken's SDK saw an empty order id for a validate-only order.
    if (request.validate) return { result: { order_id: "", ...ids } };
    const order: Order = {
      orderId: this.#ids.next("O"),
      ...(request.clOrdId === undefined ? {} : { clOrdId: request.clOrdId }),
      ...(request.orderUserref === undefined ? {} : { orderUserref: request.orderUserref }),
      symbol: pair.symbol,
      pair,
      side: request.side,
      orderType: request.orderType,
      qtyLots,
      filledLots: 0n,
      ...(limitTicks === undefined ? {} : { limitTicks }),
      timeInForce: request.timeInForce,
      postOnly: request.postOnly,
      status: "pending_new",
      openedAt: now,
      reserved: hold,
      notional: 0n,
      cumCost: 0n,
      amended: false,
    };
    this.#hold(request.side === "buy" ? quote : base, hold);
    this.#open.set(order.orderId, order);
    this.#execution({
      ...this.#idFields(order),
      symbol: order.symbol,
      order_qty: this.#qty(order, qtyLots),
      cum_cost: this.#amount(0n),
      time_in_force: order.timeInForce.toUpperCase(),
      exec_type: "pending_new",
      side: order.side,
      order_type: order.orderType,
      limit_price: limitTicks === undefined ? undefined : this.#price(order, limitTicks),
      post_only: order.postOnly ? true : undefined,
      order_status: "pending_new",
      fee_ccy_pref: "fciq",
      timestamp: krakenTime(now),
    });
    order.status = "new";
    this.#execution({
      timestamp: krakenTime(now),
      order_status: "new",
      exec_type: "new",
      ...this.#idFields(order),
    });
    const fillable = takeable.reduce((sum, fill) => sum + fill.lots, 0n);
    if (order.timeInForce === "fok" && fillable < qtyLots) {
      this.#cancel(order, "Fill or kill order could not be filled", now);
    } else {
      this.#match(order, "t", now);
      if (
        this.#open.has(order.orderId) &&
        (order.orderType === "market" || order.timeInForce !== "gtc")
      ) {
        // What a market or immediate-or-cancel order could not take at once is cancelled.
        this.#cancel(
          order,
          order.orderType === "market" ? "Insufficient liquidity" : "Immediate or cancel",
          now,
        );
      }
    }
    return { result: { order_id: order.orderId, ...ids } };
  }

  /**
   * Fills what the book offers `order` now. A taker (`t`) pays each level's price; a resting
   * maker (`m`) fills at its own limit.
   */
  #match(order: Order, liquidity: "m" | "t", now: number): void {
    const book = this.#book(order.symbol);
    const opposite = order.side === "buy" ? book.asks : book.bids;
    const fills = availableFills(
      order.symbol,
      order.side,
      opposite,
      order.limitTicks,
      order.qtyLots - order.filledLots,
      this.#used,
    );
    for (const fill of fills) {
      this.#used.take(order.symbol, order.side === "buy" ? "asks" : "bids", fill.ticks, fill.lots);
      const ticks = liquidity === "m" && order.limitTicks !== undefined
        ? order.limitTicks
        : fill.ticks;
      this.#fill(order, ticks, fill.lots, liquidity, now);
    }
  }

  /** One fill: balances, ledger entries, the trade report, and `filled` when it completes. */
  #fill(order: Order, ticks: bigint, lots: bigint, liquidity: "m" | "t", now: number): void {
    const pair = order.pair;
    const { base, quote } = this.#assets(pair);
    const cost = costUnits(ticks, lots, pair.pricePrecision, pair.qtyPrecision);
    const fee = feeUnits(cost, liquidity === "m" ? this.#makerBps : this.#takerBps);
    const baseUnits = rescale(lots, pair.qtyPrecision, ASSET_DECIMALS);
    let release: bigint;
    if (order.side === "buy") {
      this.#totals.set(quote, this.#total(quote) - cost - fee);
      this.#totals.set(base, this.#total(base) + baseUnits);
      release = order.limitTicks === undefined ? 0n : this.#buyHold(pair, order.limitTicks, lots);
    } else {
      this.#totals.set(base, this.#total(base) - baseUnits);
      this.#totals.set(quote, this.#total(quote) + cost - fee);
      release = baseUnits;
    }
    if (release > order.reserved) release = order.reserved;
    order.reserved -= release;
    this.#hold(order.side === "buy" ? quote : base, -release);
    order.filledLots += lots;
    order.notional += ticks * lots;
    order.cumCost += cost;
    const complete = order.filledLots === order.qtyLots;
    order.status = complete ? "filled" : "partially_filled";
    const execId = this.#ids.next("T");
    const timestamp = krakenTime(now);
    const trade: WireObject = {
      ...this.#idFields(order),
      exec_id: execId,
      exec_type: "trade",
      trade_id: wireNumber(++this.#tradeId),
      symbol: order.symbol,
      side: order.side,
      last_qty: this.#qty(order, lots),
      last_price: this.#price(order, ticks),
      liquidity_ind: liquidity,
      cost: this.#amount(cost),
      order_type: order.orderType,
      timestamp,
      order_status: order.status,
      cum_qty: this.#qty(order, order.filledLots),
      cum_cost: this.#amount(order.cumCost),
      avg_price: this.#averagePrice(order),
      fees: [{ asset: quote, qty: this.#amount(fee) }],
    };
    this.#execution(trade);
    this.#recentTrades.push({ ...trade, order_status: order.status });
    if (this.#recentTrades.length > SNAPSHOT_TRADES) this.#recentTrades.shift();
    const baseAmount = order.side === "buy" ? baseUnits : -baseUnits;
    const quoteAmount = order.side === "buy" ? -cost : cost;
    this.#ledger(execId, base, baseAmount, 0n, timestamp);
    this.#ledger(execId, quote, quoteAmount, fee, timestamp);
    if (complete) {
      this.#close(order);
      this.#execution({
        ...this.#idFields(order),
        exec_type: "filled",
        order_status: "filled",
        symbol: order.symbol,
        cum_qty: this.#qty(order, order.filledLots),
        cum_cost: this.#amount(order.cumCost),
        avg_price: this.#averagePrice(order),
        timestamp,
      });
    }
  }

  #ledger(refId: string, asset: string, amount: bigint, fee: bigint, timestamp: string): void {
    this.#events.push({
      channel: "balances",
      item: {
        ledger_id: this.#ids.next("L"),
        ref_id: refId,
        timestamp,
        type: "trade",
        asset,
        asset_class: "currency",
        category: "trade",
        wallet_type: "spot",
        wallet_id: "main",
        amount: this.#amount(amount),
        fee: this.#amount(fee),
        balance: this.#amount(this.#total(asset)),
      },
    });
  }

  #execution(item: WireObject): void {
    this.#events.push({ channel: "executions", item });
  }

  /** The order leaves the book: what it still holds is freed. */
  #close(order: Order): void {
    const { base, quote } = this.#assets(order.pair);
    this.#hold(order.side === "buy" ? quote : base, -order.reserved);
    order.reserved = 0n;
    this.#open.delete(order.orderId);
  }

  #cancel(order: Order, reason: string, now: number): void {
    order.status = "canceled";
    this.#close(order);
    this.#execution({
      ...this.#idFields(order),
      exec_type: "canceled",
      order_status: "canceled",
      cum_qty: this.#qty(order, order.filledLots),
      cum_cost: this.#amount(order.cumCost),
      avg_price: this.#averagePrice(order),
      reason,
      timestamp: krakenTime(now),
    });
  }

  /** Open orders named by order id, client id or user reference. */
  #find(
    orderId: string | undefined,
    clOrdId: string | undefined,
    orderUserref: number | undefined,
  ): Order[] {
    if (orderId !== undefined) {
      const order = this.#open.get(orderId);
      if (order !== undefined) return [order];
    }
    return [...this.#open.values()].filter((order) =>
      (clOrdId !== undefined && order.clOrdId === clOrdId) ||
      (orderUserref !== undefined && order.orderUserref === orderUserref)
    );
  }

  #cancelOrders(
    call: Extract<TradingCall, { method: "cancel_order" }>,
    now: number,
  ): TradingAnswer[] {
    const answers: TradingAnswer[] = [];
    const done = new Set<Order>();
    const cancel = (orders: readonly Order[]) => {
      if (orders.length === 0) {
        answers.push({ error: UNKNOWN_ORDER });
        return;
      }
      for (const order of orders) {
        if (done.has(order)) continue;
        done.add(order);
        if (!this.#rate.charge(order.symbol, agePenalty("cancel", now - order.openedAt), now)) {
          answers.push({ error: RATE_LIMITED });
          continue;
        }
        this.#cancel(order, "User requested", now);
        answers.push({
          result: {
            order_id: order.orderId,
            ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }),
          },
        });
      }
    };
    for (const orderId of call.orderIds) cancel(this.#find(orderId, undefined, undefined));
    for (const clOrdId of call.clOrdIds) cancel(this.#find(undefined, clOrdId, undefined));
    for (const userref of call.orderUserrefs) cancel(this.#find(undefined, undefined, userref));
    return answers;
  }

  /** New quantity and price of an amend or edit, checked against the pair. */
  #newTerms(
    order: Order,
    qtyText: string | undefined,
    limitPriceText: string | undefined,
  ): { qtyLots: bigint; limitTicks: bigint } | string {
    const qtyLots = qtyText === undefined
      ? order.qtyLots
      : unitsFromText(qtyText, order.pair.qtyPrecision);
    // Below what was filled, Kraken cancels the rest; the simulator refuses it instead.
    if (qtyLots === undefined || qtyLots <= order.filledLots) return invalid("order_qty");
    const limitTicks = limitPriceText === undefined
      ? order.limitTicks
      : unitsFromText(limitPriceText, order.pair.pricePrecision);
    if (limitTicks === undefined || limitTicks === 0n) return invalid("limit_price");
    return { qtyLots, limitTicks };
  }

  #amend(call: Extract<TradingCall, { method: "amend_order" }>, now: number): TradingAnswer {
    const [order] = call.orderId !== undefined
      ? this.#find(call.orderId, undefined, undefined)
      : this.#find(undefined, call.clOrdId, undefined);
    if (order === undefined || order.limitTicks === undefined) return { error: UNKNOWN_ORDER };
    if (
      !this.#rate.charge(order.symbol, 1 + agePenalty("amend", now - order.openedAt), now)
    ) return { error: RATE_LIMITED };
    const terms = this.#newTerms(order, call.qtyText, call.limitPriceText);
    if (typeof terms === "string") return { error: terms };
    const book = this.#book(order.symbol);
    if (call.postOnly && crosses(order.side, terms.limitTicks, book.bids, book.asks)) {
      return { error: POST_ONLY_REFUSAL };
    }
    const { base, quote } = this.#assets(order.pair);
    const asset = order.side === "buy" ? quote : base;
    const remaining = terms.qtyLots - order.filledLots;
    const hold = order.side === "buy"
      ? this.#buyHold(order.pair, terms.limitTicks, remaining)
      : rescale(remaining, order.pair.qtyPrecision, ASSET_DECIMALS);
    if (this.#available(asset) + order.reserved < hold) return { error: INSUFFICIENT_FUNDS };
    this.#hold(asset, hold - order.reserved);
    order.reserved = hold;
    order.qtyLots = terms.qtyLots;
    order.limitTicks = terms.limitTicks;
    order.amended = true;
    if (call.postOnly) order.postOnly = true;
    this.#execution({
      ...this.#idFields(order),
      exec_type: "amended",
      order_status: order.status,
      order_qty: this.#qty(order, order.qtyLots),
      limit_price: this.#price(order, terms.limitTicks),
      amended: true,
      reason: "User requested",
      timestamp: krakenTime(now),
    });
    this.#match(order, "t", now);
    return {
      result: {
        amend_id: this.#ids.next("A"),
        ...(call.orderId === undefined ? {} : { order_id: call.orderId }),
        ...(call.clOrdId === undefined ? {} : { cl_ord_id: call.clOrdId }),
      },
    };
  }

  #edit(call: Extract<TradingCall, { method: "edit_order" }>, now: number): TradingAnswer {
    const order = this.#open.get(call.orderId);
    if (order === undefined || order.limitTicks === undefined) return { error: UNKNOWN_ORDER };
    if (order.symbol !== call.symbol) return { error: invalid("symbol") };
    if (
      !this.#rate.charge(order.symbol, 1 + agePenalty("edit", now - order.openedAt), now)
    ) return { error: RATE_LIMITED };
    const terms = this.#newTerms(order, call.qtyText, call.limitPriceText);
    if (typeof terms === "string") return { error: terms };
    // The new order takes what the old one has not filled: executions stay with the old one.
    const request: OrderRequest = {
      orderType: "limit",
      side: order.side,
      symbol: order.symbol,
      qtyText: textOfUnits(terms.qtyLots - order.filledLots, order.pair.qtyPrecision),
      limitPriceText: textOfUnits(terms.limitTicks, order.pair.pricePrecision),
      timeInForce: "gtc",
      postOnly: call.postOnly,
      ...(call.orderUserref === undefined ? {} : { orderUserref: call.orderUserref }),
      validate: false,
    };
    const checked = this.#check(request);
    if (typeof checked === "string") return { error: checked };
    const { base, quote } = this.#assets(order.pair);
    const asset = order.side === "buy" ? quote : base;
    const hold = order.side === "buy"
      ? this.#buyHold(order.pair, terms.limitTicks, checked.qtyLots)
      : rescale(checked.qtyLots, order.pair.qtyPrecision, ASSET_DECIMALS);
    if (this.#available(asset) + order.reserved < hold) return { error: INSUFFICIENT_FUNDS };
    const book = this.#book(order.symbol);
    if (call.postOnly && crosses(order.side, terms.limitTicks, book.bids, book.asks)) {
      return { error: POST_ONLY_REFUSAL };
    }
    this.#cancel(order, "Order replaced", now);
    const placed = this.#place(checked, now);
    if (!("result" in placed)) return placed;
    const result = placed.result as { order_id: string };
    return { result: { order_id: result.order_id, original_order_id: order.orderId } };
  }
}
