import assert from "node:assert/strict";
import { MarketView } from "../../src/cli/market_view.ts";
import { renderSummary, renderView } from "../../src/cli/render_view.ts";
import { EventScript, ladder, stripAnsi, visibleWidth } from "./view_events.ts";

/** A view of one pair, live and verified, with one trade. */
function onePair(): MarketView {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD"], startedAt: 0 });
  view.apply(script.connection("idle", "connecting", "subscribe"));
  view.apply(script.connection("connecting", "open", "opened"));
  view.apply(script.connection("open", "live", "frame"));
  view.apply(script.subscription("book", "BTC/USD", "awaiting_snapshot", "synced", "snapshot"));
  view.apply(script.subscription("trade", "BTC/USD", "pending", "synced", "acknowledged"));
  view.apply(script.book(
    "BTC/USD",
    [["99.5", "1.00000000"], ["98.5", "0.25000000"]],
    [["100.5", "2.00000000"], ["101.0", "12.50000000"]],
  ));
  script.time = 2500;
  view.apply(script.trade("BTC/USD", 7, "sell", "99.5", "0.01000000"));
  view.frame("{}", 0);
  return view;
}

/** Three pairs: one verified, one resyncing after a checksum gap, one not yet subscribed. */
function threePairs(): MarketView {
  const script = new EventScript();
  const view = new MarketView({ symbols: ["BTC/USD", "ETH/USD", "SOL/USD"], startedAt: 0 });
  view.apply(script.connection("idle", "connecting", "subscribe"));
  view.apply(script.connection("connecting", "open", "opened"));
  view.apply(script.connection("open", "live", "frame"));
  for (const [symbol, best] of [["BTC/USD", 45283.5], ["ETH/USD", 2000.5]] as const) {
    view.apply(script.subscription("book", symbol, "awaiting_snapshot", "synced", "snapshot"));
    view.apply(
      script.book(symbol, ladder(best, -1, 10, 1, "0.10000000"), ladder(best + 1.7, 1, 10)),
    );
    for (let id = 1; id <= 6; id++) view.apply(script.trade(symbol, id, id % 2 ? "buy" : "sell"));
  }
  script.time = 3000;
  view.apply(
    script.gap({
      reason: "checksum",
      channel: "book",
      symbol: "ETH/USD",
      expected: 1,
      computed: 2,
    }),
  );
  view.apply(script.subscription("book", "ETH/USD", "synced", "resyncing", "mismatch", 1));
  script.time = 4000;
  view.apply(script.connection("live", "backoff", "close 1006"));
  return view;
}

Deno.test("render: one pair, exactly", () => {
  const lines = renderView(onePair(), {
    width: 60,
    height: 20,
    now: 65_000,
    title: "kraken-ws watch",
  });
  assert.deepEqual(lines, [
    "kraken-ws watch  live  01:05",
    "frames 1  books 1  trades 1  gaps 0  resyncs 0  reconnects 0",
    "decode errors 0",
    "",
    "BTC/USD  verified",
    "bid 99.5  ask 100.5  spread 1.0",
    "        qty   bid │ ask   qty",
    " 1.00000000  99.5 │ 100.5 2.00000000",
    " 0.25000000  98.5 │ 101.0 12.50000000",
    "last trades",
    "12:34:56 sell 0.01000000 @ 99.5",
    "",
    "recent events",
    "   +0.0s  connection idle -> connecting (subscribe)",
    "   +0.0s  connection connecting -> open (opened)",
    "   +0.0s  connection open -> live (frame)",
    "   +0.0s  book BTC/USD awaiting_snapshot -> synced (snapsho…",
    "   +0.0s  trade BTC/USD pending -> synced (acknowledged)",
  ]);
});

Deno.test("render: colour marks bids green, asks red, trouble yellow, and adds no width", () => {
  const view = threePairs();
  const plain = renderView(view, { width: 140, height: 40, now: 5000 });
  const colored = renderView(view, { width: 140, height: 40, now: 5000, color: true });
  assert.deepEqual(colored.map(stripAnsi), plain);
  assert.ok(plain.every((line) => !line.includes("\x1b")), "no escape codes without colour");
  const screen = colored.join("\n");
  assert.ok(screen.includes("\x1b[32m45283.5\x1b[0m"), "best bid in green");
  assert.ok(screen.includes("\x1b[31m45285.2\x1b[0m"), "best ask in red");
  assert.ok(screen.includes("\x1b[33mresyncing #1 (mismatch)\x1b[0m"), "a resync in yellow");
  assert.ok(screen.includes("\x1b[33mbackoff\x1b[0m"), "the connection's trouble in yellow");
  assert.ok(screen.includes("\x1b[2m2000.5\x1b[0m"), "levels of a resyncing book are dimmed");
  for (const line of colored) assert.ok(visibleWidth(line) <= 140);
});

Deno.test("render: overflows show, in yellow, once a stream fell behind", () => {
  const view = onePair();
  const before = renderView(view, { width: 60, height: 20, now: 65_000 }).join("\n");
  assert.ok(!before.includes("overflows"), "not while there are none");
  view.overflow({ type: "gap", reason: "overflow", channel: "book", dropped: 4, seq: 99, time: 0 });
  const screen = renderView(view, { width: 60, height: 20, now: 65_000, color: true });
  assert.ok(screen.join("\n").includes("\x1b[33moverflows 1\x1b[0m"), screen.join("\n"));
});

Deno.test("render: three pairs side by side when they fit, stacked when not", () => {
  const view = threePairs();
  const wide = renderView(view, { width: 140, height: 40, now: 5000 });
  const titles = wide.find((line) => line.startsWith("BTC/USD"));
  assert.ok(titles?.includes("ETH/USD  resyncing #1 (mismatch)"), titles);
  assert.ok(titles?.includes("SOL/USD  subscribing"), titles);
  assert.ok(wide.some((line) => line.includes("0.10000000 45283.5 │ 45285.2 1.00000000")));
  assert.ok(wide[0].includes("backoff (close 1006)"));
  assert.ok(wide.some((line) => line.includes("gaps 1 (checksum 1)")));
  assert.ok(
    wide.some((line) => line.endsWith("gap checksum book ETH/USD: expected 1, computed 2")),
  );

  const narrow = renderView(view, { width: 50, height: 60, now: 5000 });
  const starts = ["BTC/USD", "ETH/USD", "SOL/USD"].map((symbol) =>
    narrow.findIndex((line) => line.startsWith(symbol))
  );
  assert.ok(starts.every((index) => index > 0), "each pair on its own rows");
  assert.deepEqual([...starts].sort((a, b) => a - b), starts, "in the order given");
  // Column names and 10 levels for each book; column names alone for the one not yet in.
  assert.equal(narrow.filter((line) => line.includes("│")).length, 11 + 11 + 1);
  for (const line of narrow) assert.ok(visibleWidth(line) <= 50, line);
});

Deno.test("render: a narrow terminal shows prices only; a tiny one is cut, never overflowed", () => {
  const view = threePairs();
  const narrow = renderView(view, { width: 28, height: 60, now: 5000 });
  assert.ok(narrow.includes("45283.5 │ 45285.2"), narrow.join("\n"));
  assert.ok(!narrow.some((line) => line.includes("│") && line.includes("0.10000000")));
  for (const line of narrow) assert.ok(visibleWidth(line) <= 28, line);

  const short = renderView(view, { width: 140, height: 16, now: 5000 });
  assert.ok(short.length <= 16);
  assert.ok(short.some((line) => line.includes("45283.5 │ 45285.2")), "levels survive");
  assert.ok(short.some((line) => line.includes("connection live -> backoff")), "so does the log");

  for (const width of [1, 2, 5, 13, 29, 41, 57, 80, 119, 160]) {
    for (const height of [1, 3, 7, 12, 24, 50]) {
      const lines = renderView(view, { width, height, now: 5000, color: true });
      assert.ok(lines.length <= height, `${width}x${height}: ${lines.length} lines`);
      for (const line of lines) {
        assert.ok(visibleWidth(line) <= width, `${width}x${height}: ${JSON.stringify(line)}`);
      }
    }
  }
});

Deno.test("render: the summary says how long, why it ended, every counter and each pair", () => {
  const view = threePairs();
  view.frame("{}", 0);
  const summary = { ...view.summary(20_000), ended: "seconds" };
  assert.deepEqual(renderSummary(summary, { title: "watch" }), [
    "watch: ran 20.0 s, ended by seconds",
    "connection backoff (close 1006)",
    "frames 1, books 2, trades 12, resyncs 1, reconnects 0, decode errors 0, overflows 0, errors 0",
    "gaps 1: checksum 1",
    "BTC/USD  bid 45283.5  ask 45285.2  spread 1.7  book synced, books 1, trades 6",
    "ETH/USD  bid 2000.5  ask 2002.2  spread 1.7  book resyncing, books 1, trades 6",
    "SOL/USD  no book  book pending, books 0, trades 0",
  ]);
  const colored = renderSummary(summary, { title: "watch", color: true });
  assert.ok(colored.join("\n").includes("\x1b[33mgaps 1: checksum 1\x1b[0m"));
  assert.deepEqual(colored.map(stripAnsi), renderSummary(summary, { title: "watch" }));
});
