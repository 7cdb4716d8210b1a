/**
 * `decode`: one frame of text in, one typed message or one typed error out, never a throw.
 *
 * @module
 */

import { JsonCursor, JsonFailure } from "./json_cursor.ts";
import { readLevel3 } from "./level3_decode.ts";
import {
  isPrivateChannel,
  isTradingMethod,
  readPrivateFrame,
  readTradingReply,
} from "./decode_private.ts";
import type {
  AckMessage,
  BookLevel,
  BookMessage,
  BookPayload,
  Candle,
  DecodeError,
  DecodeErrorReason,
  FrameType,
  InstrumentAsset,
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
 * import { decode, type DecodeOptions } from "@kraken-ws/sdk/extended";
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

/** The rest of a run of ASCII, one UTF-8 byte a unit. */
const ASCII_RUN = /[^\u0080-\uffff]*/y;

/** How many ASCII units the loop below counts before handing the run to {@link ASCII_RUN}. */
const LONG_ASCII_RUN = 32;

/** Whether the UTF-8 encoding of `text` is longer than `limit` bytes; stops early once past. */
function utf8LengthExceeds(text: string, limit: number): boolean {
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes, so most frames are settled without counting.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
      // A frame near the limit is megabytes long: a loop here would cost several times the parse.
      if (++run === LONG_ASCII_RUN) {
        ASCII_RUN.lastIndex = i + 1;
        ASCII_RUN.test(text);
        bytes += ASCII_RUN.lastIndex - (i + 1);
        i = ASCII_RUN.lastIndex - 1;
        run = 0;
      }
      continue;
    }
    run = 0;
    if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair is one code point of 4 bytes; a lone surrogate encodes as 3 (U+FFFD).
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return bytes > limit;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The first syntax failure in `text`, if it is not well-formed JSON. Schema checks run while
 * reading, so a type error can be met before a later syntax error; syntax must win, or a broken
 * frame would be reported as a well-formed one with a bad field.
 */
function syntaxFailure(text: string): JsonFailure | undefined {
  const cursor = new JsonCursor(text);
  try {
    cursor.skipValue();
    cursor.finish();
    return undefined;
  } catch (error) {
    if (error instanceof JsonFailure) return error;
    throw error;
  }
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
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63498.0,"qty":0.10000000}],"asks":[],"checksum":2855135483}]}');
 * if (message.kind === "book") {
 *   const level = message.data[0].bids[0];
 *   console.log(level.priceText, level.qtyText); // "63498.0" "0.10000000"
 * }
 * ```
 */
export function decode(text: string, options?: DecodeOptions): KrakenMessage | DecodeError {
  if (typeof text !== "string") {
    // Binary frames or other values reach here from untyped callers; they are not v2 frames.
    return decodeError("", "wrong_type", `a frame must be text, not ${typeof text}`, 0);
  }
  const given = options?.maxFrameBytes;
  const limit = given !== undefined && given >= 0 ? given : DEFAULT_MAX_FRAME_BYTES;
  if (utf8LengthExceeds(text, limit)) {
    return decodeError(text, "too_large", `frame is over ${limit} bytes`, 0);
  }
  const cursor = new JsonCursor(text);
  try {
    const fast = readBookFast(cursor);
    if (fast !== undefined) return fast;
    cursor.rewind();
    return readFrame(cursor);
  } catch (error) {
    if (error instanceof JsonFailure) {
      const failure = error.reason === "malformed_json" || error.reason === "too_deep"
        ? error
        : syntaxFailure(text) ?? error;
      return decodeError(text, failure.reason, failure.detail, failure.offset);
    }
    const detail = error instanceof Error ? error.message : String(error);
    return decodeError(text, "internal", detail, cursor.pos);
  }
}

const BOOK_UPDATE_HEAD = '{"channel":"book","type":"update","data":[{"symbol":';
const BOOK_SNAPSHOT_HEAD = '{"channel":"book","type":"snapshot","data":[{"symbol":';

/**
 * The hot path: a book frame in the exact layout Kraken sends, read literal by literal with no key
 * matching. Any deviation, and any failure, returns undefined and the general reader decides, so
 * the result is always the one the general reader would give.
 */
function readBookFast(cursor: JsonCursor): BookMessage | undefined {
  try {
    let type: FrameType;
    if (cursor.skipLiteral(BOOK_UPDATE_HEAD)) type = "update";
    else if (cursor.skipLiteral(BOOK_SNAPSHOT_HEAD)) type = "snapshot";
    else return undefined;
    const symbol = cursor.readString();
    if (!cursor.skipLiteral(',"bids":')) return undefined;
    const bids = readLevelsFast(cursor);
    if (bids === undefined || !cursor.skipLiteral(',"asks":')) return undefined;
    const asks = readLevelsFast(cursor);
    if (asks === undefined || !cursor.skipLiteral(',"checksum":')) return undefined;
    const checksum = readInteger(cursor, 0, MAX_CHECKSUM);
    const timestamp = cursor.skipLiteral(',"timestamp":') ? cursor.readString() : undefined;
    if (!cursor.skipLiteral("}]}")) return undefined;
    cursor.finish();
    return { kind: "book", type, data: [{ symbol, bids, asks, checksum, timestamp }] };
  } catch {
    return undefined;
  }
}

function readLevelsFast(cursor: JsonCursor): BookLevel[] | undefined {
  if (!cursor.skipLiteral("[")) return undefined;
  const levels: BookLevel[] = [];
  if (cursor.skipLiteral("]")) return levels;
  do {
    if (!cursor.skipLiteral('{"price":')) return undefined;
    const priceText = cursor.readNumberText();
    const price = cursor.lastNumberValue;
    if (!cursor.skipLiteral(',"qty":')) return undefined;
    const qtyText = cursor.readNumberText();
    const qty = cursor.lastNumberValue;
    if (!cursor.skipLiteral("}")) return undefined;
    levels.push(makeLevel(cursor, price, priceText, qty, qtyText));
  } while (cursor.skipLiteral(","));
  return cursor.skipLiteral("]") ? levels : undefined;
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
  cursor.readNumberText();
  const value = cursor.lastNumberValue;
  if (!cursor.lastNumberIsInteger || !Number.isSafeInteger(value) || value < min || value > max) {
    throw cursor.fail("out_of_range", `"${cursor.key}" must be an integer in [${min}, ${max}]`);
  }
  return value + 0; // -0 becomes 0
}

function readStringArray(cursor: JsonCursor): string[] {
  const out: string[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) out.push(cursor.readString());
  return out;
}

/** The common channel names, matched in place so the hot path builds no string for them. */
const CHANNEL_LITERALS = ["book", "trade", "ticker", "heartbeat", "ohlc", "status"] as const;
const QUOTED_CHANNELS = CHANNEL_LITERALS.map((name) => `"${name}"`);

function readChannelName(cursor: JsonCursor): string {
  for (let i = 0; i < QUOTED_CHANNELS.length; i++) {
    if (cursor.matchString(QUOTED_CHANNELS[i])) return CHANNEL_LITERALS[i];
  }
  return cursor.readString();
}

function readFrameType(cursor: JsonCursor): FrameType {
  if (cursor.matchString('"update"')) return "update";
  if (cursor.matchString('"snapshot"')) return "snapshot";
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
  /** Whether `success` was `true`: any other value is a failure, and only checked. */
  success?: boolean;
  error?: string;
  /** Where `result` starts; read only for methods whose result this SDK knows. */
  resultOffset: number;
  /** Where `result` ends. */
  resultEnd: number;
  reqId?: number;
  symbol?: string;
  timeIn?: string;
  timeOut?: string;
  warnings?: string[];
}

/** Only `true` counts as success, so any other value is checked but never built. */
function readSuccess(cursor: JsonCursor): boolean {
  if (cursor.peek() === 0x74) return cursor.readBoolean();
  cursor.skipValue();
  return false;
}

function readFrame(cursor: JsonCursor): KrakenMessage {
  const envelope: Envelope = { dataOffset: -1, resultOffset: -1, resultEnd: -1 };
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("channel")) envelope.channel = readChannelName(cursor);
    else if (cursor.keyIs("type")) envelope.type = readFrameType(cursor);
    else if (cursor.keyIs("data")) readData(cursor, envelope);
    else if (cursor.keyIs("method")) envelope.method = cursor.readString();
    else if (cursor.keyIs("success")) envelope.success = readSuccess(cursor);
    else if (cursor.keyIs("error")) envelope.error = cursor.readString();
    else if (cursor.keyIs("result")) {
      cursor.peek();
      envelope.resultOffset = cursor.pos;
      cursor.skipValue();
      envelope.resultEnd = cursor.pos;
    } else if (cursor.keyIs("req_id")) {
      envelope.reqId = readInteger(cursor, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    } else if (cursor.keyIs("symbol")) envelope.symbol = cursor.readString();
    else if (cursor.keyIs("time_in")) envelope.timeIn = cursor.readString();
    else if (cursor.keyIs("time_out")) envelope.timeOut = cursor.readString();
    else if (cursor.keyIs("warnings")) envelope.warnings = readStringArray(cursor);
    else cursor.skipValue();
  }
  cursor.finish();
  if (envelope.method !== undefined) return readMethodReply(cursor, envelope, envelope.method);
  if (envelope.channel !== undefined) return readChannelFrame(cursor, envelope, envelope.channel);
  if (envelope.error !== undefined) return rejection(cursor, envelope, "");
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

function rejection(cursor: JsonCursor, envelope: Envelope, method: string): RejectionMessage {
  const result = method === "subscribe" || method === "unsubscribe"
    ? readResultAt(cursor, envelope)
    : undefined;
  return {
    kind: "rejection",
    method,
    error: envelope.error ?? "request failed without an error message",
    reqId: envelope.reqId,
    symbol: envelope.symbol ?? result?.symbol,
    channel: result?.channel,
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
    return rejection(cursor, envelope, method);
  }
  if (isTradingMethod(method)) return readTradingReply(cursor, method, envelope);
  if (method !== "subscribe" && method !== "unsubscribe") return unknown(cursor, undefined, method);
  const result = readResultAt(cursor, envelope);
  if (result === undefined) throw missing(cursor, "result");
  const { warnings, channel, ...rest } = result;
  if (channel === undefined) throw missing(cursor, "result.channel");
  const subscription: SubscriptionResult = { channel, ...rest };
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

type ResultFields = Partial<SubscriptionResult> & { readonly warnings: readonly string[] };

function readResultAt(cursor: JsonCursor, envelope: Envelope): ResultFields | undefined {
  if (envelope.resultOffset < 0) return undefined;
  cursor.pos = envelope.resultOffset;
  cursor.key = "result";
  return readResult(cursor);
}

function readResult(cursor: JsonCursor): ResultFields {
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
  return { channel, symbol, depth, snapshot, eventTrigger, interval, warnings };
}

/** Kraken sends `channel` and `type` before `data`: then `data` is read in one pass. */
function readData(cursor: JsonCursor, envelope: Envelope): void {
  const { channel, type } = envelope;
  const reader = channel === undefined ? undefined : dataReader(channel);
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
  if (isPrivateChannel(channel)) return readPrivateFrame(cursor, channel);
  const reader = dataReader(channel);
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

const readBook: DataReader = (cursor, type) => ({
  kind: "book",
  type,
  data: readList(cursor, readBookPayload),
});
const readTrades: DataReader = (cursor, type) => ({
  kind: "trade",
  type,
  data: readList(cursor, readTrade),
});
const readTickers: DataReader = (cursor, type) => ({
  kind: "ticker",
  type,
  data: readList(cursor, readTicker),
});
const readCandles: DataReader = (cursor, type) => ({
  kind: "ohlc",
  type,
  data: readList(cursor, readCandle),
});
const readStatus: DataReader = (cursor, type) => ({
  kind: "status",
  type,
  data: readList(cursor, readStatusInfo),
});

function dataReader(channel: string): DataReader | undefined {
  switch (channel) {
    case "book":
      return readBook;
    case "trade":
      return readTrades;
    case "ticker":
      return readTickers;
    case "ohlc":
      return readCandles;
    case "status":
      return readStatus;
    case "instrument":
      return readInstrument;
    case "level3":
      return readLevel3;
    default:
      return undefined;
  }
}

function readLevels(cursor: JsonCursor): BookLevel[] {
  const levels: BookLevel[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) levels.push(readLevel(cursor));
  return levels;
}

function readLevel(cursor: JsonCursor): BookLevel {
  let priceText: string | undefined;
  let qtyText: string | undefined;
  let price = 0;
  let qty = 0;
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("price")) {
      priceText = cursor.readNumberText();
      price = cursor.lastNumberValue;
    } else if (cursor.keyIs("qty")) {
      qtyText = cursor.readNumberText();
      qty = cursor.lastNumberValue;
    } else cursor.skipValue();
  }
  if (priceText === undefined) throw missing(cursor, "price");
  if (qtyText === undefined) throw missing(cursor, "qty");
  return makeLevel(cursor, price, priceText, qty, qtyText);
}

function makeLevel(
  cursor: JsonCursor,
  price: number,
  priceText: string,
  qty: number,
  qtyText: string,
): BookLevel {
  if (!(price >= 0 && qty >= 0 && price < Infinity && qty < Infinity)) {
    if (price < 0 || qty < 0) throw cursor.fail("out_of_range", "negative price or quantity");
    throw cursor.fail("out_of_range", `price or quantity out of range`);
  }
  return { price, priceText, qty, qtyText };
}

const MAX_CHECKSUM = 0xffffffff;

function readBookPayload(cursor: JsonCursor): BookPayload {
  let symbol: string | undefined;
  let bids: BookLevel[] = [];
  let asks: BookLevel[] = [];
  let checksum: number | undefined;
  let timestamp: string | undefined;
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("symbol")) symbol = cursor.readString();
    else if (cursor.keyIs("bids")) bids = readLevels(cursor);
    else if (cursor.keyIs("asks")) asks = readLevels(cursor);
    else if (cursor.keyIs("checksum")) checksum = readInteger(cursor, 0, MAX_CHECKSUM);
    else if (cursor.keyIs("timestamp")) timestamp = cursor.readString();
    else cursor.skipValue();
  }
  if (symbol === undefined) throw missing(cursor, "symbol");
  if (checksum === undefined) throw missing(cursor, "checksum");
  return { symbol, bids, asks, checksum, timestamp };
}

/**
 * Reads an object whose fields are strings, decimals (kept with their text) and integers, as
 * described by `schema`, and checks that every required field is present.
 */
function readFlatObject(cursor: JsonCursor, schema: FlatSchema): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const fields = schema.fields;
  cursor.enterObject();
  while (cursor.nextKey()) {
    const key = cursor.key;
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (spec === undefined) {
      cursor.skipValue();
      continue;
    }
    if (spec.kind === "string") {
      out[spec.name] = cursor.readString();
    } else if (spec.kind === "integer") {
      out[spec.name] = readInteger(cursor, 0, Number.MAX_SAFE_INTEGER);
    } else {
      const text = cursor.readNumberText();
      out[spec.name] = readFinite(cursor, text);
      out[spec.textName] = text;
    }
  }
  for (const [wire, name] of schema.required) {
    if (out[name] === undefined) throw missing(cursor, wire);
  }
  return out;
}

/** A flat object's fields by wire name, and the ones it must have. */
interface FlatSchema {
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Listed once here: listed for each object read, they cost more than reading a small object. */
  readonly required: readonly (readonly [wire: string, name: string])[];
}

function flatSchema(fields: Record<string, FieldSpec>): FlatSchema {
  const required = Object.entries(fields)
    .filter(([, spec]) => !spec.optional)
    .map(([wire, spec]) => [wire, spec.name] as const);
  return { fields, required };
}

interface FieldSpec {
  readonly name: string;
  /** Where a decimal's exact text goes: made once, as a fresh key for each object read is slow. */
  readonly textName: string;
  readonly kind: "string" | "decimal" | "integer";
  readonly optional: boolean;
}

const fieldSpec = (name: string, kind: FieldSpec["kind"], optional = false): FieldSpec => ({
  name,
  textName: `${name}Text`,
  kind,
  optional,
});
const str = (name: string, optional = false): FieldSpec => fieldSpec(name, "string", optional);
const dec = (name: string): FieldSpec => fieldSpec(name, "decimal");
const int = (name: string): FieldSpec => fieldSpec(name, "integer");

const TRADE_SCHEMA: FlatSchema = flatSchema({
  symbol: str("symbol"),
  side: str("side"),
  price: dec("price"),
  qty: dec("qty"),
  ord_type: str("ordType"),
  trade_id: int("tradeId"),
  timestamp: str("timestamp"),
});

function readTrade(cursor: JsonCursor): Trade {
  const trade = readFlatObject(cursor, TRADE_SCHEMA);
  if (trade.side !== "buy" && trade.side !== "sell") {
    throw cursor.fail("wrong_type", `trade side must be buy or sell`);
  }
  return trade as unknown as Trade;
}

const TICKER_SCHEMA: FlatSchema = flatSchema({
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
});

function readTicker(cursor: JsonCursor): Ticker {
  return readFlatObject(cursor, TICKER_SCHEMA) as unknown as Ticker;
}

const CANDLE_SCHEMA: FlatSchema = flatSchema({
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
});

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
        info.apiVersion = readLenientText(cursor);
        break;
      case "connection_id":
        info.connectionId = readConnectionId(cursor);
        break;
      case "version":
        info.version = readLenientText(cursor);
        break;
      case "upcoming_maintenance":
        info.upcomingMaintenance = cursor.readArray();
        break;
      case "emergency":
        info.emergency = cursor.readArray();
        break;
      default:
        cursor.skipValue();
    }
  }
  if (system === undefined) throw missing(cursor, "system");
  return { system, ...info };
}

/** The most of an unexpected `connection_id` kept; the rest is cut, marked with `…`. */
const MAX_CONNECTION_ID_TEXT = 80;

/**
 * Nothing depends on `connection_id`, while the `system` beside it may announce maintenance: so
 * any value is kept as text rather than losing the frame (a recording that redacted it, a future
 * Kraken change). A number's digits never pass through a float (Kraken's exceed 2^63).
 */
/** A descriptive string field (`version`, `api_version`): any other value is kept as JSON text. */
function readLenientText(cursor: JsonCursor): string {
  return cursor.peek() === 0x22 ? cursor.readString() : JSON.stringify(cursor.readValue());
}

function readConnectionId(cursor: JsonCursor): string {
  const next = cursor.peek();
  const text = next === 0x22
    ? cursor.readString()
    : next === 0x2d || (next >= 0x30 && next <= 0x39)
    ? cursor.readNumberText()
    : JSON.stringify(cursor.readValue());
  return text.length <= MAX_CONNECTION_ID_TEXT ? text : `${text.slice(0, MAX_CONNECTION_ID_TEXT)}…`;
}

function readInstrument(cursor: JsonCursor, type: FrameType): KrakenMessage {
  let assets: InstrumentAsset[] = [];
  let pairs: InstrumentPair[] = [];
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.key === "assets") assets = readList(cursor, readInstrumentAsset);
    else if (cursor.key === "pairs") pairs = readList(cursor, readInstrumentPair);
    else cursor.skipValue();
  }
  return { kind: "instrument", type, assets, pairs };
}

const MAX_PRECISION = 30;

/** How an optional field of an instrument pair or asset is typed, and its name there. */
interface InstrumentFieldSpec {
  readonly name: string;
  readonly kind: "decimal" | "precision" | "flag";
}

const PAIR_FIELDS: Readonly<Record<string, InstrumentFieldSpec>> = {
  cost_precision: { name: "costPrecision", kind: "precision" },
  price_increment: { name: "priceIncrement", kind: "decimal" },
  qty_increment: { name: "qtyIncrement", kind: "decimal" },
  qty_min: { name: "qtyMin", kind: "decimal" },
  cost_min: { name: "costMin", kind: "decimal" },
  marginable: { name: "marginable", kind: "flag" },
  has_index: { name: "hasIndex", kind: "flag" },
  margin_initial: { name: "marginInitial", kind: "decimal" },
  position_limit_long: { name: "positionLimitLong", kind: "decimal" },
  position_limit_short: { name: "positionLimitShort", kind: "decimal" },
};

const ASSET_FIELDS: Readonly<Record<string, InstrumentFieldSpec>> = {
  precision: { name: "precision", kind: "precision" },
  precision_display: { name: "precisionDisplay", kind: "precision" },
  borrowable: { name: "borrowable", kind: "flag" },
  collateral_value: { name: "collateralValue", kind: "decimal" },
  margin_rate: { name: "marginRate", kind: "decimal" },
  multiplier: { name: "multiplier", kind: "decimal" },
};

/** A JSON number's text, also when written as a JSON string. */
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Sets an own key, whatever its name (`__proto__` included), as `JSON.parse` would. */
function defineField(fields: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(fields, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Reads one optional field of an instrument pair or asset: typed into `typed` (a decimal as its
 * number and its exact `…Text`), and as received into `fields`. `null` leaves the typed field out.
 * A decimal may come as a JSON string: some of Kraken's examples write `"cost_min":"0.5"`.
 */
function readInstrumentField(
  cursor: JsonCursor,
  spec: InstrumentFieldSpec,
  typed: Record<string, string | number | boolean>,
  fields: Record<string, JsonValue>,
): void {
  const key = cursor.key;
  if (cursor.readNull()) {
    // A repeated key: the later wins, as it does in the fields.
    delete typed[spec.name];
    delete typed[`${spec.name}Text`];
    defineField(fields, key, null);
    return;
  }
  if (spec.kind === "flag") {
    const flag = cursor.readBoolean();
    typed[spec.name] = flag;
    defineField(fields, key, flag);
    return;
  }
  if (spec.kind === "precision") {
    const precision = readInteger(cursor, 0, MAX_PRECISION);
    typed[spec.name] = precision;
    defineField(fields, key, precision);
    return;
  }
  const quoted = cursor.peek() === 0x22;
  const text = quoted ? cursor.readString() : cursor.readNumberText();
  if (quoted && !DECIMAL_TEXT.test(text)) {
    throw cursor.fail("wrong_type", `"${key}" must be a decimal`);
  }
  const value = readFinite(cursor, text);
  typed[spec.name] = value;
  typed[`${spec.name}Text`] = text;
  defineField(fields, key, quoted ? text : value);
}

function readInstrumentPair(cursor: JsonCursor): InstrumentPair {
  const typed: Record<string, string | number | boolean> = {};
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
    } else if (Object.hasOwn(PAIR_FIELDS, key)) {
      readInstrumentField(cursor, PAIR_FIELDS[key], typed, fields);
    } else {
      defineField(fields, key, cursor.readValue());
    }
  }
  for (const name of ["symbol", "base", "quote", "status", "pricePrecision", "qtyPrecision"]) {
    if (typed[name] === undefined) throw missing(cursor, name);
  }
  return { ...typed, fields } as unknown as InstrumentPair;
}

function readInstrumentAsset(cursor: JsonCursor): InstrumentAsset {
  const typed: Record<string, string | number | boolean> = {};
  const fields: Record<string, JsonValue> = {};
  cursor.enterObject();
  while (cursor.nextKey()) {
    const key = cursor.key;
    if (key === "id" || key === "status") {
      typed[key] = cursor.readString();
    } else if (Object.hasOwn(ASSET_FIELDS, key)) {
      readInstrumentField(cursor, ASSET_FIELDS[key], typed, fields);
    } else {
      defineField(fields, key, cursor.readValue());
    }
  }
  for (const name of ["id", "status"]) {
    if (typed[name] === undefined) throw missing(cursor, name);
  }
  return { ...typed, fields } as unknown as InstrumentAsset;
}
