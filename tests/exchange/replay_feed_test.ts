import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import type { Trade } from "../../src/protocol/messages.ts";
import { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import type { SimFrame } from "../../src/exchange/feed.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import { ReplayFeed, type ReplayFrame } from "../../src/exchange/replay_feed.ts";
import { encodeEvent, encodeFrame, encodeHeader } from "../../src/recording/recording_line.ts";
import { recordedFrames } from "../../src/sim/recorded_frames.ts";
import { fixtureLines } from "../fixtures.ts";
import {
  bookPayloadOf,
  decoded,
  type JsonObject,
  jsonObject,
  levelTexts,
  marketConnection,
  objectField,
  rawFrames,
  requestText,
} from "./helpers.ts";

const FIXTURE = "live-btc-eth.ndjson";
const LINES = fixtureLines(FIXTURE);
const BOOK_FRAMES = 2962;
const TRADE_FRAMES = 10;
/** When the replay's first subscription comes, on the server's clock: any number will do. */
const START = 5_000_000;

/** The recorded data frames (book and trade), in file order, with their exchange time in ms. */
function recordedData(): { text: string; exchangeMs: number }[] {
  const data: { text: string; exchangeMs: number }[] = [];
  for (const line of LINES) {
    const frame = jsonObject(line);
    if (frame.channel !== "book" && frame.channel !== "trade") continue;
    const [item] = frame.data as JsonObject[];
    data.push({ text: line, exchangeMs: Date.parse(String(item.timestamp)) });
  }
  return data;
}

/**
 * When each recorded data frame is due, from the start of the recording, at speed 1: the
 * recording's own clock, never running backwards.
 */
function dueOffsets(times: readonly number[]): number[] {
  let latest = 0;
  return times.map((time) => (latest = Math.max(latest, time - times[0])));
}

type ReplayConnection = ConnectionFeed<readonly ReplayFrame[]>;

function subscribeBooksAndTrades(connection: ReplayConnection, now: number): SimFrame[] {
  return [
    ...connection.receive(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD", "ETH/USD"], depth: 10 }, 1),
      now,
    ),
    ...connection.receive(
      requestText("subscribe", { channel: "trade", symbol: ["BTC/USD", "ETH/USD"] }, 2),
      now,
    ),
  ];
}

/** A client's books at depth 10: every book frame must verify. */
class VerifyingClient {
  readonly books = new Map([
    ["BTC/USD", new OrderBook("BTC/USD", 10)],
    ["ETH/USD", new OrderBook("ETH/USD", 10)],
  ]);
  verified = 0;
  tradeFrames = 0;
  trades: Trade[] = [];
  texts: string[] = [];

  take(frames: readonly SimFrame[], context: string): void {
    for (const frame of frames) {
      this.texts.push(frame.text);
      if (frame.kind === "trade") {
        this.tradeFrames++;
        const message = decoded(frame.text);
        if (message.kind === "trade") this.trades.push(...message.data);
        continue;
      }
      assert.equal(frame.kind, "book", `${context}: ${frame.text.slice(0, 80)}`);
      const { type, payload } = bookPayloadOf(frame.text);
      const book = this.books.get(payload.symbol);
      assert.ok(book !== undefined, payload.symbol);
      const verdict = book.apply(type, payload);
      assert.deepEqual(verdict, { status: "ok", checksum: payload.checksum }, context);
      this.verified++;
    }
  }
}

Deno.test("ReplayFeed: plays the recording's data frames, not its status, acks or heartbeats", () => {
  const feed = new ReplayFeed(rawFrames(LINES), Infinity);
  assert.equal(feed.length, BOOK_FRAMES + TRADE_FRAMES);
  assert.ok(feed.hasSymbol("BTC/USD") && feed.hasSymbol("ETH/USD"));
  assert.ok(!feed.hasSymbol("SOL/USD"));
  assert.ok(feed.has("book|BTC/USD") && feed.has("trade|ETH/USD"));
  assert.ok(!feed.has("ticker|BTC/USD"));
  assert.equal(feed.instrument(), undefined);
  // The timeline waits for the first subscription.
  assert.deepEqual(feed.advance(START + 1_000_000), []);
  assert.ok(!feed.finished);
});

Deno.test("ReplayFeed: at speed Infinity everything plays at once, from the first subscription on", () => {
  const feed = new ReplayFeed(rawFrames(LINES), Infinity);
  const connection = new ConnectionFeed(feed);
  subscribeBooksAndTrades(connection, START);
  const played = feed.advance(START);
  assert.deepEqual(played.map((frame) => frame.text), recordedData().map((data) => data.text));
  assert.ok(feed.finished);
  assert.deepEqual(feed.advance(START + 1), []);
});

/**
 * Drives `feed` at `speed` with advances every `tickMs` from START and checks that every frame
 * plays exactly when it is due: never before its offset, never one tick after.
 */
function assertPacing(feed: ReplayFeed, offsets: readonly number[], speed: number, tickMs: number) {
  const connection = new ConnectionFeed(feed);
  subscribeBooksAndTrades(connection, START);
  const played: ReplayFrame[] = [];
  let ticks = 0;
  for (let now = START; !feed.finished; now += tickMs) {
    const elapsed = (now - START) * speed;
    const due = feed.advance(now);
    for (const frame of due) {
      const index = played.length;
      played.push(frame);
      assert.equal(frame.offsetMs, offsets[index], `frame ${index}: offset`);
      assert.ok(frame.offsetMs <= elapsed, `frame ${index} played before its offset`);
      assert.ok(frame.offsetMs > elapsed - tickMs * speed, `frame ${index} played late`);
    }
    // Whatever is still to come is not yet due.
    if (played.length < offsets.length) {
      assert.ok(offsets[played.length] > elapsed, `frame ${played.length} held back`);
    }
    ticks++;
    assert.ok(ticks < 100_000, "the replay never finished");
  }
  return { played, ticks };
}

Deno.test("ReplayFeed: at speed 1 each frame plays at its recorded offset, not before", () => {
  const data = recordedData();
  const offsets = dueOffsets(data.map((item) => item.exchangeMs));
  const span = offsets.at(-1)!;
  assert.ok(span > 20_000 && span < 23_000, `the recording spans ${span} ms`);
  const { played, ticks } = assertPacing(new ReplayFeed(rawFrames(LINES), 1), offsets, 1, 50);
  assert.deepEqual(played.map((frame) => frame.text), data.map((item) => item.text));
  // It took the recording's own time to play.
  assert.equal(ticks, Math.ceil(span / 50) + 1);
});

Deno.test("ReplayFeed: at speed 10 the same frames play ten times sooner", () => {
  const data = recordedData();
  const offsets = dueOffsets(data.map((item) => item.exchangeMs));
  const span = offsets.at(-1)!;
  const { played, ticks } = assertPacing(new ReplayFeed(rawFrames(LINES), 10), offsets, 10, 5);
  assert.equal(played.length, data.length);
  assert.equal(ticks, Math.ceil(span / 50) + 1);
  // Half a second in: at speed 1 only what is due in the first 500 ms, at speed 10 five seconds.
  const slow = new ReplayFeed(rawFrames(LINES), 1);
  const fast = new ReplayFeed(rawFrames(LINES), 10);
  subscribeBooksAndTrades(new ConnectionFeed(slow), START);
  subscribeBooksAndTrades(new ConnectionFeed(fast), START);
  assert.equal(slow.advance(START + 500).length, offsets.filter((offset) => offset <= 500).length);
  assert.equal(fast.advance(START + 500).length, offsets.filter((offset) => offset <= 5000).length);
  assert.ok(
    offsets.filter((offset) => offset <= 500).length <
      offsets.filter((offset) => offset <= 5000).length,
  );
});

Deno.test("ReplayFeed: subscribed from the start, all 2962 book checksums verify, frames exactly as recorded", () => {
  for (const speed of [Infinity, 1]) {
    const feed = new ReplayFeed(rawFrames(LINES), speed);
    const connection = new ConnectionFeed(feed);
    const replies = subscribeBooksAndTrades(connection, START);
    // Four acknowledgements, one per symbol; no made-up snapshot: the recorded one is to come.
    assert.deepEqual(replies.map((frame) => frame.kind), ["reply", "reply", "reply", "reply"]);
    for (const reply of replies) assert.equal(jsonObject(reply.text).success, true);
    const client = new VerifyingClient();
    for (let now = START; !feed.finished; now += 100) {
      client.take(connection.step(feed.advance(now), now), `speed ${speed} at ${now}`);
    }
    assert.equal(client.verified, BOOK_FRAMES);
    assert.equal(client.tradeFrames, TRADE_FRAMES);
    assert.deepEqual(client.texts, recordedData().map((item) => item.text));
    // Nothing of the recorder's own: no ack, no heartbeat, no status.
    for (const text of client.texts) {
      assert.ok(!text.includes('"heartbeat"') && !text.includes('"method"'), text.slice(0, 80));
      assert.ok(!text.includes('"status"'));
    }
  }
});

Deno.test("ReplayFeed: a book subscribed mid-replay gets a made-up snapshot that verifies, and every later update", () => {
  const feed = new ReplayFeed(rawFrames(LINES), 1);
  const early = new ConnectionFeed(feed);
  subscribeBooksAndTrades(early, START);
  const earlyClient = new VerifyingClient();
  let late: ReplayConnection | undefined;
  const lateClient = new VerifyingClient();
  let lateUpdates = 0;
  let earlyUpdatesAfterJoin = 0;
  for (let now = START; !feed.finished; now += 100) {
    if (late === undefined && earlyClient.verified >= 1000) {
      late = new ConnectionFeed(feed);
      const frames = late.receive(
        requestText("subscribe", { channel: "book", symbol: ["ETH/USD", "BTC/USD"] }, 5),
        now,
      );
      assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "book", "reply", "book"]);
      const ack = jsonObject(frames[0].text);
      assert.equal(ack.req_id, 5);
      assert.deepEqual(objectField(ack, "result"), {
        channel: "book",
        symbol: "ETH/USD",
        depth: 10,
        snapshot: true,
      });
      for (const frame of [frames[1], frames[3]]) {
        const { type, payload } = bookPayloadOf(frame.text);
        assert.equal(type, "snapshot");
        assert.equal(payload.bids.length, 10);
        assert.equal(payload.asks.length, 10);
        // Trailing zeros as recorded: the BTC/USD quantities keep 8 decimals, prices 1.
        if (payload.symbol === "BTC/USD") {
          for (const level of [...payload.bids, ...payload.asks]) {
            assert.match(level.priceText, /^[0-9]+\.[0-9]$/);
            assert.match(level.qtyText, /^[0-9]+\.[0-9]{8}$/);
          }
        }
      }
      lateClient.take([frames[1], frames[3]], "late snapshots");
      // The made-up snapshot is the book the early client holds at that moment.
      for (const symbol of ["BTC/USD", "ETH/USD"]) {
        const lateBook = lateClient.books.get(symbol)!;
        const earlyBook = earlyClient.books.get(symbol)!;
        assert.deepEqual(levelTexts(lateBook.bids()), levelTexts(earlyBook.bids()));
        assert.deepEqual(levelTexts(lateBook.asks()), levelTexts(earlyBook.asks()));
      }
    }
    const due = feed.advance(now);
    const earlyFrames = early.step(due, now);
    earlyClient.take(earlyFrames, `early at ${now}`);
    if (late !== undefined) {
      const lateFrames = late.step(due, now);
      lateClient.take(lateFrames, `late at ${now}`);
      lateUpdates += lateFrames.length;
      earlyUpdatesAfterJoin += earlyFrames.filter((frame) => frame.kind === "book").length;
      // Only what it subscribed to: books, no trades.
      assert.ok(lateFrames.every((frame) => frame.kind === "book"));
    }
  }
  assert.ok(late !== undefined);
  assert.equal(earlyClient.verified, BOOK_FRAMES);
  assert.ok(lateUpdates > 1000, `${lateUpdates} updates after joining`);
  assert.equal(lateUpdates, earlyUpdatesAfterJoin);
});

Deno.test("ReplayFeed: a trade snapshot mid-replay holds the recorded trades so far, as recorded", () => {
  const feed = new ReplayFeed(rawFrames(LINES), Infinity);
  const early = new ConnectionFeed(feed);
  subscribeBooksAndTrades(early, START);
  const client = new VerifyingClient();
  client.take(early.step(feed.advance(START + 1), START + 1), "all");
  assert.equal(client.tradeFrames, TRADE_FRAMES);
  const late = new ConnectionFeed(feed);
  const frames = late.receive(
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"], snapshot: true }, 3),
    START + 2,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "trade"]);
  const message = decoded(frames[1].text);
  assert.equal(message.kind, "trade");
  if (message.kind !== "trade") return;
  assert.equal(message.type, "snapshot");
  const recorded = client.trades.filter((trade) => trade.symbol === "BTC/USD");
  assert.ok(recorded.length > 0);
  assert.deepEqual(message.data, recorded);
  // Without `snapshot: true`, Kraken's default, no trade snapshot.
  const plain = new ConnectionFeed(feed).receive(
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"] }),
    START + 2,
  );
  assert.deepEqual(plain.map((frame) => frame.kind), ["reply"]);
});

Deno.test("ReplayFeed: a symbol not in the recording is `Currency pair not supported …`", () => {
  const connection = new ConnectionFeed(new ReplayFeed(rawFrames(LINES), 1));
  const frames = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD", "SOL/USD", "XBT/USD"] }, 8),
    START,
  );
  const replies = frames.map((frame) => jsonObject(frame.text));
  assert.equal(replies.length, 3);
  assert.equal(replies[0].success, true);
  for (const [index, symbol] of [[1, "SOL/USD"], [2, "XBT/USD"]] as const) {
    assert.deepEqual(replies[index], {
      error: `Currency pair not supported ${symbol}`,
      method: "subscribe",
      success: false,
      symbol,
      time_in: replies[index].time_in,
      time_out: replies[index].time_out,
      req_id: 8,
    });
  }
  assert.deepEqual(connection.subscriptions.map((held) => held.symbol), ["BTC/USD"]);
});

Deno.test("ReplayFeed: Kraken's answers: Already subscribed, unsubscribe ack, Subscription Not Found, pong", () => {
  const feed = new ReplayFeed(rawFrames(LINES), 1);
  const connection = new ConnectionFeed(feed);
  connection.receive(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }), START);
  const again = jsonObject(
    connection.receive(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 25 }, 2),
      START,
    )[0].text,
  );
  assert.equal(again.error, "Already subscribed");
  assert.equal(again.symbol, "BTC/USD");
  assert.equal(again.req_id, 2);
  const depth = jsonObject(
    connection.receive(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 15 }, 3),
      START,
    )[0].text,
  );
  assert.equal(depth.error, "Subscription depth not supported");
  const name = jsonObject(
    connection.receive(
      requestText("subscribe", { channel: "level3", symbol: ["BTC/USD"] }, 4),
      START,
    )[0].text,
  );
  assert.equal(name.error, "Subscription name invalid");
  const unsubscribed = connection.receive(
    requestText("unsubscribe", { channel: "book", symbol: ["BTC/USD", "ETH/USD"] }, 5),
    START,
  ).map((frame) => jsonObject(frame.text));
  assert.equal(unsubscribed[0].success, true);
  assert.equal(unsubscribed[0].method, "unsubscribe");
  assert.equal(unsubscribed[0].req_id, 5);
  assert.equal(objectField(unsubscribed[0], "result").symbol, "BTC/USD");
  assert.equal(unsubscribed[1].error, "Subscription Not Found");
  assert.equal(unsubscribed[1].symbol, "ETH/USD");
  assert.equal(unsubscribed[1].req_id, 5);
  const pong = jsonObject(connection.receive('{"method":"ping","req_id":99}', START)[0].text);
  assert.equal(pong.method, "pong");
  assert.equal(pong.req_id, 99);
  // Unsubscribed: the recorded BTC/USD frames are no longer forwarded.
  assert.deepEqual(connection.step(feed.advance(START + 60_000), START + 60_000), []);
});

Deno.test("ReplayFeed: status keeps one connection_id above 2^63; heartbeats only while subscribed", () => {
  const feed = new ReplayFeed(rawFrames(LINES), 1);
  const connection = new ConnectionFeed(feed);
  const ids = [connection.status(START), connection.status(START + 3_000, "maintenance")].map(
    (frame) => {
      const message = decoded(frame.text);
      assert.equal(message.kind, "status");
      return message.kind === "status" ? message.data[0].connectionId : undefined;
    },
  );
  assert.ok(ids[0] !== undefined && BigInt(ids[0]) > 2n ** 63n);
  assert.equal(ids[1], ids[0]);
  assert.equal(connection.heartbeat(START + 10_000), undefined, "nothing subscribed");
  connection.receive(
    requestText("subscribe", { channel: "trade", symbol: ["ETH/USD"] }),
    START + 10_000,
  );
  assert.equal(connection.heartbeat(START + 10_999), undefined);
  assert.deepEqual(connection.heartbeat(START + 11_000), {
    kind: "heartbeat",
    text: '{"channel":"heartbeat"}',
  });
  assert.equal(connection.heartbeat(START + 11_500), undefined);
  connection.receive(
    requestText("unsubscribe", { channel: "trade", symbol: ["ETH/USD"] }),
    START + 11_600,
  );
  assert.equal(connection.heartbeat(START + 20_000), undefined);
});

/** The fixture as the `record` command writes it: a header, frames with `recv`, and an event. */
function recordingLines(recvOf: (index: number) => number): string[] {
  const lines = [encodeHeader({ file: 1, started: recvOf(0) - 5, url: "wss://ws.kraken.com/v2" })];
  for (const [index, line] of LINES.entries()) {
    lines.push(encodeFrame(recvOf(index), line));
    if (index === 1500) {
      lines.push(
        encodeEvent(recvOf(index), {
          type: "gap",
          reason: "overflow",
          dropped: 0,
          scope: "recorder",
        }),
      );
    }
  }
  return lines;
}

Deno.test("ReplayFeed: `record` lines replay like raw lines; header and events are not frames", () => {
  const recorded = recordingLines((index) => 1_767_225_600_000 + index * 7);
  assert.equal(recorded.length, LINES.length + 2);
  const feed = new ReplayFeed(recordedFrames(recorded), Infinity);
  assert.equal(feed.length, BOOK_FRAMES + TRADE_FRAMES);
  const connection = new ConnectionFeed(feed);
  subscribeBooksAndTrades(connection, START);
  const client = new VerifyingClient();
  client.take(connection.step(feed.advance(START), START), "recording");
  assert.equal(client.verified, BOOK_FRAMES);
  assert.deepEqual(client.texts, recordedData().map((item) => item.text));
});

Deno.test("ReplayFeed: `record` lines are paced by their `recv`, not by the exchange's timestamps", () => {
  const recvOf = (index: number) => 1_767_225_600_000 + index * 7;
  const feed = new ReplayFeed(recordedFrames(recordingLines(recvOf)), 1);
  // The recording starts at its first line's `recv`; a data frame plays at its own `recv`.
  const offsets = LINES.flatMap((line, index) => {
    const channel = jsonObject(line).channel;
    return channel === "book" || channel === "trade" ? [recvOf(index) - recvOf(0)] : [];
  });
  const connection = new ConnectionFeed(feed);
  subscribeBooksAndTrades(connection, START);
  let played = 0;
  for (let now = START; !feed.finished; now += 20) {
    const due = feed.advance(now);
    for (const frame of due) {
      assert.equal(frame.offsetMs, offsets[played], `frame ${played}`);
      assert.ok(frame.offsetMs <= now - START);
      played++;
    }
    if (played < offsets.length) assert.ok(offsets[played] > now - START);
    assert.ok(now - START <= offsets.at(-1)! + 20, "the replay ran past its last frame");
  }
  assert.equal(played, BOOK_FRAMES + TRADE_FRAMES);
});

Deno.test("ReplayFeed: a late ticker subscriber gets the last recorded ticker as its snapshot", () => {
  const ticker = (last: string) =>
    `{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":63500.0,"bid_qty":0.10000000,"ask":63500.1,"ask_qty":1.00000000,"last":${last},"volume":12.00000000,"vwap":63400.0,"low":63000.0,"high":64000.0,"change":10.0,"change_pct":0.02,"timestamp":"2026-07-07T23:00:0${
      last.at(-1)
    }.000000Z"}]}`;
  const lines = [ticker("63500.1"), ticker("63500.2")];
  const feed = new ReplayFeed(rawFrames(lines), Infinity);
  assert.equal(feed.length, 2);
  const early = new ConnectionFeed(feed);
  early.receive(requestText("subscribe", { channel: "ticker", symbol: ["BTC/USD"] }), START);
  assert.deepEqual(
    early.step(feed.advance(START + 1), START + 1).map((frame) => frame.text),
    lines,
  );
  const late = new ConnectionFeed(feed);
  const frames = late.receive(
    requestText("subscribe", { channel: "ticker", symbol: ["BTC/USD"] }),
    START + 2,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "ticker"]);
  assert.equal(frames[1].text, lines[1].replace('"type":"update"', '"type":"snapshot"'));
  const message = decoded(frames[1].text);
  assert.ok(message.kind === "ticker" && message.type === "snapshot");
  if (message.kind === "ticker") assert.equal(message.data[0].lastText, "63500.2");
});

Deno.test("ReplayFeed: a book deeper than the recording is refused, not served a stream that fails", () => {
  const feed = new ReplayFeed(rawFrames(LINES), Infinity);
  const connection = new ConnectionFeed(feed);
  for (const depth of [25, 100, 500, 1000]) {
    const frames = connection.receive(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth }, depth),
      START,
    );
    assert.equal(frames.length, 1, `depth ${depth}`);
    const refused = jsonObject(frames[0].text);
    assert.equal(refused.error, "Subscription depth not supported");
    assert.equal(refused.success, false);
    assert.equal(refused.symbol, "BTC/USD");
    assert.equal(refused.req_id, depth);
  }
  assert.deepEqual(connection.subscriptions, []);
  // The recorded depth is served, and verifies.
  connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10 }),
    START,
  );
  const client = new VerifyingClient();
  client.take(connection.step(feed.advance(START), START), "depth 10");
  const btcBooks = recordedData().filter((item) =>
    item.text.startsWith('{"channel":"book"') && item.text.includes('"symbol":"BTC/USD"')
  );
  assert.equal(client.verified, btcBooks.length);
  assert.ok(btcBooks.length > 500);
});

Deno.test("ReplayFeed: book updates recorded before any snapshot are held back until one comes", () => {
  const btc = recordedData().map((item) => item.text).filter((text) =>
    text.startsWith('{"channel":"book"') && text.includes('"symbol":"BTC/USD"')
  );
  const [snapshot, ...updates] = btc;
  assert.equal(bookPayloadOf(snapshot).type, "snapshot");
  // A recording that starts in the middle of a stream: five updates with no snapshot before
  // them (copies of later ones), then the snapshot and its updates.
  const lines = [...updates.slice(0, 5), snapshot, ...updates];
  const feed = new ReplayFeed(rawFrames(lines), Infinity);
  const connection = new ConnectionFeed(feed);
  const replies = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }),
    START,
  );
  assert.deepEqual(replies.map((frame) => frame.kind), ["reply"], "no book to make a snapshot of");
  const client = new VerifyingClient();
  const forwarded = connection.step(feed.advance(START), START);
  assert.equal(forwarded[0].text, snapshot);
  client.take(forwarded, "after the snapshot");
  assert.equal(client.verified, btc.length);
});

Deno.test("ReplayFeed: a book shallower than the recording is refused too", () => {
  // A depth-25 recording, made by the simulated server.
  const server = marketConnection(new SimMarket(5));
  const recorded = server.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 25 }, 1),
    START,
  ).map((frame) => frame.text);
  const feed = new ReplayFeed(rawFrames(recorded), Infinity);
  assert.deepEqual(feed.subscriptions, [{ channel: "book", symbol: "BTC/USD", depth: 25 }]);
  const connection = new ConnectionFeed(feed);
  const [refused] = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10 }, 7),
    START,
  );
  assert.equal(jsonObject(refused.text).error, "Subscription depth not supported");
  const [accepted] = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 25 }, 8),
    START,
  );
  assert.equal(jsonObject(accepted.text).success, true);
});
