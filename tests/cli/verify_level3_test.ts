import assert from "node:assert/strict";
import { RecordingVerifier } from "../../src/recording/recording_verifier.ts";
import { formatSummary } from "../../src/cli/verify.ts";
import { encodeEvent, encodeFrame } from "../../src/recording/recording_line.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { GUIDE_CHECKSUM, guideSnapshotFrame } from "../book/level3_vectors.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

function feed(verifier: RecordingVerifier, lines: readonly string[]): void {
  lines.forEach((line, index) => verifier.feed(line, { file: "l3", line: index + 1 }));
}

const ACK_DEPTH_100 =
  '{"method":"subscribe","result":{"channel":"level3","symbol":"BTC/USD","depth":100,"snapshot":true},"success":true}';

/** The guide's snapshot with one order's quantity changed, its checksum left as Kraken's. */
function corrupted(): string {
  return guideSnapshotFrame(false).replace('"order_qty":0.88968699', '"order_qty":0.88968698');
}

Deno.test("verify level3: Kraken's worked example verifies, reported per symbol under level3", () => {
  const verifier = new RecordingVerifier();
  feed(verifier, [ACK_DEPTH_100, guideSnapshotFrame(false)]);
  const report = verifier.report();
  assert.deepEqual(Object.keys(report.books), []);
  assert.equal(report.level3?.["BTC/USD"].verified, 1);
  assert.equal(verifier.passed(), true);
  assert.match(formatSummary(report, true), /level3 BTC\/USD: 1 snapshots, 0 updates, 1 verified/);
});

Deno.test("verify level3: a corrupted order fails, with Kraken's checksum and ours", () => {
  const verifier = new RecordingVerifier();
  feed(verifier, [corrupted()]);
  const [mismatch] = verifier.report().level3!["BTC/USD"].mismatches;
  assert.equal(mismatch.expected, GUIDE_CHECKSUM);
  assert.notEqual(mismatch.computed, GUIDE_CHECKSUM);
  assert.equal(verifier.passed(), false);
});

Deno.test("verify level3: a mismatch the client's own level3 gap marks does not fail a recording", () => {
  const gapOf = (channel: "book" | "level3"): KrakenEvent => ({
    type: "gap",
    reason: "checksum",
    channel,
    symbol: "BTC/USD",
    expected: GUIDE_CHECKSUM,
    computed: 1,
    seq: 1,
    time: 2,
  });
  const verifier = new RecordingVerifier();
  feed(verifier, [encodeFrame(1, corrupted()), encodeEvent(2, gapOf("level3"))]);
  assert.equal(verifier.report().level3!["BTC/USD"].marked, 1);
  assert.equal(verifier.passed(), true);
  // An L2 book gap of the same symbol does not mark the level 3 failure.
  const other = new RecordingVerifier();
  feed(other, [encodeFrame(1, corrupted()), encodeEvent(2, gapOf("book"))]);
  assert.equal(other.passed(), false);
});

Deno.test("verify level3: the command prints level3 books in its JSON and exits 1 on a mismatch", async () => {
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  await Deno.writeTextFile(path, [ACK_DEPTH_100, corrupted()].join("\n") + "\n");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "verify", "--json", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 1);
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(report.level3["BTC/USD"].mismatches.length, 1);
  await Deno.remove(path);
});
