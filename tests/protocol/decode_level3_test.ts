import assert from "node:assert/strict";
import { decode } from "../../src/protocol/decode.ts";
import type { Level3Message } from "../../src/protocol/level3_messages.ts";
import type { DecodeError, DecodeErrorReason } from "../../src/protocol/messages.ts";
import {
  GUIDE_ASKS,
  GUIDE_BIDS,
  GUIDE_CHECKSUM,
  guideSnapshotFrame,
  REFERENCE_SNAPSHOT,
  REFERENCE_UPDATE,
} from "../book/level3_vectors.ts";
import { seededRandom } from "../fixtures.ts";

function level3(text: string): Level3Message {
  const message = decode(text);
  assert.equal(message.kind, "level3", JSON.stringify(message));
  return message as Level3Message;
}

function failure(text: string): DecodeError {
  const message = decode(text);
  assert.equal(message.kind, "decodeError", `decoded: ${text}`);
  return message as DecodeError;
}

const ORDER =
  '"order_id":"O1","limit_price":101.50,"order_qty":0.10000000,"timestamp":"2024-01-08T12:26:39Z"';

function frame(type: string, order: string): string {
  return `{"channel":"level3","type":"${type}","data":[{"symbol":"BTC/USD","checksum":7,` +
    `"bids":[{${order}}],"asks":[]}]}`;
}

Deno.test("decode level3: the reference snapshot example, numbers with their wire text", () => {
  const message = level3(REFERENCE_SNAPSHOT);
  assert.equal(message.type, "snapshot");
  assert.equal(message.data.length, 1);
  const [payload] = message.data;
  assert.equal(payload.symbol, "MATIC/USD");
  assert.equal(payload.checksum, 281817320);
  assert.equal(payload.timestamp, undefined);
  assert.deepEqual(payload.bids[1], {
    orderId: "OEP26Y-YAFEF-OFR62B",
    limitPrice: 0.5625,
    limitPriceText: "0.5625",
    orderQty: 6390.19338,
    orderQtyText: "6390.19338",
    timestamp: "2023-10-06T18:19:55.056070105Z",
  });
  assert.deepEqual(payload.asks.map((order) => order.orderQtyText), [
    "4422.9978357",
    "420.0",
    "490.0",
  ]);
  assert.equal(payload.asks[1].orderQty, 420);
  assert.ok(payload.bids.every((order) => order.event === undefined));
});

Deno.test("decode level3: the reference update example keeps each order's event", () => {
  const message = level3(REFERENCE_UPDATE);
  assert.equal(message.type, "update");
  const [payload] = message.data;
  assert.equal(payload.checksum, 2841398499);
  assert.deepEqual(payload.bids, []);
  assert.deepEqual(payload.asks.map((order) => [order.event, order.orderId]), [
    ["delete", "OOIATY-6EIWY-ACVIUN"],
    ["add", "O2BN53-5RSB2-V3J57T"],
    ["add", "OWG5ZU-LHUHH-BICPEX"],
    ["add", "ONVDB3-2DRUF-Y6MF7D"],
  ]);
  assert.equal(payload.asks[1].limitPriceText, "0.564");
  assert.equal(payload.asks[3].orderQtyText, "42196.34088652");
});

Deno.test("decode level3: the checksum guide's example, as printed (strings) and as sent (numbers)", () => {
  for (const quoted of [true, false]) {
    const [payload] = level3(guideSnapshotFrame(quoted)).data;
    assert.equal(payload.checksum, GUIDE_CHECKSUM);
    assert.deepEqual(
      payload.bids.map((order) => [order.orderId, order.limitPriceText, order.orderQtyText]),
      GUIDE_BIDS.map(([id, price, qty]) => [id, price, qty]),
    );
    assert.deepEqual(
      payload.asks.map((order) => [order.orderId, order.limitPriceText, order.orderQtyText]),
      GUIDE_ASKS.map(([id, price, qty]) => [id, price, qty]),
    );
    assert.equal(payload.asks[0].orderQty, 4.52308393);
  }
});

Deno.test("decode level3: timestamp, channel after data, unknown fields", () => {
  const [payload] = level3(
    `{"data":[{"symbol":"BTC/USD","checksum":7,"timestamp":"2024-01-08T12:26:39Z","extra":[1],` +
      `"bids":[{${ORDER},"new_field":{"a":1}}],"asks":[]}],"type":"update","channel":"level3"}`
        .replace(
          '"order_id"',
          '"event":"modify","order_id"',
        ),
  ).data;
  assert.equal(payload.timestamp, "2024-01-08T12:26:39Z");
  assert.equal(payload.bids[0].event, "modify");
  assert.equal(payload.bids[0].limitPriceText, "101.50");
  assert.equal(payload.bids[0].orderQtyText, "0.10000000");
});

Deno.test("decode level3: an exponent is kept as sent; the book reads it as its plain digits", () => {
  const [payload] = level3(frame("snapshot", ORDER.replace("0.10000000", "1.2e-7"))).data;
  assert.equal(payload.bids[0].orderQtyText, "1.2e-7");
  assert.equal(payload.bids[0].orderQty, 1.2e-7);
});

const BAD: readonly (readonly [string, string, DecodeErrorReason])[] = [
  ["update without event", frame("update", ORDER), "missing_field"],
  ["unknown event", frame("update", `"event":"amend",${ORDER}`), "wrong_type"],
  ["event not a string", frame("update", `"event":1,${ORDER}`), "wrong_type"],
  ["missing order_id", frame("snapshot", ORDER.replace('"order_id":"O1",', "")), "missing_field"],
  [
    "missing limit_price",
    frame("snapshot", ORDER.replace('"limit_price":101.50,', "")),
    "missing_field",
  ],
  [
    "missing order_qty",
    frame("snapshot", ORDER.replace('"order_qty":0.10000000,', "")),
    "missing_field",
  ],
  [
    "missing timestamp",
    frame("snapshot", ORDER.replace(',"timestamp":"2024-01-08T12:26:39Z"', "")),
    "missing_field",
  ],
  ["order_id a number", frame("snapshot", ORDER.replace('"O1"', "1")), "wrong_type"],
  ["limit_price a boolean", frame("snapshot", ORDER.replace("101.50", "true")), "wrong_type"],
  [
    "limit_price not a decimal string",
    frame("snapshot", ORDER.replace("101.50", '"abc"')),
    "wrong_type",
  ],
  ["limit_price null", frame("snapshot", ORDER.replace("101.50", "null")), "wrong_type"],
  ["negative qty", frame("snapshot", ORDER.replace("0.10000000", "-1")), "out_of_range"],
  ["infinite price", frame("snapshot", ORDER.replace("101.50", "1e400")), "out_of_range"],
  ["order not an object", frame("snapshot", "").replace("[{}]", "[5]"), "wrong_type"],
  [
    "bids not an array",
    '{"channel":"level3","type":"snapshot","data":[{"symbol":"A","checksum":1,"bids":{},"asks":[]}]}',
    "wrong_type",
  ],
  [
    "data not an array",
    '{"channel":"level3","type":"snapshot","data":{"symbol":"A"}}',
    "wrong_type",
  ],
  [
    "missing symbol",
    '{"channel":"level3","type":"snapshot","data":[{"checksum":1,"bids":[],"asks":[]}]}',
    "missing_field",
  ],
  [
    "missing checksum",
    '{"channel":"level3","type":"snapshot","data":[{"symbol":"A","bids":[],"asks":[]}]}',
    "missing_field",
  ],
  [
    "checksum over 32 bits",
    '{"channel":"level3","type":"snapshot","data":[{"symbol":"A","checksum":4294967296,"bids":[],"asks":[]}]}',
    "out_of_range",
  ],
  [
    "checksum a fraction",
    '{"channel":"level3","type":"snapshot","data":[{"symbol":"A","checksum":1.5,"bids":[],"asks":[]}]}',
    "out_of_range",
  ],
  [
    "missing type",
    '{"channel":"level3","data":[{"symbol":"A","checksum":1,"bids":[],"asks":[]}]}',
    "missing_field",
  ],
];

Deno.test("decode level3: wrong types and missing fields are typed errors, never throws", () => {
  for (const [name, text, reason] of BAD) {
    const error = failure(text);
    assert.equal(error.reason, reason, `${name}: ${error.detail}`);
  }
});

Deno.test("decode level3: truncated and mutated frames never throw nor fail internally", () => {
  const base = REFERENCE_UPDATE.replace(/\s+/g, "");
  const random = seededRandom(13);
  for (let round = 0; round < 2000; round++) {
    let text = base;
    const edits = 1 + Math.floor(random() * 3);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(random() * text.length);
      const choice = random();
      if (choice < 0.3) text = text.slice(0, at);
      else if (choice < 0.6) text = text.slice(0, at) + text.slice(at + 1);
      else text = text.slice(0, at) + '{}[]":,0-.e"x'[Math.floor(random() * 13)] + text.slice(at);
    }
    const message = decode(text);
    if (message.kind === "decodeError") {
      assert.notEqual(message.reason, "internal", `round ${round}: ${message.detail}`);
    } else if (message.kind === "level3") {
      for (
        const order of [...message.data.flatMap((payload) => [...payload.bids, ...payload.asks])]
      ) {
        assert.ok(order.orderQty >= 0 && Number.isFinite(order.limitPrice), `round ${round}`);
        assert.equal(typeof order.orderId, "string");
      }
    }
  }
});

Deno.test("level3 decode: Kraken's documented layout and any other give the same orders", () => {
  const canonical = '{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","bids":[' +
    '{"event":"add","order_id":"OA","limit_price":100.10,"order_qty":1.50000000,"timestamp":"2024-01-08T12:26:39.526146327Z"},' +
    '{"event":"delete","order_id":"OB","limit_price":99,"order_qty":0.00000000,"timestamp":"2024-01-08T12:26:39Z"}],' +
    '"asks":[{"event":"modify","order_id":"OC","limit_price":101.0,"order_qty":0.1,"timestamp":"t"}],' +
    '"checksum":7}]}';
  const reordered = '{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","bids":[' +
    '{"order_id":"OA","timestamp":"2024-01-08T12:26:39.526146327Z","order_qty":1.50000000,"limit_price":100.10,"event":"add"},' +
    '{ "order_id" : "OB", "event":"delete", "limit_price":99,"order_qty":0.00000000,"timestamp":"2024-01-08T12:26:39Z","extra":1}],' +
    '"asks":[{"limit_price":101.0,"event":"modify","order_id":"OC","order_qty":0.1,"timestamp":"t"}],' +
    '"checksum":7}]}';
  const fast = decode(canonical);
  const general = decode(reordered);
  assert.equal(fast.kind, "level3");
  assert.deepEqual(fast, general);
  assert.equal(fast.kind === "level3" && fast.data[0].bids[0].limitPriceText, "100.10");
  // The fast path never accepts what the general reader refuses.
  const negative = canonical.replace('"limit_price":99', '"limit_price":-99');
  assert.equal(decode(negative).kind, "decodeError");
  const noEvent = canonical.replace('{"event":"add",', "{");
  assert.equal(decode(noEvent).kind, "decodeError");
});
