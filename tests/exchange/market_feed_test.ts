import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import { type SimChange, SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed, MarketView } from "../../src/exchange/market_feed.ts";
import { bookPayloadOf, decoded, levelTexts, requestText } from "./helpers.ts";

const START = Date.UTC(2026, 6, 7, 23, 0, 0);
const STEP_MS = 250;

Deno.test("MarketFeed: advance is one step of its market, reproducible from the seed", () => {
  const feed = new MarketFeed(new SimMarket(31));
  const twin = new SimMarket(31);
  for (let step = 1; step <= 300; step++) {
    const now = START + step * STEP_MS;
    assert.deepEqual(feed.advance(now), twin.step(now), `step ${step}`);
  }
  assert.equal(
    feed.market.symbol("BTC/USD").bids[0].priceText,
    twin.symbol("BTC/USD").bids[0].priceText,
  );
});

Deno.test("MarketFeed: a connection on it gets the frames of the feed's own market", () => {
  const feed = new MarketFeed(new SimMarket(2));
  assert.ok(feed.view() instanceof MarketView);
  const connection = new ConnectionFeed(feed);
  assert.deepEqual(connection.subscriptions, []);
  assert.equal(decoded(connection.status(START).text).kind, "status");
  // Nothing subscribed: market moves make no frames.
  assert.deepEqual(connection.step(feed.advance(START + STEP_MS), START + STEP_MS), []);
  const frames = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["SOL/USD"] }, 1),
    START + STEP_MS,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "book"]);
  const { payload } = bookPayloadOf(frames[1].text);
  const truth = feed.market.symbol("SOL/USD");
  assert.deepEqual(levelTexts(payload.bids), levelTexts(truth.bids.slice(0, 10)));
  assert.deepEqual(levelTexts(payload.asks), levelTexts(truth.asks.slice(0, 10)));
});

Deno.test("MarketFeed: every connection sees one market; each gets the frames of its own subscriptions", () => {
  const feed = new MarketFeed(new SimMarket(19));
  const early = new ConnectionFeed(feed);
  const other = new ConnectionFeed(feed);
  const [, earlySnapshot] = early.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }),
    START,
  );
  const [, otherSnapshot] = other.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }),
    START,
  );
  assert.equal(otherSnapshot.text, earlySnapshot.text);
  other.receive(requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"] }), START);
  const earlyBook = new OrderBook("BTC/USD", 10);
  const lateBook = new OrderBook("BTC/USD", 10);
  const first = bookPayloadOf(earlySnapshot.text);
  assert.equal(earlyBook.apply(first.type, first.payload).status, "ok");
  let late: ConnectionFeed<readonly SimChange[]> | undefined;
  let trades = 0;
  for (let step = 1; step <= 300; step++) {
    const now = START + step * STEP_MS;
    if (step === 150) {
      late = new ConnectionFeed(feed);
      const [, snapshot] = late.receive(
        requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }),
        now,
      );
      const { type, payload } = bookPayloadOf(snapshot.text);
      assert.equal(lateBook.apply(type, payload).status, "ok");
      // The late connection starts where the early one stands.
      assert.deepEqual(levelTexts(lateBook.bids()), levelTexts(earlyBook.bids()));
      assert.deepEqual(levelTexts(lateBook.asks()), levelTexts(earlyBook.asks()));
    }
    // One advance per moment, given to every connection.
    const changes = feed.advance(now);
    const earlyFrames = early.step(changes, now);
    const otherFrames = other.step(changes, now);
    // The same subscription on the same market gives the same text.
    assert.deepEqual(
      otherFrames.filter((frame) => frame.kind === "book").map((frame) => frame.text),
      earlyFrames.map((frame) => frame.text),
    );
    trades += otherFrames.filter((frame) => frame.kind === "trade").length;
    assert.ok(earlyFrames.every((frame) => frame.kind === "book"));
    for (const frame of earlyFrames) {
      const { type, payload } = bookPayloadOf(frame.text);
      assert.equal(earlyBook.apply(type, payload).status, "ok");
    }
    for (const frame of late?.step(changes, now) ?? []) {
      const { type, payload } = bookPayloadOf(frame.text);
      assert.equal(lateBook.apply(type, payload).status, "ok");
      assert.deepEqual(levelTexts(lateBook.bids()), levelTexts(earlyBook.bids()));
      assert.deepEqual(levelTexts(lateBook.asks()), levelTexts(earlyBook.asks()));
    }
  }
  assert.ok(trades > 0);
});
