/**
 * Kraken's side of the authenticated requests: the private subscriptions (`executions`,
 * `balances`) and the trading methods, read with every number kept as its wire text (a quantity
 * of `0.10000000` is never a float on the exchange either), and checked field by field with
 * Kraken's `EGeneral:Invalid arguments:<field>`.
 *
 * @module
 */

import { TRADING_METHODS, type TradingMethod } from "../protocol/private_messages.ts";

/**
 * A JSON number kept as its text.
 *
 * @example
 * ```ts
 * import { NumberText } from "./private_requests.ts";
 * console.log(new NumberText("0.10000000").text); // "0.10000000"
 * ```
 */
export class NumberText {
  /** The number exactly as written. */
  readonly text: string;

  /**
   * Wraps a number's text.
   *
   * @param text The text.
   */
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * A JSON value whose numbers are {@link NumberText}.
 *
 * @example
 * ```ts
 * import type { RawJson } from "./private_requests.ts";
 * const value: RawJson = { side: "buy", order_qty: null };
 * console.log(typeof value);
 * ```
 */
export type RawJson =
  | string
  | boolean
  | null
  | NumberText
  | readonly RawJson[]
  | { readonly [key: string]: RawJson };

/** An object of {@link RawJson}. */
type RawObject = { readonly [key: string]: RawJson };

/**
 * An order as `add_order` (or one entry of `batch_add`) asks for it, numbers still text.
 *
 * @example
 * ```ts
 * import type { OrderRequest } from "./private_requests.ts";
 * const order: OrderRequest = {
 *   orderType: "limit", side: "buy", symbol: "BTC/USD", qtyText: "0.1", limitPriceText: "60000.0",
 *   timeInForce: "gtc", postOnly: false, validate: false,
 * };
 * console.log(order.side);
 * ```
 */
export interface OrderRequest {
  /** `limit` or `market` (the only types the simulator trades). */
  readonly orderType: "limit" | "market";
  /** `buy` or `sell`. */
  readonly side: "buy" | "sell";
  /** The pair. */
  readonly symbol: string;
  /** Base quantity as sent. */
  readonly qtyText: string;
  /** Limit price as sent (limit orders). */
  readonly limitPriceText?: string;
  /** `gtc` (default), `ioc` or `fok`. */
  readonly timeInForce: "gtc" | "ioc" | "fok";
  /** Refuse to take liquidity. */
  readonly postOnly: boolean;
  /** The client's id. */
  readonly clOrdId?: string;
  /** The client's numeric tag. */
  readonly orderUserref?: number;
  /** Validate only: nothing trades. */
  readonly validate: boolean;
}

/**
 * A trading request as understood, per method.
 *
 * @example
 * ```ts
 * import type { TradingCall } from "./private_requests.ts";
 * const call: TradingCall = { method: "cancel_all_orders_after", timeout: 60 };
 * console.log(call.method);
 * ```
 */
export type TradingCall =
  | { readonly method: "add_order"; readonly order: OrderRequest }
  | {
    readonly method: "amend_order";
    readonly orderId?: string;
    readonly clOrdId?: string;
    readonly qtyText?: string;
    readonly limitPriceText?: string;
    readonly postOnly: boolean;
  }
  | {
    readonly method: "edit_order";
    readonly orderId: string;
    readonly symbol: string;
    readonly qtyText?: string;
    readonly limitPriceText?: string;
    readonly postOnly: boolean;
    readonly orderUserref?: number;
  }
  | {
    readonly method: "cancel_order";
    readonly orderIds: readonly string[];
    readonly clOrdIds: readonly string[];
    readonly orderUserrefs: readonly number[];
  }
  | { readonly method: "cancel_all" }
  | { readonly method: "cancel_all_orders_after"; readonly timeout: number }
  | {
    readonly method: "batch_add";
    readonly symbol: string;
    readonly orders: readonly OrderRequest[];
    readonly validate: boolean;
  }
  | {
    readonly method: "batch_cancel";
    readonly orders: readonly string[];
    readonly clOrdIds: readonly string[];
  };

/**
 * What an authenticated request is, as the exchange reads it: not a private one at all (the
 * public rules answer it), a private subscription, or a trading request (checked: `call`, or the
 * `error` to answer).
 *
 * @example
 * ```ts
 * import { parsePrivateRequest } from "./private_requests.ts";
 * const request = parsePrivateRequest('{"method":"cancel_all","params":{"token":"t"},"req_id":3}');
 * console.log(request.kind); // "trading"
 * ```
 */
export type PrivateRequest =
  | { readonly kind: "public" }
  | {
    readonly kind: "subscription";
    readonly method: "subscribe" | "unsubscribe";
    readonly reqId?: number;
    readonly channel: "executions" | "balances";
    readonly token?: string;
    /** executions: include open orders in the snapshot (default true). */
    readonly snapOrders: boolean;
    /** executions: include the last fills in the snapshot (default false). */
    readonly snapTrades: boolean;
    /** balances: send the snapshot (default true). */
    readonly snapshot: boolean;
  }
  | {
    readonly kind: "trading";
    readonly method: TradingMethod;
    readonly reqId?: number;
    readonly token?: string;
    /** The params as plain JSON, the token left out: what the request log keeps. */
    readonly params: Readonly<Record<string, unknown>>;
    /** The `cl_ord_id`s the request names. */
    readonly clOrdIds: readonly string[];
    /** What was asked, or Kraken's error for it. */
    readonly call: TradingCall | { readonly error: string };
  };

/**
 * Parses JSON keeping every number's text (V8's `JSON.parse` source text access).
 *
 * @param text JSON text.
 * @returns The value, or undefined when the text is not JSON.
 *
 * @example
 * ```ts
 * import { NumberText, parseJsonKeepingNumbers } from "./private_requests.ts";
 * const value = parseJsonKeepingNumbers('{"qty":0.10000000}');
 * const qty = typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof NumberText)
 *   ? (value as Record<string, unknown>).qty
 *   : undefined;
 * console.log(qty instanceof NumberText && qty.text); // "0.10000000"
 * ```
 */
export function parseJsonKeepingNumbers(text: string): RawJson | undefined {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === "number" ? new NumberText(context?.source ?? String(value)) : value;
  try {
    return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as RawJson;
  } catch {
    return undefined;
  }
}

function isObject(value: RawJson | undefined): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof NumberText);
}

/** The value of a safe integer number, if it is one. */
function integerOf(value: RawJson | undefined): number | undefined {
  if (!(value instanceof NumberText)) return undefined;
  const number = Number(value.text);
  return Number.isSafeInteger(number) ? number : undefined;
}

/** Thrown inside the readers and caught in {@link parsePrivateRequest}: a field is wrong. */
class InvalidField {
  readonly field: string;
  constructor(field: string) {
    this.field = field;
  }
}

/** Field readers over one object; a wrong type is an {@link InvalidField}. */
class Fields {
  readonly #object: RawObject;
  constructor(object: RawObject) {
    this.#object = object;
  }

  has(field: string): boolean {
    return this.#object[field] !== undefined && this.#object[field] !== null;
  }

  string(field: string): string | undefined {
    const value = this.#object[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value.length === 0) throw new InvalidField(field);
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === undefined) throw new InvalidField(field);
    return value;
  }

  number(field: string): string | undefined {
    const value = this.#object[field];
    if (value === undefined || value === null) return undefined;
    if (!(value instanceof NumberText)) throw new InvalidField(field);
    return value.text;
  }

  integer(field: string): number | undefined {
    const value = this.#object[field];
    if (value === undefined || value === null) return undefined;
    const integer = integerOf(value);
    if (integer === undefined) throw new InvalidField(field);
    return integer;
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.#object[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") throw new InvalidField(field);
    return value;
  }

  list(field: string): readonly RawJson[] {
    const value = this.#object[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new InvalidField(field);
    return value as readonly RawJson[];
  }

  strings(field: string): string[] {
    return this.list(field).map((item) => {
      if (typeof item !== "string" || item.length === 0) throw new InvalidField(field);
      return item;
    });
  }

  integers(field: string): number[] {
    return this.list(field).map((item) => {
      const integer = integerOf(item);
      if (integer === undefined) throw new InvalidField(field);
      return integer;
    });
  }
}

/** `cl_ord_id`: a UUID, 32 hex digits, or free text of at most 18 characters, as Kraken allows. */
function checkClOrdId(clOrdId: string | undefined): void {
  if (clOrdId === undefined) return;
  const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  const ok = uuid.test(clOrdId) || /^[0-9a-fA-F]{32}$/.test(clOrdId) ||
    (clOrdId.length <= 18 && /^[\x20-\x7e]+$/.test(clOrdId));
  if (!ok) throw new InvalidField("cl_ord_id");
}

function orderOf(fields: Fields, symbol: string, validate: boolean): OrderRequest {
  const orderType = fields.requiredString("order_type");
  if (orderType !== "limit" && orderType !== "market") throw new InvalidField("order_type");
  const side = fields.requiredString("side");
  if (side !== "buy" && side !== "sell") throw new InvalidField("side");
  const qtyText = fields.number("order_qty");
  if (qtyText === undefined) throw new InvalidField("order_qty");
  const limitPriceText = fields.number("limit_price");
  if (orderType === "limit" && limitPriceText === undefined) throw new InvalidField("limit_price");
  if (orderType === "market" && limitPriceText !== undefined) throw new InvalidField("limit_price");
  const timeInForce = fields.string("time_in_force") ?? "gtc";
  if (timeInForce !== "gtc" && timeInForce !== "ioc" && timeInForce !== "fok") {
    throw new InvalidField("time_in_force");
  }
  const postOnly = fields.boolean("post_only", false);
  if (postOnly && orderType !== "limit") throw new InvalidField("post_only");
  const clOrdId = fields.string("cl_ord_id");
  checkClOrdId(clOrdId);
  const orderUserref = fields.integer("order_userref");
  // Kraken: the two client tags are mutually exclusive.
  if (clOrdId !== undefined && orderUserref !== undefined) throw new InvalidField("cl_ord_id");
  return {
    orderType,
    side,
    symbol,
    qtyText,
    ...(limitPriceText === undefined ? {} : { limitPriceText }),
    timeInForce,
    postOnly,
    ...(clOrdId === undefined ? {} : { clOrdId }),
    ...(orderUserref === undefined ? {} : { orderUserref }),
    validate,
  };
}

function callOf(method: TradingMethod, fields: Fields): TradingCall {
  switch (method) {
    case "add_order": {
      const validate = fields.boolean("validate", false);
      return {
        method,
        order: orderOf(fields, fields.requiredString("symbol"), validate),
      };
    }
    case "amend_order": {
      const orderId = fields.string("order_id");
      const clOrdId = fields.string("cl_ord_id");
      if ((orderId === undefined) === (clOrdId === undefined)) throw new InvalidField("order_id");
      const qtyText = fields.number("order_qty");
      const limitPriceText = fields.number("limit_price");
      if (qtyText === undefined && limitPriceText === undefined) {
        throw new InvalidField("order_qty");
      }
      return {
        method,
        ...(orderId === undefined ? {} : { orderId }),
        ...(clOrdId === undefined ? {} : { clOrdId }),
        ...(qtyText === undefined ? {} : { qtyText }),
        ...(limitPriceText === undefined ? {} : { limitPriceText }),
        postOnly: fields.boolean("post_only", false),
      };
    }
    case "edit_order": {
      // Kraken: edit_order does not take cl_ord_id.
      if (fields.has("cl_ord_id")) throw new InvalidField("cl_ord_id");
      const qtyText = fields.number("order_qty");
      const limitPriceText = fields.number("limit_price");
      const orderUserref = fields.integer("order_userref");
      return {
        method,
        orderId: fields.requiredString("order_id"),
        symbol: fields.requiredString("symbol"),
        ...(qtyText === undefined ? {} : { qtyText }),
        ...(limitPriceText === undefined ? {} : { limitPriceText }),
        postOnly: fields.boolean("post_only", false),
        ...(orderUserref === undefined ? {} : { orderUserref }),
      };
    }
    case "cancel_order": {
      const orderIds = fields.strings("order_id");
      const clOrdIds = fields.strings("cl_ord_id");
      const orderUserrefs = fields.integers("order_userref");
      if (orderIds.length + clOrdIds.length + orderUserrefs.length === 0) {
        throw new InvalidField("order_id");
      }
      return { method, orderIds, clOrdIds, orderUserrefs };
    }
    case "cancel_all":
      return { method };
    case "cancel_all_orders_after": {
      const timeout = fields.integer("timeout");
      if (timeout === undefined || timeout < 0 || timeout >= 86_400) {
        throw new InvalidField("timeout");
      }
      return { method, timeout };
    }
    case "batch_add": {
      const symbol = fields.requiredString("symbol");
      const validate = fields.boolean("validate", false);
      const list = fields.list("orders");
      if (list.length < 2 || list.length > 15) throw new InvalidField("orders");
      const orders = list.map((item) => {
        if (!isObject(item)) throw new InvalidField("orders");
        return orderOf(new Fields(item), symbol, validate);
      });
      return { method, symbol, orders, validate };
    }
    case "batch_cancel": {
      const orders = fields.strings("orders");
      const clOrdIds = fields.strings("cl_ord_id");
      const count = orders.length + clOrdIds.length;
      if (count < 2 || count > 50) throw new InvalidField("orders");
      return { method, orders, clOrdIds };
    }
  }
}

/** The `cl_ord_id`s a request names, wherever it names them. */
function clOrdIdsOf(method: TradingMethod, params: RawObject): string[] {
  const strings = (value: RawJson | undefined): string[] =>
    typeof value === "string"
      ? [value]
      : Array.isArray(value)
      ? value.filter((item): item is string => typeof item === "string")
      : [];
  if (method === "batch_add") {
    const orders = params.orders;
    return Array.isArray(orders)
      ? orders.flatMap((order: RawJson) => isObject(order) ? strings(order.cl_ord_id) : [])
      : [];
  }
  return strings(params.cl_ord_id);
}

/**
 * Reads one request of an authenticated connection. Anything that is not a private
 * subscription or a trading method is `public`: the public rules answer it (ping, book, …).
 *
 * @param text The request as received.
 * @returns What it is.
 *
 * @example
 * ```ts
 * import { parsePrivateRequest } from "./private_requests.ts";
 * const bad = parsePrivateRequest('{"method":"add_order","params":{"order_type":"limit","side":"buy","symbol":"BTC/USD","token":"t"},"req_id":1}');
 * console.log(bad.kind === "trading" && "error" in bad.call && bad.call.error); // "EGeneral:Invalid arguments:order_qty"
 * ```
 */
export function parsePrivateRequest(text: string): PrivateRequest {
  const request = parseJsonKeepingNumbers(text);
  if (!isObject(request)) return { kind: "public" };
  const method = request.method;
  const params = isObject(request.params) ? request.params : {};
  const reqId = integerOf(request.req_id);
  const token = typeof params.token === "string" ? params.token : undefined;
  if (method === "subscribe" || method === "unsubscribe") {
    const channel = params.channel;
    if (channel !== "executions" && channel !== "balances") return { kind: "public" };
    return {
      kind: "subscription",
      method,
      ...(reqId === undefined ? {} : { reqId }),
      channel,
      ...(token === undefined ? {} : { token }),
      snapOrders: params.snap_orders !== false && params.snapshot !== false,
      snapTrades: params.snap_trades === true || params.snapshot_trades === true,
      snapshot: params.snapshot !== false,
    };
  }
  const trading = TRADING_METHODS.find((known) => known === method);
  if (trading === undefined) return { kind: "public" };
  const plain: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    const plainParams = (parsed as { params?: unknown }).params;
    if (typeof plainParams === "object" && plainParams !== null) {
      Object.assign(plain, plainParams);
    }
  } catch {
    // Parsed once already: cannot fail here.
  }
  delete plain.token;
  let call: TradingCall | { readonly error: string };
  try {
    call = callOf(trading, new Fields(params));
  } catch (error) {
    if (!(error instanceof InvalidField)) throw error;
    call = { error: `EGeneral:Invalid arguments:${error.field}` };
  }
  return {
    kind: "trading",
    method: trading,
    ...(reqId === undefined ? {} : { reqId }),
    ...(token === undefined ? {} : { token }),
    params: plain,
    clOrdIds: clOrdIdsOf(trading, params),
    call,
  };
}
