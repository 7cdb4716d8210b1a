// deno-lint-ignore-file no-console -- a command prints its results
/**
 * `verify`: replays recorded NDJSON frames, raw or in `record`'s recordings, through the order
 * book and reports every checksum.
 *
 * @module
 */

import type { Precision } from "../book/checksum.ts";
import type { BookDepth } from "../book/order_book.ts";
import { ArgumentList, bookDepthValue } from "./arguments.ts";
import { RecordingVerifier, type VerificationReport } from "../recording/recording_verifier.ts";
import { readLines } from "./lines.ts";
import { UsageError } from "./usage_error.ts";

/** Usage text of `verify`. */
export const VERIFY_USAGE: string =
  `usage: verify [--json] [--depth N] [--precision SYMBOL=PRICE_DECIMALS,QTY_DECIMALS]... FILE...

Replays every book frame of every symbol in the NDJSON files through the SDK's order book and
checks each checksum; level3 frames go through the level 3 book (reported as "level3 SYMBOL"). A file holds raw Kraken v2 frames (one per line) or is a recording made by
\`record\` (frames with their receive time, and the client's events); both may be mixed, and the
files are read in order as one stream (pass a recording's files in name order:
DIR/kraken-*.ndjson). Depth comes from the subscribe acknowledgement, else --depth (default 10; for
level3, 10 unless --depth is 100 or 1000);
precision from instrument frames, else --precision.
In a recording, a mismatch or crossed book that the client's own gap event marks (a checksum or
crossed gap for that symbol before its next frame), a decode error marked by the client's decode
error or gap, and the frames skipped after a loss the recording marks (those, a reconnect, or the
recorder's overflow) are reported as marked and do not fail. The recorder's overflow may have
dropped such a mark, so it marks the failures just before it too, and every book, even one not
seen yet, waits for its next snapshot after it.
Exit 0 when every line decoded and every book frame verified or was marked, 1 otherwise, 2 on
usage errors.`;

/**
 * Parsed arguments of `verify`.
 *
 * @example
 * ```ts
 * import { parseVerifyArgs } from "./verify.ts";
 * const args = parseVerifyArgs(["--json", "--precision", "BTC/USD=1,8", "a.ndjson"]);
 * console.log(args.json, args.precision["BTC/USD"], args.files);
 * ```
 */
export interface VerifyArgs {
  /** Print one JSON object instead of a summary. */
  readonly json: boolean;
  /** Fallback depth. */
  readonly depth: BookDepth;
  /** Fallback precision per symbol. */
  readonly precision: Record<string, Precision>;
  /** Files to replay, in order, as one stream. */
  readonly files: readonly string[];
}

/**
 * Parses `verify`'s arguments.
 *
 * @param args The arguments after `verify`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed.
 *
 * @example
 * ```ts
 * import { parseVerifyArgs } from "./verify.ts";
 * console.log(parseVerifyArgs(["--depth", "25", "x.ndjson"]).depth); // 25
 * ```
 */
export function parseVerifyArgs(args: readonly string[]): VerifyArgs {
  let json = false;
  let depth: BookDepth = 10;
  const precision: Record<string, Precision> = {};
  const files: string[] = [];
  const list = new ArgumentList(args);
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    if (argument.positional) {
      files.push(argument.flag);
    } else if (argument.flag === "--json") {
      list.noValue(argument);
      json = true;
    } else if (argument.flag === "--depth") {
      depth = bookDepthValue(argument.flag, list.value(argument));
    } else if (argument.flag === "--precision") {
      const text = list.value(argument);
      const match = /^(.+)=(\d{1,2}),(\d{1,2})$/.exec(text);
      if (match === null) {
        throw new UsageError(
          `--precision takes SYMBOL=PRICE_DECIMALS,QTY_DECIMALS (like BTC/USD=1,8), not ${text}`,
        );
      }
      precision[match[1]] = { price: Number(match[2]), qty: Number(match[3]) };
    } else {
      throw new UsageError(`unknown option ${argument.flag}`);
    }
  }
  if (files.length === 0) throw new UsageError("verify needs at least one FILE");
  return { json, depth, precision, files };
}

/**
 * Replays the files of `args` and returns the replay.
 *
 * @param args Parsed arguments.
 * @returns The finished replay.
 * @throws {UsageError} When a file cannot be opened or read.
 *
 * @example
 * ```ts ignore
 * import { parseVerifyArgs, runVerify } from "./verify.ts";
 * const replay = await runVerify(parseVerifyArgs(["recording.ndjson"]));
 * console.log(replay.passed());
 * ```
 */
export async function runVerify(args: VerifyArgs): Promise<RecordingVerifier> {
  const replay = new RecordingVerifier({ defaultDepth: args.depth, precision: args.precision });
  for (const file of args.files) {
    try {
      const handle = await Deno.open(file);
      let line = 0;
      for await (const text of readLines(handle.readable)) {
        replay.feed(text, { file, line: ++line });
      }
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof Error
        ? error.message
        : String(error);
      throw new UsageError(`cannot read ${file}: ${reason}`);
    }
  }
  return replay;
}

/**
 * A short human summary of a replay.
 *
 * @param report The replay's report.
 * @param passed Whether it passed.
 * @returns Lines of text.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./verify.ts";
 * console.log(formatSummary({ frames: 0, errors: [], books: {}, recorderOverflows: [] }, true));
 * ```
 */
export function formatSummary(report: VerificationReport, passed: boolean): string {
  const markedErrors = report.errors.filter((error) => error.marked).length;
  const lines = [
    `${report.frames} frames, ${report.errors.length} decode errors` +
    (markedErrors > 0 ? ` (${markedErrors} marked by the recording)` : ""),
  ];
  for (const error of report.errors.slice(0, 10)) {
    lines.push(`  ${error.file}:${error.line}: ${error.reason}${markedNote(error.marked)}`);
  }
  if (report.errors.length > 10) lines.push(`  … and ${report.errors.length - 10} more`);
  for (const overflow of report.recorderOverflows) {
    lines.push(
      `${overflow.file}:${overflow.line}: the recorder dropped ${overflow.dropped} lines ` +
        `(its queue overflowed); every book waits for its next snapshot`,
    );
  }
  let marked = markedErrors;
  let skippedMarked = 0;
  const books = [
    ...Object.entries(report.books),
    ...Object.entries(report.level3 ?? {}).map(([symbol, book]) =>
      [`level3 ${symbol}`, book] as const
    ),
  ];
  for (const [symbol, book] of books) {
    marked += book.marked;
    skippedMarked += book.skippedMarked;
    lines.push(
      `${symbol}: ${book.snapshots} snapshots, ${book.updates} updates, ${book.verified} verified, ` +
        `${book.skipped} skipped, ${book.mismatches.length} mismatches, ${book.crossed.length} crossed` +
        (book.marked > 0 ? `, ${book.marked} marked` : "") +
        (book.skippedMarked > 0 ? `, ${book.skippedMarked} skipped after a marked loss` : ""),
    );
    for (const mismatch of book.mismatches.slice(0, 5)) {
      lines.push(
        `  ${mismatch.file}:${mismatch.line}: expected ${mismatch.expected}, ` +
          `computed ${mismatch.computed}${markedNote(mismatch.marked)}`,
      );
    }
    for (const crossed of book.crossed.slice(0, 5)) {
      lines.push(
        `  ${crossed.file}:${crossed.line}: crossed ${crossed.bestBid} >= ${crossed.bestAsk}` +
          markedNote(crossed.marked),
      );
    }
  }
  if (books.length === 0) lines.push("no book frames");
  const excepted = [
    ...(marked > 0 ? [`${marked} failures the recording marks as gaps`] : []),
    ...(skippedMarked > 0 ? [`${skippedMarked} skipped after a loss the recording marks`] : []),
  ];
  if (!passed) lines.push("FAILED");
  else if (excepted.length === 0) lines.push("OK: every book frame verified");
  else lines.push(`OK: every book frame verified, except ${excepted.join(" and ")}`);
  return lines.join("\n");
}

function markedNote(marked: boolean): string {
  return marked ? " (marked by the recording)" : "";
}

/**
 * Runs `verify` as a command: prints the report and returns the exit code.
 *
 * @param args The arguments after `verify`.
 * @returns 0 when everything verified, 1 when not, 2 on usage errors.
 *
 * @example
 * ```ts ignore
 * import { verifyCommand } from "./verify.ts";
 * Deno.exit(await verifyCommand(["--json", "recording.ndjson"]));
 * ```
 */
export async function verifyCommand(args: readonly string[]): Promise<number> {
  let replay: RecordingVerifier;
  let json: boolean;
  try {
    const parsed = parseVerifyArgs(args);
    json = parsed.json;
    replay = await runVerify(parsed);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`verify: ${error.message}\n\n${VERIFY_USAGE}`);
    return 2;
  }
  const passed = replay.passed();
  console.log(json ? JSON.stringify(replay.report()) : formatSummary(replay.report(), passed));
  return passed ? 0 : 1;
}
