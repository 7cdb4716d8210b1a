/**
 * `watch`: the live terminal view for any pairs, against Kraken or a given URL.
 *
 * @module
 */

import type { BookDepth } from "../book/order_book.ts";
import { ArgumentList, bookDepthValue, numberValue, webSocketUrlValue } from "./arguments.ts";
import { KRAKEN_PUBLIC_URL } from "../client/kraken_ws.ts";
import { type LiveViewOptions, runLiveView } from "./live_view.ts";
import { renderSummary } from "./render_view.ts";
import { stdoutIsTerminal, writeStderr, writeStdout } from "./terminal.ts";
import { UsageError } from "./usage_error.ts";

/** Usage text of `watch`. */
export const WATCH_USAGE: string =
  `usage: watch SYMBOL... [--depth N] [--url URL] [--seconds N] [--no-color]

Shows each pair's verified order book (best bid and ask, spread, top levels) and last trades, with
the connection's state, the counters (frames, gaps, resyncs, reconnects) and the recent lifecycle,
redrawn live. Runs until Ctrl+C or --seconds, then prints a summary. An unreachable URL is retried
with backoff, as the view shows.

  SYMBOL       a pair as Kraken v2 spells it, like BTC/USD (one or more)
  --depth N    book depth to subscribe: 10 (default), 25, 100, 500 or 1000
  --url URL    ws:// or wss:// endpoint (default ${KRAKEN_PUBLIC_URL})
  --seconds N  stop after N seconds
  --no-color   no colours (also when NO_COLOR is set)

Exit 0 when stopped by Ctrl+C or --seconds, 1 when the connection ended for good or Kraken refused
every subscription, 2 on usage errors.`;

/** A pair: two asset codes around a slash. */
const SYMBOL = /^[A-Z0-9._-]+\/[A-Z0-9._-]+$/;

/**
 * Parsed arguments of `watch`.
 *
 * @example
 * ```ts
 * import { parseWatchArgs } from "./watch.ts";
 * const args = parseWatchArgs(["BTC/USD", "eth/usd", "--depth", "25", "--seconds", "30"]);
 * console.log(args.symbols, args.depth, args.seconds); // ["BTC/USD", "ETH/USD"] 25 30
 * ```
 */
export interface WatchArgs {
  /** The pairs, upper case, each once, in the order given. */
  readonly symbols: readonly string[];
  /** Book depth to subscribe. */
  readonly depth: BookDepth;
  /** The endpoint. */
  readonly url: string;
  /** Stop after this many seconds; undefined runs until Ctrl+C. */
  readonly seconds: number | undefined;
  /** Never colour the output. */
  readonly noColor: boolean;
  /** Print the usage and nothing else. */
  readonly help: boolean;
}

/**
 * Parses `watch`'s arguments.
 *
 * @param args The arguments after `watch`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed.
 *
 * @example
 * ```ts
 * import { parseWatchArgs } from "./watch.ts";
 * console.log(parseWatchArgs(["BTC/USD", "--url=ws://127.0.0.1:8080/v2"]).url);
 * ```
 */
export function parseWatchArgs(args: readonly string[]): WatchArgs {
  const symbols: string[] = [];
  let depth: BookDepth = 10;
  let url = KRAKEN_PUBLIC_URL;
  let seconds: number | undefined;
  let noColor = false;
  let help = false;
  const list = new ArgumentList(args);
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    if (argument.positional) {
      const symbol = argument.flag.toUpperCase();
      if (!SYMBOL.test(symbol)) {
        throw new UsageError(
          `a symbol is BASE/QUOTE, like BTC/USD, not ${JSON.stringify(argument.flag)}`,
        );
      }
      if (!symbols.includes(symbol)) symbols.push(symbol);
    } else if (argument.flag === "--depth") {
      depth = bookDepthValue(argument.flag, list.value(argument));
    } else if (argument.flag === "--url") {
      url = webSocketUrlValue(argument.flag, list.value(argument));
    } else if (argument.flag === "--seconds") {
      seconds = numberValue(argument.flag, list.value(argument));
    } else if (argument.flag === "--no-color") {
      list.noValue(argument);
      noColor = true;
    } else if (argument.flag === "--help" || argument.flag === "-h") {
      list.noValue(argument);
      help = true;
    } else {
      throw new UsageError(`unknown option ${argument.flag}`);
    }
  }
  if (symbols.length === 0 && !help) throw new UsageError("watch needs at least one SYMBOL");
  return { symbols, depth, url, seconds, noColor, help };
}

/**
 * What `watch` reads and writes besides its arguments; tests inject these. All are optional.
 *
 * @example
 * ```ts
 * import type { WatchIo } from "./watch.ts";
 * let screen = "";
 * const io: WatchIo = {
 *   write: (text) => void (screen += text),
 *   terminalSize: () => ({ columns: 80, rows: 24 }),
 * };
 * console.log(typeof io.write);
 * ```
 */
export interface WatchIo extends
  Pick<
    LiveViewOptions,
    "write" | "clock" | "webSocket" | "terminalSize" | "onUpdate" | "signal"
  > {
  /** Receives usage errors (default stderr). */
  readonly writeError?: (text: string) => void;
}

/**
 * Runs `watch` as a command: the live view until Ctrl+C (or `io.signal`) or `--seconds`, then the
 * summary.
 *
 * @param args The arguments after `watch`.
 * @param io Where it writes and what it runs on; the process's by default.
 * @returns 0 when stopped by Ctrl+C or `--seconds`, 1 when the connection ended for good or every
 * subscription was refused, 2 on usage errors.
 *
 * @example
 * ```ts ignore
 * import { watchCommand } from "./watch.ts";
 * Deno.exit(await watchCommand(["BTC/USD", "ETH/USD", "--seconds", "30"]));
 * ```
 */
export async function watchCommand(
  args: readonly string[],
  io: WatchIo = {},
): Promise<number> {
  const write = io.write ?? writeStdout;
  let parsed: WatchArgs;
  try {
    parsed = parseWatchArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    (io.writeError ?? writeStderr)(`watch: ${error.message}\n\n${WATCH_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    write(WATCH_USAGE + "\n");
    return 0;
  }
  const color = !parsed.noColor && io.write === undefined && stdoutIsTerminal() && !Deno.noColor;
  const interrupt = new AbortController();
  const onInterrupt = (): void => interrupt.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const summary = await runLiveView({
      url: parsed.url,
      symbols: parsed.symbols,
      depth: parsed.depth,
      seconds: parsed.seconds,
      signal: io.signal === undefined
        ? interrupt.signal
        : AbortSignal.any([interrupt.signal, io.signal]),
      color,
      title: `kraken-ws watch ${parsed.url}`,
      write: io.write,
      clock: io.clock,
      webSocket: io.webSocket,
      terminalSize: io.terminalSize,
      onUpdate: io.onUpdate,
    });
    write(renderSummary(summary, { title: "watch", color }).join("\n") + "\n");
    return summary.ended === "seconds" || summary.ended === "aborted" ? 0 : 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
