/**
 * `runLiveView`: the live terminal view of `watch` and `demo`. It runs a client on the given pairs,
 * feeds a {@link MarketView} from its streams, redraws the screen at most every 250 ms, and ends
 * after a time, on a signal, or when the connection ends for good, leaving nothing running.
 *
 * @module
 */

import type { BookDepth } from "../book/order_book.ts";
import { SYSTEM_CLOCK } from "../client/system_clock.ts";
import { KrakenWs, type KrakenWsOptions } from "../client/kraken_ws.ts";
import { combineTaps } from "../core/tap.ts";
import type { KrakenEvent } from "../core/events.ts";
import { type LogEntry, type MarketSummary, MarketView } from "./market_view.ts";
import { renderLogEntry, renderView } from "./render_view.ts";
import { stdoutIsTerminal, stdoutSize, type TerminalSize, writeStdout } from "./terminal.ts";

/**
 * Why a live view ended.
 *
 * - `seconds`: its time was up.
 * - `aborted`: the signal aborted (Ctrl+C in the commands).
 * - `closed`: the connection ended for good (Kraken closed it with code 1008).
 * - `rejected`: Kraken refused every subscription, so there was nothing left to show.
 *
 * @example
 * ```ts
 * import type { LiveViewEnd } from "./live_view.ts";
 * const ended: LiveViewEnd = "seconds";
 * console.log(ended);
 * ```
 */
export type LiveViewEnd = "seconds" | "aborted" | "closed" | "rejected";

/**
 * What {@link runLiveView} returns: the view at the end, and why it ended.
 *
 * @example
 * ```ts
 * import type { LiveViewSummary } from "./live_view.ts";
 * const failed = (summary: LiveViewSummary) => summary.ended === "closed";
 * console.log(typeof failed);
 * ```
 */
export interface LiveViewSummary extends MarketSummary {
  /** Why it ended. */
  readonly ended: LiveViewEnd;
}

/**
 * Options of {@link runLiveView}: every client option (passed on to the `KrakenWs` it makes; its
 * `tap` also sees what the view's frame counter sees), plus the view's own.
 *
 * @example
 * ```ts
 * import type { LiveViewOptions } from "./live_view.ts";
 * const options: LiveViewOptions = {
 *   url: "ws://127.0.0.1:8080/v2",
 *   symbols: ["BTC/USD", "ETH/USD"],
 *   depth: 10,
 *   seconds: 20,
 *   title: "kraken-ws demo",
 * };
 * console.log(options.symbols);
 * ```
 */
export interface LiveViewOptions extends Omit<KrakenWsOptions, "signal"> {
  /** The pairs to show, like `BTC/USD`; at least one. */
  readonly symbols: readonly string[];
  /** Book depth subscribed per pair (default 10); the screen shows the top levels that fit. */
  readonly depth?: BookDepth;
  /** Ends the view after this many seconds on the clock (default: runs until aborted). */
  readonly seconds?: number;
  /** Aborting it ends the view. */
  readonly signal?: AbortSignal;
  /** Receives the screen's text, escape codes included (default stdout). */
  readonly write?: (text: string) => void;
  /** ANSI colours (default: on when drawing to a terminal and `NO_COLOR` is unset). */
  readonly color?: boolean;
  /** The screen size, asked at every redraw (default the terminal's, else 100 x 40). */
  readonly terminalSize?: () => TerminalSize;
  /** Draws on the terminal's alternate screen, restored at the end (default: on a terminal). */
  readonly alternateScreen?: boolean;
  /** Shown first on the header line (default `kraken-ws`). */
  readonly title?: string;
  /** Called after the view took each event: for callers that act on what the viewer sees. */
  readonly onUpdate?: (view: MarketView, event: KrakenEvent) => void;
}

/** Redraws at most this often. */
const REDRAW_MS = 250;
/** Levels per side the view keeps: more never fit a screen. */
const LEVELS_KEPT = 25;
const FALLBACK_SIZE: TerminalSize = { columns: 100, rows: 40 };

const CURSOR_HOME = "\x1b[H";
const CLEAR_TO_LINE_END = "\x1b[K";
const CLEAR_BELOW = "\x1b[J";
const ENTER_ALTERNATE_SCREEN = "\x1b[?1049h\x1b[?25l";
const LEAVE_ALTERNATE_SCREEN = "\x1b[?25h\x1b[?1049l";

function isData(event: KrakenEvent): boolean {
  return event.type === "book" || event.type === "trade" || event.type === "ticker" ||
    event.type === "ohlc";
}

/**
 * Reads `stream` to its end, handing each event that `take` keeps to `deliver`.
 *
 * @returns `ended` when the stream ended, `failed` when it failed (the connection ended for good,
 * which the lifecycle stream reports).
 */
async function readStream(
  stream: ReadableStream<KrakenEvent>,
  take: (event: KrakenEvent) => boolean,
  deliver: (event: KrakenEvent) => void,
): Promise<"ended" | "failed"> {
  const reader = stream.getReader();
  for (;;) {
    let next: ReadableStreamReadResult<KrakenEvent>;
    try {
      next = await reader.read();
    } catch {
      return "failed";
    }
    if (next.done) return "ended";
    if (take(next.value)) deliver(next.value);
  }
}

/**
 * Runs the live view: subscribes each pair's book and the pairs' trades, shows them with the
 * connection's lifecycle and counters, and ends after `seconds`, when `signal` aborts, when the
 * connection ends for good, or when Kraken refused every subscription. It then closes the client,
 * draws the last screen, restores the terminal (or moves below the last screen) and returns the
 * summary. No timer, socket or stream is left behind.
 *
 * Each event reaches the view once: books and trades from the subscription streams, everything
 * else from `events()`; frames and every stream's overflow reach it through the client's tap.
 *
 * @param options The pairs, the client's options and the view's; see {@link LiveViewOptions}.
 * @returns The summary of the run.
 * @throws {RangeError} When `symbols` is empty or `seconds` is negative.
 * @throws The error of a `write` or `onUpdate` that threw, once everything is closed.
 *
 * @example
 * ```ts ignore
 * import { runLiveView } from "./live_view.ts";
 * import { renderSummary } from "./render_view.ts";
 *
 * const controller = new AbortController();
 * Deno.addSignalListener("SIGINT", () => controller.abort());
 * const summary = await runLiveView({
 *   symbols: ["BTC/USD", "ETH/USD"],
 *   seconds: 30,
 *   signal: controller.signal,
 * });
 * console.log(renderSummary(summary, { title: "watch" }).join("\n"));
 * ```
 */
export async function runLiveView(options: LiveViewOptions): Promise<LiveViewSummary> {
  const {
    symbols,
    depth = 10,
    seconds,
    signal,
    write,
    color,
    terminalSize,
    alternateScreen,
    title,
    onUpdate,
    tap,
    ...clientOptions
  } = options;
  if (symbols.length === 0) throw new RangeError("at least one symbol is needed");
  if (seconds !== undefined && !(seconds >= 0)) {
    throw new RangeError(`seconds must be 0 or more, not ${seconds}`);
  }
  const interactive = write === undefined && stdoutIsTerminal();
  const output = write ?? writeStdout;
  const size = terminalSize ?? (() => stdoutSize(FALLBACK_SIZE));
  const colored = color ?? (interactive && !Deno.noColor);
  const alternate = alternateScreen ?? interactive;
  const clock = clientOptions.clock ?? SYSTEM_CLOCK;
  const pairs = [...new Set(symbols)];
  const view = new MarketView({
    symbols: pairs,
    levels: Math.min(depth, LEVELS_KEPT),
    startedAt: clock.now(),
  });

  let ending: LiveViewEnd | undefined;
  let failure: { readonly error: unknown } | undefined;
  let resolveEnded!: (reason: LiveViewEnd) => void;
  const ended = new Promise<LiveViewEnd>((resolve) => resolveEnded = resolve);
  const end = (reason: LiveViewEnd): void => {
    if (ending !== undefined) return;
    ending = reason;
    resolveEnded(reason);
  };
  // A failure ends the run like an abort, and is thrown once everything is closed.
  const fail = (error: unknown): void => {
    failure ??= { error };
    end("aborted");
  };

  // Output that is not a terminal cannot be redrawn: it gets the log, a line per entry.
  const journal = write === undefined && !interactive;
  let lastLogged: LogEntry | undefined;
  const writeJournal = (): void => {
    const log = view.log;
    // An entry the bounded log already dropped was missed: then everything it holds is new.
    const start = lastLogged === undefined ? 0 : log.indexOf(lastLogged) + 1;
    for (const entry of log.slice(start)) {
      output(renderLogEntry(entry, view.startedAt, false) + "\n");
    }
    lastLogged = log.at(-1) ?? lastLogged;
  };

  let lastScreen = "";
  const draw = (): void => {
    if (failure !== undefined) return;
    if (journal) {
      try {
        writeJournal();
      } catch (error) {
        fail(error);
      }
      return;
    }
    const { columns, rows } = size();
    const lines = renderView(view, {
      width: columns,
      height: rows,
      now: clock.now(),
      color: colored,
      ...(title === undefined ? {} : { title }),
    });
    const screen = CURSOR_HOME + lines.join(CLEAR_TO_LINE_END + "\n") + CLEAR_TO_LINE_END +
      CLEAR_BELOW;
    if (screen === lastScreen) return;
    lastScreen = screen;
    try {
      output(screen);
    } catch (error) {
      fail(error);
    }
  };

  const deliver = (event: KrakenEvent): void => {
    if (failure !== undefined) return;
    view.apply(event);
    try {
      onUpdate?.(view, event);
    } catch (error) {
      fail(error);
    }
  };

  const client = new KrakenWs({ ...clientOptions, clock, tap: combineTaps(view, tap) });
  // The lifecycle stream exists before the first subscription, so it sees the first connection.
  const lifecycle = readStream(
    client.events(),
    (event) => !isData(event),
    deliver,
  ).then(() => end("closed"));
  const dataStreams: ReadableStream<KrakenEvent>[] = [
    ...pairs.map((symbol) => client.book(symbol, { depth })),
    client.trades(pairs),
  ];
  let open = dataStreams.length;
  const data = dataStreams.map((stream) =>
    readStream(
      stream,
      (event) => event.type === "book" || event.type === "trade",
      deliver,
    ).then((outcome) => {
      // A data stream ends by itself only when Kraken refused what it carries.
      if (outcome === "ended" && --open === 0) end("rejected");
    })
  );

  if (alternate) {
    try {
      output(ENTER_ALTERNATE_SCREEN);
    } catch (error) {
      fail(error);
    }
  }
  draw();
  let redraw: unknown;
  const tick = (): void => {
    redraw = clock.setTimeout(tick, REDRAW_MS);
    draw();
  };
  redraw = clock.setTimeout(tick, REDRAW_MS);
  const deadline = seconds === undefined
    ? undefined
    : clock.setTimeout(() => end("seconds"), seconds * 1000);
  const onAbort = (): void => end("aborted");
  if (signal?.aborted) end("aborted");
  else signal?.addEventListener("abort", onAbort, { once: true });

  const reason = await ended;
  clock.clearTimeout(redraw);
  if (deadline !== undefined) clock.clearTimeout(deadline);
  signal?.removeEventListener("abort", onAbort);
  await client.close();
  await Promise.all([lifecycle, ...data]);
  draw();
  if (failure === undefined) {
    try {
      // What the caller writes next goes below the last screen, or back on the main screen.
      output(alternate ? LEAVE_ALTERNATE_SCREEN : "\n");
    } catch (error) {
      fail(error);
    }
  }
  if (failure !== undefined) throw failure.error;
  return { ...view.summary(clock.now()), ended: reason };
}
