/**
 * Requests and results of the trading methods of the authenticated connection: typed camelCase
 * parameters, their exact wire JSON (decimals written digit for digit, never through a float),
 * the request envelope with the token spliced in, typed results, and token redaction for anything
 * that records or shows frames.
 *
 * @experimental
 *
 * @module
 */

import { valueKind } from "./value_kind.ts";
import { plainDecimalText } from "./decimal_text.ts";
import type { JsonValue } from "./messages.ts";
import { TRADING_METHODS, type TradingMethod } from "./private_messages.ts";

/**
 * A decimal parameter: a plain decimal string, written into the request exactly as given
 * (`"0.10000000"` stays `0.10000000`), or a finite number.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { DecimalInput } from "@kraken-ws/sdk/extended";
 * const price: DecimalInput = "26500.10";
 * const qty: DecimalInput = 0.5;
 * console.log(price, qty);
 * ```
 */
export type DecimalInput = string | number;

/**
 * An order's side.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { OrderSide } from "@kraken-ws/sdk/extended";
 * const side: OrderSide = "sell";
 * console.log(side);
 * ```
 */
export type OrderSide = "buy" | "sell";

/**
 * An order's type.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { OrderType } from "@kraken-ws/sdk/extended";
 * const type: OrderType = "stop-loss-limit";
 * console.log(type);
 * ```
 */
export type OrderType =
  | "limit"
  | "market"
  | "iceberg"
  | "stop-loss"
  | "stop-loss-limit"
  | "take-profit"
  | "take-profit-limit"
  | "trailing-stop"
  | "trailing-stop-limit"
  | "settle-position";

/**
 * The type of a conditional close order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ConditionalOrderType } from "@kraken-ws/sdk/extended";
 * const type: ConditionalOrderType = "take-profit";
 * console.log(type);
 * ```
 */
export type ConditionalOrderType =
  | "limit"
  | "stop-loss"
  | "stop-loss-limit"
  | "take-profit"
  | "take-profit-limit"
  | "trailing-stop"
  | "trailing-stop-limit";

/**
 * How long an order rests: good till cancelled, good till `expireTime`, immediate or cancel, fill
 * or kill (`fok`: limit orders only, documented on the newest add_order page only).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TimeInForce } from "@kraken-ws/sdk/extended";
 * const tif: TimeInForce = "ioc";
 * console.log(tif);
 * ```
 */
export type TimeInForce = "gtc" | "gtd" | "ioc" | "fok";

/**
 * How a price is read: an absolute price, a percentage offset, or an offset in quote currency.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { PriceType } from "@kraken-ws/sdk/extended";
 * const type: PriceType = "pct";
 * console.log(type);
 * ```
 */
export type PriceType = "static" | "pct" | "quote";

/**
 * The price a trigger watches.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TriggerReference } from "@kraken-ws/sdk/extended";
 * const reference: TriggerReference = "index";
 * console.log(reference);
 * ```
 */
export type TriggerReference = "index" | "last";

/**
 * Self-trade prevention: which side of a self-match is cancelled.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { StpType } from "@kraken-ws/sdk/extended";
 * const stp: StpType = "cancel_both";
 * console.log(stp);
 * ```
 */
export type StpType = "cancel_newest" | "cancel_oldest" | "cancel_both";

/**
 * The currency fees are preferably charged in.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { FeePreference } from "@kraken-ws/sdk/extended";
 * const fee: FeePreference = "quote";
 * console.log(fee);
 * ```
 */
export type FeePreference = "base" | "quote";

/**
 * The trigger of a stop, take-profit or trailing order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { OrderTriggers } from "@kraken-ws/sdk/extended";
 * const triggers: OrderTriggers = { reference: "last", price: "-2.0", priceType: "pct" };
 * console.log(triggers.price);
 * ```
 */
export interface OrderTriggers {
  /** The price watched (default `last`). */
  readonly reference?: TriggerReference;
  /** Trigger price; for trailing orders the positive reversion from the peak. */
  readonly price: DecimalInput;
  /** How `price` is read (default `static`). */
  readonly priceType?: PriceType;
}

/**
 * A close order placed when the order fills (one-triggers-other).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ConditionalClose } from "@kraken-ws/sdk/extended";
 * const close: ConditionalClose = { orderType: "stop-loss-limit", triggerPrice: 28410, limitPrice: 28400 };
 * console.log(close.orderType);
 * ```
 */
export interface ConditionalClose {
  /** The close order's type. */
  readonly orderType: ConditionalOrderType;
  /** Its limit price. */
  readonly limitPrice?: DecimalInput;
  /** How `limitPrice` is read. */
  readonly limitPriceType?: PriceType;
  /** Its trigger price. */
  readonly triggerPrice?: DecimalInput;
  /** How `triggerPrice` is read. */
  readonly triggerPriceType?: PriceType;
}

/**
 * One order of a `batch_add`: the `add_order` parameters without `symbol`, `deadline` and
 * `validate`, which the batch sets for all.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchOrder } from "@kraken-ws/sdk/extended";
 * const order: BatchOrder = { side: "buy", orderType: "limit", orderQty: "0.123456789", limitPrice: "1010.10" };
 * console.log(order.limitPrice);
 * ```
 */
export interface BatchOrder {
  /** Buy or sell. */
  readonly side: OrderSide;
  /** The order's type. */
  readonly orderType: OrderType;
  /** Quantity in the base asset. */
  readonly orderQty: DecimalInput;
  /** Limit price, for the limit types. */
  readonly limitPrice?: DecimalInput;
  /** How `limitPrice` is read (trailing-stop-limit only). */
  readonly limitPriceType?: PriceType;
  /** Trigger, for the triggered types. */
  readonly triggers?: OrderTriggers;
  /** How long the order rests (default `gtc`). */
  readonly timeInForce?: TimeInForce;
  /** Margin order. */
  readonly margin?: boolean;
  /** Cancel rather than take liquidity. */
  readonly postOnly?: boolean;
  /** Only reduce a margin position. */
  readonly reduceOnly?: boolean;
  /** RFC 3339 scheduled start. */
  readonly effectiveTime?: string;
  /** RFC 3339 expiry, for `gtd`. */
  readonly expireTime?: string;
  /** The client's id for the order (exclusive with `orderUserref`). */
  readonly clOrdId?: string;
  /** The client's numeric tag for the order (exclusive with `clOrdId`). */
  readonly orderUserref?: number;
  /** A close order placed when this one fills. */
  readonly conditional?: ConditionalClose;
  /** Iceberg: the quantity shown. */
  readonly displayQty?: DecimalInput;
  /** Fee currency preference. */
  readonly feePreference?: FeePreference;
  /** Self-trade prevention. */
  readonly stpType?: StpType;
  /** Quantity in the quote currency (buy market orders without margin). */
  readonly cashOrderQty?: DecimalInput;
  /** Institutional self-trade-prevention sub-account. */
  readonly senderSubId?: string;
}

/**
 * Parameters of `add_order`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { type AddOrderParams, tradingParamsJson } from "@kraken-ws/sdk/extended";
 * const params: AddOrderParams = { symbol: "BTC/USD", side: "buy", orderType: "limit", orderQty: "1.2", limitPrice: "26500.4" };
 * console.log(tradingParamsJson("add_order", params));
 * ```
 */
export interface AddOrderParams extends BatchOrder {
  /** The pair, like `BTC/USD`. */
  readonly symbol: string;
  /** RFC 3339 time after which the engine must not match the order. */
  readonly deadline?: string;
  /** Validate only: nothing is traded. */
  readonly validate?: boolean;
}

/**
 * Parameters of `amend_order`: exactly one of `orderId` and `clOrdId` names the order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { AmendOrderParams } from "@kraken-ws/sdk/extended";
 * const params: AmendOrderParams = { orderId: "OAIYAU-LGI3M-PFM5VW", limitPrice: "61031.3", postOnly: true };
 * console.log(params.limitPrice);
 * ```
 */
export interface AmendOrderParams {
  /** Kraken's order id. */
  readonly orderId?: string;
  /** The client's order id. */
  readonly clOrdId?: string;
  /** New quantity in the base asset. */
  readonly orderQty?: DecimalInput;
  /** Iceberg: new shown quantity. */
  readonly displayQty?: DecimalInput;
  /** New limit price. */
  readonly limitPrice?: DecimalInput;
  /** How `limitPrice` is read (trailing-stop-limit only). */
  readonly limitPriceType?: PriceType;
  /** Reject the amend if the new price would take liquidity. */
  readonly postOnly?: boolean;
  /** New trigger price. */
  readonly triggerPrice?: DecimalInput;
  /** How `triggerPrice` is read. */
  readonly triggerPriceType?: PriceType;
  /** RFC 3339 time after which the engine must not apply the amend. */
  readonly deadline?: string;
  /** The pair: needed for non-crypto pairs (xstocks). */
  readonly symbol?: string;
}

/**
 * Parameters of `edit_order` (cancel and replace: the order gets a new id; prefer `amend_order`).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { EditOrderParams } from "@kraken-ws/sdk/extended";
 * const params: EditOrderParams = { orderId: "ORDERX-IDXXX-XXXXX1", symbol: "BTC/USD", orderQty: "0.2123456789" };
 * console.log(params.orderQty);
 * ```
 */
export interface EditOrderParams {
  /** Kraken's order id. */
  readonly orderId: string;
  /** The order's pair (it cannot change). */
  readonly symbol: string;
  /** New quantity. */
  readonly orderQty?: DecimalInput;
  /** New limit price. */
  readonly limitPrice?: DecimalInput;
  /** Iceberg: new shown quantity. */
  readonly displayQty?: DecimalInput;
  /** Fee currency preference. */
  readonly feePreference?: FeePreference;
  /** A numeric tag for the new order. */
  readonly orderUserref?: number;
  /** Cancel rather than take liquidity. */
  readonly postOnly?: boolean;
  /** Only reduce a margin position. */
  readonly reduceOnly?: boolean;
  /** New trigger. */
  readonly triggers?: OrderTriggers;
  /** RFC 3339 time after which the engine must not match the order. */
  readonly deadline?: string;
  /** Validate only. */
  readonly validate?: boolean;
}

/**
 * Parameters of `cancel_order`: at least one id. Kraken answers once per cancelled order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelOrderParams } from "@kraken-ws/sdk/extended";
 * const params: CancelOrderParams = { orderId: ["OM5CRX-N2HAL-GFGWE9", "OLUMT4-UTEGU-ZYM7E9"] };
 * console.log(params.orderId);
 * ```
 */
export interface CancelOrderParams {
  /** Kraken's order ids (one id may be given alone). */
  readonly orderId?: string | readonly string[];
  /** The client's order ids (one may be given alone). */
  readonly clOrdId?: string | readonly string[];
  /** The client's numeric tags (one may be given alone). */
  readonly orderUserref?: number | readonly number[];
}

/**
 * Parameters of `cancel_all`: none.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelAllParams } from "@kraken-ws/sdk/extended";
 * const params: CancelAllParams = {};
 * console.log(params);
 * ```
 */
export type CancelAllParams = Readonly<Record<string, never>>;

/**
 * Parameters of `cancel_all_orders_after`, the dead man's switch.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelAllOrdersAfterParams } from "@kraken-ws/sdk/extended";
 * const params: CancelAllOrdersAfterParams = { timeout: 60 };
 * console.log(params.timeout);
 * ```
 */
export interface CancelAllOrdersAfterParams {
  /** Whole seconds until every order is cancelled, below 86400; 0 disarms the switch. */
  readonly timeout: number;
}

/**
 * Parameters of `batch_add`: 2 to 15 orders of one pair.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchAddParams } from "@kraken-ws/sdk/extended";
 * const params: BatchAddParams = {
 *   symbol: "BTC/USD",
 *   orders: [
 *     { side: "buy", orderType: "limit", orderQty: "0.1", limitPrice: "1010.10" },
 *     { side: "sell", orderType: "limit", orderQty: "0.1", limitPrice: "2020.20" },
 *   ],
 * };
 * console.log(params.orders.length);
 * ```
 */
export interface BatchAddParams {
  /** The pair of every order. */
  readonly symbol: string;
  /** The orders, 2 to 15. */
  readonly orders: readonly BatchOrder[];
  /** RFC 3339 time after which the engine must not match the orders. */
  readonly deadline?: string;
  /** Validate only. */
  readonly validate?: boolean;
}

/**
 * Parameters of `batch_cancel`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchCancelParams } from "@kraken-ws/sdk/extended";
 * const params: BatchCancelParams = { orders: ["1", "2", "ORDERX-IDXXX-XXXXX3"] };
 * console.log(params.orders.length);
 * ```
 */
export interface BatchCancelParams {
  /** 2 to 50 Kraken order ids and/or order userrefs written as strings. */
  readonly orders: readonly string[];
  /** Client order ids to cancel as well. */
  readonly clOrdId?: readonly string[];
}

/**
 * The parameters of each trading method.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingParamsByMethod } from "@kraken-ws/sdk/extended";
 * const params: TradingParamsByMethod["cancel_all_orders_after"] = { timeout: 60 };
 * console.log(params);
 * ```
 */
export interface TradingParamsByMethod {
  /** `add_order`. */
  readonly add_order: AddOrderParams;
  /** `amend_order`. */
  readonly amend_order: AmendOrderParams;
  /** `edit_order`. */
  readonly edit_order: EditOrderParams;
  /** `cancel_order`. */
  readonly cancel_order: CancelOrderParams;
  /** `cancel_all`. */
  readonly cancel_all: CancelAllParams;
  /** `cancel_all_orders_after`. */
  readonly cancel_all_orders_after: CancelAllOrdersAfterParams;
  /** `batch_add`. */
  readonly batch_add: BatchAddParams;
  /** `batch_cancel`. */
  readonly batch_cancel: BatchCancelParams;
}

// ---------------------------------------------------------------------------------------------
// Parameter encoding
// ---------------------------------------------------------------------------------------------

type Kind =
  | { readonly t: "string" }
  | { readonly t: "decimal" }
  | { readonly t: "boolean" }
  | { readonly t: "integer"; readonly min: number; readonly max: number }
  | { readonly t: "enum"; readonly values: readonly string[] }
  | { readonly t: "object"; readonly fields: readonly FieldSpec[]; readonly check?: Check }
  | {
    readonly t: "list";
    readonly item: Kind;
    readonly min: number;
    readonly max: number;
    /** Whether one item may be given without its list. */
    readonly single?: boolean;
  };

/** A rule across the fields of one object; throws naming the fields. */
type Check = (value: Readonly<Record<string, unknown>>, path: string) => void;

interface FieldSpec {
  readonly name: string;
  readonly wire: string;
  readonly kind: Kind;
  readonly required?: boolean;
}

const STRING: Kind = { t: "string" };
const DECIMAL: Kind = { t: "decimal" };
const BOOLEAN: Kind = { t: "boolean" };
const INTEGER: Kind = {
  t: "integer",
  min: Number.MIN_SAFE_INTEGER,
  max: Number.MAX_SAFE_INTEGER,
};
const oneOf = (...values: string[]): Kind => ({ t: "enum", values });

function field(name: string, wire: string, kind: Kind, required = false): FieldSpec {
  return { name, wire, kind, required };
}

const ORDER_TYPE = oneOf(
  "limit",
  "market",
  "iceberg",
  "stop-loss",
  "stop-loss-limit",
  "take-profit",
  "take-profit-limit",
  "trailing-stop",
  "trailing-stop-limit",
  "settle-position",
);
const CONDITIONAL_ORDER_TYPE = oneOf(
  "limit",
  "stop-loss",
  "stop-loss-limit",
  "take-profit",
  "take-profit-limit",
  "trailing-stop",
  "trailing-stop-limit",
);
const SIDE = oneOf("buy", "sell");
const PRICE_TYPE = oneOf("static", "pct", "quote");

const TRIGGERS: Kind = {
  t: "object",
  fields: [
    field("reference", "reference", oneOf("index", "last")),
    field("price", "price", DECIMAL, true),
    field("priceType", "price_type", PRICE_TYPE),
  ],
};

const CONDITIONAL: Kind = {
  t: "object",
  fields: [
    field("orderType", "order_type", CONDITIONAL_ORDER_TYPE, true),
    field("limitPrice", "limit_price", DECIMAL),
    field("limitPriceType", "limit_price_type", PRICE_TYPE),
    field("triggerPrice", "trigger_price", DECIMAL),
    field("triggerPriceType", "trigger_price_type", PRICE_TYPE),
  ],
};

/** Kraken refuses an order naming both; saying so here costs the caller no round trip. */
const oneClientId: Check = (value, path) => {
  if (value.clOrdId !== undefined && value.orderUserref !== undefined) {
    throw new TypeError(`${path}clOrdId and ${path}orderUserref cannot both be given`);
  }
};

/** The fields of one order, in the docs' order; `symbol` goes first on `add_order`. */
function orderFields(withSymbol: boolean): FieldSpec[] {
  return [
    field("orderType", "order_type", ORDER_TYPE, true),
    field("side", "side", SIDE, true),
    field("orderQty", "order_qty", DECIMAL, true),
    ...(withSymbol ? [field("symbol", "symbol", STRING, true)] : []),
    field("limitPrice", "limit_price", DECIMAL),
    field("limitPriceType", "limit_price_type", PRICE_TYPE),
    field("triggers", "triggers", TRIGGERS),
    field("timeInForce", "time_in_force", oneOf("gtc", "gtd", "ioc", "fok")),
    field("margin", "margin", BOOLEAN),
    field("postOnly", "post_only", BOOLEAN),
    field("reduceOnly", "reduce_only", BOOLEAN),
    field("effectiveTime", "effective_time", STRING),
    field("expireTime", "expire_time", STRING),
    ...(withSymbol ? [field("deadline", "deadline", STRING)] : []),
    field("clOrdId", "cl_ord_id", STRING),
    field("orderUserref", "order_userref", INTEGER),
    field("conditional", "conditional", CONDITIONAL),
    field("displayQty", "display_qty", DECIMAL),
    field("feePreference", "fee_preference", oneOf("base", "quote")),
    field("stpType", "stp_type", oneOf("cancel_newest", "cancel_oldest", "cancel_both")),
    field("cashOrderQty", "cash_order_qty", DECIMAL),
    ...(withSymbol ? [field("validate", "validate", BOOLEAN)] : []),
    field("senderSubId", "sender_sub_id", STRING),
  ];
}

const PARAMS: { readonly [M in TradingMethod]: Kind } = {
  add_order: { t: "object", fields: orderFields(true), check: oneClientId },
  amend_order: {
    t: "object",
    fields: [
      field("orderId", "order_id", STRING),
      field("clOrdId", "cl_ord_id", STRING),
      field("orderQty", "order_qty", DECIMAL),
      field("displayQty", "display_qty", DECIMAL),
      field("limitPrice", "limit_price", DECIMAL),
      field("limitPriceType", "limit_price_type", PRICE_TYPE),
      field("postOnly", "post_only", BOOLEAN),
      field("triggerPrice", "trigger_price", DECIMAL),
      field("triggerPriceType", "trigger_price_type", PRICE_TYPE),
      field("deadline", "deadline", STRING),
      field("symbol", "symbol", STRING),
    ],
    check: (value) => {
      if ((value.orderId === undefined) === (value.clOrdId === undefined)) {
        throw new TypeError("amend_order needs exactly one of orderId and clOrdId");
      }
    },
  },
  edit_order: {
    t: "object",
    fields: [
      field("orderId", "order_id", STRING, true),
      field("symbol", "symbol", STRING, true),
      field("orderQty", "order_qty", DECIMAL),
      field("limitPrice", "limit_price", DECIMAL),
      field("displayQty", "display_qty", DECIMAL),
      field("feePreference", "fee_preference", oneOf("base", "quote")),
      field("orderUserref", "order_userref", INTEGER),
      field("postOnly", "post_only", BOOLEAN),
      field("reduceOnly", "reduce_only", BOOLEAN),
      field("triggers", "triggers", TRIGGERS),
      field("deadline", "deadline", STRING),
      field("validate", "validate", BOOLEAN),
    ],
  },
  cancel_order: {
    t: "object",
    fields: [
      field("orderId", "order_id", {
        t: "list",
        item: STRING,
        min: 0,
        max: Infinity,
        single: true,
      }),
      field("clOrdId", "cl_ord_id", {
        t: "list",
        item: STRING,
        min: 0,
        max: Infinity,
        single: true,
      }),
      field("orderUserref", "order_userref", {
        t: "list",
        item: INTEGER,
        min: 0,
        max: Infinity,
        single: true,
      }),
    ],
    check: (value) => {
      const given = [value.orderId, value.clOrdId, value.orderUserref].some((ids) =>
        ids !== undefined && (!Array.isArray(ids) || ids.length > 0)
      );
      if (!given) throw new TypeError("cancel_order needs orderId, clOrdId or orderUserref");
    },
  },
  cancel_all: { t: "object", fields: [] },
  cancel_all_orders_after: {
    t: "object",
    fields: [field("timeout", "timeout", { t: "integer", min: 0, max: 86399 }, true)],
  },
  batch_add: {
    t: "object",
    fields: [
      field("symbol", "symbol", STRING, true),
      field("orders", "orders", {
        t: "list",
        item: { t: "object", fields: orderFields(false), check: oneClientId },
        min: 2,
        max: 15,
      }, true),
      field("deadline", "deadline", STRING),
      field("validate", "validate", BOOLEAN),
    ],
  },
  batch_cancel: {
    t: "object",
    fields: [
      field("orders", "orders", { t: "list", item: STRING, min: 2, max: 50 }, true),
      field("clOrdId", "cl_ord_id", { t: "list", item: STRING, min: 0, max: 50 }),
    ],
  },
};

/** A JSON number without exponent or leading zeros: what may go into the request verbatim. */
const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

function encodeValue(value: unknown, kind: Kind, path: string): string {
  switch (kind.t) {
    case "string":
      if (typeof value !== "string") {
        throw new TypeError(`${path} must be a string, not ${valueKind(value)}`);
      }
      if (value === "") throw new RangeError(`${path} must not be empty`);
      return JSON.stringify(value);
    case "decimal":
      if (typeof value === "string") {
        if (!PLAIN_DECIMAL.test(value)) {
          throw new RangeError(
            `${path} must be a plain decimal like "0.10", not ${value.slice(0, 40)}`,
          );
        }
        return value;
      }
      if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new RangeError(`${path} must be finite, not ${value}`);
        // String(1e-7) is "1e-7": spelled out, since the docs only ever show plain decimals.
        return plainDecimalText(String(value));
      }
      throw new TypeError(`${path} must be a decimal string or a number, not ${valueKind(value)}`);
    case "boolean":
      if (typeof value !== "boolean") {
        throw new TypeError(`${path} must be a boolean, not ${valueKind(value)}`);
      }
      return String(value);
    case "integer":
      if (typeof value !== "number") {
        throw new TypeError(`${path} must be an integer, not ${valueKind(value)}`);
      }
      if (!Number.isSafeInteger(value) || value < kind.min || value > kind.max) {
        throw new RangeError(
          `${path} must be an integer in [${kind.min}, ${kind.max}], not ${value}`,
        );
      }
      return String(value + 0);
    case "enum":
      if (typeof value !== "string") {
        throw new TypeError(`${path} must be a string, not ${valueKind(value)}`);
      }
      if (!kind.values.includes(value)) {
        throw new RangeError(
          `${path} must be one of ${kind.values.join(", ")}, not ${value.slice(0, 40)}`,
        );
      }
      return JSON.stringify(value);
    case "list": {
      const items = kind.single && !Array.isArray(value) ? [value] : value;
      if (!Array.isArray(items)) {
        throw new TypeError(`${path} must be a list, not ${valueKind(value)}`);
      }
      if (items.length < kind.min || items.length > kind.max) {
        const most = kind.max === Infinity ? "" : ` and at most ${kind.max}`;
        throw new RangeError(
          `${path} must have at least ${kind.min}${most} items, not ${items.length}`,
        );
      }
      return `[${items.map((item, i) => encodeValue(item, kind.item, `${path}[${i}]`)).join(",")}]`;
    }
    case "object":
      return encodeObject(value, kind, path);
  }
}

function encodeObject(
  value: unknown,
  kind: Extract<Kind, { t: "object" }>,
  path: string,
): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${path} must be an object, not ${valueKind(value)}`);
  }
  const record = value as Readonly<Record<string, unknown>>;
  const prefix = path === "params" ? "" : `${path}.`;
  // A misspelt or unsupported field would otherwise vanish silently (Kraken refuses unknown ones).
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined && !kind.fields.some((spec) => spec.name === key)) {
      throw new TypeError(`unknown field ${prefix}${key}`);
    }
  }
  const parts: string[] = [];
  for (const spec of kind.fields) {
    const item = Object.hasOwn(record, spec.name) ? record[spec.name] : undefined;
    if (item === undefined) {
      if (spec.required) throw new TypeError(`missing required field ${prefix}${spec.name}`);
      continue;
    }
    parts.push(`"${spec.wire}":${encodeValue(item, spec.kind, `${prefix}${spec.name}`)}`);
  }
  kind.check?.(record, prefix);
  return `{${parts.join(",")}}`;
}

function checkMethod(method: unknown): TradingMethod {
  if (typeof method !== "string" || !(TRADING_METHODS as readonly string[]).includes(method)) {
    throw new TypeError(`not a trading method: ${String(method).slice(0, 40)}`);
  }
  return method as TradingMethod;
}

/**
 * The wire `params` object of a trading request, without the token: snake_case keys in a fixed
 * order, decimals written exactly as given. Checks the parameters first.
 *
 * @experimental
 *
 * @param method The trading method.
 * @param params Its parameters.
 * @returns The JSON text of `params`.
 * @throws {TypeError} A missing required field, a field of the wrong type, an unknown field.
 * @throws {RangeError} A malformed decimal, a value outside its enum or range, a list too short or
 * too long. Every message names the field.
 *
 * @example
 * ```ts
 * import { tradingParamsJson } from "@kraken-ws/sdk/extended";
 * console.log(tradingParamsJson("add_order", {
 *   symbol: "BTC/USD", side: "buy", orderType: "limit", orderQty: "0.10000000", limitPrice: "26500.10",
 * }));
 * // {"order_type":"limit","side":"buy","order_qty":0.10000000,"symbol":"BTC/USD","limit_price":26500.10}
 * ```
 */
export function tradingParamsJson<M extends TradingMethod>(
  method: M,
  params: TradingParamsByMethod[M],
): string {
  return encodeObject(
    params,
    PARAMS[checkMethod(method)] as Extract<Kind, { t: "object" }>,
    "params",
  );
}

/**
 * A whole trading request: `{"method":…,"params":{…,"token":…},"req_id":…}`. The token is spliced
 * into the already encoded params, so a request can be prepared before the connection (and its
 * token) exists.
 *
 * @experimental
 *
 * @param method The trading method.
 * @param paramsJson The params object's JSON, as {@link tradingParamsJson} makes it (`{}` for none).
 * @param token The WebSocket token.
 * @param reqId Echoed in the replies.
 * @returns The request text.
 * @throws {TypeError} An unknown method, params that are not a JSON object or already carry a
 * token, an empty token.
 * @throws {RangeError} A `reqId` that is not a safe integer.
 *
 * @example
 * ```ts
 * import { encodeTradingRequest } from "@kraken-ws/sdk/extended";
 * console.log(encodeTradingRequest("cancel_all_orders_after", '{"timeout":60}', "TOKEN", 7));
 * // {"method":"cancel_all_orders_after","params":{"timeout":60,"token":"TOKEN"},"req_id":7}
 * ```
 */
export function encodeTradingRequest(
  method: TradingMethod,
  paramsJson: string,
  token: string,
  reqId: number,
): string {
  checkMethod(method);
  if (typeof token !== "string" || token === "") {
    throw new TypeError("token must be a non-empty string");
  }
  if (!Number.isSafeInteger(reqId)) throw new RangeError(`reqId must be a safe integer: ${reqId}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(paramsJson);
  } catch {
    throw new TypeError("paramsJson must be the JSON text of an object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError("paramsJson must be the JSON text of an object");
  }
  if (Object.hasOwn(parsed, "token")) throw new TypeError("paramsJson must not carry the token");
  const inner = paramsJson.trim().slice(1, -1).trim();
  const tokenField = `"token":${JSON.stringify(token)}`;
  const params = inner === "" ? `{${tokenField}}` : `{${inner},${tokenField}}`;
  return `{"method":${JSON.stringify(method)},"params":${params},"req_id":${reqId + 0}}`;
}

const TOKEN_FIELD = /"token"\s*:\s*"(?:[^"\\]|\\[\s\S])*(?:"|$)/g;

/**
 * Replaces the value of every `"token":"…"` in a text with `[redacted]`, so that recordings, logs
 * and taps never hold a credential. A string cut short (an excerpt) is redacted to its end.
 *
 * @experimental
 *
 * @param text A frame, or any text holding frames.
 * @returns The text with every token value replaced.
 *
 * @example
 * ```ts
 * import { redactToken } from "@kraken-ws/sdk/extended";
 * console.log(redactToken('{"method":"cancel_all","params":{"token":"secret"},"req_id":1}'));
 * // {"method":"cancel_all","params":{"token":"[redacted]"},"req_id":1}
 * ```
 */
export function redactToken(text: string): string {
  return text.replace(TOKEN_FIELD, '"token":"[redacted]"');
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/**
 * The result of `add_order`. With `validate: true` Kraken has been seen to answer an empty
 * `orderId`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { AddOrderResult } from "@kraken-ws/sdk/extended";
 * const result: AddOrderResult = { orderId: "AA5JGQ-SBMRC-SCJ7J7", orderUserref: 100054, warnings: [] };
 * console.log(result.orderId);
 * ```
 */
export interface AddOrderResult {
  /** Kraken's id of the new order. */
  readonly orderId: string;
  /** The client's id, when one was sent. */
  readonly clOrdId?: string;
  /** The client's numeric tag, when one was sent. */
  readonly orderUserref?: number;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The result of `amend_order`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { AmendOrderResult } from "@kraken-ws/sdk/extended";
 * const result: AmendOrderResult = { amendId: "TTW6PD-RC36L-ZZSWNU", clOrdId: "my-order", warnings: [] };
 * console.log(result.amendId);
 * ```
 */
export interface AmendOrderResult {
  /** Kraken's id of the amend. */
  readonly amendId: string;
  /** The order's id, when it was named by it. */
  readonly orderId?: string;
  /** The client's id, when the order was named by it. */
  readonly clOrdId?: string;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The result of `edit_order`: the replacement order's id.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { EditOrderResult } from "@kraken-ws/sdk/extended";
 * const result: EditOrderResult = { orderId: "ORDERX-IDXXX-XXXXX2", originalOrderId: "ORDERX-IDXXX-XXXXX1", warnings: [] };
 * console.log(result.orderId);
 * ```
 */
export interface EditOrderResult {
  /** The new order's id. */
  readonly orderId: string;
  /** The edited (now cancelled) order's id. */
  readonly originalOrderId: string;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The result of `cancel_order`, one per cancelled order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelOrderResult } from "@kraken-ws/sdk/extended";
 * const result: CancelOrderResult = { orderId: "OLUMT4-UTEGU-ZYM7E9", warnings: [] };
 * console.log(result.orderId);
 * ```
 */
export interface CancelOrderResult {
  /** The cancelled order's id. */
  readonly orderId?: string;
  /** The client's id of it, when it was named by it. */
  readonly clOrdId?: string;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The result of `cancel_all`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelAllResult } from "@kraken-ws/sdk/extended";
 * const result: CancelAllResult = { count: 1, warnings: [] };
 * console.log(result.count);
 * ```
 */
export interface CancelAllResult {
  /** How many orders were cancelled. */
  readonly count: number;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The result of `cancel_all_orders_after` (Kraken writes these two keys in camelCase).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { CancelAllOrdersAfterResult } from "@kraken-ws/sdk/extended";
 * const result: CancelAllOrdersAfterResult = {
 *   currentTime: "2023-09-21T15:49:29Z", triggerTime: "2023-09-21T15:51:09Z", warnings: [],
 * };
 * console.log(result.triggerTime);
 * ```
 */
export interface CancelAllOrdersAfterResult {
  /** RFC 3339 engine time. */
  readonly currentTime: string;
  /** RFC 3339 time every order will be cancelled; its value after `timeout: 0` is undocumented. */
  readonly triggerTime: string;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * One order's outcome in a `batch_add` result. An order refused after submission (funds, for
 * example) is reported, when Kraken does, with `error` and no `orderId`: that shape is not
 * documented for WebSocket (REST does it), so it is kept as sent.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchAddEntry } from "@kraken-ws/sdk/extended";
 * const entry: BatchAddEntry = { orderId: "ORDERX-IDXXX-XXXXX1", orderUserref: 1, warnings: [] };
 * console.log(entry.error ?? entry.orderId);
 * ```
 */
export interface BatchAddEntry {
  /** The new order's id, unless it was refused. */
  readonly orderId?: string;
  /** The client's id, when one was sent. */
  readonly clOrdId?: string;
  /** The client's numeric tag, when one was sent. */
  readonly orderUserref?: number;
  /** Why this order was refused. */
  readonly error?: string;
  /** Kraken's warnings for this order. */
  readonly warnings: readonly string[];
}

/**
 * The result of `batch_add`: one entry per order, in request order.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchAddResult } from "@kraken-ws/sdk/extended";
 * const result: BatchAddResult = [{ orderId: "A", warnings: [] }, { error: "EOrder:Insufficient funds", warnings: [] }];
 * console.log(result.length);
 * ```
 */
export type BatchAddResult = readonly BatchAddEntry[];

/**
 * The result of `batch_cancel`.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BatchCancelResult } from "@kraken-ws/sdk/extended";
 * const result: BatchCancelResult = { count: 3, warnings: [] };
 * console.log(result.count);
 * ```
 */
export interface BatchCancelResult {
  /** How many orders were cancelled. */
  readonly count: number;
  /** Kraken's warnings. */
  readonly warnings: readonly string[];
}

/**
 * The typed result of each trading method.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { TradingResultByMethod } from "@kraken-ws/sdk/extended";
 * const result: TradingResultByMethod["cancel_all"] = { count: 0, warnings: [] };
 * console.log(result.count);
 * ```
 */
export interface TradingResultByMethod {
  /** `add_order`. */
  readonly add_order: AddOrderResult;
  /** `amend_order`. */
  readonly amend_order: AmendOrderResult;
  /** `edit_order`. */
  readonly edit_order: EditOrderResult;
  /** `cancel_order`. */
  readonly cancel_order: CancelOrderResult;
  /** `cancel_all`. */
  readonly cancel_all: CancelAllResult;
  /** `cancel_all_orders_after`. */
  readonly cancel_all_orders_after: CancelAllOrdersAfterResult;
  /** `batch_add`. */
  readonly batch_add: BatchAddResult;
  /** `batch_cancel`. */
  readonly batch_cancel: BatchCancelResult;
}

type JsonObject = { readonly [key: string]: JsonValue };

/** Reads one result object; `null` counts as absent, as Kraken leaves unset fields out. */
class ResultReader {
  readonly #object: JsonObject;
  readonly #path: string;

  constructor(value: JsonValue, path: string) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TypeError(`${path} must be an object, not ${valueKind(value)}`);
    }
    this.#object = value;
    this.#path = path;
  }

  #get(key: string): JsonValue | undefined {
    const value = Object.hasOwn(this.#object, key) ? this.#object[key] : undefined;
    return value === null ? undefined : value;
  }

  string(key: string): string | undefined {
    const value = this.#get(key);
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(`${this.#path}.${key} must be a string, not ${valueKind(value)}`);
    }
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined) throw new TypeError(`${this.#path}.${key} is missing`);
    return value;
  }

  /** A time Kraken documents as a string; a number is kept as its text (undocumented replies). */
  time(key: string): string {
    const value = this.#get(key);
    if (typeof value === "number") return String(value);
    return this.requiredString(key);
  }

  integer(key: string, min: number): number | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`${this.#path}.${key} must be an integer of at least ${min}`);
    }
    return value;
  }

  requiredInteger(key: string, min: number): number {
    const value = this.integer(key, min);
    if (value === undefined) throw new TypeError(`${this.#path}.${key} is missing`);
    return value;
  }

  warnings(): string[] {
    const value = this.#get("warnings");
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw new TypeError(`${this.#path}.warnings must be a list of strings`);
    }
    return value as string[];
  }
}

/** Leaves absent optional fields out, so results compare equal to literals. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

function readAddOrder(read: ResultReader): AddOrderResult {
  return defined({
    orderId: read.requiredString("order_id"),
    clOrdId: read.string("cl_ord_id"),
    orderUserref: read.integer("order_userref", Number.MIN_SAFE_INTEGER),
    warnings: read.warnings(),
  });
}

function readBatchAddEntry(read: ResultReader, path: string): BatchAddEntry {
  const entry = defined({
    orderId: read.string("order_id"),
    clOrdId: read.string("cl_ord_id"),
    orderUserref: read.integer("order_userref", Number.MIN_SAFE_INTEGER),
    error: read.string("error"),
    warnings: read.warnings(),
  });
  if (entry.orderId === undefined && entry.error === undefined) {
    throw new TypeError(`${path} has neither order_id nor error`);
  }
  return entry;
}

const RESULT_READERS: {
  readonly [M in TradingMethod]: (value: JsonValue, path: string) => TradingResultByMethod[M];
} = {
  add_order: (value, path) => readAddOrder(new ResultReader(value, path)),
  amend_order: (value, path) => {
    const read = new ResultReader(value, path);
    return defined({
      amendId: read.requiredString("amend_id"),
      orderId: read.string("order_id"),
      clOrdId: read.string("cl_ord_id"),
      warnings: read.warnings(),
    });
  },
  edit_order: (value, path) => {
    const read = new ResultReader(value, path);
    return {
      orderId: read.requiredString("order_id"),
      originalOrderId: read.requiredString("original_order_id"),
      warnings: read.warnings(),
    };
  },
  cancel_order: (value, path) => {
    const read = new ResultReader(value, path);
    return defined({
      orderId: read.string("order_id"),
      clOrdId: read.string("cl_ord_id"),
      warnings: read.warnings(),
    });
  },
  cancel_all: (value, path) => {
    const read = new ResultReader(value, path);
    return { count: read.requiredInteger("count", 0), warnings: read.warnings() };
  },
  cancel_all_orders_after: (value, path) => {
    const read = new ResultReader(value, path);
    return {
      currentTime: read.time("currentTime"),
      triggerTime: read.time("triggerTime"),
      warnings: read.warnings(),
    };
  },
  batch_add: (value, path) => {
    if (!Array.isArray(value)) {
      throw new TypeError(`${path} must be a list, not ${valueKind(value)}`);
    }
    return value.map((item, i) =>
      readBatchAddEntry(new ResultReader(item, `${path}[${i}]`), `${path}[${i}]`)
    );
  },
  batch_cancel: (value, path) => {
    const read = new ResultReader(value, path);
    return { count: read.requiredInteger("count", 0), warnings: read.warnings() };
  },
};

/**
 * Types the `result` of a successful trading reply (`TradingReply.result`).
 *
 * @experimental
 *
 * @param method The method answered.
 * @param result Kraken's `result`, as parsed JSON.
 * @returns The typed result.
 * @throws {TypeError} The result does not have the documented shape; the message names the field.
 *
 * @example
 * ```ts
 * import { decode, tradingResult } from "@kraken-ws/sdk/extended";
 * const reply = decode('{"method":"add_order","req_id":1,"result":{"order_id":"AA5JGQ-SBMRC-SCJ7J7"},"success":true}');
 * if (reply.kind === "tradingReply" && reply.method === "add_order") {
 *   console.log(tradingResult("add_order", reply.result).orderId); // "AA5JGQ-SBMRC-SCJ7J7"
 * }
 * ```
 */
export function tradingResult<M extends TradingMethod>(
  method: M,
  result: JsonValue,
): TradingResultByMethod[M] {
  const read = RESULT_READERS[checkMethod(method) as M];
  return read(result, `${method} result`);
}
