/**
 * Messages of the authenticated connection: `executions` and `balances` frames, each with the
 * subscription's `sequence`, and the successful replies to trading methods. Decimal values keep
 * their wire text beside the number, as on the public side.
 *
 * @experimental
 *
 * @module
 */

import type { FrameType, JsonValue } from "./messages.ts";

/**
 * One fee charged on a fill.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionFee } from "@kraken-ws/sdk/extended";
 * const fee: ExecutionFee = { asset: "USD", qty: 0.26, qtyText: "0.26" };
 * console.log(fee.qtyText);
 * ```
 */
export interface ExecutionFee {
  /** The asset the fee is charged in. */
  readonly asset: string;
  /** The fee as a number. */
  readonly qty: number;
  /** The fee exactly as sent. */
  readonly qtyText: string;
}

/**
 * One item of an `executions` frame: an order's status change or one of its fills. Which fields
 * are present depends on `execType`; decimal fields come with their exact wire text (`…Text`).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { Execution } from "@kraken-ws/sdk/extended";
 * const execution: Execution = {
 *   execType: "new",
 *   orderId: "OAAAAA-BBBBB-CCCCCC",
 *   orderStatus: "new",
 *   symbol: "BTC/USD",
 *   side: "buy",
 *   timestamp: "2024-05-01T12:00:00.000000Z",
 * };
 * console.log(execution.orderStatus);
 * ```
 */
export interface Execution {
  /** What happened: `pending_new`, `new`, `trade`, `filled`, `canceled`, `expired`, `amended`, `restated`, `status`, … */
  readonly execType: string;
  /** Kraken's order id. */
  readonly orderId: string;
  /** The client's order id, when the order has one. */
  readonly clOrdId?: string;
  /** The client's numeric reference, when the order has one. */
  readonly orderUserref?: number;
  /** The order's status after this event: `pending_new`, `new`, `partially_filled`, `filled`, `canceled`, `expired`. */
  readonly orderStatus?: string;
  /** The pair. */
  readonly symbol?: string;
  /** `buy` or `sell`. */
  readonly side?: string;
  /** `limit`, `market`, … */
  readonly orderType?: string;
  /** `GTC`, `GTD` or `IOC`. */
  readonly timeInForce?: string;
  /** Order quantity. */
  readonly orderQty?: number;
  /** Order quantity exactly as sent. */
  readonly orderQtyText?: string;
  /** Limit price. */
  readonly limitPrice?: number;
  /** Limit price exactly as sent. */
  readonly limitPriceText?: string;
  /** Quantity filled so far. */
  readonly cumQty?: number;
  /** Quantity filled so far, exactly as sent. */
  readonly cumQtyText?: string;
  /** Value filled so far. */
  readonly cumCost?: number;
  /** Value filled so far, exactly as sent. */
  readonly cumCostText?: string;
  /** Average fill price. */
  readonly avgPrice?: number;
  /** Average fill price exactly as sent. */
  readonly avgPriceText?: string;
  /** For a fill: its execution id. */
  readonly execId?: string;
  /** For a fill: the trade id of the pair's public trade. */
  readonly tradeId?: number;
  /** For a fill: its quantity. */
  readonly lastQty?: number;
  /** For a fill: its quantity exactly as sent. */
  readonly lastQtyText?: string;
  /** For a fill: its price. */
  readonly lastPrice?: number;
  /** For a fill: its price exactly as sent. */
  readonly lastPriceText?: string;
  /** For a fill: its value. */
  readonly cost?: number;
  /** For a fill: its value exactly as sent. */
  readonly costText?: string;
  /** For a fill: `t` (taker) or `m` (maker). */
  readonly liquidityInd?: string;
  /** For a fill: the fees charged. */
  readonly fees?: readonly ExecutionFee[];
  /** Post only. */
  readonly postOnly?: boolean;
  /** Reduce only. */
  readonly reduceOnly?: boolean;
  /** Why, for a cancel, an expiry or an engine restatement. */
  readonly reason?: string;
  /** RFC 3339 exchange time. */
  readonly timestamp: string;
  /** Quantity in the quote currency, when the order was placed by cost. */
  readonly cashOrderQty?: number;
  /** Quantity in the quote currency exactly as sent. */
  readonly cashOrderQtyText?: string;
  /** How `limitPrice` is read: `static`, `pct` or `quote`. */
  readonly limitPriceType?: string;
  /** Total fee of this event in USD. */
  readonly feeUsdEquiv?: number;
  /** Total fee of this event in USD, exactly as sent. */
  readonly feeUsdEquivText?: string;
  /** Fee currency preference: `fcib` (base) or `fciq` (quote). */
  readonly feeCcyPref?: string;
  /** Iceberg: the quantity shown in the book. */
  readonly displayQty?: number;
  /** Iceberg: the quantity shown, exactly as sent. */
  readonly displayQtyText?: string;
  /** Iceberg: the next shown quantity. */
  readonly displayQtyRemain?: number;
  /** Iceberg: the next shown quantity, exactly as sent. */
  readonly displayQtyRemainText?: string;
  /** Margin order. */
  readonly margin?: boolean;
  /** For a fill: whether it was funded by borrowing. */
  readonly marginBorrow?: boolean;
  /** Deprecated by Kraken, still sent. */
  readonly noMpp?: boolean;
  /** The order was placed by a liquidation. */
  readonly liquidated?: boolean;
  /** The order was amended at some point. */
  readonly amended?: boolean;
  /** Margin position: `opened`, `closing`, `closed`. */
  readonly positionStatus?: string;
  /** RFC 3339 scheduled start. */
  readonly effectiveTime?: string;
  /** RFC 3339 expiry (GTD). */
  readonly expireTime?: string;
  /** The order that created this one (a conditional close). */
  readonly ordRefId?: string;
  /** Partner's order id. */
  readonly extOrdId?: string;
  /** Partner's execution id. */
  readonly extExecId?: string;
  /** Institutional self-trade-prevention sub-account. */
  readonly senderSubId?: string;
  /** The account, with `users: "all"` on a master account. */
  readonly user?: string;
  /** Trigger of a stop or take-profit order. */
  readonly triggers?: ExecutionTriggers;
  /** The close order placed when this one fills (one-triggers-other). */
  readonly contingent?: ExecutionContingent;
  /** Deprecated by Kraken in favour of `reason`, still sent. */
  readonly cancelReason?: string;
  /** Deprecated by Kraken in favour of `triggers.price`, still sent. */
  readonly stopPrice?: number;
  /** `stopPrice` exactly as sent. */
  readonly stopPriceText?: string;
  /** Deprecated by Kraken in favour of `triggers.reference`, still sent. */
  readonly trigger?: string;
  /** Deprecated by Kraken in favour of `triggers.actualPrice`, still sent. */
  readonly triggeredPrice?: number;
  /** `triggeredPrice` exactly as sent. */
  readonly triggeredPriceText?: string;
  /**
   * The account's rate counter, when subscribed with `ratecounter: true`. Kraken does not document
   * this field for v2 (v1 sent a per-order `ratecount`): read when it is a number, else left out.
   */
  readonly ratecount?: number;
  /** `ratecount` exactly as sent. */
  readonly ratecountText?: string;
}

/**
 * The trigger of a triggered order, as an execution reports it.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionTriggers } from "@kraken-ws/sdk/extended";
 * const triggers: ExecutionTriggers = { reference: "index", price: 0.2, priceText: "0.2", status: "untriggered" };
 * console.log(triggers.priceText);
 * ```
 */
export interface ExecutionTriggers {
  /** `index` or `last`. */
  readonly reference?: string;
  /** Trigger price, or offset for `pct`/`quote` and trailing orders. */
  readonly price?: number;
  /** Trigger price exactly as sent. */
  readonly priceText?: string;
  /** `static`, `pct` or `quote`. */
  readonly priceType?: string;
  /** The price the trigger resolved to. */
  readonly actualPrice?: number;
  /** `actualPrice` exactly as sent. */
  readonly actualPriceText?: string;
  /** Trailing orders: the best price seen. */
  readonly peakPrice?: number;
  /** `peakPrice` exactly as sent. */
  readonly peakPriceText?: string;
  /** The last reference price. */
  readonly lastPrice?: number;
  /** `lastPrice` exactly as sent. */
  readonly lastPriceText?: string;
  /** `triggered` or `untriggered`. */
  readonly status?: string;
  /** RFC 3339 time it triggered. */
  readonly timestamp?: string;
}

/**
 * The close order an order places when it fills (one-triggers-other).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionContingent } from "@kraken-ws/sdk/extended";
 * const close: ExecutionContingent = { orderType: "stop-loss-limit", triggerPrice: 28410, triggerPriceText: "28410" };
 * console.log(close.orderType);
 * ```
 */
export interface ExecutionContingent {
  /** `limit`, `stop-loss`, `stop-loss-limit`, `take-profit`, … */
  readonly orderType?: string;
  /** Trigger price. */
  readonly triggerPrice?: number;
  /** Trigger price exactly as sent. */
  readonly triggerPriceText?: string;
  /** `static`, `pct` or `quote`. */
  readonly triggerPriceType?: string;
  /** Limit price. */
  readonly limitPrice?: number;
  /** Limit price exactly as sent. */
  readonly limitPriceText?: string;
  /** `static`, `pct` or `quote`. */
  readonly limitPriceType?: string;
}

/**
 * An `executions` channel frame.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionsMessage } from "@kraken-ws/sdk/extended";
 * const message: ExecutionsMessage = { kind: "executions", type: "snapshot", sequence: 1, data: [] };
 * console.log(message.sequence);
 * ```
 */
export interface ExecutionsMessage {
  /** Discriminant. */
  readonly kind: "executions";
  /** Snapshot (open orders, recent fills) or update. */
  readonly type: FrameType;
  /** The subscription's message number: 1 on the snapshot, one more on each message after. */
  readonly sequence: number;
  /** The executions, in Kraken's order. */
  readonly data: readonly Execution[];
}

/**
 * One wallet of an asset, in a balances snapshot.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BalanceWallet } from "@kraken-ws/sdk/extended";
 * const wallet: BalanceWallet = { type: "spot", id: "main", balance: 1.5, balanceText: "1.5" };
 * console.log(wallet.balanceText);
 * ```
 */
export interface BalanceWallet {
  /** Wallet type, like `spot`. */
  readonly type: string;
  /** Wallet id, like `main`. */
  readonly id: string;
  /** The balance. */
  readonly balance: number;
  /** The balance exactly as sent. */
  readonly balanceText: string;
}

/**
 * One asset's balance, in a balances snapshot.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { AssetBalance } from "@kraken-ws/sdk/extended";
 * const usd: AssetBalance = { asset: "USD", assetClass: "currency", balance: 100, balanceText: "100.0000", wallets: [] };
 * console.log(usd.balanceText);
 * ```
 */
export interface AssetBalance {
  /** The asset, like `BTC`. */
  readonly asset: string;
  /** Its class, like `currency`. */
  readonly assetClass?: string;
  /** The total balance. */
  readonly balance: number;
  /** The total balance exactly as sent. */
  readonly balanceText: string;
  /** Its wallets. */
  readonly wallets: readonly BalanceWallet[];
}

/**
 * One ledger entry, in a balances update: what moved and the balance after it.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { LedgerEntry } from "@kraken-ws/sdk/extended";
 * const entry: LedgerEntry = {
 *   ledgerId: "L1", refId: "T1", timestamp: "2024-05-01T12:00:00Z", type: "trade", asset: "USD",
 *   amount: -10, amountText: "-10.0000", fee: 0, feeText: "0.0000", balance: 90, balanceText: "90.0000",
 * };
 * console.log(entry.balanceText);
 * ```
 */
export interface LedgerEntry {
  /** The ledger entry's id. */
  readonly ledgerId: string;
  /** The id of what caused it (a trade, a deposit). */
  readonly refId: string;
  /** RFC 3339 time. */
  readonly timestamp: string;
  /** Kind of entry, like `trade` or `deposit`. */
  readonly type: string;
  /** Finer kind, when Kraken gives one. */
  readonly subtype?: string;
  /** The asset. */
  readonly asset: string;
  /** Its class, like `currency`. */
  readonly assetClass?: string;
  /** Amount moved (negative: out). */
  readonly amount: number;
  /** Amount exactly as sent. */
  readonly amountText: string;
  /** Fee charged. */
  readonly fee: number;
  /** Fee exactly as sent. */
  readonly feeText: string;
  /** The asset's balance after it. */
  readonly balance: number;
  /** The balance exactly as sent. */
  readonly balanceText: string;
  /** Wallet type, like `spot`. */
  readonly walletType?: string;
  /** Wallet id, like `main`. */
  readonly walletId?: string;
  /** Reporting category, like `trade`, `deposit`, `staking-rewards`. */
  readonly category?: string;
  /** The account, with `users: "all"` on a master account. */
  readonly user?: string;
}

/**
 * A `balances` channel frame: a snapshot lists every asset's balance; an update lists ledger
 * entries.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BalancesMessage } from "@kraken-ws/sdk/extended";
 * const message: BalancesMessage = { kind: "balances", type: "snapshot", sequence: 1, data: [] };
 * console.log(message.type);
 * ```
 */
export type BalancesMessage =
  | {
    /** Discriminant. */
    readonly kind: "balances";
    /** A snapshot. */
    readonly type: "snapshot";
    /** The subscription's message number: 1 on the snapshot. */
    readonly sequence: number;
    /** Every asset's balance. */
    readonly data: readonly AssetBalance[];
  }
  | {
    /** Discriminant. */
    readonly kind: "balances";
    /** An update. */
    readonly type: "update";
    /** The subscription's message number. */
    readonly sequence: number;
    /** The ledger entries. */
    readonly data: readonly LedgerEntry[];
  };

/**
 * The methods of the authenticated connection that act on orders.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingMethod } from "@kraken-ws/sdk/extended";
 * const method: TradingMethod = "add_order";
 * console.log(method);
 * ```
 */
export type TradingMethod =
  | "add_order"
  | "amend_order"
  | "edit_order"
  | "cancel_order"
  | "cancel_all"
  | "cancel_all_orders_after"
  | "batch_add"
  | "batch_cancel";

/**
 * The trading methods, in the order Kraken's docs list them.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { TRADING_METHODS } from "@kraken-ws/sdk/extended";
 * console.log(TRADING_METHODS.includes("cancel_all")); // true
 * ```
 */
export const TRADING_METHODS: readonly TradingMethod[] = [
  "add_order",
  "amend_order",
  "edit_order",
  "cancel_order",
  "cancel_all",
  "cancel_all_orders_after",
  "batch_add",
  "batch_cancel",
];

/**
 * A successful reply to a trading method; failures are `rejection` messages.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingReply } from "@kraken-ws/sdk/extended";
 * const reply: TradingReply = {
 *   kind: "tradingReply", method: "cancel_all", reqId: 3, result: { count: 2 }, warnings: [],
 * };
 * console.log(reply.result);
 * ```
 */
export interface TradingReply {
  /** Discriminant. */
  readonly kind: "tradingReply";
  /** The method answered. */
  readonly method: TradingMethod;
  /** Echo of the request's `req_id`. */
  readonly reqId?: number;
  /** Kraken's `result`, as parsed JSON. */
  readonly result: JsonValue;
  /** Warnings Kraken attached. */
  readonly warnings: readonly string[];
  /** RFC 3339 receive time at the server. */
  readonly timeIn?: string;
  /** RFC 3339 send time at the server. */
  readonly timeOut?: string;
}
