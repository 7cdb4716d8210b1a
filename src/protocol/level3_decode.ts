/**
 * The reader of `level3` data for `decode`: kept beside the level 3 types rather than in the
 * decoder, so the decoder only dispatches to it. Throws {@link JsonFailure}, which `decode` turns
 * into a typed error.
 *
 * @module
 */

import type { JsonCursor } from "./json_cursor.ts";
import type { Level3Event, Level3Message, Level3Order, Level3Payload } from "./level3_messages.ts";
import type { FrameType } from "./messages.ts";

const MAX_CHECKSUM = 0xffffffff;

/** A JSON number's text, also when written as a JSON string. */
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Reads the `data` array of a `level3` frame.
 *
 * @param cursor At the `data` value.
 * @param type The frame's type: an update's orders must name their `event`.
 * @returns The message.
 *
 * @example
 * ```ts
 * import { JsonCursor } from "./json_cursor.ts";
 * import { readLevel3 } from "./level3_decode.ts";
 * const cursor = new JsonCursor('[{"symbol":"BTC/USD","checksum":0,"bids":[],"asks":[]}]');
 * console.log(readLevel3(cursor, "snapshot").data[0].symbol); // "BTC/USD"
 * ```
 */
export function readLevel3(cursor: JsonCursor, type: FrameType): Level3Message {
  const data: Level3Payload[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) data.push(readPayload(cursor, type));
  return { kind: "level3", type, data };
}

function missing(cursor: JsonCursor, field: string) {
  return cursor.fail("missing_field", `missing "${field}"`);
}

function readPayload(cursor: JsonCursor, type: FrameType): Level3Payload {
  let symbol: string | undefined;
  let bids: Level3Order[] = [];
  let asks: Level3Order[] = [];
  let checksum: number | undefined;
  let timestamp: string | undefined;
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("symbol")) symbol = cursor.readString();
    else if (cursor.keyIs("bids")) bids = readOrders(cursor, type);
    else if (cursor.keyIs("asks")) asks = readOrders(cursor, type);
    else if (cursor.keyIs("checksum")) checksum = readChecksum(cursor);
    else if (cursor.keyIs("timestamp")) timestamp = cursor.readString();
    else cursor.skipValue();
  }
  if (symbol === undefined) throw missing(cursor, "symbol");
  if (checksum === undefined) throw missing(cursor, "checksum");
  return timestamp === undefined
    ? { symbol, bids, asks, checksum }
    : { symbol, bids, asks, checksum, timestamp };
}

function readChecksum(cursor: JsonCursor): number {
  const value = Number(cursor.readNumberText());
  if (!cursor.lastNumberIsInteger || !(value >= 0 && value <= MAX_CHECKSUM)) {
    throw cursor.fail("out_of_range", `"checksum" must be an integer in [0, ${MAX_CHECKSUM}]`);
  }
  return value + 0; // -0 becomes 0
}

function readOrders(cursor: JsonCursor, type: FrameType): Level3Order[] {
  const orders: Level3Order[] = [];
  cursor.enterArray();
  while (cursor.nextItem()) orders.push(readOrderFast(cursor, type) ?? readOrder(cursor, type));
  return orders;
}

/**
 * The hot path: an order in the layout of Kraken's documentation (`event` first on an update,
 * then `order_id`, `limit_price`, `order_qty`, `timestamp`), read literal by literal with no key
 * matching. Any other layout, or anything wrong, rewinds and leaves the order to the general
 * reader, so the result is always the one it would give.
 */
function readOrderFast(cursor: JsonCursor, type: FrameType): Level3Order | undefined {
  const start = cursor.pos;
  try {
    let event: Level3Event | undefined;
    if (cursor.skipLiteral('{"event":"')) {
      if (cursor.skipLiteral('add"')) event = "add";
      else if (cursor.skipLiteral('modify"')) event = "modify";
      else if (cursor.skipLiteral('delete"')) event = "delete";
      if (event === undefined || !cursor.skipLiteral(',"order_id":')) return rewind(cursor, start);
    } else if (type === "update" || !cursor.skipLiteral('{"order_id":')) {
      return rewind(cursor, start);
    }
    const orderId = cursor.readString();
    if (!cursor.skipLiteral(',"limit_price":') || cursor.peek() === QUOTE) {
      return rewind(cursor, start);
    }
    const limitPriceText = cursor.readNumberText();
    const limitPrice = cursor.lastNumberValue;
    if (!cursor.skipLiteral(',"order_qty":') || cursor.peek() === QUOTE) {
      return rewind(cursor, start);
    }
    const orderQtyText = cursor.readNumberText();
    const orderQty = cursor.lastNumberValue;
    if (!cursor.skipLiteral(',"timestamp":')) return rewind(cursor, start);
    const timestamp = cursor.readString();
    const valid = limitPrice >= 0 && limitPrice < Infinity && orderQty >= 0 && orderQty < Infinity;
    if (!valid || !cursor.skipLiteral("}")) return rewind(cursor, start);
    return event === undefined
      ? { orderId, limitPrice, limitPriceText, orderQty, orderQtyText, timestamp }
      : { orderId, limitPrice, limitPriceText, orderQty, orderQtyText, timestamp, event };
  } catch {
    return rewind(cursor, start);
  }
}

function rewind(cursor: JsonCursor, start: number): undefined {
  cursor.pos = start;
  return undefined;
}

const QUOTE = 0x22;

/** The value of the last {@link readDecimal}: a second return without an allocation. */
let decimalValue = 0;

/**
 * A price or quantity: a JSON number as Kraken sends it, or a JSON string holding one, as the
 * worked example of Kraken's checksum guide is printed. Negative or non-finite is out of range.
 */
function readDecimal(cursor: JsonCursor): string {
  let text: string;
  if (cursor.peek() === 0x22) {
    text = cursor.readString();
    if (!DECIMAL_TEXT.test(text)) {
      throw cursor.fail("wrong_type", `"${cursor.key}" must be a decimal`);
    }
    decimalValue = Number(text);
  } else {
    text = cursor.readNumberText();
    decimalValue = cursor.lastNumberValue;
  }
  if (!(decimalValue >= 0 && decimalValue < Infinity)) {
    throw cursor.fail("out_of_range", `"${cursor.key}" must be a finite, non-negative number`);
  }
  return text;
}

function readEvent(cursor: JsonCursor): Level3Event {
  const event = cursor.readString();
  if (event !== "add" && event !== "modify" && event !== "delete") {
    throw cursor.fail(
      "wrong_type",
      `"event" must be add, modify or delete, not ${event.slice(0, 24)}`,
    );
  }
  return event;
}

function readOrder(cursor: JsonCursor, type: FrameType): Level3Order {
  let orderId: string | undefined;
  let limitPriceText: string | undefined;
  let limitPrice = 0;
  let orderQtyText: string | undefined;
  let orderQty = 0;
  let timestamp: string | undefined;
  let event: Level3Event | undefined;
  cursor.enterObject();
  while (cursor.nextKey()) {
    if (cursor.keyIs("order_id")) orderId = cursor.readString();
    else if (cursor.keyIs("limit_price")) {
      limitPriceText = readDecimal(cursor);
      limitPrice = decimalValue;
    } else if (cursor.keyIs("order_qty")) {
      orderQtyText = readDecimal(cursor);
      orderQty = decimalValue;
    } else if (cursor.keyIs("timestamp")) timestamp = cursor.readString();
    else if (cursor.keyIs("event")) event = readEvent(cursor);
    else cursor.skipValue();
  }
  if (orderId === undefined) throw missing(cursor, "order_id");
  if (limitPriceText === undefined) throw missing(cursor, "limit_price");
  if (orderQtyText === undefined) throw missing(cursor, "order_qty");
  if (timestamp === undefined) throw missing(cursor, "timestamp");
  const order = { orderId, limitPrice, limitPriceText, orderQty, orderQtyText, timestamp };
  if (event !== undefined) return { ...order, event };
  // Without its event an update cannot be applied: add and modify look the same on the wire.
  if (type === "update") throw missing(cursor, "event");
  return order;
}
