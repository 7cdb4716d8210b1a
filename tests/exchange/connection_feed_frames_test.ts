import assert from "node:assert/strict";
import { bookChecksum } from "../../src/book/checksum.ts";
import { BOOK_DEPTHS, type BookDepth, OrderBook } from "../../src/book/order_book.ts";
import { OHLC_INTERVALS } from "../../src/core/subscription.ts";
import type { Candle, Trade } from "../../src/protocol/messages.ts";
import { formatUnits } from "../../src/exchange/fixed_units.ts";
import { DEFAULT_SIM_SYMBOLS, SimMarket, type SimSymbol } from "../../src/exchange/market.ts";
import type { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import type { SimFrame } from "../../src/exchange/feed.ts";
import { krakenTime } from "../../src/exchange/frames.ts";
import {
  assertPrintedAt,
  bookPayloadOf,
  decoded,
  levelTexts,
  marketConnection,
  requestText,
  RFC3339_MICROSECONDS,
  unitsOf,
} from "./helpers.ts";

const SEEDS = [1, 2, 3, 42, 20260707];
const STEPS = 400;
const STEP_MS = 250;
const START = Date.UTC(2026, 6, 7, 23, 0, 0);
const SYMBOLS = DEFAULT_SIM_SYMBOLS.map((pair) => pair.symbol);

function pairOf(symbol: string): SimSymbol {
  const pair = DEFAULT_SIM_SYMBOLS.find((known) => known.symbol === symbol);
  assert.ok(pair !== undefined, symbol);
  return pair;
}

/** One connection subscribed to `params` for every default symbol. */
function subscribed(
  market: SimMarket,
  params: Readonly<Record<string, unknown>>,
  now: number,
): { connection: ConnectionFeed; frames: SimFrame[] } {
  const connection = marketConnection(market);
  const frames = connection.receive(
    requestText("subscribe", { ...params, symbol: SYMBOLS }, 1),
    now,
  );
  const refused = frames.filter((frame) =>
    frame.kind === "reply" && frame.text.includes('"error"')
  );
  assert.deepEqual(refused, []);
  return { connection, frames };
}

/** A client's books at one depth, fed every book frame of its connection. */
class BookClient {
  readonly depth: BookDepth;
  readonly books = new Map<string, OrderBook>();
  readonly applied = new Map<string, { snapshots: number; updates: number; deletes: number }>();

  constructor(depth: BookDepth) {
    this.depth = depth;
    for (const symbol of SYMBOLS) {
      this.books.set(symbol, new OrderBook(symbol, depth));
      this.applied.set(symbol, { snapshots: 0, updates: 0, deletes: 0 });
    }
  }

  /** Applies one frame and checks it against the SDK's book, the oracle and the market's truth. */
  apply(frame: SimFrame, market: SimMarket, context: string): void {
    assert.equal(frame.kind, "book", context);
    const oracle = frame.book;
    assert.ok(oracle !== undefined && frame.symbol !== undefined, context);
    assert.equal(oracle.depth, this.depth);
    const { type, payload } = bookPayloadOf(frame.text);
    assert.equal(payload.symbol, frame.symbol);
    assert.equal(type === "snapshot", oracle.snapshot, context);
    assert.equal(payload.checksum, oracle.checksum, context);
    assert.match(payload.timestamp ?? "", RFC3339_MICROSECONDS);
    // The wire text: every price and quantity at the pair's precision, trailing zeros kept.
    const pair = pairOf(frame.symbol);
    const prices = assertPrintedAt(frame.text, "price", pair.pricePrecision);
    const quantities = assertPrintedAt(frame.text, "qty", pair.qtyPrecision);
    assert.equal(prices, payload.bids.length + payload.asks.length);
    assert.equal(quantities, prices);
    if (type === "update") {
      assert.ok(payload.bids.length + payload.asks.length > 0, `${context}: an empty update`);
    }
    // A delete is for a level that left the market, never for one that sank below the depth.
    const truth = market.symbol(frame.symbol);
    const counts = this.applied.get(frame.symbol)!;
    for (
      const [levels, side] of [[payload.bids, truth.bids], [payload.asks, truth.asks]] as const
    ) {
      for (const level of levels) {
        if (level.qty !== 0) continue;
        counts.deletes++;
        assert.ok(type === "update", `${context}: a zero level in a snapshot`);
        assert.ok(
          !side.some((kept) => kept.priceText === level.priceText),
          `${context}: delete of ${level.priceText}, which is still in the market`,
        );
      }
    }
    const book = this.books.get(frame.symbol)!;
    const verdict = book.apply(type, payload);
    assert.deepEqual(verdict, { status: "ok", checksum: payload.checksum }, context);
    if (type === "snapshot") counts.snapshots++;
    else counts.updates++;
    // The SDK's book equals the oracle view, which is the top `depth` of the truth.
    const bids = levelTexts(book.bids());
    const asks = levelTexts(book.asks());
    assert.deepEqual(bids, levelTexts(oracle.bids), `${context}: bids differ from the oracle`);
    assert.deepEqual(asks, levelTexts(oracle.asks), `${context}: asks differ from the oracle`);
    assert.deepEqual(
      bids,
      levelTexts(truth.bids.slice(0, this.depth)),
      `${context}: bids vs truth`,
    );
    assert.deepEqual(
      asks,
      levelTexts(truth.asks.slice(0, this.depth)),
      `${context}: asks vs truth`,
    );
    assert.equal(payload.checksum, bookChecksum(truth.asks, truth.bids), context);
    const bestBid = book.bestBid();
    const bestAsk = book.bestAsk();
    assert.ok(bestBid !== undefined && bestAsk !== undefined);
    assert.ok(bestBid.price < bestAsk.price, `${context}: crossed`);
  }
}

Deno.test("ConnectionFeed book: every frame at every depth verifies, is uncrossed and equals the oracle", () => {
  for (const seed of SEEDS) {
    const market = new SimMarket(seed);
    const connections = BOOK_DEPTHS.map((depth) => {
      const client = new BookClient(depth);
      const { connection, frames } = subscribed(market, { channel: "book", depth }, START);
      for (const frame of frames.filter((frame) => frame.kind === "book")) {
        client.apply(frame, market, `seed ${seed} depth ${depth} snapshot`);
      }
      return { client, connection };
    });
    for (let step = 1; step <= STEPS; step++) {
      const now = START + step * STEP_MS;
      const changes = market.step(now);
      for (const { client, connection } of connections) {
        const frames = connection.step(changes, now);
        const bookChanged = changes.filter((change) => change.bookChanged).length;
        assert.ok(frames.length <= bookChanged, "at most one frame per symbol and step");
        for (const frame of frames) {
          client.apply(frame, market, `seed ${seed} depth ${client.depth} step ${step}`);
        }
      }
    }
    for (const { client } of connections) {
      for (const [symbol, counts] of client.applied) {
        assert.equal(counts.snapshots, 1, `${symbol} at ${client.depth}`);
        assert.ok(
          counts.updates > STEPS / 4,
          `seed ${seed} ${symbol} at ${client.depth}: few updates`,
        );
      }
      const deletes = [...client.applied.values()].reduce((sum, counts) => sum + counts.deletes, 0);
      assert.ok(deletes > 0, `seed ${seed} at ${client.depth}: no deletes were exercised`);
    }
  }
});

Deno.test("ConnectionFeed book: a late subscriber's snapshot is the truth at that moment, and stays in step", () => {
  const market = new SimMarket(77);
  for (let step = 1; step <= 200; step++) market.step(START + step * STEP_MS);
  const client = new BookClient(25);
  const { connection, frames } = subscribed(market, { channel: "book", depth: 25 }, START + 50_001);
  assert.equal(frames.filter((frame) => frame.kind === "book").length, SYMBOLS.length);
  for (const frame of frames.filter((frame) => frame.kind === "book")) {
    client.apply(frame, market, "late snapshot");
  }
  for (let step = 201; step <= 400; step++) {
    const now = START + step * STEP_MS;
    for (const frame of connection.step(market.step(now), now)) {
      client.apply(frame, market, `step ${step}`);
    }
  }
});

Deno.test("ConnectionFeed book: subscribed without a snapshot, updates still follow the truth", () => {
  const market = new SimMarket(8);
  const { connection, frames } = subscribed(
    market,
    { channel: "book", depth: 10, snapshot: false },
    START,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), SYMBOLS.map(() => "reply"));
  let updates = 0;
  for (let step = 1; step <= 100; step++) {
    const now = START + step * STEP_MS;
    for (const frame of connection.step(market.step(now), now)) {
      const { type, payload } = bookPayloadOf(frame.text);
      assert.equal(type, "update");
      const truth = market.symbol(payload.symbol);
      assert.equal(payload.checksum, bookChecksum(truth.asks, truth.bids));
      updates++;
    }
  }
  assert.ok(updates > 50);
});

Deno.test("ConnectionFeed trade: one frame per symbol and step with trades, ids consecutive across frames", () => {
  for (const seed of SEEDS) {
    const market = new SimMarket(seed);
    const { connection, frames } = subscribed(market, { channel: "trade" }, START);
    assert.equal(frames.filter((frame) => frame.kind === "trade").length, 0, "no snapshot");
    const lastIds = new Map(SYMBOLS.map((symbol) => [symbol, market.symbol(symbol).lastTradeId]));
    let trades = 0;
    for (let step = 1; step <= STEPS; step++) {
      const now = START + step * STEP_MS;
      const changes = market.step(now);
      const out = connection.step(changes, now);
      const traded = changes.filter((change) => change.trades.length > 0);
      assert.deepEqual(out.map((frame) => frame.symbol), traded.map((change) => change.symbol));
      for (const [index, frame] of out.entries()) {
        assert.equal(frame.kind, "trade");
        const message = decoded(frame.text);
        assert.equal(message.kind, "trade");
        if (message.kind !== "trade") continue;
        assert.equal(message.type, "update");
        const pair = pairOf(frame.symbol!);
        assertPrintedAt(frame.text, "price", pair.pricePrecision);
        assertPrintedAt(frame.text, "qty", pair.qtyPrecision);
        const expected = traded[index].trades;
        assert.deepEqual(frame.tradeIds, expected.map((trade) => trade.tradeId));
        for (const [i, trade] of message.data.entries()) {
          const truth = expected[i];
          assert.equal(trade.symbol, frame.symbol);
          assert.equal(trade.tradeId, lastIds.get(trade.symbol)! + 1, `seed ${seed}: a gap`);
          lastIds.set(trade.symbol, trade.tradeId);
          assert.equal(trade.side, truth.side);
          assert.equal(trade.ordType, truth.ordType);
          assert.equal(trade.priceText, formatUnits(truth.ticks, pair.pricePrecision));
          assert.equal(trade.qtyText, formatUnits(truth.lots, pair.qtyPrecision));
          assert.equal(trade.timestamp, krakenTime(now));
          trades++;
        }
      }
    }
    assert.ok(trades > 100, `seed ${seed}: ${trades} trades`);
  }
});

/** The best bid and ask, price and quantity: what a `bbo` ticker reports. */
function bboOf(market: SimMarket, symbol: string): string {
  const state = market.symbol(symbol);
  return `${state.bids[0].priceText} ${state.bids[0].qtyText} ${state.asks[0].priceText} ${
    state.asks[0].qtyText
  }`;
}

Deno.test("ConnectionFeed ticker: `bbo` fires exactly when the best bid or ask changed, `trades` on trades", () => {
  for (const seed of SEEDS) {
    const market = new SimMarket(seed);
    const bbo = subscribed(market, { channel: "ticker", event_trigger: "bbo" }, START);
    const onTrades = subscribed(market, { channel: "ticker" }, START);
    const quiet = subscribed(
      market,
      { channel: "ticker", event_trigger: "bbo", snapshot: false },
      START,
    );
    for (const { frames } of [bbo, onTrades]) {
      assert.equal(frames.filter((frame) => frame.kind === "ticker").length, SYMBOLS.length);
    }
    let bboFired = 0;
    let bboQuiet = 0;
    for (let step = 1; step <= STEPS; step++) {
      const now = START + step * STEP_MS;
      const before = new Map(SYMBOLS.map((symbol) => [symbol, bboOf(market, symbol)]));
      const changes = market.step(now);
      const moved = SYMBOLS.filter((symbol) => bboOf(market, symbol) !== before.get(symbol));
      const traded = SYMBOLS.filter((symbol) =>
        changes.some((change) => change.symbol === symbol && change.trades.length > 0)
      );
      const bboFrames = bbo.connection.step(changes, now);
      const quietFrames = quiet.connection.step(changes, now);
      const tradeFrames = onTrades.connection.step(changes, now);
      assert.deepEqual(
        bboFrames.map((frame) => frame.symbol).sort(),
        [...moved].sort(),
        `step ${step}`,
      );
      assert.deepEqual(quietFrames.map((frame) => frame.symbol).sort(), [...moved].sort());
      assert.deepEqual(tradeFrames.map((frame) => frame.symbol).sort(), [...traded].sort());
      bboFired += bboFrames.length;
      bboQuiet += SYMBOLS.length - moved.length;
      for (const frame of [...bboFrames, ...tradeFrames]) {
        const message = decoded(frame.text);
        assert.equal(message.kind, "ticker");
        if (message.kind !== "ticker") continue;
        assert.equal(message.type, "update");
        const [ticker] = message.data;
        const state = market.symbol(ticker.symbol);
        const pair = state.pair;
        assert.equal(
          `${ticker.bidText} ${ticker.bidQtyText} ${ticker.askText} ${ticker.askQtyText}`,
          bboOf(market, ticker.symbol),
        );
        const lastTrade = state.trades.at(-1);
        if (lastTrade !== undefined) {
          assert.equal(ticker.lastText, formatUnits(lastTrade.ticks, pair.pricePrecision));
        }
        assert.equal(ticker.volumeText, formatUnits(state.volumeLots, pair.qtyPrecision));
        assert.ok(ticker.low <= ticker.last && ticker.last <= ticker.high);
        for (const field of ["bid", "ask", "last", "vwap", "low", "high"]) {
          assertPrintedAt(frame.text, field, pair.pricePrecision);
        }
        for (const field of ["bid_qty", "ask_qty", "volume"]) {
          assertPrintedAt(frame.text, field, pair.qtyPrecision);
        }
        assert.match(ticker.changePctText, /^-?[0-9]+\.[0-9]{2}$/);
        assert.equal(ticker.timestamp, krakenTime(now));
      }
    }
    // Both outcomes were exercised.
    assert.ok(bboFired > 50 && bboQuiet > 50, `seed ${seed}: ${bboFired} fired, ${bboQuiet} quiet`);
  }
});

/** A candle's values as ticks and lots, from its wire text. */
function candleUnits(candle: Candle): {
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number;
  trades: number;
  volume: number;
} {
  return {
    open: unitsOf(candle.openText),
    high: unitsOf(candle.highText),
    low: unitsOf(candle.lowText),
    close: unitsOf(candle.closeText),
    vwap: unitsOf(candle.vwapText),
    trades: candle.trades,
    volume: unitsOf(candle.volumeText),
  };
}

/** Kraken's `interval_begin`: RFC 3339 with nine fractional digits. */
function intervalBeginMs(text: string): number {
  assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000000Z$/);
  return Date.parse(`${text.slice(0, 23)}Z`);
}

Deno.test("ConnectionFeed ohlc: every Kraken interval, aligned, with open/high/low/close/volume of its trades", () => {
  for (const interval of OHLC_INTERVALS) {
    for (const seed of [1, 42]) {
      const span = interval * 60_000;
      // 40 steps an interval: candles roll over about ten times.
      const stepMs = span / 40;
      const market = new SimMarket(seed);
      const trades = subscribed(market, { channel: "trade" }, START);
      const ohlc = subscribed(market, { channel: "ohlc", interval }, START);
      const snapshots = ohlc.frames.filter((frame) => frame.kind === "ohlc");
      assert.equal(snapshots.length, SYMBOLS.length);
      for (const frame of snapshots) {
        const message = decoded(frame.text);
        assert.ok(message.kind === "ohlc" && message.type === "snapshot");
        const begin = intervalBeginMs(message.data[0].intervalBegin);
        assert.equal(begin % span, 0, `interval ${interval}: begin not aligned`);
        assert.ok(begin <= START && START < begin + span);
      }
      /** Trades of the current candle of each symbol, by interval start. */
      const seen = new Map<string, { begin: number; trades: Trade[] }>();
      let rollovers = 0;
      for (let step = 1; step <= 400; step++) {
        const now = START + step * stepMs;
        const changes = market.step(now);
        const stepTrades = trades.connection.step(changes, now).flatMap((frame) => {
          const message = decoded(frame.text);
          return message.kind === "trade" ? message.data : [];
        });
        const frames = ohlc.connection.step(changes, now);
        const traded = changes.filter((change) => change.trades.length > 0);
        assert.deepEqual(
          frames.map((frame) => frame.symbol),
          traded.map((change) => change.symbol),
        );
        for (const frame of frames) {
          const message = decoded(frame.text);
          assert.equal(message.kind, "ohlc");
          if (message.kind !== "ohlc") continue;
          assert.equal(message.type, "update");
          const [candle] = message.data;
          const pair = pairOf(candle.symbol);
          for (const field of ["open", "high", "low", "close", "vwap"]) {
            assertPrintedAt(frame.text, field, pair.pricePrecision);
          }
          assertPrintedAt(frame.text, "volume", pair.qtyPrecision);
          assert.equal(candle.interval, interval);
          const begin = intervalBeginMs(candle.intervalBegin);
          assert.equal(begin % span, 0, `interval ${interval}: begin not aligned`);
          assert.ok(begin <= now && now < begin + span, `interval ${interval}: wrong interval`);
          assert.equal(
            candle.timestamp,
            krakenTime(begin + span),
            "timestamp is the interval's end",
          );
          const symbolTrades = stepTrades.filter((trade) => trade.symbol === candle.symbol);
          const current = seen.get(candle.symbol);
          if (current === undefined || current.begin !== begin) {
            if (current !== undefined) rollovers++;
            seen.set(candle.symbol, { begin, trades: [...symbolTrades] });
          } else current.trades.push(...symbolTrades);
          const inCandle = seen.get(candle.symbol)!.trades;
          const prices = inCandle.map((trade) => unitsOf(trade.priceText));
          const lots = inCandle.map((trade) => unitsOf(trade.qtyText));
          const got = candleUnits(candle);
          const context = `interval ${interval} seed ${seed} ${candle.symbol} step ${step}`;
          assert.equal(got.close, prices.at(-1), `${context}: close`);
          assert.equal(
            got.volume,
            lots.reduce((sum, value) => sum + value, 0),
            `${context}: volume`,
          );
          assert.equal(got.trades, inCandle.length, `${context}: trade count`);
          const notional = prices.reduce((sum, price, i) => sum + price * lots[i], 0);
          assert.equal(got.vwap, Math.round(notional / got.volume), `${context}: vwap`);
          if (begin <= START) {
            // The candle under way when the client subscribed: its earlier part is not known here.
            assert.ok(got.high >= Math.max(...prices) && got.low <= Math.min(...prices), context);
          } else {
            assert.equal(got.open, prices[0], `${context}: open is the interval's first trade`);
            assert.equal(got.high, Math.max(...prices), `${context}: high`);
            assert.equal(got.low, Math.min(...prices), `${context}: low`);
          }
        }
      }
      assert.ok(rollovers >= 8, `interval ${interval} seed ${seed}: ${rollovers} rollovers`);
    }
  }
});

Deno.test("ConnectionFeed ohlc: two intervals of one symbol are two subscriptions", () => {
  const market = new SimMarket(2);
  const connection = marketConnection(market);
  for (const interval of [1, 5]) {
    const frames = connection.receive(
      requestText("subscribe", { channel: "ohlc", symbol: ["BTC/USD"], interval }),
      START,
    );
    assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "ohlc"]);
  }
  const again = connection.receive(
    requestText("subscribe", { channel: "ohlc", symbol: ["BTC/USD"], interval: 5 }),
    START,
  );
  assert.equal(decoded(again[0].text).kind, "rejection");
  let both = 0;
  for (let step = 1; step <= 100; step++) {
    const now = START + step * STEP_MS;
    const intervals = connection.step(market.step(now), now).map((frame) => {
      const message = decoded(frame.text);
      return message.kind === "ohlc" ? message.data[0].interval : 0;
    });
    if (intervals.length > 0) {
      assert.deepEqual(intervals, [1, 5]);
      both++;
    }
  }
  assert.ok(both > 0);
});

Deno.test("ConnectionFeed ohlc and ticker: subscribed without a snapshot, updates still come", () => {
  const market = new SimMarket(6);
  const ohlc = subscribed(market, { channel: "ohlc", interval: 5, snapshot: false }, START);
  const ticker = subscribed(market, { channel: "ticker", snapshot: false }, START);
  assert.ok([...ohlc.frames, ...ticker.frames].every((frame) => frame.kind === "reply"));
  const kinds = new Set<string>();
  for (let step = 1; step <= 100; step++) {
    const now = START + step * STEP_MS;
    const changes = market.step(now);
    for (
      const frame of [
        ...ohlc.connection.step(changes, now),
        ...ticker.connection.step(changes, now),
      ]
    ) {
      kinds.add(decoded(frame.text).kind);
    }
  }
  assert.deepEqual([...kinds].sort(), ["ohlc", "ticker"]);
});

Deno.test("ConnectionFeed: frames only for the symbols and channels subscribed", () => {
  const market = new SimMarket(12);
  const connection = marketConnection(market);
  connection.receive(requestText("subscribe", { channel: "book", symbol: ["ETH/USD"] }), START);
  connection.receive(requestText("subscribe", { channel: "trade", symbol: ["XRP/USD"] }), START);
  const kinds = new Set<string>();
  for (let step = 1; step <= 300; step++) {
    const now = START + step * STEP_MS;
    for (const frame of connection.step(market.step(now), now)) {
      kinds.add(`${frame.kind} ${frame.symbol}`);
    }
  }
  assert.deepEqual([...kinds].sort(), ["book ETH/USD", "trade XRP/USD"]);
});
