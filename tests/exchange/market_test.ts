import assert from "node:assert/strict";
import { formatUnits } from "../../src/exchange/fixed_units.ts";
import {
  DEFAULT_SIM_SYMBOLS,
  SIM_MAX_DEPTH,
  simLevel,
  SimMarket,
  type SimSymbol,
  type SimSymbolState,
  type SimTrade,
} from "../../src/exchange/market.ts";
import { fixedPointPattern } from "./helpers.ts";

const SEEDS = [1, 2, 3, 42, 20260707];
const STEPS = 600;
const STEP_MS = 250;

/** Everything observable about a market, as text: equal texts, equal markets. */
function marketPicture(market: SimMarket): string {
  const parts: string[] = [];
  for (const state of market.symbols) {
    parts.push(
      state.pair.symbol,
      state.bids.map((level) => `${level.priceText}:${level.qtyText}`).join(","),
      state.asks.map((level) => `${level.priceText}:${level.qtyText}`).join(","),
      String(state.lastTradeId),
      String(state.volumeLots),
      JSON.stringify(state.trades),
    );
  }
  return parts.join("\n");
}

/**
 * Both sides sorted best first with no repeated price, uncrossed, at most 1000 levels; with
 * `texts`, every level's text is also checked against its ticks and lots.
 */
function assertSaneBook(state: SimSymbolState, context: string, texts = true): void {
  const { bids, asks, pair } = state;
  assert.ok(bids.length > 0 && asks.length > 0, `${context}: a side is empty`);
  assert.ok(bids.length <= SIM_MAX_DEPTH, `${context}: ${bids.length} bids`);
  assert.ok(asks.length <= SIM_MAX_DEPTH, `${context}: ${asks.length} asks`);
  assert.ok(bids[0].ticks < asks[0].ticks, `${context}: crossed ${bids[0].ticks}/${asks[0].ticks}`);
  for (let i = 1; i < bids.length; i++) {
    if (!(bids[i].ticks < bids[i - 1].ticks)) assert.fail(`${context}: bids unsorted at ${i}`);
  }
  for (let i = 1; i < asks.length; i++) {
    if (!(asks[i].ticks > asks[i - 1].ticks)) assert.fail(`${context}: asks unsorted at ${i}`);
  }
  if (!texts) return;
  const pricePattern = fixedPointPattern(pair.pricePrecision);
  const qtyPattern = fixedPointPattern(pair.qtyPrecision);
  for (const level of [...bids, ...asks]) {
    assert.ok(level.ticks > 0 && Number.isSafeInteger(level.ticks), `${context}: ticks`);
    assert.ok(level.lots > 0 && Number.isSafeInteger(level.lots), `${context}: empty level`);
    assert.match(level.priceText, pricePattern, context);
    assert.match(level.qtyText, qtyPattern, context);
    assert.equal(level.priceText, formatUnits(level.ticks, pair.pricePrecision));
    assert.equal(level.qtyText, formatUnits(level.lots, pair.qtyPrecision));
    assert.equal(level.price, Number(level.priceText));
    assert.equal(level.qty, Number(level.qtyText));
  }
}

Deno.test("SimMarket: the same seed gives the same market, step after step", () => {
  for (const seed of SEEDS) {
    const first = new SimMarket(seed);
    const second = new SimMarket(seed);
    assert.equal(marketPicture(first), marketPicture(second));
    for (let step = 1; step <= 200; step++) {
      const now = step * STEP_MS;
      assert.deepEqual(first.step(now), second.step(now), `seed ${seed} step ${step}`);
    }
    assert.equal(marketPicture(first), marketPicture(second));
  }
});

Deno.test("SimMarket: different seeds give different markets", () => {
  const pictures = new Set(SEEDS.map((seed) => marketPicture(new SimMarket(seed))));
  assert.equal(pictures.size, SEEDS.length);
});

Deno.test("SimMarket: a new market has full books around each pair's price", () => {
  const market = new SimMarket(7);
  const symbols = [...market.symbols].map((state) => state.pair.symbol);
  assert.deepEqual(symbols, DEFAULT_SIM_SYMBOLS.map((pair) => pair.symbol));
  for (const state of market.symbols) {
    assert.equal(state.bids.length, SIM_MAX_DEPTH);
    assert.equal(state.asks.length, SIM_MAX_DEPTH);
    assertSaneBook(state, state.pair.symbol);
    const mid = state.pair.price * 10 ** state.pair.pricePrecision;
    assert.ok(state.bids[0].ticks < mid && state.asks[0].ticks > mid, state.pair.symbol);
    assert.deepEqual(state.trades, []);
    assert.equal(state.volumeLots, 0);
  }
});

Deno.test("SimMarket: books stay sorted, uncrossed and within 1000 levels a side, for every seed", () => {
  for (const seed of SEEDS) {
    const market = new SimMarket(seed);
    let bookChanges = 0;
    for (let step = 1; step <= STEPS; step++) {
      const changes = market.step(step * STEP_MS);
      bookChanges += changes.filter((change) => change.bookChanged).length;
      for (const state of market.symbols) {
        // Order every step; every level's text now and then (it is made once, with the level).
        assertSaneBook(state, `seed ${seed} step ${step} ${state.pair.symbol}`, step % 50 === 0);
      }
    }
    // The market does move: most steps change some book.
    assert.ok(bookChanges > STEPS, `seed ${seed}: only ${bookChanges} book changes`);
  }
});

Deno.test("SimMarket: trade ids are consecutive per symbol and every trade is reported once", () => {
  for (const seed of SEEDS) {
    const market = new SimMarket(seed);
    const lastIds = new Map<string, number>();
    const volumes = new Map<string, number>();
    for (const state of market.symbols) {
      lastIds.set(state.pair.symbol, state.lastTradeId);
      volumes.set(state.pair.symbol, 0);
    }
    let trades = 0;
    for (let step = 1; step <= STEPS; step++) {
      const now = step * STEP_MS;
      const changes = market.step(now);
      const reported = new Set<string>();
      for (const change of changes) {
        assert.ok(!reported.has(change.symbol), `${change.symbol} reported twice in one step`);
        reported.add(change.symbol);
        assert.ok(change.bookChanged || change.trades.length > 0, "an empty change");
        // Trades take liquidity: a step with trades changed the book.
        if (change.trades.length > 0) assert.ok(change.bookChanged);
        for (const trade of change.trades) {
          assert.equal(trade.tradeId, lastIds.get(change.symbol)! + 1, `seed ${seed}`);
          lastIds.set(change.symbol, trade.tradeId);
          assert.equal(trade.time, now);
          assert.ok(trade.lots > 0 && trade.ticks > 0);
          assert.ok(trade.side === "buy" || trade.side === "sell");
          assert.ok(trade.ordType === "limit" || trade.ordType === "market");
          volumes.set(change.symbol, volumes.get(change.symbol)! + trade.lots);
          trades++;
        }
      }
      for (const state of market.symbols) {
        assert.equal(state.lastTradeId, lastIds.get(state.pair.symbol));
        assert.equal(state.volumeLots, volumes.get(state.pair.symbol));
        assert.ok(state.trades.length <= 100, "the market keeps only recent trades");
        const recent: readonly SimTrade[] = state.trades;
        if (recent.length > 0) assert.equal(recent.at(-1)!.tradeId, state.lastTradeId);
        for (let i = 1; i < recent.length; i++) {
          assert.equal(recent[i].tradeId, recent[i - 1].tradeId + 1);
        }
      }
    }
    assert.ok(trades > 100, `seed ${seed}: only ${trades} trades`);
  }
});

Deno.test("SimMarket: an order fills from the top of the opposite side, walking away from it", () => {
  const market = new SimMarket(11);
  let orders = 0;
  for (let step = 1; step <= STEPS; step++) {
    const before = new Map<string, { bids: number[]; asks: number[] }>();
    for (const state of market.symbols) {
      before.set(state.pair.symbol, {
        bids: state.bids.slice(0, 4).map((level) => level.ticks),
        asks: state.asks.slice(0, 4).map((level) => level.ticks),
      });
    }
    for (const change of market.step(step * STEP_MS)) {
      if (change.trades.length === 0) continue;
      orders++;
      const [first] = change.trades;
      const old = before.get(change.symbol)!;
      assert.ok(change.trades.length <= 5, "one order fills at most 5 levels");
      for (let i = 0; i < change.trades.length; i++) {
        const trade = change.trades[i];
        assert.equal(trade.side, first.side);
        assert.equal(trade.ordType, first.ordType);
        // A buy fills at ask prices, above every bid; a sell at bid prices, below every ask.
        if (trade.side === "buy") assert.ok(trade.ticks > old.bids[0], change.symbol);
        else assert.ok(trade.ticks < old.asks[0], change.symbol);
        if (i === 0) continue;
        const previous = change.trades[i - 1];
        if (trade.side === "buy") assert.ok(trade.ticks > previous.ticks, "buy fills go up");
        else assert.ok(trade.ticks < previous.ticks, "sell fills go down");
      }
      // At most 3 moves come before the order: its first fill is within the old top 4 levels.
      if (first.side === "buy") assert.ok(first.ticks <= old.asks[3], change.symbol);
      else assert.ok(first.ticks >= old.bids[3], change.symbol);
    }
  }
  assert.ok(orders > 50, `only ${orders} orders`);
});

Deno.test("SimMarket: symbol() names the pair, and refuses unknown ones with a RangeError", () => {
  const market = new SimMarket(3);
  assert.equal(market.symbol("ETH/USD").pair.pricePrecision, 2);
  assert.ok(market.has("BTC/USD"));
  assert.ok(!market.has("XBT/USD"));
  assert.throws(() => market.symbol("XBT/USD"), RangeError);
});

Deno.test("SimMarket: custom pairs get their own precision in every level", () => {
  const pairs: SimSymbol[] = [
    { symbol: "MINA/GBP", price: 0.4321, pricePrecision: 4, qtyPrecision: 3 },
    { symbol: "WHOLE/USD", price: 2000, pricePrecision: 0, qtyPrecision: 0 },
  ];
  const market = new SimMarket(5, pairs);
  assert.deepEqual([...market.symbols].map((state) => state.pair.symbol), [
    "MINA/GBP",
    "WHOLE/USD",
  ]);
  for (let step = 1; step <= 300; step++) {
    market.step(step * STEP_MS);
    for (const state of market.symbols) {
      assertSaneBook(state, `step ${step} ${state.pair.symbol}`, step % 30 === 0);
    }
  }
});

Deno.test("simLevel: the level's text is the pair's fixed-point text of its ticks and lots", () => {
  const btc = DEFAULT_SIM_SYMBOLS[0];
  assert.deepEqual(simLevel(634980, 100000, btc), {
    ticks: 634980,
    lots: 100000,
    priceText: "63498.0",
    qtyText: "0.00100000",
    price: 63498,
    qty: 0.001,
  });
  assert.equal(simLevel(634980, 0, btc).qtyText, "0.00000000");
  assert.equal(simLevel(634980, 0, btc).qty, 0);
});
