import assert from "node:assert/strict";
import { parseRecordArgs, recordCommand, type RecordOptions } from "../../src/cli/record.ts";
import {
  DENO_FILE_SYSTEM,
  type RecordingFile,
  type RecordingFileSystem,
} from "../../src/cli/recording_file_system.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { parseRecordingLine } from "../../src/recording/recording_line.ts";
import { ServerBook, tradeFrame } from "../core/server_book.ts";
import { type Received, ScriptedServer, STATUS_FRAME } from "../client/scripted_server.ts";
import { MemoryFileSystem } from "./memory_file_system.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

/** The real disk, with a way to wait until a line is written: the test's only barrier. */
class WatchedFileSystem implements RecordingFileSystem {
  readonly written: string[] = [];
  #waiters: { predicate: (line: string) => boolean; resolve: () => void }[] = [];

  makeDirectory = DENO_FILE_SYSTEM.makeDirectory;
  readDirectory = DENO_FILE_SYSTEM.readDirectory;
  fileSize = DENO_FILE_SYSTEM.fileSize;
  readAt = DENO_FILE_SYSTEM.readAt;
  truncate = DENO_FILE_SYSTEM.truncate;
  rename = DENO_FILE_SYSTEM.rename;
  remove = DENO_FILE_SYSTEM.remove;

  async createFile(path: string): Promise<RecordingFile> {
    const file = await DENO_FILE_SYSTEM.createFile(path);
    return {
      write: async (bytes) => {
        await file.write(bytes);
        const line = decoder.decode(bytes);
        this.written.push(line);
        for (const waiter of [...this.#waiters]) {
          if (!waiter.predicate(line)) continue;
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
      close: () => file.close(),
    };
  }

  /** Resolves once a written line contains `text`. */
  lineWith(text: string): Promise<void> {
    if (this.written.some((line) => line.includes(text))) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ predicate: (line) => line.includes(text), resolve });
    });
  }
}

/** `record` in this process on a virtual clock, with its output collected. */
function startRecord(args: string[], options: RecordOptions) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const controller = new AbortController();
  const exit = recordCommand(args, {
    signal: controller.signal,
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    ...options,
  });
  return { exit, stop: () => controller.abort(), stdout, stderr };
}

const subscribeTo = (channel: string) => (message: Received) =>
  message.method === "subscribe" && message.params?.channel === channel;

async function recordingFiles(directory: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(directory)) names.push(entry.name);
  return names.sort().map((name) => `${directory}/${name}`);
}

async function verify(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "verify", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("record: through a resync, a bad frame and a reconnect; verify marks them, and fails without the marks", async () => {
  const server = ScriptedServer.start();
  const directory = await Deno.makeTempDir();
  const fileSystem = new WatchedFileSystem();
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
  const run = startRecord([
    "--out",
    directory,
    "--book",
    "BTC/USD:10",
    "--trades",
    "BTC/USD",
    "--url",
    server.url,
    "--max-file-bytes",
    "4096",
  ], { clock, fileSystem });
  try {
    const truth = new ServerBook("BTC/USD");
    const first = await server.connection(0);
    await first.waitFor(subscribeTo("book"));
    clock.advance(100); // requests are paced 100 ms apart
    await first.waitFor(subscribeTo("trade"));
    first.send(truth.snapshot());
    for (let i = 1; i <= 5; i++) first.send(truth.update(1 + i / 100));
    first.send(tradeFrame("BTC/USD", 1, 2));
    // The resync: a wrong checksum, then an update of the broken book the client drops.
    first.send(truth.update(3, true));
    first.send(truth.update(4));
    await fileSystem.lineWith('"reason":"checksum"');
    clock.advance(100);
    await first.waitFor((message) => message.method === "unsubscribe");
    clock.advance(100);
    await first.waitFor(subscribeTo("book"), 1);
    first.send(truth.snapshot());
    first.send(truth.update(5));
    first.send("\u0000not json"); // the client marks it with a decode error and gap
    first.send(tradeFrame("BTC/USD", 3));
    await fileSystem.lineWith('\\"trade_id\\":3');

    // The reconnect: the proxy restarts.
    first.close(1001, "CloudFlare WebSocket proxy restarting");
    await fileSystem.lineWith('"to":"backoff"');
    clock.advance(0); // the first retry is at once
    const second = await server.connection(1);
    clock.advance(100);
    await second.waitFor(subscribeTo("book"));
    clock.advance(100);
    await second.waitFor(subscribeTo("trade"));
    second.send(truth.snapshot());
    for (let i = 6; i <= 9; i++) second.send(truth.update(i));
    second.send(tradeFrame("BTC/USD", 4, 5));
    await fileSystem.lineWith('\\"trade_id\\":5');
    run.stop();
    assert.equal(await run.exit, 0, run.stderr.join("\n"));
  } finally {
    await server.close();
  }

  try {
    const files = await recordingFiles(directory);
    assert.ok(files.length > 1, "rotated by size");
    assert.ok(files.every((file) => /\/kraken-20260101T12-\d{4}\.ndjson$/.test(file)), "no .part");
    const lines: string[] = [];
    for (const [index, file] of files.entries()) {
      const text = await Deno.readTextFile(file);
      assert.ok(text.length <= 4096, `${file} holds ${text.length} bytes`);
      const [header, ...rest] = text.slice(0, -1).split("\n");
      const parsed = parseRecordingLine(header);
      assert.ok(parsed.kind === "header" && parsed.header.file === index + 1);
      assert.equal(parsed.header.url, server.url);
      lines.push(...rest);
    }
    const parsed = lines.map(parseRecordingLine);
    const frames = parsed.flatMap((line) => line.kind === "frame" ? [line.frame] : []);
    assert.ok(frames.includes("\u0000not json"), "a bad frame is kept exactly");
    assert.ok(frames.includes(STATUS_FRAME), "frames are kept as received");
    const events = parsed.flatMap((line) => line.kind === "event" ? [line.event] : []);
    const gaps = events.filter((event) => event.type === "gap").map((event) => event.reason);
    assert.deepEqual([...new Set(gaps)].sort(), ["checksum", "decode", "reconnect"]);
    assert.ok(events.some((event) => event.type === "status"));
    assert.ok(events.every((event) => event.type !== "book" && event.type !== "trade"));
    const times = parsed.map((line) =>
      line.kind === "frame" || line.kind === "event" ? line.recv : 0
    );
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "in receive order");
    assert.match(
      run.stdout.join("\n"),
      new RegExp(
        `^record: ${files.length} files, ${lines.length + files.length} lines, ` +
          `${frames.length} frames, ${gaps.length} gaps in ${directory}$`,
      ),
    );

    const marked = await verify("--json", ...files);
    assert.equal(marked.code, 0, marked.stdout + marked.stderr);
    const report = JSON.parse(marked.stdout);
    const book = report.books["BTC/USD"];
    assert.equal(book.marked, 1);
    assert.equal(book.mismatches.length, 1);
    assert.equal(book.mismatches[0].marked, true);
    assert.equal(book.skippedMarked, 1, "the update of the broken book");
    assert.equal(book.verified + book.marked + book.skippedMarked, book.snapshots + book.updates);
    assert.equal(book.snapshots, 3);
    assert.deepEqual(report.errors.map((error: { marked: boolean }) => error.marked), [true]);
    assert.equal(report.frames, frames.length, "headers and events are not frames");
    const summary = await verify(...files);
    assert.equal(summary.code, 0);
    assert.match(summary.stdout, /BTC\/USD: 3 snapshots, .*1 mismatches, 0 crossed, 1 marked/);
    assert.match(summary.stdout, /\(marked by the recording\)/);
    assert.match(summary.stdout, /OK: every book frame verified, except 2 failures/);

    // Without the client's gap line, the same mismatch fails verify.
    for (const file of files) {
      const text = await Deno.readTextFile(file);
      const kept = text.split("\n").filter((line) => !line.includes('"reason":"checksum"'));
      await Deno.writeTextFile(file, kept.join("\n"));
    }
    const unmarked = await verify("--json", ...files);
    assert.equal(unmarked.code, 1);
    const failed = JSON.parse(unmarked.stdout).books["BTC/USD"];
    assert.equal(failed.marked, 0);
    assert.equal(failed.mismatches[0].marked, false);
    assert.equal(failed.skippedMarked, 0);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("record: a new file when the receive hour changes, and --seconds ends the run", async () => {
  const server = ScriptedServer.start();
  const directory = await Deno.makeTempDir();
  const fileSystem = new WatchedFileSystem();
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 59, 59));
  const run = startRecord(
    ["--out", directory, "--book", "BTC/USD", "--url", server.url, "--seconds", "5"],
    { clock, fileSystem },
  );
  try {
    const truth = new ServerBook("BTC/USD");
    const connection = await server.connection(0);
    await connection.waitFor(subscribeTo("book"));
    connection.send(truth.snapshot());
    await fileSystem.lineWith('\\"channel\\":\\"book\\",\\"type\\":\\"snapshot\\"');
    clock.advance(1500); // 01:00:00.500
    connection.send(truth.update(2));
    await fileSystem.lineWith('\\"channel\\":\\"book\\",\\"type\\":\\"update\\"');
    clock.advance(3500); // --seconds 5 is up
    assert.equal(await run.exit, 0, run.stderr.join("\n"));
  } finally {
    await server.close();
  }
  try {
    const files = await recordingFiles(directory);
    assert.deepEqual(files, [
      `${directory}/kraken-20260101T00-0001.ndjson`,
      `${directory}/kraken-20260101T01-0001.ndjson`,
    ]);
    const later = (await Deno.readTextFile(files[1])).split("\n");
    const header = parseRecordingLine(later[0]);
    assert.ok(header.kind === "header");
    assert.equal(header.header.file, 2);
    assert.equal(header.header.started, Date.UTC(2026, 0, 1, 1, 0, 0, 500));
    assert.ok(later[1].includes('\\"channel\\":\\"book\\",\\"type\\":\\"update\\"'));
    const verified = await verify(...files);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /BTC\/USD: 1 snapshots, 1 updates, 2 verified/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("record: SIGTERM stops cleanly when no signal is injected", async () => {
  const server = ScriptedServer.start();
  const fileSystem = new MemoryFileSystem();
  const stdout: string[] = [];
  const exit = recordCommand(["--out", "/rec", "--trades", "BTC/USD", "--url", server.url], {
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    fileSystem,
    stdout: (line) => stdout.push(line),
    stderr: () => {},
  });
  try {
    const connection = await server.connection(0);
    await connection.waitFor(subscribeTo("trade"));
    Deno.kill(Deno.pid, "SIGTERM");
    assert.equal(await exit, 0);
  } finally {
    await server.close();
  }
  assert.deepEqual(fileSystem.list("/rec"), ["/rec/kraken-20260101T00-0001.ndjson"]);
  assert.match(stdout[0], /^record: 1 files, \d+ lines, 2 frames, 0 gaps in \/rec$/);
});

Deno.test("record: a disk that fills up mid-run stops with exit 1 and leaves only valid files", async () => {
  const server = ScriptedServer.start();
  const fileSystem = new MemoryFileSystem();
  const run = startRecord(["--out", "/rec", "--trades", "BTC/USD", "--url", server.url], {
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    fileSystem,
  });
  try {
    const connection = await server.connection(0);
    await connection.waitFor(subscribeTo("trade"));
    connection.send(tradeFrame("BTC/USD", 1));
    await fileSystem.waitFor((text) => text.includes('\\"trade_id\\":1'));
    fileSystem.capacity = fileSystem.usedBytes + 40; // the next line lands only partly
    connection.send(tradeFrame("BTC/USD", 2));
    connection.send(tradeFrame("BTC/USD", 3));
    assert.equal(await run.exit, 1);
  } finally {
    await server.close();
  }
  const message = run.stderr.join("\n");
  assert.match(message, /record: cannot write \/rec\/kraken-20260101T00-0001\.ndjson\.part/);
  assert.match(message, /the disk is full \(No space left on device \(os error 28\)\)/);
  assert.match(message, /kept in \/rec\/kraken-20260101T00-0001\.ndjson/);
  assert.deepEqual(fileSystem.list("/rec"), ["/rec/kraken-20260101T00-0001.ndjson"]);
  const text = fileSystem.text("/rec/kraken-20260101T00-0001.ndjson");
  assert.ok(text.endsWith("\n"));
  const lines = text.slice(0, -1).split("\n").map(parseRecordingLine);
  assert.ok(lines.every((line) => line.kind !== "invalid" && line.kind !== "raw"));
  assert.ok(lines.some((line) => line.kind === "frame" && line.frame.includes('"trade_id":1')));
  assert.equal(run.stdout.length, 1, "the summary of what was written");
});

Deno.test("record: a directory that cannot be written fails at once, before connecting", async () => {
  const sockets: string[] = [];
  const webSocket = (url: string): WebSocket => {
    sockets.push(url);
    throw new Error("no socket expected");
  };
  const file = await Deno.makeTempFile();
  try {
    const run = startRecord(["--out", `${file}/rec`, "--trades", "BTC/USD"], { webSocket });
    assert.equal(await run.exit, 1);
    assert.equal(
      run.stderr[0].split(" (")[0],
      `record: cannot use ${file}/rec as the output directory: a part of the path is not a directory`,
    );
  } finally {
    await Deno.remove(file);
  }
  const refusing = new MemoryFileSystem();
  await refusing.makeDirectory("/rec");
  refusing.readOnly.add("/rec");
  const denied = startRecord(["--out", "/rec", "--ticker", "BTC/USD"], {
    webSocket,
    fileSystem: refusing,
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
  });
  assert.equal(await denied.exit, 1);
  assert.match(
    denied.stderr[0],
    /cannot create \/rec\/kraken-20260101T00-0001\.ndjson\.part: permission denied/,
  );
  assert.deepEqual(sockets, []);
});

Deno.test("record: a .part left by a crash is recovered on start and reported", async () => {
  const server = ScriptedServer.start();
  const fileSystem = new MemoryFileSystem();
  await fileSystem.makeDirectory("/rec");
  const complete = '{"recording":"kraken-ws","version":1,"file":1,"started":0,"url":"x"}\n' +
    '{"recv":1,"frame":"{\\"channel\\":\\"heartbeat\\"}"}\n';
  fileSystem.files.set(
    "/rec/kraken-20260101T00-0001.ndjson.part",
    new TextEncoder().encode(complete + '{"recv":2,"frame":"{\\"chan'),
  );
  const run = startRecord(["--out", "/rec", "--trades", "BTC/USD", "--url", server.url], {
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    fileSystem,
  });
  try {
    await (await server.connection(0)).waitFor(subscribeTo("trade"));
    run.stop();
    assert.equal(await run.exit, 0);
  } finally {
    await server.close();
  }
  assert.deepEqual(run.stderr, [
    "record: recovered /rec/kraken-20260101T00-0001.ndjson from a crash " +
    "(cut 26 bytes of an unfinished last line)",
  ]);
  assert.equal(fileSystem.text("/rec/kraken-20260101T00-0001.ndjson"), complete);
  assert.deepEqual(fileSystem.list("/rec"), [
    "/rec/kraken-20260101T00-0001.ndjson",
    "/rec/kraken-20260101T00-0002.ndjson",
  ]);
});

Deno.test("record: a close the server means for good (1008) ends the run with exit 1", async () => {
  const server = ScriptedServer.start();
  const fileSystem = new MemoryFileSystem();
  const run = startRecord(["--out", "/rec", "--book", "ETH/USD:25", "--url", server.url], {
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    fileSystem,
  });
  try {
    const connection = await server.connection(0);
    const subscribe = await connection.waitFor(subscribeTo("book"));
    assert.equal(subscribe.params?.depth, 25);
    connection.close(1008, "policy violation");
    assert.equal(await run.exit, 1);
  } finally {
    await server.close();
  }
  assert.deepEqual(run.stderr, [
    "record: the connection ended for good (close 1008 policy violation)",
  ]);
  const text = fileSystem.text("/rec/kraken-20260101T00-0001.ndjson");
  assert.match(text, /"to":"closed","cause":"close 1008 policy violation"/);
});

Deno.test("record: bad arguments get a clear message, the usage and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--trades", "BTC/USD"], /record needs --out DIR/],
    [["--out", "rec"], /nothing to record/],
    [
      ["--out", "rec", "--book", "BTC/USD:7"],
      /--book depth must be one of 10, 25, 100, 500, 1000, not 7/,
    ],
    [["--out", "rec", "--ohlc", "BTC/USD"], /--ohlc takes SYMBOL:INTERVAL/],
    [["--out", "rec", "--ohlc", "BTC/USD:2"], /--ohlc interval must be one of 1, 5, 15/],
    [["--out", "rec", "--trades", "BTC/USD", "--bogus"], /unknown option --bogus/],
    [["--out", "rec", "--trades"], /--trades needs a value/],
    [["--out", "--trades", "BTC/USD"], /--out needs a value/],
    [["--out", "rec", "--trades", "BTC/USD", "extra"], /unexpected argument extra/],
    [
      ["--out", "rec", "--trades", "BTC/USD", "--url", "http://x"],
      /--url must be a ws:\/\/ or wss:\/\/ URL, not http:\/\/x/,
    ],
    [
      ["--out", "rec", "--trades", "BTC/USD", "--max-file-bytes", "1.5"],
      /--max-file-bytes must be a whole number of at least 1, not 1.5/,
    ],
    [
      ["--out", "rec", "--trades", "BTC/USD", "--seconds", "0"],
      /--seconds must be a number above 0, not 0/,
    ],
    [["--out", "rec", "--book", ":10"], /--book needs a symbol like BTC\/USD/],
  ];
  for (const [args, message] of cases) {
    const run = startRecord(args, { fileSystem: new MemoryFileSystem() });
    assert.equal(await run.exit, 2, args.join(" "));
    assert.match(run.stderr[0], message, args.join(" "));
    assert.match(run.stderr[0], /\n\nusage: record --out DIR/);
  }
  assert.deepEqual(
    parseRecordArgs([
      "--out=rec",
      "--book",
      "BTC/USD",
      "--book=ETH/USD:1000",
      "--trades",
      "BTC/USD",
      "--trades",
      "BTC/USD",
      "--ticker",
      "SOL/USD",
      "--ohlc",
      "BTC/USD:60",
      "--url",
      "ws://127.0.0.1:9/v2",
      "--max-file-bytes",
      "1048576",
      "--seconds",
      "2.5",
    ]),
    {
      out: "rec",
      books: [{ symbol: "BTC/USD", depth: 10 }, { symbol: "ETH/USD", depth: 1000 }],
      trades: ["BTC/USD"],
      tickers: ["SOL/USD"],
      ohlc: [{ symbol: "BTC/USD", interval: 60 }],
      url: "ws://127.0.0.1:9/v2",
      maxFileBytes: 1048576,
      seconds: 2.5,
    },
  );
  assert.equal(parseRecordArgs(["--out", "r", "--ticker", "X/Y"]).maxFileBytes, 256 * 1024 * 1024);
});
