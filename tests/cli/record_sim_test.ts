import assert from "node:assert/strict";
import { recordCommand } from "../../src/cli/record.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { parseRecordingLine } from "../../src/recording/recording_line.ts";
import { KrakenSimulator } from "../../src/sim/simulator.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const HOUR_MS = 3_600_000;

/** Yields to the event loop so socket reads and writes can complete. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function verifyJson(files: readonly string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "verify", "--json", ...files],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  return { code: output.code, report: JSON.parse(text), text };
}

Deno.test("record: a simulated hour of faults verifies with no unmarked mismatch, and every fault is marked", async () => {
  const directory = await Deno.makeTempDir({ prefix: "kraken-ws-record-" });
  // Half past midnight: the hour turns during the run, so the files rotate by hour too.
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 30));
  const simulator = new KrakenSimulator({
    seed: 12,
    clock,
    stepMs: 1000,
    faults: {
      // A resync and a reconnect for certain, then faults at random on every connection.
      scripted: {
        1: [{ at: 300_000, kind: "wrong_checksum" }, { at: 600_000, kind: "drop_connection" }],
      },
      random: {
        meanGapMs: 180_000,
        kinds: [
          "drop_connection",
          "close_1001",
          "close_1011",
          "stall",
          "wrong_checksum",
          "drop_update",
          "malformed_json",
          "duplicate_frame",
        ],
      },
    },
  });
  const url = await simulator.start();
  const controller = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    const exit = recordCommand(
      [
        "--out",
        directory,
        "--book",
        "BTC/USD:10",
        "--book",
        "ETH/USD",
        "--trades",
        "BTC/USD",
        "--url",
        url,
      ],
      {
        clock,
        signal: controller.signal,
        stdout: (line) => stdout.push(line),
        stderr: (line) => stderr.push(line),
      },
    );
    for (let elapsed = 0; elapsed < HOUR_MS; elapsed += 1000) {
      clock.advance(1000);
      for (let i = 0; i < 4; i++) await turn();
    }
    controller.abort();
    assert.equal(await exit, 0, stderr.join("\n"));
  } finally {
    await simulator.close();
  }
  try {
    const files: string[] = [];
    for await (const entry of Deno.readDir(directory)) files.push(`${directory}/${entry.name}`);
    files.sort();
    assert.ok(files.length >= 2, `rotated by hour: ${files.join(", ")}`);
    assert.ok(files.every((file) => file.endsWith(".ndjson")), "no file left half-written");

    const lines = (await Promise.all(files.map((file) => Deno.readTextFile(file))))
      .flatMap((text) => text.split("\n").filter((line) => line !== ""))
      .map(parseRecordingLine);
    const gaps = lines.flatMap((line) =>
      line.kind === "event" && line.event.type === "gap" ? [line.event] : []
    );
    const faults = simulator.connections.flatMap((info) => info.faults);
    const count = (kind: string) => faults.filter((fault) => fault === kind).length;
    assert.ok(count("wrong_checksum") >= 1 && simulator.connections.length >= 2, faults.join(", "));

    // Every fault that lost or spoiled data is marked in the recording by the client's own gap.
    const bookGaps = gaps.filter((gap) =>
      gap.channel === "book" && (gap.reason === "checksum" || gap.reason === "crossed")
    );
    assert.ok(bookGaps.length >= count("wrong_checksum"), `${bookGaps.length} checksum gaps`);
    const lost = count("drop_update");
    const lossGaps = gaps.filter((gap) =>
      gap.reason === "checksum" || gap.reason === "sequence"
    ).length;
    assert.ok(
      lossGaps >= count("wrong_checksum") + lost,
      `${lossGaps} gaps for ${lost} lost updates`,
    );
    // A reconnect is marked on the book; trades that were flowing recover by id instead (Kraken's
    // last trades on the resubscribe), so only ids still missing would be a sequence gap.
    const reconnects = gaps.filter((gap) =>
      gap.reason === "reconnect" && gap.symbol === "BTC/USD" && gap.channel === "book"
    );
    assert.ok(reconnects.length >= 1);
    assert.equal(
      gaps.filter((gap) => gap.reason === "decode").length,
      count("malformed_json"),
      "each malformed frame is a decode gap",
    );

    // verify agrees: every book frame verified, or its failure is marked by the recording.
    const { code, report, text } = await verifyJson(files);
    assert.equal(code, 0, text.slice(0, 2000));
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const book = report.books[symbol];
      assert.ok(book.verified > 2000, `${symbol}: ${book.verified} verified`);
      assert.ok(book.mismatches.every((mismatch: { marked: boolean }) => mismatch.marked));
    }
    assert.ok(report.errors.every((error: { marked: boolean }) => error.marked));
    const marked = report.books["BTC/USD"].marked + report.books["ETH/USD"].marked;
    assert.equal(marked, bookGaps.length, "each marked failure is one of the client's gaps");
    assert.match(stdout.join("\n"), /^record: \d+ files?, \d+ lines, \d+ frames, \d+ gaps/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
