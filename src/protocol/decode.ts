/**
 * `decode`: one frame of text in, one typed message or one typed error out, never a throw.
 *
 * @module
 */

import { JsonCursor, JsonFailure } from "./json_cursor.ts";
import type {
  AckMessage,
  BookLevel,
  BookPayload,
  Candle,
  DecodeError,
  DecodeErrorReason,
  FrameType,
  InstrumentPair,
  JsonValue,
  KrakenMessage,
  RejectionMessage,
  StatusInfo,
  SubscriptionResult,
  Ticker,
  Trade,
} from "./messages.ts";

/** Default frame size limit: 8 MiB of UTF-8. */
export const DEFAULT_MAX_FRAME_BYTES: number = 8 * 1024 * 1024;

/**
 * Options of {@link decode}.
 *
 * @example
 * ```ts
 * import { decode, type DecodeOptions } from "./decode.ts";
 * const options: DecodeOptions = { maxFrameBytes: 1024 };
 * console.log(decode('{"channel":"heartbeat"}', options).kind);
 * ```
 */
export interface DecodeOptions {
  /** Frames longer than this many UTF-8 bytes are rejected unread (default 8 MiB). */
  readonly maxFrameBytes?: number;
}

const EXCERPT_CHARS = 80;

function excerptAt(text: string, offset: number): string {
  const start = Math.max(0, Math.min(offset, text.length) - EXCERPT_CHARS / 2);
  return text.slice(start, start + EXCERPT_CHARS);
}

function decodeError(
  text: string,
  reason: DecodeErrorReason,
  detail: string,
  offset: number,
): DecodeError {
  return {
    kind: "decodeError",
    reason,
    detail,
    offset,
    excerpt: excerptAt(text, offset),
    length: text.length,
  };
}

/** UTF-8 length of `text`, stopping early once past `limit`. */
function utf8LengthExceeds(text: string, limit: number): boolean {
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes, so most frames are settled without counting.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

/**
 * Decodes one Kraken v2 frame. Never throws: malformed JSON, wrong types, missing fields, numbers
 * out of range, deep nesting and oversized frames all come back as a {@link DecodeError}.
 *
 * @param text The frame exactly as received.
 * @param options Size limit.
 * @returns The typed message, or a `decodeError`.
 *
 * @example
 * ```ts
 * import { decode } from "./decode.ts";
 * const message = decode('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63498.0,"qty":0.10000000}],"asks":[],"checksum":2855135483}]}');
 * if (message.kind === "book") {
 *   const level = message.data[0].bids[0];
 *   console.log(level.priceText, level.qtyText); // "63498.0" "0.10000000"
 * }
 * ```
 */
export function decode(text: string, options?: DecodeOptions): KrakenMessage | DecodeError {
  const limit = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (utf8LengthExceeds(text, limit)) {
    return decodeError(text, "too_large", `frame is over ${limit} bytes`, 0);
  }
  const cursor = new JsonCursor(text);
  try {
    return readFrame(cursor);
  } catch (error) {
    if (error instanceof JsonFailure) {
      return decodeError(text, error.reason, error.message, error.offset);
    }
    const detail = error instanceof Error ? error.message : String(error);
    return decodeError(text, "internal", detail, cursor.pos);
  }
}

function missing(cursor: JsonCursor, field: string): JsonFailure {
  return cursor.fail("missing_field", `missing "${field}"`);
}

function readFinite(cursor: JsonCursor, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw cursor.fail("out_of_range", `number ${text.slice(0, 24)} is out of range`);
  }
  return value;
}

function readInteger(cursor: JsonCursor, min: number, max: number): number {
  const text = cursor.readNumberText();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw cursor.fail("out_of_range", `"${cursor.key}" must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function readStringArray(cursor: JsonCursor): string[] {
  const out: string[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) out.push(cursor.readString());
  return out;
}

function readValueArray(cursor: JsonCursor): JsonValue[] {
  const out: JsonValue[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) out.push(cursor.readValue());
  return out;
}

function readFrameType(cursor: JsonCursor): FrameType {
  const type = cursor.readString();
  if (type !== "snapshot" && type !== "update") {
    throw cursor.fail("wrong_type", `"type" must be snapshot or update, not ${type.slice(0, 24)}`);
  }
  return type;
}

/** What the top-level object held, collected before dispatch. */
interface Envelope {
  channel?: string;
  type?: FrameType;
  /** Where `data` starts, to read it again when `channel` or `type` came after it. */
  dataOffset: number;
  /** `data` read in the same pass, with the channel and type it was read for. */
  parsed?: { readonly channel: string; readonly type: FrameType; readonly message: KrakenMessage };
  method?: string;
  success?: JsonValue;
  error?: string;
  result?: SubscriptionResult & { readonly warnings: readonly string[] };
  reqId?: number;
  symbol?: string;
  timeIn?: string;
  timeOut?: string;
  warnings?: string[];
}

function readFrame(cursor: JsonCursor): KrakenMessage {
  const envelope: Envelope = { dataOffset: -1 };
  cursor.enterObject();
  while (cursor.nextKey()) {
    switch (cursor.key) {
      case "channel":
        envelope.channel = cursor.readString();
        break;
      case "type":
        envelope.type = readFrameType(cursor);
        break;
      case "data":
        readData(cursor, envelope);
        break;
      case "method":
        envelope.method = cursor.readString();
        break;
      case "success":
        envelope.success = cursor.readValue();
        break;
      case "error":
        envelope.error = cursor.readString();
        break;
      case "result":
        envelope.result = readResult(cursor);
        break;
      case "req_id":
        envelope.reqId = readInteger(cursor, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        break;
      case "symbol":
        envelope.symbol = cursor.readString();
        break;
      case "time_in":
        envelope.timeIn = cursor.readString();
        break;
      case "time_out":
        envelope.timeOut = cursor.readString();
        break;
      case "warnings":
        envelope.warnings = readStringArray(cursor);
        break;
      default:
        cursor.skipValue();
    }
  }
  cursor.finish();
  if (envelope.method !== undefined) return readMethodReply(cursor, envelope, envelope.method);
  if (envelope.channel !== undefined) return readChannelFrame(cursor, envelope, envelope.channel);
  if (envelope.error !== undefined) return rejection(envelope, "");
  return unknown(cursor);
}

function unknown(cursor: JsonCursor, channel?: string, method?: string): KrakenMessage {
  // The text is known to be valid JSON by now, so the native parser cannot fail here.
  const value = JSON.parse(cursor.text) as JsonValue;
  const message = { kind: "unknown" as const, value, raw: cursor.text };
  if (channel !== undefined) return { ...message, channel };
  if (method !== undefined) return { ...message, method };
  return message;
}

function rejection(envelope: Envelope, method: string): RejectionMessage {
  return {
    kind: "rejection",
    method,
    error: envelope.error ?? "request failed without an error message",
    reqId: envelope.reqId,
    symbol: envelope.symbol ?? envelope.result?.symbol,
    channel: envelope.result?.channel,
    timeIn: envelope.timeIn,
    timeOut: envelope.timeOut,
  };
}

function readMethodReply(cursor: JsonCursor, envelope: Envelope, method: string): KrakenMessage {
  if (method === "pong") {
    return {
      kind: "pong",
      reqId: envelope.reqId,
      timeIn: envelope.timeIn,
      timeOut: envelope.timeOut,
      warnings: envelope.warnings ?? [],
    };
  }
  if (envelope.success !== true) {
    if (envelope.success === undefined && envelope.error === undefined) {
      return unknown(cursor, undefined, method);
    }
    return rejection(envelope, method);
  }
  if (method !== "subscribe" && method !== "unsubscribe") return unknown(cursor, undefined, method);
  const result = envelope.result;
  if (result === undefined) throw missing(cursor, "result");
  const { warnings, ...subscription } = result;
  const ack: AckMessage = {
    kind: "ack",
    method,
    result: subscription,
    reqId: envelope.reqId,
    warnings: [...warnings, ...(envelope.warnings ?? [])],
    timeIn: envelope.timeIn,
    timeOut: envelope.timeOut,
  };
  return ack;
}

function readResult(
  cursor: JsonCursor,
): SubscriptionResult & { readonly warnings: readonly string[] } {
  let channel: string | undefined;
  let symbol: string | undefined;
  let depth: number | undefined;
  let snapshot: boolean | undefined;
  let eventTrigger: string | undefined;
  let interval: number | undefined;
  let warnings: string[] = [];
  cursor.enterObject();
  while (cursor.nextKey()) {
    switch (cursor.key) {
      case "channel":
        channel = cursor.readString();
        break;
      case "symbol":
        symbol = cursor.readString();
        break;
      case "depth":
        depth = readInteger(cursor, 0, Number.MAX_SAFE_INTEGER);
        break;
      case "snapshot":
        snapshot = cursor.readBoolean();
        break;
      case "event_trigger":
        eventTrigger = cursor.readString();
        break;
      case "interval":
        interval = readInteger(cursor, 0, Number.MAX_SAFE_INTEGER);
        break;
      case "warnings":
        warnings = readStringArray(cursor);
        break;
      default:
        cursor.skipValue();
    }
  }
  if (channel === undefined) throw missing(cursor, "result.channel");
  const result: SubscriptionResult & { warnings: string[] } = { channel, warnings };
  return { ...result, symbol, depth, snapshot, eventTrigger, interval };
}

/** Kraken sends `channel` and `type` before `data`: then `data` is read in one pass. */
function readData(cursor: JsonCursor, envelope: Envelope): void {
  const { channel, type } = envelope;
  const reader = channel === undefined ? undefined : DATA_READERS[channel];
  cursor.peek();
  envelope.dataOffset = cursor.pos;
  if (channel !== undefined && type !== undefined && reader !== undefined) {
    envelope.parsed = { channel, type, message: reader(cursor, type) };
  } else {
    envelope.parsed = undefined;
    cursor.skipValue();
  }
}

function readChannelFrame(cursor: JsonCursor, envelope: Envelope, channel: string): KrakenMessage {
  if (channel === "heartbeat") return { kind: "heartbeat" };
  const reader = DATA_READERS[channel];
  if (reader === undefined) return unknown(cursor, channel);
  const type = envelope.type;
  if (type === undefined) throw missing(cursor, "type");
  const parsed = envelope.parsed;
  if (parsed !== undefined && parsed.channel === channel && parsed.type === type) {
    return parsed.message;
  }
  if (envelope.dataOffset < 0) throw missing(cursor, "data");
  cursor.pos = envelope.dataOffset;
  cursor.key = "data";
  return reader(cursor, type);
}

type DataReader = (cursor: JsonCursor, type: FrameType) => KrakenMessage;

function readList<T>(cursor: JsonCursor, readItem: (cursor: JsonCursor) => T): T[] {
  const out: T[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) out.push(readItem(cursor));
  return out;
}

const DATA_READERS: Record<string, DataReader | undefined> = {
  book: (cursor, type) => ({ kind: "book", type, data: readList(cursor, readBookPayload) }),
  trade: (cursor, type) => ({ kind: "trade", type, data: readList(cursor, readTrade) }),
  ticker: (cursor, type) => ({ kind: "ticker", type, data: readList(cursor, readTicker) }),
  ohlc: (cursor, type) => ({ kind: "ohlc", type, data: readList(cursor, readCandle) }),
  status: (cursor, type) => ({ kind: "status", type, data: readList(cursor, readStatusInfo) }),
  instrument: readInstrument,
};

function readLevels(cursor: JsonCursor): BookLevel[] {
  const levels: BookLevel[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) {
    let priceText: string | undefined;
    let qtyText: string | undefined;
    cursor.enterObject();
    while (cursor.nextKey()) {
      const key = cursor.key;
      if (key === "price") priceText = cursor.readNumberText();
      else if (key === "qty") qtyText = cursor.readNumberText();
      else cursor.skipValue();
    }
    if (priceText === undefined) throw missing(cursor, "price");
    if (qtyText === undefined) throw missing(cursor, "qty");
    const price = readFinite(cursor, priceText);
    const qty = readFinite(cursor, qtyText);
    if (price < 0 || qty < 0) throw cursor.fail("out_of_range", "negative price or quantity");
    levels.push({ price, priceText, qty, qtyText });
  }
  return levels;
}

const MAX_CHECKSUM = 0xffffffff;

function readBookPayload(cursor: JsonCursor): BookPayload {
  let symbol: string | undefined;
  let bids: BookLevel[] | undefined;
  let asks: BookLevel[] | undefined;
  let checksum: number | undefined;
  let timestamp: string | undefined;
  cursor.enterObject();
  while (cursor.nextKey()) {
    switch (cursor.key) {
      case "symbol":
        symbol = cursor.readString();
        break;
      case "bids":
        bids = readLevels(cursor);
        break;
      case "asks":
        asks = readLevels(cursor);
        break;
      case "checksum":
        checksum = readInteger(cursor, 0, MAX_CHECKSUM);
        break;
      case "timestamp":
        timestamp = cursor.readString();
        break;
      default:
        cursor.skipValue();
    }
  }
  if (symbol === undefined) throw missing(cursor, "symbol");
  if (checksum === undefined) throw missing(cursor, "checksum");
  const payload = { symbol, bids: bids ?? [], asks: asks ?? [], checksum };
  return timestamp === undefined ? payload : { ...payload, timestamp };
}

/**
 * Reads an object whose fields are strings, decimals (kept with their text) and integers, as
 * described by `schema`, and checks that every required field is present.
 */
function readFlatObject(
  cursor: JsonCursor,
  schema: Readonly<Record<string, FieldSpec>>,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  cursor.enterObject();
  while (cursor.nextKey()) {
    const key = cursor.key;
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (spec === undefined) {
      cursor.skipValue();
      continue;
    }
    if (spec.kind === "string") {
      out[spec.name] = cursor.readString();
    } else if (spec.kind === "integer") {
      out[spec.name] = readInteger(cursor, spec.min ?? 0, Number.MAX_SAFE_INTEGER);
    } else {
      const text = cursor.readNumberText();
      out[spec.name] = readFinite(cursor, text);
      out[`${spec.name}Text`] = text;
    }
  }
  for (const [wire, spec] of Object.entries(schema)) {
    if (!spec.optional && out[spec.name] === undefined) throw missing(cursor, wire);
  }
  return out;
}

interface FieldSpec {
  readonly name: string;
  readonly kind: "string" | "decimal" | "integer";
  readonly optional?: boolean;
  readonly min?: number;
}

const str = (name: string, optional = false): FieldSpec => ({ name, kind: "string", optional });
const dec = (name: string): FieldSpec => ({ name, kind: "decimal" });
const int = (name: string): FieldSpec => ({ name, kind: "integer" });

const TRADE_SCHEMA: Record<string, FieldSpec> = {
  symbol: str("symbol"),
  side: str("side"),
  price: dec("price"),
  qty: dec("qty"),
  ord_type: str("ordType"),
  trade_id: int("tradeId"),
  timestamp: str("timestamp"),
};

function readTrade(cursor: JsonCursor): Trade {
  const trade = readFlatObject(cursor, TRADE_SCHEMA);
  if (trade.side !== "buy" && trade.side !== "sell") {
    throw cursor.fail("wrong_type", `trade side must be buy or sell`);
  }
  return trade as unknown as Trade;
}

const TICKER_SCHEMA: Record<string, FieldSpec> = {
  symbol: str("symbol"),
  bid: dec("bid"),
  bid_qty: dec("bidQty"),
  ask: dec("ask"),
  ask_qty: dec("askQty"),
  last: dec("last"),
  volume: dec("volume"),
  vwap: dec("vwap"),
  low: dec("low"),
  high: dec("high"),
  change: dec("change"),
  change_pct: dec("changePct"),
  timestamp: str("timestamp", true),
};

function readTicker(cursor: JsonCursor): Ticker {
  return readFlatObject(cursor, TICKER_SCHEMA) as unknown as Ticker;
}

const CANDLE_SCHEMA: Record<string, FieldSpec> = {
  symbol: str("symbol"),
  open: dec("open"),
  high: dec("high"),
  low: dec("low"),
  close: dec("close"),
  vwap: dec("vwap"),
  trades: int("trades"),
  volume: dec("volume"),
  interval_begin: str("intervalBegin"),
  interval: int("interval"),
  timestamp: str("timestamp", true),
};

function readCandle(cursor: JsonCursor): Candle {
  return readFlatObject(cursor, CANDLE_SCHEMA) as unknown as Candle;
}

function readStatusInfo(cursor: JsonCursor): StatusInfo {
  let system: string | undefined;
  const info: {
    apiVersion?: string;
    connectionId?: string;
    version?: string;
    upcomingMaintenance?: JsonValue[];
    emergency?: JsonValue[];
  } = {};
  cursor.enterObject();
  while (cursor.nextKey()) {
    switch (cursor.key) {
      case "system":
        system = cursor.readString();
        break;
      case "api_version":
        info.apiVersion = cursor.readString();
        break;
      case "connection_id":
        info.connectionId = readConnectionId(cursor);
        break;
      case "version":
        info.version = cursor.readString();
        break;
      case "upcoming_maintenance":
        info.upcomingMaintenance = readValueArray(cursor);
        break;
      case "emergency":
        info.emergency = readValueArray(cursor);
        break;
      default:
        cursor.skipValue();
    }
  }
  if (system === undefined) throw missing(cursor, "system");
  return { system, ...info };
}

function readConnectionId(cursor: JsonCursor): string {
  // Above 2^63 on the wire: the digits are kept as text and never pass through a float.
  const text = cursor.peek() === 0x22 ? cursor.readString() : cursor.readNumberText();
  if (!/^\d{1,40}$/.test(text)) {
    throw cursor.fail("out_of_range", "connection_id must be a non-negative integer");
  }
  return text;
}

function readInstrument(cursor: JsonCursor, type: FrameType): KrakenMessage {
  let assets: JsonValue[] = [];
  let pairs: InstrumentPair[] = [];
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.key === "assets") assets = readValueArray(cursor);
    else if (cursor.key === "pairs") pairs = readList(cursor, readInstrumentPair);
    else cursor.skipValue();
  }
  return { kind: "instrument", type, assets, pairs };
}

const MAX_PRECISION = 30;

function readInstrumentPair(cursor: JsonCursor): InstrumentPair {
  const typed: Record<string, string | number> = {};
  const fields: Record<string, JsonValue> = {};
  cursor.enterObject();
  while (cursor.nextKey()) {
    const key = cursor.key;
    if (key === "symbol" || key === "base" || key === "quote" || key === "status") {
      typed[key] = cursor.readString();
    } else if (key === "price_precision") {
      typed.pricePrecision = readInteger(cursor, 0, MAX_PRECISION);
    } else if (key === "qty_precision") {
      typed.qtyPrecision = readInteger(cursor, 0, MAX_PRECISION);
    } else {
      Object.defineProperty(fields, key, {
        value: cursor.readValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  for (const name of ["symbol", "base", "quote", "status", "pricePrecision", "qtyPrecision"]) {
    if (typed[name] === undefined) throw missing(cursor, name);
  }
  return { ...typed, fields } as unknown as InstrumentPair;
}
