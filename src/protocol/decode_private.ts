/**
 * The readers of the authenticated connection's frames for `decode`: `executions` and `balances`
 * data, and the successful replies to trading methods. Kept apart so the public decoder only
 * dispatches here. Throws {@link JsonFailure}, which `decode` turns into a typed error.
 *
 * @module
 */

import type { JsonCursor, JsonFailure } from "./json_cursor.ts";
import type { FrameType, JsonValue } from "./messages.ts";
import {
  type AssetBalance,
  type BalancesMessage,
  type BalanceWallet,
  type Execution,
  type ExecutionContingent,
  type ExecutionFee,
  type ExecutionsMessage,
  type ExecutionTriggers,
  type LedgerEntry,
  TRADING_METHODS,
  type TradingMethod,
  type TradingReply,
} from "./private_messages.ts";

/** The channels of the authenticated connection that `decode` reads. */
export type PrivateChannel = "executions" | "balances";

/**
 * Whether `channel` is one of the account channels read by {@link readPrivateFrame}.
 *
 * @param channel A frame's `channel`.
 * @returns True for `executions` and `balances`.
 *
 * @example
 * ```ts ignore
 * if (isPrivateChannel(channel)) return readPrivateFrame(cursor, channel);
 * ```
 */
export function isPrivateChannel(channel: string): channel is PrivateChannel {
  return channel === "executions" || channel === "balances";
}

/**
 * Whether `method` is a trading method, whose success reply is a `tradingReply`.
 *
 * @param method A reply's `method`.
 * @returns True for the eight trading methods.
 *
 * @example
 * ```ts ignore
 * if (isTradingMethod(method)) return readTradingReply(cursor, method, envelope);
 * ```
 */
export function isTradingMethod(method: string): method is TradingMethod {
  return (TRADING_METHODS as readonly string[]).includes(method);
}

function missing(cursor: JsonCursor, field: string): JsonFailure {
  return cursor.fail("missing_field", `missing "${field}"`);
}

function readInteger(cursor: JsonCursor, min: number, max: number): number {
  cursor.readNumberText();
  const value = cursor.lastNumberValue;
  if (!cursor.lastNumberIsInteger || !Number.isSafeInteger(value) || value < min || value > max) {
    throw cursor.fail("out_of_range", `"${cursor.key}" must be an integer in [${min}, ${max}]`);
  }
  return value + 0; // -0 becomes 0
}

function readFrameType(cursor: JsonCursor): FrameType {
  const type = cursor.readString();
  if (type !== "snapshot" && type !== "update") {
    throw cursor.fail("wrong_type", `"type" must be snapshot or update, not ${type.slice(0, 24)}`);
  }
  return type;
}

/**
 * Reads an `executions` or `balances` frame. The top level is read again here, after `decode`'s
 * first pass: `sequence` matters only on these channels, and may come before or after `data`.
 *
 * @param cursor Over the whole frame, already known to be well-formed JSON.
 * @param channel The frame's channel.
 * @returns The message.
 *
 * @example
 * ```ts ignore
 * const message = readPrivateFrame(cursor, "executions");
 * ```
 */
export function readPrivateFrame(
  cursor: JsonCursor,
  channel: PrivateChannel,
): ExecutionsMessage | BalancesMessage {
  cursor.rewind();
  let type: FrameType | undefined;
  let sequence: number | undefined;
  let dataOffset = -1;
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("type")) type = readFrameType(cursor);
    else if (cursor.keyIs("sequence")) sequence = readInteger(cursor, 0, Number.MAX_SAFE_INTEGER);
    else if (cursor.keyIs("data")) {
      cursor.peek();
      dataOffset = cursor.pos;
      cursor.skipValue();
    } else cursor.skipValue();
  }
  if (type === undefined) throw missing(cursor, "type");
  if (sequence === undefined) throw missing(cursor, "sequence");
  if (dataOffset < 0) throw missing(cursor, "data");
  cursor.pos = dataOffset;
  cursor.key = "data";
  if (channel === "executions") {
    return { kind: "executions", type, sequence, data: readList(cursor, readExecution) };
  }
  if (type === "snapshot") {
    return { kind: "balances", type, sequence, data: readList(cursor, readAssetBalance) };
  }
  return { kind: "balances", type, sequence, data: readList(cursor, readLedgerEntry) };
}

function readList<T>(cursor: JsonCursor, readItem: (cursor: JsonCursor) => T): T[] {
  const out: T[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) out.push(readItem(cursor));
  return out;
}

type FieldReader = (cursor: JsonCursor) => unknown;

/** How one wire field is read, and the camelCase name it gets. */
interface Field {
  readonly name: string;
  readonly kind: "string" | "decimal" | "boolean" | "lenientDecimal" | FieldReader;
  readonly required?: boolean;
  readonly min?: number;
}

const MIN_INT = Number.MIN_SAFE_INTEGER;

const str = (name: string, required = false): Field => ({ name, kind: "string", required });
const dec = (name: string, required = false): Field => ({ name, kind: "decimal", required });
const bool = (name: string): Field => ({ name, kind: "boolean" });
const int = (name: string, min: number): Field => ({ name, kind: readIntegerFrom(min) });
const nested = (name: string, kind: FieldReader): Field => ({ name, kind });

function readIntegerFrom(min: number): FieldReader {
  return (cursor) => readInteger(cursor, min, Number.MAX_SAFE_INTEGER);
}

/** An object's fields by wire name, and the ones it must have. */
interface Schema {
  readonly fields: Readonly<Record<string, Field>>;
  /** Listed once here: listed for each object read, they cost more than reading a small object. */
  readonly required: readonly (readonly [wire: string, name: string])[];
}

function schemaOf(fields: Record<string, Field>): Schema {
  const required = Object.entries(fields)
    .filter(([, field]) => field.required)
    .map(([wire, field]) => [wire, field.name] as const);
  return { fields, required };
}

/**
 * Reads an object as `schema` describes it: unknown keys are skipped, a known key of the wrong type
 * fails, and `null` counts as absent (Kraken leaves optional fields out, but a `null` there says the
 * same thing and is no reason to lose an order's event).
 */
function readObject(cursor: JsonCursor, schema: Schema): object {
  const out: Record<string, unknown> = {};
  const fields = schema.fields;
  cursor.enterObject();
  while (cursor.nextKey()) {
    const key = cursor.key;
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (field === undefined) {
      cursor.skipValue();
      continue;
    }
    const { name, kind } = field;
    if (out[name] !== undefined) {
      // A repeated key: the later one wins, also when it is null. Only then, since `delete` is slow.
      delete out[name];
      delete out[`${name}Text`];
    }
    if (cursor.readNull()) continue;
    if (kind === "string") out[name] = cursor.readString();
    else if (kind === "boolean") out[name] = cursor.readBoolean();
    else if (kind === "decimal") {
      const text = cursor.readNumberText();
      out[name] = finite(cursor, text);
      out[`${name}Text`] = text;
    } else if (kind === "lenientDecimal") {
      const text = lenientNumberText(cursor);
      if (text !== undefined) {
        out[name] = Number(text);
        out[`${name}Text`] = text;
      }
    } else out[name] = kind(cursor);
  }
  for (const [wire, name] of schema.required) {
    if (out[name] === undefined) throw missing(cursor, wire);
  }
  return out;
}

function finite(cursor: JsonCursor, text: string): number {
  const value = cursor.lastNumberValue;
  if (!Number.isFinite(value)) {
    throw cursor.fail("out_of_range", `number ${text.slice(0, 24)} is out of range`);
  }
  return value;
}

const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** An undocumented field's number, as a number or a numeric string; anything else is skipped. */
function lenientNumberText(cursor: JsonCursor): string | undefined {
  const code = cursor.peek();
  let text: string | undefined;
  if (code === 0x2d || (code >= 0x30 && code <= 0x39)) text = cursor.readNumberText();
  else if (code === 0x22) text = cursor.readString();
  else cursor.skipValue();
  return text !== undefined && PLAIN_NUMBER.test(text) && Number.isFinite(Number(text))
    ? text
    : undefined;
}

const FEE_SCHEMA: Schema = schemaOf({
  asset: str("asset", true),
  qty: dec("qty", true),
});

const TRIGGERS_SCHEMA: Schema = schemaOf({
  reference: str("reference"),
  price: dec("price"),
  price_type: str("priceType"),
  actual_price: dec("actualPrice"),
  peak_price: dec("peakPrice"),
  last_price: dec("lastPrice"),
  status: str("status"),
  timestamp: str("timestamp"),
});

const CONTINGENT_SCHEMA: Schema = schemaOf({
  order_type: str("orderType"),
  trigger_price: dec("triggerPrice"),
  trigger_price_type: str("triggerPriceType"),
  limit_price: dec("limitPrice"),
  limit_price_type: str("limitPriceType"),
});

const readFee = (cursor: JsonCursor) => readObject(cursor, FEE_SCHEMA) as ExecutionFee;

/**
 * Every documented field of an execution report. `exec_type`, `order_status` and the other enums
 * stay strings: Kraken adds values (`amended` is described but not listed), and an unknown one must
 * not cost the event.
 */
const EXECUTION_SCHEMA: Schema = schemaOf({
  exec_type: str("execType", true),
  order_id: str("orderId", true),
  cl_ord_id: str("clOrdId"),
  order_userref: int("orderUserref", MIN_INT),
  symbol: str("symbol"),
  side: str("side"),
  order_type: str("orderType"),
  order_qty: dec("orderQty"),
  cash_order_qty: dec("cashOrderQty"),
  limit_price: dec("limitPrice"),
  limit_price_type: str("limitPriceType"),
  order_status: str("orderStatus"),
  time_in_force: str("timeInForce"),
  post_only: bool("postOnly"),
  reduce_only: bool("reduceOnly"),
  margin: bool("margin"),
  no_mpp: bool("noMpp"),
  liquidated: bool("liquidated"),
  amended: bool("amended"),
  cum_qty: dec("cumQty"),
  cum_cost: dec("cumCost"),
  avg_price: dec("avgPrice"),
  exec_id: str("execId"),
  trade_id: int("tradeId", 0),
  last_qty: dec("lastQty"),
  last_price: dec("lastPrice"),
  cost: dec("cost"),
  liquidity_ind: str("liquidityInd"),
  fees: nested("fees", (cursor) => readList(cursor, readFee)),
  fee_usd_equiv: dec("feeUsdEquiv"),
  fee_ccy_pref: str("feeCcyPref"),
  margin_borrow: bool("marginBorrow"),
  position_status: str("positionStatus"),
  display_qty: dec("displayQty"),
  display_qty_remain: dec("displayQtyRemain"),
  effective_time: str("effectiveTime"),
  expire_time: str("expireTime"),
  timestamp: str("timestamp", true),
  reason: str("reason"),
  cancel_reason: str("cancelReason"),
  ord_ref_id: str("ordRefId"),
  ext_ord_id: str("extOrdId"),
  ext_exec_id: str("extExecId"),
  sender_sub_id: str("senderSubId"),
  user: str("user"),
  triggers: nested(
    "triggers",
    (cursor) => readObject(cursor, TRIGGERS_SCHEMA) as ExecutionTriggers,
  ),
  contingent: nested(
    "contingent",
    (cursor) => readObject(cursor, CONTINGENT_SCHEMA) as ExecutionContingent,
  ),
  stop_price: dec("stopPrice"),
  trigger: str("trigger"),
  triggered_price: dec("triggeredPrice"),
  ratecount: { name: "ratecount", kind: "lenientDecimal" },
});

function readExecution(cursor: JsonCursor): Execution {
  return readObject(cursor, EXECUTION_SCHEMA) as Execution;
}

const WALLET_SCHEMA: Schema = schemaOf({
  type: str("type", true),
  id: str("id", true),
  balance: dec("balance", true),
});

const ASSET_BALANCE_SCHEMA: Schema = schemaOf({
  asset: str("asset", true),
  asset_class: str("assetClass"),
  balance: dec("balance", true),
  wallets: nested(
    "wallets",
    (cursor) => readList(cursor, (item) => readObject(item, WALLET_SCHEMA) as BalanceWallet),
  ),
});

function readAssetBalance(cursor: JsonCursor): AssetBalance {
  const balance = readObject(cursor, ASSET_BALANCE_SCHEMA) as Omit<AssetBalance, "wallets"> & {
    wallets?: BalanceWallet[];
  };
  // An asset with no wallet list still has its total; the list is then simply empty.
  return { ...balance, wallets: balance.wallets ?? [] };
}

const LEDGER_SCHEMA: Schema = schemaOf({
  ledger_id: str("ledgerId", true),
  ref_id: str("refId", true),
  timestamp: str("timestamp", true),
  type: str("type", true),
  subtype: str("subtype"),
  category: str("category"),
  asset: str("asset", true),
  asset_class: str("assetClass"),
  amount: dec("amount", true),
  fee: dec("fee", true),
  balance: dec("balance", true),
  wallet_type: str("walletType"),
  wallet_id: str("walletId"),
  user: str("user"),
});

function readLedgerEntry(cursor: JsonCursor): LedgerEntry {
  return readObject(cursor, LEDGER_SCHEMA) as LedgerEntry;
}

/** What `decode` collected of a reply's top level. */
export interface ReplyEnvelope {
  /** Where `result` starts, or -1. */
  readonly resultOffset: number;
  /** Where `result` ends. */
  readonly resultEnd: number;
  /** `req_id`. */
  readonly reqId?: number;
  /** Top-level `warnings`. */
  readonly warnings?: readonly string[];
  /** `time_in`. */
  readonly timeIn?: string;
  /** `time_out`. */
  readonly timeOut?: string;
}

/**
 * Reads a successful reply to a trading method. `result` is kept as parsed JSON (`tradingResult`
 * types it) and may be absent (`null`): the reply still confirms its `req_id`, which matters more
 * than a result shape Kraken did not document (as for `cancel_all_orders_after` with timeout 0).
 *
 * @param cursor Over the whole frame, already known to be well-formed JSON.
 * @param method The trading method answered.
 * @param envelope The reply's top level.
 * @returns The reply.
 *
 * @example
 * ```ts ignore
 * const reply = readTradingReply(cursor, "add_order", envelope);
 * ```
 */
export function readTradingReply(
  cursor: JsonCursor,
  method: TradingMethod,
  envelope: ReplyEnvelope,
): TradingReply {
  let result: JsonValue = null;
  let listed: readonly string[] = [];
  if (envelope.resultOffset >= 0) {
    // `decode`'s first pass checked `result` (its depth too), so one native parse builds it.
    result = JSON.parse(cursor.text.slice(envelope.resultOffset, envelope.resultEnd)) as JsonValue;
    if (isJsonObject(result) && Object.hasOwn(result, "warnings")) {
      const found = result.warnings;
      if (!Array.isArray(found) || !found.every((item) => typeof item === "string")) {
        cursor.pos = envelope.resultOffset;
        throw cursor.fail("wrong_type", `"result.warnings" must be a list of strings`);
      }
      listed = found as string[];
    }
  }
  // Spread into a literal, not into `push`: a list of a million warnings would overflow the stack.
  const warnings = [...listed, ...(envelope.warnings ?? [])];
  return {
    kind: "tradingReply",
    method,
    reqId: envelope.reqId,
    result,
    warnings,
    timeIn: envelope.timeIn,
    timeOut: envelope.timeOut,
  };
}

function isJsonObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
