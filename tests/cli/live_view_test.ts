import assert from "node:assert/strict";
import { runLiveView } from "../../src/cli/live_view.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { AUTO_ACK, ScriptedServer, STATUS_FRAME } from "../client/scripted_server.ts";
import { ServerBook, tradeFrame } from "../core/server_book.ts";
import { isSubscribe, Screen, ViewWatcher } from "./live_view_harness.ts";
import { visibleWidth } from "./view_events.ts";

const START = 1_000_000;
const SIZE = { columns: 120, rows: 40 };

/** A live view on a virtual clock against a scripted server, its screen and view watched. */
function setup(symbols: string[], extra: { seconds?: number; handler?: typeof AUTO_ACK } = {}) {
  const server = ScriptedServer.start(extra.handler ?? AUTO_ACK);
  const clock = new VirtualClock(START);
  const screen = new Screen();
  const watcher = new ViewWatcher();
  const controller = new AbortController();
  const run = runLiveView({
    url: server.url,
    clock,
    reconnect: { seed: 5 },
    symbols,
    seconds: extra.seconds,
    signal: controller.signal,
    write: screen.write,
    terminalSize: () => SIZE,
    title: "test view",
    onUpdate: watcher.onUpdate,
  });
  return { server, clock, screen, watcher, controller, run };
}

/** Waits for `count` subscribes on `connection`, moving the clock past the request pacing. */
async function acknowledgeSubscribes(
  connection: Awaited<ReturnType<ScriptedServer["connection"]>>,
  clock: VirtualClock,
  count: number,
  skip = 0,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await connection.waitFor(isSubscribe(), skip + i);
    clock.advance(100);
  }
}

function assertFitsScreen(screen: Screen): void {
  for (const lines of screen.screens()) {
    assert.ok(lines.length <= SIZE.rows, `${lines.length} lines`);
    for (const line of lines) assert.ok(visibleWidth(line) <= SIZE.columns, line);
  }
}

Deno.test("live view: shows the books and trades it was sent, counts frames, ends on seconds", async () => {
  const { server, clock, screen, watcher, run } = setup(["BTC/USD", "ETH/USD"], { seconds: 5 });
  const connection = await server.connection(0);
  await acknowledgeSubscribes(connection, clock, 2);
  const wire = connection.received.filter(isSubscribe())
    .map((message) => `${message.params?.channel} ${message.params?.symbol?.join(",")}`);
  assert.deepEqual(wire, ["book BTC/USD,ETH/USD", "trade BTC/USD,ETH/USD"]);
  const btc = new ServerBook("BTC/USD", 10, 100);
  const eth = new ServerBook("ETH/USD", 10, 2000);
  connection.send(btc.snapshot());
  connection.send(eth.snapshot());
  connection.send(tradeFrame("BTC/USD", 41, 42));
  await watcher.until((view) => view.counters.trades === 2 && view.symbols.every((s) => s.valid));
  clock.advance(250);
  const live = screen.last();
  assert.match(live, /^test view {2}live {2}00:00$/m);
  assert.match(live, /BTC\/USD {2}verified +ETH\/USD {2}verified/);
  assert.match(
    live,
    /bid 99\.5 {2}ask 100\.5 {2}spread 1\.0 +bid 1999\.5 {2}ask 2000\.5 {2}spread 1\.0/,
  );
  assert.ok(live.includes("1.00000000  99.5 │ 100.5 1.00000000"), live);
  assert.ok(live.includes("1.90000000  90.5 │ 109.5 1.90000000"), "all 10 levels");
  assert.ok(live.includes("00:00:00 buy  0.10000000 @ 100.0"), live);
  // The status frame, four acknowledgements, two snapshots and one trade frame.
  assert.match(live, /^frames 8 {2}books 2 {2}trades 2 {2}gaps 0 /m);
  assert.ok(screen.screens().length > 1, "redrawn as the data came");
  assert.equal(screen.text.includes("\x1b[?1049h"), false, "no alternate screen for a writer");

  clock.advance(START + 5000 - clock.now());
  const summary = await run;
  assert.equal(summary.ended, "seconds");
  assert.equal(summary.elapsedMs, 5000);
  assert.equal(summary.counters.frames, 8);
  assert.equal(summary.counters.trades, 2);
  assert.deepEqual(
    summary.symbols.map((pair) => [pair.symbol, pair.bestBid, pair.bestAsk, pair.spread]),
    [["BTC/USD", "99.5", "100.5", "1.0"], ["ETH/USD", "1999.5", "2000.5", "1.0"]],
  );
  assert.equal(summary.connection, "closed");
  assert.match(screen.last(), /^test view {2}closed /m, "the last screen shows the end");
  assert.equal(clock.pendingCount, 0, "no timer left");
  assertFitsScreen(screen);
  await connection.closed;
  await server.close();
});

Deno.test("live view: a resync and a reconnect happen on screen and recover", async () => {
  const { server, clock, screen, watcher, controller, run } = setup(["BTC/USD"]);
  const first = await server.connection(0);
  await acknowledgeSubscribes(first, clock, 2);
  const truth = new ServerBook("BTC/USD");
  first.send(truth.snapshot());
  first.send(truth.update(2));
  await watcher.until((view) => view.symbols[0].bids[0]?.qtyText === "2.00000000");

  first.send(truth.update(3, true));
  await watcher.until((view) => view.symbols[0].book.state === "resyncing");
  clock.advance(250);
  const resyncing = screen.last();
  assert.match(resyncing, /BTC\/USD {2}resyncing #1 \(mismatch\)/);
  assert.match(resyncing, /gap checksum book BTC\/USD: expected \d+, computed \d+/);
  assert.match(resyncing, /resyncs 1/);
  await first.waitFor((message) => message.method === "unsubscribe");
  await first.waitFor(isSubscribe("book"), 1);
  first.send(truth.snapshot());
  await watcher.until((view) => view.symbols[0].valid);
  clock.advance(250);
  assert.match(screen.last(), /BTC\/USD {2}verified/);
  assert.match(screen.last(), /book BTC\/USD awaiting_snapshot -> synced \(snapshot\)\n.*$/m);

  first.drop();
  await watcher.until((view) => view.connection === "backoff");
  clock.advance(0); // the first retry is at once
  const second = await server.connection(1);
  await acknowledgeSubscribes(second, clock, 2);
  second.send(truth.snapshot());
  await watcher.until((view) =>
    view.connection === "live" && view.symbols[0].valid && view.counters.gaps.reconnect === 2
  );
  clock.advance(250);
  const recovered = screen.last();
  assert.match(recovered, /^test view {2}live /m);
  assert.match(recovered, /BTC\/USD {2}verified/);
  assert.match(recovered, /connection live -> backoff \(close 1006\)/);
  assert.match(recovered, /connection backoff -> connecting \(retry\)/);
  assert.match(recovered, /gap reconnect book BTC\/USD: \d+\.\d s without data/);
  assert.match(recovered, /gaps 3 \(checksum 1, reconnect 2\) {2}resyncs 1 {2}reconnects 1/);

  controller.abort();
  const summary = await run;
  assert.equal(summary.ended, "aborted");
  assert.equal(summary.counters.resyncs, 1);
  assert.equal(summary.counters.reconnects, 1);
  assert.deepEqual(
    [summary.counters.gaps.checksum, summary.counters.gaps.reconnect],
    [1, 2],
  );
  assert.equal(clock.pendingCount, 0);
  assertFitsScreen(screen);
  await server.close();
});

Deno.test("live view: the caller's tap sees every frame; the alternate screen is restored", async () => {
  const server = ScriptedServer.start();
  const clock = new VirtualClock(START);
  const screen = new Screen();
  const watcher = new ViewWatcher();
  const controller = new AbortController();
  const tapped: string[] = [];
  const events: string[] = [];
  const run = runLiveView({
    url: server.url,
    clock,
    symbols: ["BTC/USD"],
    signal: controller.signal,
    write: screen.write,
    terminalSize: () => SIZE,
    alternateScreen: true,
    color: true,
    onUpdate: watcher.onUpdate,
    tap: { frame: (text) => tapped.push(text), event: (event) => events.push(event.type) },
  });
  const connection = await server.connection(0);
  await acknowledgeSubscribes(connection, clock, 2);
  connection.send(tradeFrame("BTC/USD", 1));
  await watcher.until((view) => view.counters.trades === 1);
  clock.advance(250);
  controller.abort();
  const summary = await run;
  assert.equal(summary.ended, "aborted");
  assert.equal(summary.counters.frames, tapped.length);
  // The status frame, two acknowledgements and the trade frame, exactly as received.
  assert.equal(tapped.length, 4);
  assert.equal(tapped[0], STATUS_FRAME);
  assert.equal(tapped[3], tradeFrame("BTC/USD", 1));
  assert.ok(events.includes("trade") && events.includes("state"), "the tap sees events too");
  assert.ok(screen.text.startsWith("\x1b[?1049h\x1b[?25l"), "enters the alternate screen");
  assert.ok(screen.text.endsWith("\x1b[?25h\x1b[?1049l"), "and leaves it, cursor shown");
  assert.ok(screen.text.includes("\x1b[32mlive\x1b[0m"), "in colour: live in green");
  assert.equal(clock.pendingCount, 0);
  await server.close();
});

Deno.test("live view: ends by itself when Kraken refuses every subscription", async () => {
  const { server, clock, screen, run } = setup(["XBT/USD"], {
    handler: (connection) => {
      connection.opened.then(() => connection.send(STATUS_FRAME));
      connection.onMessage((message) => {
        if (message.method === "subscribe") {
          for (const symbol of message.params?.symbol ?? []) {
            connection.reject(message, `Currency pair not supported ${symbol}`, true, [symbol]);
          }
        }
      });
    },
  });
  const connection = await server.connection(0);
  await acknowledgeSubscribes(connection, clock, 2);
  const summary = await run;
  assert.equal(summary.ended, "rejected");
  assert.equal(summary.symbols[0].rejection, "Currency pair not supported XBT/USD");
  assert.equal(summary.symbols[0].bookState, "rejected");
  assert.equal(summary.counters.errors, 2);
  assert.match(screen.last(), /XBT\/USD {2}rejected: Currency pair not supported XBT\/USD/);
  assert.equal(clock.pendingCount, 0);
  await server.close();
});

Deno.test("live view: ends when the server closes for good (1008)", async () => {
  const { server, clock, run } = setup(["BTC/USD"]);
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  connection.close(1008, "policy violation");
  const summary = await run;
  assert.equal(summary.ended, "closed");
  assert.equal(summary.connection, "closed");
  assert.equal(summary.connectionCause, "close 1008 policy violation");
  assert.equal(clock.pendingCount, 0);
  await server.close();
});

Deno.test("live view: a writer that fails ends the view with its error, leaving nothing", async () => {
  const server = ScriptedServer.start();
  const clock = new VirtualClock(START);
  let writes = 0;
  const run = runLiveView({
    url: server.url,
    clock,
    symbols: ["BTC/USD"],
    terminalSize: () => SIZE,
    write: () => {
      if (++writes === 2) throw new Error("stdout is gone");
    },
  });
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  clock.advance(250);
  await assert.rejects(run, /stdout is gone/);
  assert.equal(clock.pendingCount, 0);
  await server.close();
});

Deno.test("live view: bad options are refused before anything starts", async () => {
  await assert.rejects(runLiveView({ symbols: [] }), RangeError);
  await assert.rejects(runLiveView({ symbols: ["BTC/USD"], seconds: -1 }), RangeError);
});
