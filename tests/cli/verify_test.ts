import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import { RecordingVerifier } from "../../src/recording/recording_verifier.ts";
import { formatSummary, parseVerifyArgs } from "../../src/cli/verify.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import type { GapEvent, KrakenEvent } from "../../src/core/events.ts";
import {
  encodeEvent,
  encodeFrame,
  encodeHeader,
  type RecordedEvent,
} from "../../src/recording/recording_line.ts";
import { ServerBook } from "../core/server_book.ts";
import { fixtureLines, fixturePath } from "../fixtures.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function verify(...args: string[]): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "verify", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The re-serialised fixture as NDJSON, one frame per line, in a temporary file. */
async function reserializedNdjson(): Promise<string> {
  const fixture = JSON.parse(
    await Deno.readTextFile(fixturePath("reserialized-btc-usd-book.json")),
  ) as { init: unknown; updates: unknown[] };
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  const frames = [fixture.init, ...fixture.updates].map((frame) => JSON.stringify(frame));
  await Deno.writeTextFile(path, frames.join("\n") + "\n");
  return path;
}

Deno.test("verify: every one of the 2962 live book checksums verifies", async () => {
  const run = await verify("--json", fixturePath("live-btc-eth.ndjson"));
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.frames, 3000);
  assert.deepEqual(report.errors, []);
  const books = report.books;
  assert.deepEqual(Object.keys(books).sort(), ["BTC/USD", "ETH/USD"]);
  let verified = 0;
  for (const book of Object.values(books) as Record<string, unknown>[]) {
    assert.equal(book.skipped, 0);
    assert.deepEqual(book.mismatches, []);
    assert.equal(book.verified, (book.snapshots as number) + (book.updates as number));
    verified += book.verified as number;
  }
  assert.equal(verified, 2962);
  assert.equal(books["BTC/USD"].snapshots, 1);
});

Deno.test("verify: the live fixture fails when the book is not cut to depth", () => {
  const uncut = new RecordingVerifier({
    bookFactory: (symbol, _depth, precision) => new OrderBook(symbol, 1000, { precision }),
  });
  const cut = new RecordingVerifier();
  let line = 0;
  for (const text of fixtureLines("live-btc-eth.ndjson")) {
    line++;
    uncut.feed(text, { file: "live", line });
    cut.feed(text, { file: "live", line });
  }
  assert.equal(cut.passed(), true);
  assert.equal(uncut.passed(), false);
  const mismatches = Object.values(uncut.report().books)
    .reduce((sum, book) => sum + book.mismatches.length, 0);
  assert.ok(mismatches > 0, "the uncut book must mismatch");
});

Deno.test("verify: the re-serialised book verifies with precision 1/8 and fails without", async () => {
  const path = await reserializedNdjson();
  try {
    const padded = await verify("--json", "--precision", "BTC/USD=1,8", path);
    assert.equal(padded.code, 0, padded.stdout + padded.stderr);
    const report = JSON.parse(padded.stdout).books["BTC/USD"];
    assert.equal(report.verified, 510);
    assert.equal(report.snapshots + report.updates, 510);
    const bare = await verify("--json", path);
    assert.equal(bare.code, 1);
    const failed = JSON.parse(bare.stdout).books["BTC/USD"];
    assert.ok(failed.mismatches.length > 0);
    assert.ok(failed.verified < 510);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("verify: the human summary, decode errors and instrument precision", async () => {
  const fixture = JSON.parse(
    await Deno.readTextFile(fixturePath("reserialized-btc-usd-book.json")),
  ) as { init: unknown; updates: unknown[] };
  const instrument = JSON.stringify({
    channel: "instrument",
    type: "snapshot",
    data: {
      assets: [],
      pairs: [{
        symbol: "BTC/USD",
        base: "BTC",
        quote: "USD",
        status: "online",
        price_precision: 1,
        qty_precision: 8,
      }],
    },
  });
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  try {
    const lines = [
      instrument,
      JSON.stringify(fixture.init),
      "{broken",
      "",
      ...fixture.updates.slice(0, 5).map((f) => JSON.stringify(f)),
    ];
    await Deno.writeTextFile(path, lines.join("\n"));
    const run = await verify(path);
    assert.equal(run.code, 1, "a line that does not decode fails the run");
    assert.match(run.stdout, /8 frames, 1 decode errors/);
    assert.match(
      run.stdout,
      /BTC\/USD: 1 snapshots, 5 updates, 6 verified, 0 skipped, 0 mismatches/,
    );
    assert.match(run.stdout, /:3: malformed_json/);
    const json = JSON.parse((await verify("--json", path)).stdout);
    assert.equal(json.errors.length, 1);
    assert.equal(json.errors[0].line, 3);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("verify: depth comes from the subscribe acknowledgement, else --depth", () => {
  const depthOf = (lines: string[], defaultDepth?: 25) => {
    let depth = 0;
    const replay = new RecordingVerifier({
      defaultDepth,
      bookFactory: (symbol, chosen) => {
        depth = chosen;
        return new OrderBook(symbol, chosen);
      },
    });
    lines.forEach((text, index) => replay.feed(text, { file: "x", line: index + 1 }));
    return depth;
  };
  const snapshot =
    '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":0}]}';
  const ack =
    '{"method":"subscribe","result":{"channel":"book","depth":100,"snapshot":true,"symbol":"BTC/USD"},"success":true}';
  assert.equal(depthOf([snapshot]), 10);
  assert.equal(depthOf([snapshot], 25), 25);
  assert.equal(depthOf([ack, snapshot], 25), 100);
});

Deno.test("verify: after a mismatch a symbol waits for its next snapshot", () => {
  const lines = fixtureLines("live-btc-eth.ndjson");
  const corrupt = lines.map((line, index) =>
    index === 100 && line.includes('"book"') ? line.replace(/"checksum":\d+/, '"checksum":1') : line
  );
  const replay = new RecordingVerifier();
  corrupt.forEach((text, index) => replay.feed(text, { file: "x", line: index + 1 }));
  const books = replay.report().books;
  const hit = Object.values(books).find((book) => book.mismatches.length > 0);
  assert.ok(hit, "the corrupted frame is reported");
  assert.equal(hit.mismatches.length, 1, "once per desync, not per frame");
  assert.equal(hit.mismatches[0].line, 101);
  assert.equal(hit.mismatches[0].expected, 1);
  assert.ok(hit.skipped > 0);
  assert.equal(replay.passed(), false);
});

Deno.test("verify: usage errors exit 2 with a clear message", async () => {
  const missing = await verify("/no/such/file.ndjson");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read \/no\/such\/file.ndjson: no such file/);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/, "no stack trace");
  assert.equal((await verify()).code, 2);
  assert.equal((await verify("--depth", "7", "x")).code, 2);
  assert.equal((await verify("--precision", "BTC/USD", "x")).code, 2);
  assert.equal((await verify("--bogus", "x")).code, 2);
  assert.throws(() => parseVerifyArgs(["--depth"]), UsageError);
  assert.deepEqual(parseVerifyArgs(["--precision=ETH/USD=2,8", "--depth=25", "a", "b"]), {
    json: false,
    depth: 25,
    precision: { "ETH/USD": { price: 2, qty: 8 } },
    files: ["a", "b"],
  });
});

/** A recording: a header, then frames and events, each one line. */
function recording(...entries: (string | KrakenEvent | RecordedEvent)[]): string[] {
  let time = 1000;
  const lines = [encodeHeader({ file: 1, started: time, url: "ws://x" })];
  for (const entry of entries) {
    time++;
    lines.push(
      typeof entry === "string"
        ? encodeFrame(time, entry)
        : encodeEvent(time, { ...entry, time } as KrakenEvent),
    );
  }
  return lines;
}

function replayOf(lines: readonly string[]): RecordingVerifier {
  const replay = new RecordingVerifier();
  lines.forEach((text, index) => replay.feed(text, { file: "rec", line: index + 1 }));
  return replay;
}

const checksumGap = (symbol: string, expected = 0): GapEvent => ({
  type: "gap",
  reason: "checksum",
  channel: "book",
  symbol,
  expected,
  computed: 0,
  seq: 0,
  time: 0,
});

Deno.test("verify: a mismatch the recording marks with the client's gap passes, and only then", () => {
  const truth = new ServerBook("BTC/USD");
  const other = new ServerBook("ETH/USD");
  const snapshot = truth.snapshot();
  const good = truth.update(2);
  const corrupt = truth.update(3, true);
  const sent = (truth.checksum() + 1) >>> 0;
  const dropped = truth.update(4);
  const resync = truth.snapshot();
  const after = truth.update(5);
  const otherSnapshot = other.snapshot();
  const run = (...middle: (string | KrakenEvent)[]) =>
    replayOf(recording(snapshot, otherSnapshot, good, corrupt, ...middle, resync, after));

  const marked = run(otherSnapshot, checksumGap("BTC/USD", sent), dropped);
  assert.equal(marked.passed(), true);
  const book = marked.report().books["BTC/USD"];
  assert.deepEqual(book.mismatches.map((entry) => [entry.line, entry.marked]), [[5, true]]);
  assert.equal(book.marked, 1);
  assert.equal(book.skipped, 1);
  assert.equal(book.skippedMarked, 1);
  assert.equal(marked.report().frames, 8, "the header and the event are not frames");

  const late = run(dropped, checksumGap("BTC/USD", sent));
  assert.equal(late.passed(), false, "a mark after the symbol's next frame marks nothing");
  assert.equal(late.report().books["BTC/USD"].mismatches[0].marked, false);
  assert.equal(late.report().books["BTC/USD"].skippedMarked, 0);
  assert.equal(run(checksumGap("ETH/USD", sent), dropped).passed(), false, "another symbol");
  assert.equal(run(checksumGap("BTC/USD", sent + 1), dropped).passed(), false, "another checksum");
  assert.equal(run(dropped).passed(), false, "no mark");
  const crossedGap: GapEvent = { ...checksumGap("BTC/USD"), reason: "crossed" };
  assert.equal(run(crossedGap, dropped).passed(), false, "another reason");
});

Deno.test("verify: a crossed book the recording marks passes", () => {
  const truth = new ServerBook("BTC/USD");
  const lines = recording(
    truth.snapshot(),
    truth.crossing(),
    { type: "gap", reason: "crossed", channel: "book", symbol: "BTC/USD", seq: 0, time: 0 },
    new ServerBook("BTC/USD").snapshot(),
  );
  const replay = replayOf(lines);
  assert.equal(replay.passed(), true);
  const book = replay.report().books["BTC/USD"];
  assert.equal(book.crossed.length, 1);
  assert.equal(book.crossed[0].marked, true);
  assert.equal(book.marked, 1);
  assert.match(formatSummary(replay.report(), true), /crossed .* \(marked by the recording\)/);
});

Deno.test("verify: a decode error is marked by the client's decode error or gap right after it", () => {
  const decodeError: KrakenEvent = {
    type: "error",
    code: "decode",
    message: "malformed_json",
    seq: 0,
    time: 0,
  };
  const decodeGap: KrakenEvent = { type: "gap", reason: "decode", seq: 0, time: 0 };
  const heartbeat = '{"channel":"heartbeat"}';
  for (const mark of [decodeError, decodeGap]) {
    const replay = replayOf(recording("\u0000not json", mark, heartbeat));
    assert.equal(replay.passed(), true);
    assert.deepEqual(replay.report().errors.map((error) => [error.line, error.marked]), [[
      2,
      true,
    ]]);
    assert.equal(replayOf(recording("\u0000not json", heartbeat, mark)).passed(), false);
  }
  // A placed decode gap of a book restarts it, as the client does.
  const truth = new ServerBook("BTC/USD");
  const placed = replayOf(recording(
    truth.snapshot(),
    '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1.0,"qty":',
    decodeError,
    { type: "gap", reason: "decode", channel: "book", symbol: "BTC/USD", seq: 0, time: 0 },
    truth.update(7),
    truth.snapshot(),
  ));
  assert.equal(placed.passed(), true);
  assert.equal(placed.report().books["BTC/USD"].skippedMarked, 1);
});

Deno.test("verify: reconnects and the recorder's own overflow restart books from the next snapshot", () => {
  const truth = new ServerBook("BTC/USD");
  const reconnect: KrakenEvent = {
    type: "gap",
    reason: "reconnect",
    channel: "book",
    symbol: "BTC/USD",
    fromTime: 1,
    toTime: 2,
    seq: 0,
    time: 0,
  };
  const replay = replayOf(recording(
    truth.snapshot(),
    truth.update(2),
    reconnect,
    truth.update(3),
    truth.snapshot(),
    truth.update(4),
    { type: "gap", reason: "overflow", dropped: 7, scope: "recorder" },
    truth.update(5),
    truth.snapshot(),
  ));
  assert.equal(replay.passed(), true);
  const report = replay.report();
  assert.deepEqual(report.recorderOverflows, [{ file: "rec", line: 8, dropped: 7 }]);
  const book = report.books["BTC/USD"];
  assert.deepEqual([book.verified, book.skipped, book.skippedMarked], [5, 2, 2]);
  assert.match(formatSummary(report, true), /rec:8: the recorder dropped 7 lines/);
  assert.match(formatSummary(report, true), /2 skipped after a marked loss/);
});

Deno.test("verify: raw frames and recording lines mix; a broken recording line is an error", () => {
  const truth = new ServerBook("BTC/USD");
  const lines = [
    truth.snapshot(),
    ...recording(truth.update(2)),
    '{"recv":5,"frame":"{\\"channel\\":\\"book\\",\\"type\\":\\"upd',
    truth.update(3),
  ];
  const replay = replayOf(lines);
  const report = replay.report();
  assert.equal(report.frames, 4);
  assert.equal(report.books["BTC/USD"].verified, 3);
  assert.equal(report.errors.length, 1);
  assert.match(report.errors[0].reason, /malformed recording line/);
  assert.equal(report.errors[0].marked, false);
  assert.equal(replay.passed(), false);
});

const recorderOverflow: RecordedEvent = {
  type: "gap",
  reason: "overflow",
  dropped: 3,
  scope: "recorder",
};

Deno.test("verify: a book whose first snapshot the recorder dropped waits for its next one, marked", () => {
  const seen = new ServerBook("BTC/USD");
  const unseen = new ServerBook("ETH/USD");
  // The dropped lines held ETH/USD's snapshot: its updates after the overflow cannot verify.
  unseen.snapshot();
  const replay = replayOf(recording(
    seen.snapshot(),
    recorderOverflow,
    unseen.update(2),
    seen.update(2),
    unseen.update(3),
    seen.snapshot(),
    unseen.snapshot(),
    unseen.update(4),
  ));
  assert.equal(replay.passed(), true);
  const book = replay.report().books["ETH/USD"];
  assert.deepEqual(
    [book.verified, book.skipped, book.skippedMarked, book.updates],
    [2, 2, 2, 3],
  );
  // Without the overflow, updates before any snapshot are a loss the recording does not mark.
  const unmarked = replayOf(recording(unseen.update(5), unseen.snapshot()));
  assert.equal(unmarked.passed(), false);
  assert.equal(unmarked.report().books["ETH/USD"].skippedMarked, 0);
});

Deno.test("verify: the recorder's overflow marks the failures whose client mark it may have dropped", () => {
  // The lines after the failures are the caller's; the books resync from fresh snapshots.
  const run = (after: (btc: ServerBook, eth: ServerBook) => (string | RecordedEvent)[]) => {
    const btc = new ServerBook("BTC/USD");
    const eth = new ServerBook("ETH/USD");
    return replayOf(recording(
      btc.snapshot(),
      eth.snapshot(),
      btc.update(2, true),
      eth.crossing(),
      "\u0000not json",
      ...after(btc, eth),
      new ServerBook("BTC/USD").snapshot(),
      new ServerBook("ETH/USD").snapshot(),
    ));
  };
  const marked = run((btc, eth) => [recorderOverflow, btc.update(3), eth.update(3)]);
  assert.equal(marked.passed(), true);
  const report = marked.report();
  assert.deepEqual(report.errors.map((error) => [error.line, error.marked]), [[6, true]]);
  const btcBook = report.books["BTC/USD"];
  assert.deepEqual(btcBook.mismatches.map((entry) => [entry.line, entry.marked]), [[4, true]]);
  assert.deepEqual([btcBook.marked, btcBook.skipped, btcBook.skippedMarked], [1, 1, 1]);
  const ethBook = report.books["ETH/USD"];
  assert.deepEqual(ethBook.crossed.map((entry) => [entry.line, entry.marked]), [[5, true]]);
  assert.deepEqual([ethBook.marked, ethBook.skipped, ethBook.skippedMarked], [1, 1, 1]);

  // A failure already settled by a later frame is not the overflow's to mark.
  const settled = run((btc, eth) => [
    '{"channel":"heartbeat"}',
    btc.update(4),
    eth.update(4),
    recorderOverflow,
  ]);
  assert.equal(settled.passed(), false);
  const settledReport = settled.report();
  assert.equal(settledReport.errors[0].marked, false);
  assert.equal(settledReport.books["BTC/USD"].mismatches[0].marked, false);
  assert.equal(settledReport.books["ETH/USD"].crossed[0].marked, false);
});
