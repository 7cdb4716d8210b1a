// deno-lint-ignore-file no-console -- a command prints its results
/**
 * `record`: subscribes to what it is asked and writes every frame exactly as received, with its
 * receive time, and the client's lifecycle events, to rotating NDJSON files that `verify` reads.
 *
 * @module
 */

import { BOOK_DEPTHS, type BookDepth } from "../book/order_book.ts";
import { ArgumentList, bookDepthValue, numberValue, webSocketUrlValue } from "./arguments.ts";
import type { Clock } from "../core/clock.ts";
import { SYSTEM_CLOCK } from "../client/system_clock.ts";
import { KRAKEN_PUBLIC_URL, KrakenClosedError, KrakenWs } from "../client/kraken_ws.ts";
import type { KrakenEvent } from "../core/events.ts";
import { OHLC_INTERVALS, type OhlcInterval } from "../core/subscription.ts";
import { Recorder } from "../recording/recorder.ts";
import {
  DENO_FILE_SYSTEM,
  describeFileError,
  type RecordingFileSystem,
} from "./recording_file_system.ts";
import { RecordingWriteError, RotatingWriter } from "./rotating_writer.ts";
import { UsageError } from "./usage_error.ts";

/** Usage text of `record`. */
export const RECORD_USAGE: string =
  `usage: record --out DIR [--book SYMBOL[:DEPTH]]... [--trades SYMBOL]... [--ticker SYMBOL]...
              [--ohlc SYMBOL:INTERVAL]... [--url URL] [--max-file-bytes N] [--seconds N]

Records every frame exactly as received, with its receive time, and the client's lifecycle events
(state, gap, status, error) to DIR/kraken-YYYYMMDDTHH-NNNN.ndjson: a new file every UTC hour and
before a file would pass --max-file-bytes (default 268435456, 256 MiB). Each file is written as
NAME.ndjson.part and renamed when complete; a .part left by a crash is recovered on the next start.
DEPTH is one of ${BOOK_DEPTHS.join(", ")} (default 10).
INTERVAL is in minutes, one of ${OHLC_INTERVALS.join(", ")}.
--url defaults to ${KRAKEN_PUBLIC_URL}. Runs until SIGINT or SIGTERM, or for --seconds.
Check a recording with: verify DIR/kraken-*.ndjson
Exit 0 after a clean stop, 1 when the files cannot be written or the server ends the connection
for good, 2 on usage errors.`;

/** 256 MiB. */
const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Parsed arguments of `record`.
 *
 * @example
 * ```ts
 * import { parseRecordArgs } from "./record.ts";
 * const args = parseRecordArgs(["--out", "rec", "--book", "BTC/USD:25", "--ohlc", "ETH/USD:60"]);
 * console.log(args.books, args.ohlc); // [{ symbol: "BTC/USD", depth: 25 }] [{ symbol: "ETH/USD", interval: 60 }]
 * ```
 */
export interface RecordArgs {
  /** Output directory. */
  readonly out: string;
  /** Books to record, each at its depth. */
  readonly books: readonly { readonly symbol: string; readonly depth: BookDepth }[];
  /** Symbols whose trades to record. */
  readonly trades: readonly string[];
  /** Symbols whose ticker to record. */
  readonly tickers: readonly string[];
  /** Candles to record, each at its interval. */
  readonly ohlc: readonly { readonly symbol: string; readonly interval: OhlcInterval }[];
  /** The WebSocket URL. */
  readonly url: string;
  /** Size limit of one file. */
  readonly maxFileBytes: number;
  /** Stop after this many seconds; undefined runs until a signal. */
  readonly seconds: number | undefined;
}

function symbolOf(text: string, flag: string): string {
  if (text === "" || /\s/.test(text) || text.startsWith("-")) {
    throw new UsageError(`${flag} needs a symbol like BTC/USD, not "${text}"`);
  }
  return text;
}

/** Splits `SYMBOL:SUFFIX` at its last colon; the suffix is undefined when there is none. */
function splitSuffix(text: string): [string, string | undefined] {
  const colon = text.lastIndexOf(":");
  return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * Parses `record`'s arguments.
 *
 * @param args The arguments after `record`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed, or when nothing is asked for.
 *
 * @example
 * ```ts
 * import { parseRecordArgs } from "./record.ts";
 * const args = parseRecordArgs(["--out=rec", "--trades", "BTC/USD", "--seconds", "60"]);
 * console.log(args.out, args.trades, args.seconds); // rec [ "BTC/USD" ] 60
 * ```
 */
export function parseRecordArgs(args: readonly string[]): RecordArgs {
  let out: string | undefined;
  const books: { symbol: string; depth: BookDepth }[] = [];
  const trades: string[] = [];
  const tickers: string[] = [];
  const ohlc: { symbol: string; interval: OhlcInterval }[] = [];
  let url = KRAKEN_PUBLIC_URL;
  let maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  let seconds: number | undefined;
  const list = new ArgumentList(args);
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    const flag = argument.flag;
    if (argument.positional) throw new UsageError(`unexpected argument ${flag}`);
    switch (flag) {
      case "--out":
        out = list.value(argument);
        if (out === "") throw new UsageError("--out needs a directory");
        break;
      case "--book": {
        const [symbol, depthText] = splitSuffix(list.value(argument));
        const depth = depthText === undefined ? 10 : bookDepthValue("--book depth", depthText);
        books.push({ symbol: symbolOf(symbol, flag), depth });
        break;
      }
      case "--trades":
        trades.push(symbolOf(list.value(argument), flag));
        break;
      case "--ticker":
        tickers.push(symbolOf(list.value(argument), flag));
        break;
      case "--ohlc": {
        const text = list.value(argument);
        const [symbol, intervalText] = splitSuffix(text);
        if (intervalText === undefined) {
          throw new UsageError(`--ohlc takes SYMBOL:INTERVAL (like BTC/USD:60), not ${text}`);
        }
        const interval = OHLC_INTERVALS.find((known) => String(known) === intervalText);
        if (interval === undefined) {
          throw new UsageError(
            `--ohlc interval must be one of ${
              OHLC_INTERVALS.join(", ")
            } minutes, not ${intervalText}`,
          );
        }
        ohlc.push({ symbol: symbolOf(symbol, flag), interval });
        break;
      }
      case "--url":
        url = webSocketUrlValue(flag, list.value(argument));
        break;
      case "--max-file-bytes":
        maxFileBytes = numberValue(flag, list.value(argument), { whole: true, min: 1 });
        break;
      case "--seconds":
        seconds = numberValue(flag, list.value(argument));
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (out === undefined) throw new UsageError("record needs --out DIR");
  if (books.length + trades.length + tickers.length + ohlc.length === 0) {
    throw new UsageError(
      "nothing to record: give at least one --book, --trades, --ticker or --ohlc",
    );
  }
  return {
    out,
    books,
    trades: [...new Set(trades)],
    tickers: [...new Set(tickers)],
    ohlc,
    url,
    maxFileBytes,
    seconds,
  };
}

/**
 * What `record` can be given besides its arguments; tests inject all of it.
 *
 * @example
 * ```ts
 * import type { RecordOptions } from "./record.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * const options: RecordOptions = { clock: new VirtualClock(), stderr: () => {} };
 * console.log(options.clock?.now()); // 0
 * ```
 */
export interface RecordOptions {
  /** Time and timers (default the runtime's). */
  readonly clock?: Clock;
  /** Makes the WebSocket (default `new WebSocket(url)`). */
  readonly webSocket?: (url: string) => WebSocket;
  /**
   * Aborting it stops the recording cleanly, as SIGINT does. Given one, the command leaves
   * SIGINT and SIGTERM to its caller.
   */
  readonly signal?: AbortSignal;
  /** The file system (default the real one). */
  readonly fileSystem?: RecordingFileSystem;
  /** Where the summary goes (default standard output). */
  readonly stdout?: (line: string) => void;
  /** Where messages go (default standard error). */
  readonly stderr?: (line: string) => void;
  /** Bound of the recorder's write queue in bytes (default 64 MiB). */
  readonly maxQueuedBytes?: number;
}

/** Calls `stop` on SIGINT and SIGTERM until the returned function removes the listeners. */
function listenForSignals(stop: () => void): () => void {
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  };
}

/** Opens a stream for every subscription asked for. */
function openStreams(kraken: KrakenWs, args: RecordArgs): ReadableStream<KrakenEvent>[] {
  return [
    ...args.books.map(({ symbol, depth }) => kraken.book(symbol, { depth })),
    ...args.trades.map((symbol) => kraken.trades(symbol)),
    ...args.tickers.map((symbol) => kraken.ticker(symbol)),
    ...args.ohlc.map(({ symbol, interval }) => kraken.ohlc(symbol, { interval })),
  ];
}

/**
 * Reads a stream to its end: the tap already has its data, but an unread stream would overflow.
 * A refusal from Kraken is worth telling the user.
 */
async function consume(
  stream: ReadableStream<KrakenEvent>,
  stderr: (line: string) => void,
): Promise<void> {
  try {
    for await (const event of stream) {
      if (event.type === "error" && event.code === "rejected") {
        stderr(`record: Kraken refused ${event.channel} ${event.symbol}: ${event.message}`);
      }
    }
  } catch (error) {
    // The connection ended for good: the tap's state event already stopped the recording.
    if (!(error instanceof KrakenClosedError)) throw error;
  }
}

/**
 * Runs `record` as a command: records until stopped, prints a one-line summary and returns the
 * exit code.
 *
 * @param args The arguments after `record`.
 * @param options Injected clock, socket, signal, file system and output.
 * @returns 0 after a clean stop, 1 when the files cannot be written or the server ended the
 *   connection for good, 2 on usage errors.
 *
 * @example
 * ```ts ignore
 * import { recordCommand } from "./record.ts";
 * Deno.exit(await recordCommand(["--out", "recordings", "--book", "BTC/USD:10", "--seconds", "60"]));
 * ```
 */
export async function recordCommand(
  args: readonly string[],
  options: RecordOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? ((line: string) => console.log(line));
  const stderr = options.stderr ?? ((line: string) => console.error(line));
  let parsed: RecordArgs;
  try {
    parsed = parseRecordArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`record: ${error.message}\n\n${RECORD_USAGE}`);
    return 2;
  }
  const clock = options.clock ?? SYSTEM_CLOCK;
  let writer: RotatingWriter;
  try {
    writer = await RotatingWriter.open({
      directory: parsed.out,
      url: parsed.url,
      maxFileBytes: parsed.maxFileBytes,
      fileSystem: options.fileSystem ?? DENO_FILE_SYSTEM,
      note: (message) => stderr(`record: ${message}`),
    }, clock.now());
  } catch (error) {
    if (!(error instanceof RecordingWriteError)) throw error;
    stderr(`record: ${error.message}`);
    return 1;
  }

  let stopNow!: () => void;
  const stopped = new Promise<void>((resolve) => stopNow = resolve);
  let stopping = false;
  let failure: string | undefined;
  const fail = (message: string) => {
    failure ??= message;
    stopNow();
  };
  const recorder = new Recorder(writer, {
    maxQueuedBytes: options.maxQueuedBytes,
    onFailure: (error) => fail(describeFileError(error)),
  });
  const kraken = new KrakenWs({
    url: parsed.url,
    clock,
    webSocket: options.webSocket,
    tap: {
      frame: recorder.tap.frame,
      event: (event) => {
        recorder.tap.event?.(event);
        if (
          !stopping && event.type === "state" && event.scope === "connection" &&
          event.to === "closed"
        ) {
          fail(`the connection ended for good (${event.cause})`);
        }
      },
    },
  });
  const signal = options.signal;
  const removeSignalListeners = signal === undefined ? listenForSignals(stopNow) : undefined;
  signal?.addEventListener("abort", stopNow, { once: true });
  if (signal?.aborted) stopNow();
  const timer = parsed.seconds === undefined
    ? undefined
    : clock.setTimeout(stopNow, parsed.seconds * 1000);
  const readers = openStreams(kraken, parsed).map((stream) => consume(stream, stderr));

  await stopped;
  stopping = true;
  // A second Ctrl-C while the files are finished is the default one: it ends the process.
  removeSignalListeners?.();
  signal?.removeEventListener("abort", stopNow);
  if (timer !== undefined) clock.clearTimeout(timer);
  await kraken.close();
  await Promise.all(readers);
  await recorder.finish();
  if (failure !== undefined) stderr(`record: ${failure}`);
  const counts = recorder.counts;
  stdout(
    `record: ${writer.files.length} files, ${writer.lines} lines, ${counts.frames} frames, ` +
      `${counts.gaps} gaps in ${parsed.out}` +
      (counts.dropped > 0 ? ` (${counts.dropped} lines dropped by the recorder, marked)` : ""),
  );
  return failure === undefined ? 0 : 1;
}
