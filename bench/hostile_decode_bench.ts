/**
 * The worst frames we could construct for `decode`, each beside `JSON.parse` of the same text in
 * the same run: a hostile or broken server must not be able to make a frame cost more than a small
 * constant times that. Quote each group's ratio to its baseline.
 *
 * The headline is 8 MiB of `\n` escapes in a field the decoder skips (the default frame limit);
 * the other shapes are 2 MiB, to keep the run short: escapes in keys and in strings that are kept,
 * long plain strings and whitespace (where `JSON.parse` is fastest), numbers of a million digits,
 * plain data read whole (trading results, status notices, unknown channels), and many small
 * objects through the typed readers.
 *
 * Run: `deno bench -A bench/hostile_decode_bench.ts`
 */

import { decode } from "../src/protocol/decode.ts";
import type { KrakenMessage } from "../src/protocol/messages.ts";
import { benchJsonParse } from "./bench_frames.ts";

const MIB = 1024 * 1024;
const RUNS = { warmup: 3, n: 12 };

/** Results land here so the engine cannot drop the work as unused. */
export let sink = 0;

/**
 * `head`, then `unit` repeated (joined by `separator`) to fill `size` UTF-16 units, then `tail`;
 * rebuilt from its UTF-8 bytes, as a WebSocket delivers it: one flat string.
 */
function frame(size: number, head: string, unit: string, tail: string, separator = ""): string {
  const room = size - head.length - tail.length;
  const count = Math.floor((room + separator.length) / (unit.length + separator.length));
  const text = head + Array(count).fill(unit).join(separator) + tail;
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/** Registers `JSON.parse` and `decode` of `text` in one group, once sure `decode` reads it. */
function hostile(group: string, expected: KrakenMessage["kind"], text: string): void {
  const kind = decode(text).kind;
  if (kind !== expected) throw new Error(`${group}: decoded as ${kind}, not ${expected}`);
  benchJsonParse(group, [text], RUNS);
  Deno.bench({
    name: "decode",
    group,
    ...RUNS,
    fn: () => {
      sink += decode(text).kind.length;
    },
  });
}

const BOOK_HEAD = '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[';
const BOOK_TAIL = '],"asks":[],"checksum":0}]}';

hostile(
  "8 MiB of \\n escapes, skipped",
  "heartbeat",
  frame(8 * MIB - 64, '{"channel":"heartbeat","x":"', "\\n", '"}'),
);
hostile(
  "\\u escapes and surrogate pairs, skipped in a book level",
  "book",
  frame(
    2 * MIB,
    `${BOOK_HEAD}{"price":1.0,"qty":1.0,"x":"`,
    "\\u0041\\ud83d\\ude00",
    `"}${BOOK_TAIL}`,
  ),
);
hostile(
  "a plain string, skipped",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat","x":"', "abcdefgh", '"}'),
);
hostile(
  "\\n escapes in a key",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat","', "\\n", '":1}'),
);
hostile(
  "many keys of 9 escapes",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat"', ',"\\n\\n\\n\\n\\n\\n\\n\\n\\n":0', "}"),
);
hostile(
  "\\n escapes, kept (a rejection's error)",
  "rejection",
  frame(2 * MIB, '{"method":"subscribe","success":false,"error":"', "\\n", '"}'),
);
hostile(
  "\\u escapes, kept (a rejection's error)",
  "rejection",
  frame(2 * MIB, '{"method":"subscribe","success":false,"error":"', "\\u20ac", '"}'),
);
hostile(
  "short escaped strings, kept (a pong's warnings)",
  "pong",
  frame(2 * MIB, '{"method":"pong","warnings":[', '"\\n\\n\\n\\n\\n\\n\\n\\n"', "]}", ","),
);
hostile(
  "a whitespace run",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat","x":[', " ", "]}"),
);
hostile(
  "a number of two million digits, skipped",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat","x":0.', "1", "}"),
);
hostile(
  "a trading result of numbers (plain data)",
  "tradingReply",
  frame(2 * MIB, '{"method":"add_order","success":true,"result":[', "1.5", "]}", ","),
);
hostile(
  "a trading result of one key repeated (plain data)",
  "tradingReply",
  frame(2 * MIB, '{"method":"add_order","success":true,"result":{"z":0', ',"a":0', "}}"),
);
hostile(
  "a huge success value",
  "rejection",
  frame(2 * MIB, '{"method":"subscribe","success":[', '{"a":"\\n"}', "]}", ","),
);
hostile(
  "status notices (plain data)",
  "status",
  frame(
    2 * MIB,
    '{"channel":"status","type":"update","data":[{"system":"online","upcoming_maintenance":[',
    '{"a":"\\n","b":1}',
    "]}]}",
    ",",
  ),
);
hostile(
  "an unknown channel",
  "unknown",
  frame(2 * MIB, '{"channel":"mystery","data":[', '{"a":1,"b":"\\n"}', "]}", ","),
);
hostile(
  "deep nesting, many times, skipped",
  "heartbeat",
  frame(2 * MIB, '{"channel":"heartbeat","x":[', `${"[".repeat(60)}${"]".repeat(60)}`, "]}", ","),
);
hostile(
  "book levels with an escaped extra field",
  "book",
  frame(2 * MIB, BOOK_HEAD, '{"price":1.0,"qty":1.0,"x":"\\n"}', BOOK_TAIL, ","),
);
hostile(
  "trades with an escaped extra field",
  "trade",
  frame(
    2 * MIB,
    '{"channel":"trade","type":"update","data":[',
    '{"symbol":"BTC/USD","side":"buy","price":1.5,"qty":2.5,"ord_type":"limit","trade_id":1,"timestamp":"t","x":"\\n"}',
    "]}",
    ",",
  ),
);
hostile(
  "executions with an escaped extra field",
  "executions",
  frame(
    2 * MIB,
    '{"channel":"executions","type":"update","sequence":1,"data":[',
    '{"exec_type":"new","order_id":"O","timestamp":"t","x":"\\n"}',
    "]}",
    ",",
  ),
);
hostile(
  "level 3 orders with escaped string decimals",
  "level3",
  frame(
    2 * MIB,
    '{"channel":"level3","type":"snapshot","data":[{"symbol":"BTC/USD","checksum":0,"asks":[],"bids":[',
    '{"order_id":"O","limit_price":"\\u0031\\u0030","order_qty":"1","timestamp":"t"}',
    "]}]}",
    ",",
  ),
);
