import assert from "node:assert/strict";
import { parseWatchArgs, WATCH_USAGE, watchCommand } from "../../src/cli/watch.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { ScriptedServer } from "../client/scripted_server.ts";
import { ServerBook, tradeFrame } from "../core/server_book.ts";
import { isSubscribe, Screen, ViewWatcher } from "./live_view_harness.ts";

const SIZE = { columns: 100, rows: 40 };

Deno.test("watch: arguments, their defaults and their spellings", () => {
  assert.deepEqual(parseWatchArgs(["BTC/USD"]), {
    symbols: ["BTC/USD"],
    depth: 10,
    url: "wss://ws.kraken.com/v2",
    seconds: undefined,
    noColor: false,
    help: false,
  });
  assert.deepEqual(
    parseWatchArgs([
      "eth/usd",
      "--depth=25",
      "BTC/USD",
      "--url",
      "ws://127.0.0.1:9/v2",
      "--seconds",
      "1.5",
      "--no-color",
      "ETH/USD",
    ]),
    {
      symbols: ["ETH/USD", "BTC/USD"],
      depth: 25,
      url: "ws://127.0.0.1:9/v2",
      seconds: 1.5,
      noColor: true,
      help: false,
    },
  );
  assert.equal(parseWatchArgs(["--help"]).help, true);
});

for (
  const [args, message] of [
    [[], "watch needs at least one SYMBOL"],
    [["--depth", "25"], "watch needs at least one SYMBOL"],
    [["BTC/USD", "--depth", "7"], "--depth must be one of 10, 25, 100, 500, 1000, not 7"],
    [["BTC/USD", "--depth"], "--depth needs a value"],
    [["BTC/USD", "--seconds", "soon"], "--seconds must be a number above 0, not soon"],
    [["BTC/USD", "--seconds", "0"], "--seconds must be a number above 0, not 0"],
    [["BTC/USD", "--seconds="], "--seconds must be a number above 0, not "],
    [["BTC/USD", "--verbose"], "unknown option --verbose"],
    [["BTCUSD"], 'a symbol is BASE/QUOTE, like BTC/USD, not "BTCUSD"'],
    [["BTC/"], 'a symbol is BASE/QUOTE, like BTC/USD, not "BTC/"'],
    [
      ["BTC/USD", "--url", "https://ws.kraken.com"],
      "--url must be a ws:// or wss:// URL, not https://ws.kraken.com",
    ],
    [["BTC/USD", "--url", "not a url"], "--url must be a ws:// or wss:// URL, not not a url"],
  ] as const
) {
  Deno.test(`watch: ${JSON.stringify(args)} is a usage error`, async () => {
    const screen = new Screen();
    let errors = "";
    const code = await watchCommand(args, {
      write: screen.write,
      writeError: (text) => void (errors += text),
    });
    assert.equal(code, 2);
    assert.equal(errors, `watch: ${message}\n\n${WATCH_USAGE}\n`);
    assert.equal(screen.text, "", "nothing on stdout");
  });
}

Deno.test("watch: --help prints the usage and exits 0", async () => {
  const screen = new Screen();
  assert.equal(await watchCommand(["--help"], { write: screen.write }), 0);
  assert.equal(screen.text, WATCH_USAGE + "\n");
});

Deno.test("watch: shows the pairs until --seconds, then the summary; exit 0", async () => {
  const server = ScriptedServer.start();
  const clock = new VirtualClock(0);
  const screen = new Screen();
  const watcher = new ViewWatcher();
  const done = watchCommand(["btc/usd", "--url", server.url, "--seconds", "3", "--depth", "25"], {
    write: screen.write,
    clock,
    terminalSize: () => SIZE,
    onUpdate: watcher.onUpdate,
  });
  const connection = await server.connection(0);
  const book = await connection.waitFor(isSubscribe("book"));
  assert.deepEqual(book.params?.symbol, ["BTC/USD"]);
  assert.equal(book.params?.depth, 25);
  clock.advance(100);
  await connection.waitFor(isSubscribe("trade"));
  const truth = new ServerBook("BTC/USD", 25);
  connection.send(truth.snapshot());
  connection.send(tradeFrame("BTC/USD", 7));
  await watcher.until((view) => view.symbols[0].valid && view.counters.trades === 1);
  clock.advance(250);
  assert.match(screen.last(), new RegExp(`^kraken-ws watch ${server.url} {2}live`, "m"));
  assert.match(screen.last(), /bid 99\.5 {2}ask 100\.5 {2}spread 1\.0/);
  clock.advance(3000 - clock.now());
  assert.equal(await done, 0);
  const summary = screen.text.slice(screen.text.lastIndexOf("\x1b[J\n") + 4);
  assert.match(summary, /^watch: ran 3\.0 s, ended by seconds\n/);
  assert.match(summary, /\nBTC\/USD {2}bid 99\.5 {2}ask 100\.5 {2}spread 1\.0 {2}book synced/);
  assert.equal(summary.includes("\x1b"), false, "no colour into a writer");
  assert.equal(clock.pendingCount, 0);
  await server.close();
});

Deno.test("watch: Ctrl+C (SIGINT) ends the view and prints the summary; exit 0", async () => {
  // The test runner owns this process's SIGINT, so the watch runs in a child process.
  const server = ScriptedServer.start();
  const watch = new URL("../../src/cli/watch.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { watchCommand } from ${JSON.stringify(watch)};\n` +
      `Deno.exit(await watchCommand(["BTC/USD", "--url", ${JSON.stringify(server.url)}]));`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The listener is in place before the child connects, so the signal reaches it.
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("book"));
  child.kill("SIGINT");
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  // Its stdout is a pipe, not a terminal: the view's log comes as lines, with no screen codes.
  assert.match(stdout, /^ +\+0\.0s {2}connection idle -> connecting \(subscribe\)$/m);
  assert.ok(!stdout.includes("\x1b"), "no escape codes");
  assert.match(stdout, /\nwatch: ran \d+\.\d s, ended by aborted\n/);
  assert.match(stdout, /\nconnection closed /);
  await server.close();
});

Deno.test("watch: an unreachable URL is retried with backoff on screen, not a usage error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `ws://127.0.0.1:${listener.addr.port}/v2`;
  listener.close();
  const clock = new VirtualClock(0);
  const screen = new Screen();
  const watcher = new ViewWatcher();
  const done = watchCommand(["BTC/USD", "--url", url, "--seconds", "2"], {
    write: screen.write,
    clock,
    terminalSize: () => SIZE,
    onUpdate: watcher.onUpdate,
  });
  await watcher.until((view) => view.connection === "backoff");
  clock.advance(0); // the first retry is at once
  await watcher.until((view) => view.counters.reconnects === 1 && view.connection === "backoff");
  clock.advance(250);
  assert.match(screen.last(), /^kraken-ws watch \S+ {2}backoff \(close 1006/m);
  assert.match(screen.last(), /connection connecting -> backoff \(close 1006/);
  assert.match(screen.last(), /reconnects 1/);
  clock.advance(2000 - clock.now());
  assert.equal(await done, 0);
  assert.match(screen.text, /watch: ran 2\.0 s, ended by seconds\n/);
  assert.equal(clock.pendingCount, 0);
});
