/**
 * Renders a market view as terminal lines for a given screen size: a header with the connection
 * and the counters, one panel per pair (side by side when they fit, stacked when not, prices only
 * when even one panel is too wide), and the recent lifecycle. Pure: the same view and options give
 * the same lines, none wider than the screen and never more of them than it has rows.
 *
 * @module
 */

import type { ConnectionState } from "../core/events.ts";
import type { BookLevel, Trade } from "../protocol/messages.ts";
import type {
  LogEntry,
  MarketCounters,
  MarketSummary,
  MarketViewState,
  SubscriptionStatus,
  SymbolView,
} from "./market_view.ts";
import {
  fitLine,
  lineText,
  lineWidth,
  padLine,
  type Span,
  type Style,
  type StyledLine,
} from "./styled_line.ts";

/**
 * How to render a view.
 *
 * @example
 * ```ts
 * import type { RenderOptions } from "./render_view.ts";
 * const options: RenderOptions = { width: 120, height: 40, now: 5_000, color: true };
 * console.log(options.width);
 * ```
 */
export interface RenderOptions {
  /** Screen columns. */
  readonly width: number;
  /** Screen rows. */
  readonly height: number;
  /** Client time now, in ms, for the elapsed time. */
  readonly now: number;
  /** ANSI colours: bids green, asks red, trouble yellow (default off). */
  readonly color?: boolean;
  /** What runs, shown first on the header line (default `kraken-ws`). */
  readonly title?: string;
}

/**
 * How to render a summary.
 *
 * @example
 * ```ts
 * import type { SummaryOptions } from "./render_view.ts";
 * const options: SummaryOptions = { title: "watch", color: false };
 * console.log(options.title);
 * ```
 */
export interface SummaryOptions {
  /** ANSI colours (default off). */
  readonly color?: boolean;
  /** What ran (default `kraken-ws`). */
  readonly title?: string;
}

/** Columns between panels side by side. */
const PANEL_GAP = 3;
/** Lines of a panel besides its levels and trades: the pair, the best prices, column names. */
const PANEL_FIXED_LINES = 3;
/** Log entries kept on screen before levels go below {@link MIN_LEVELS}. */
const MIN_LOG_LINES = 3;
/** Levels per side kept on screen before the trades go. */
const MIN_LEVELS = 3;
const DIVIDER = " │ ";

const NEEDS_ATTENTION: ReadonlySet<ConnectionState> = new Set(["backoff", "closing", "closed"]);

/** `mm:ss`, or `h:mm:ss` past an hour. */
function clockText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = String(Math.floor(total / 60) % 60).padStart(2, "0");
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${minutes}:${seconds}` : `${minutes}:${seconds}`;
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function gapTotal(gaps: MarketCounters["gaps"]): number {
  return Object.values(gaps).reduce((sum, count) => sum + count, 0);
}

function gapBreakdown(gaps: MarketCounters["gaps"]): string {
  return Object.entries(gaps).filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`).join(", ");
}

/** Counter phrases, each styled as a warning when it counts trouble. */
function counterSpans(counters: MarketCounters): Span[] {
  const gaps = gapTotal(counters.gaps);
  const trouble = (count: number): Style | undefined => count > 0 ? "warning" : undefined;
  const spans: Span[] = [
    { text: `frames ${counters.frames}` },
    { text: `books ${counters.bookUpdates}` },
    { text: `trades ${counters.trades}` },
    {
      text: gaps === 0 ? "gaps 0" : `gaps ${gaps} (${gapBreakdown(counters.gaps)})`,
      style: trouble(gaps),
    },
    { text: `resyncs ${counters.resyncs}`, style: trouble(counters.resyncs) },
    { text: `reconnects ${counters.reconnects}`, style: trouble(counters.reconnects) },
    { text: `decode errors ${counters.decodeErrors}`, style: trouble(counters.decodeErrors) },
  ];
  if (counters.overflows > 0) {
    spans.push({ text: `overflows ${counters.overflows}`, style: "warning" });
  }
  if (counters.errors > 0) spans.push({ text: `errors ${counters.errors}`, style: "warning" });
  return spans;
}

/** Phrases packed into as few lines of `width` as they fit, two spaces apart. */
function packLines(phrases: readonly Span[], width: number): StyledLine[] {
  const lines: Span[][] = [];
  let current: Span[] = [];
  let used = 0;
  for (const phrase of phrases) {
    const size = [...phrase.text].length;
    if (current.length > 0 && used + 2 + size > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    if (current.length > 0) {
      current.push({ text: "  " });
      used += 2;
    }
    current.push(phrase);
    used += size;
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

function headerLine(view: MarketViewState, options: RenderOptions): StyledLine {
  const spans: Span[] = [
    { text: options.title ?? "kraken-ws", style: "heading" },
    { text: "  " },
    {
      text: view.connection,
      style: view.connection === "live"
        ? "good"
        : NEEDS_ATTENTION.has(view.connection)
        ? "warning"
        : undefined,
    },
  ];
  if (view.connection !== "live") {
    spans.push({ text: ` (${view.connectionCause})`, style: "muted" });
  }
  if (view.system !== undefined && view.system !== "online") {
    spans.push({ text: "  " }, { text: `status ${view.system}`, style: "warning" });
  }
  spans.push({ text: `  ${clockText(options.now - view.startedAt)}` });
  return spans;
}

/** The book subscription's state in words, styled by whether the levels can be trusted. */
function bookStateSpan(symbol: SymbolView): Span {
  const status: SubscriptionStatus = symbol.book;
  if (status.state === "synced") return { text: "verified", style: "good" };
  if (status.state === "rejected") {
    return { text: `rejected: ${symbol.rejection ?? status.cause}`, style: "warning" };
  }
  if (status.state === "pending" && status.cause === "starting") {
    return { text: "subscribing", style: "muted" };
  }
  const attempt = status.attempt === undefined ? "" : ` #${status.attempt}`;
  return {
    text: `${status.state.replaceAll("_", " ")}${attempt} (${status.cause})`,
    style: "warning",
  };
}

function bestLine(symbol: SymbolView): StyledLine {
  const [bid] = symbol.bids;
  const [ask] = symbol.asks;
  if (bid === undefined && ask === undefined) return [{ text: "no book yet", style: "muted" }];
  const spans: Span[] = [];
  if (bid !== undefined) spans.push({ text: "bid " }, { text: bid.priceText, style: "bid" });
  if (ask !== undefined) {
    if (spans.length > 0) spans.push({ text: "  " });
    spans.push({ text: "ask " }, { text: ask.priceText, style: "ask" });
  }
  if (symbol.spread !== undefined) spans.push({ text: `  spread ${symbol.spread}` });
  return spans;
}

/** Column widths of the levels of one panel. */
interface LevelColumns {
  readonly price: number;
  readonly qty: number;
}

function levelColumns(symbol: SymbolView, levels: number): LevelColumns {
  const shown = [...symbol.bids.slice(0, levels), ...symbol.asks.slice(0, levels)];
  return {
    price: Math.max(3, ...shown.map((level) => level.priceText.length)),
    qty: Math.max(3, ...shown.map((level) => level.qtyText.length)),
  };
}

function levelRow(
  bid: BookLevel | undefined,
  ask: BookLevel | undefined,
  widths: LevelColumns,
  pricesOnly: boolean,
  trusted: boolean,
): StyledLine {
  const bidStyle: Style = trusted ? "bid" : "muted";
  const askStyle: Style = trusted ? "ask" : "muted";
  const spans: Span[] = [];
  if (!pricesOnly) spans.push({ text: (bid?.qtyText ?? "").padStart(widths.qty) + " " });
  spans.push(
    { text: (bid?.priceText ?? "").padStart(widths.price), style: bidStyle },
    { text: DIVIDER },
    { text: (ask?.priceText ?? "").padEnd(widths.price), style: askStyle },
  );
  if (!pricesOnly && ask !== undefined) spans.push({ text: " " + ask.qtyText });
  return spans;
}

function columnNames(widths: LevelColumns, pricesOnly: boolean): StyledLine {
  const bid = "bid".padStart(widths.price);
  const text = pricesOnly
    ? `${bid}${DIVIDER}ask`
    : `${"qty".padStart(widths.qty)} ${bid}${DIVIDER}${"ask".padEnd(widths.price)} qty`;
  return [{ text, style: "muted" }];
}

function tradeRow(trade: Trade): StyledLine {
  // RFC 3339: the time of day sits at 11..19.
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(trade.timestamp)
    ? trade.timestamp.slice(11, 19) + " "
    : "";
  return [
    { text: time, style: "muted" },
    { text: trade.side.padEnd(4), style: trade.side === "buy" ? "bid" : "ask" },
    { text: ` ${trade.qtyText} @ ${trade.priceText}` },
  ];
}

function tradesHeading(symbol: SymbolView): StyledLine {
  const spans: Span[] = [{ text: "last trades", style: "muted" }];
  const status = symbol.trade;
  if (status.state !== "synced" && !(status.state === "pending" && status.cause === "starting")) {
    spans.push({
      text: ` ${status.state.replaceAll("_", " ")} (${status.cause})`,
      style: "warning",
    });
  }
  return spans;
}

/** One pair's panel, exactly `PANEL_FIXED_LINES + levels (+ 1 + trades)` lines tall. */
function panel(
  symbol: SymbolView,
  levels: number,
  trades: number,
  pricesOnly: boolean,
): StyledLine[] {
  const widths = levelColumns(symbol, levels);
  const lines: StyledLine[] = [
    [{ text: symbol.symbol, style: "heading" }, { text: "  " }, bookStateSpan(symbol)],
    bestLine(symbol),
    columnNames(widths, pricesOnly),
  ];
  for (let i = 0; i < levels; i++) {
    const bid = symbol.bids[i];
    const ask = symbol.asks[i];
    lines.push(
      bid === undefined && ask === undefined
        ? []
        : levelRow(bid, ask, widths, pricesOnly, symbol.valid),
    );
  }
  if (trades > 0) {
    lines.push(tradesHeading(symbol));
    for (let i = 0; i < trades; i++) {
      const trade = symbol.trades[i];
      lines.push(
        trade !== undefined
          ? tradeRow(trade)
          : i === 0
          ? [{ text: "none yet", style: "muted" }]
          : [],
      );
    }
  }
  return lines;
}

/** The width a panel needs for its levels, best prices and trades; longer titles are cut. */
function panelWidth(lines: readonly StyledLine[]): number {
  return Math.max(...lines.slice(1).map(lineWidth));
}

/** Panels in rows of `perRow`, each `width` wide. */
function arrange(
  panels: readonly StyledLine[][],
  perRow: number,
  width: number,
): StyledLine[] {
  const lines: StyledLine[] = [];
  for (let start = 0; start < panels.length; start += perRow) {
    if (start > 0) lines.push([]);
    const row = panels.slice(start, start + perRow);
    for (let i = 0; i < row[0].length; i++) {
      const spans: Span[] = [];
      row.forEach((lines, column) => {
        const last = column === row.length - 1;
        if (!last) spans.push(...padLine(lines[i], width), { text: " ".repeat(PANEL_GAP) });
        else spans.push(...fitLine(lines[i], width));
      });
      lines.push(spans);
    }
  }
  return lines;
}

/** How much of each part fits the screen's height. */
interface Budget {
  readonly levels: number;
  readonly trades: number;
  readonly log: number;
}

function fitHeight(
  fixed: number,
  panelRows: number,
  wanted: Budget,
  height: number,
): Budget {
  const used = ({ levels, trades, log }: Budget) =>
    fixed + panelRows * (levels + (trades > 0 ? 1 + trades : 0)) + (log > 0 ? 2 + log : 0);
  let budget: Budget = { ...wanted, log: Math.min(wanted.log, MIN_LOG_LINES) };
  // What gives way first when the screen is short, in order.
  const shrinks: ((current: Budget) => Budget | undefined)[] = [
    (b) => b.trades > 1 ? { ...b, trades: b.trades - 1 } : undefined,
    (b) => b.levels > MIN_LEVELS ? { ...b, levels: b.levels - 1 } : undefined,
    (b) => b.trades > 0 ? { ...b, trades: 0 } : undefined,
    (b) => b.log > 1 ? { ...b, log: b.log - 1 } : undefined,
    (b) => b.levels > 1 ? { ...b, levels: b.levels - 1 } : undefined,
    (b) => b.log > 0 ? { ...b, log: 0 } : undefined,
  ];
  while (used(budget) > height) {
    const smaller = shrinks.map((shrink) => shrink(budget)).find((next) => next !== undefined);
    if (smaller === undefined) break;
    budget = smaller;
  }
  const free = height - used(budget);
  if (free > 0 && wanted.log > budget.log) {
    const log = budget.log === 0 ? Math.max(0, free - 2) : budget.log + free;
    budget = { ...budget, log: Math.min(wanted.log, log) };
  }
  return budget;
}

/**
 * One entry of the view's log as a line of text, with its time from the start: the view's own
 * log line, and what is printed when the screen cannot be redrawn (output that is not a terminal).
 *
 * @param entry The log entry.
 * @param startedAt When the view started, in ms.
 * @param color ANSI colour.
 * @returns The line, without a newline.
 *
 * @example
 * ```ts
 * import { renderLogEntry } from "./render_view.ts";
 * const entry = { time: 4400, level: "warning", text: "gap reconnect trade BTC/USD" } as const;
 * console.log(renderLogEntry(entry, 0, false)); // "   +4.4s  gap reconnect trade BTC/USD"
 * ```
 */
export function renderLogEntry(entry: LogEntry, startedAt: number, color: boolean): string {
  return lineText(logLine(entry, startedAt), color);
}

function logLine(entry: LogEntry, startedAt: number): StyledLine {
  const offset = `+${((entry.time - startedAt) / 1000).toFixed(1)}s`.padStart(8);
  return [
    { text: offset + "  ", style: "muted" },
    { text: entry.text, style: entry.level === "warning" ? "warning" : undefined },
  ];
}

/**
 * The view as lines of terminal text: at most `height` lines, none wider than `width` columns
 * (colour codes aside).
 *
 * @param view The view.
 * @param options Screen size, time and colour.
 * @returns The lines, without newlines.
 *
 * @example
 * ```ts
 * import { MarketView } from "./market_view.ts";
 * import { renderView } from "./render_view.ts";
 * const view = new MarketView({ symbols: ["BTC/USD", "ETH/USD"] });
 * for (const line of renderView(view, { width: 80, height: 24, now: 0 })) console.log(line);
 * ```
 */
export function renderView(view: MarketViewState, options: RenderOptions): string[] {
  const width = Math.max(1, Math.floor(options.width));
  const height = Math.max(1, Math.floor(options.height));
  const head: StyledLine[] = [
    headerLine(view, options),
    ...packLines(counterSpans(view.counters), width),
  ];
  const symbols = view.symbols;
  const wanted: Budget = {
    levels: Math.max(
      1,
      ...symbols.map((symbol) => Math.max(symbol.bids.length, symbol.asks.length)),
    ),
    trades: Math.max(1, ...symbols.map((symbol) => symbol.trades.length)),
    log: view.log.length,
  };
  // Side by side as many as fit; prices only when not even one full panel fits.
  const fullWidth = Math.max(
    0,
    ...symbols.map((s) => panelWidth(panel(s, wanted.levels, wanted.trades, false))),
  );
  const pricesOnly = fullWidth > width;
  const needed = pricesOnly
    ? Math.max(0, ...symbols.map((s) => panelWidth(panel(s, wanted.levels, wanted.trades, true))))
    : fullWidth;
  const perRow = Math.max(
    1,
    Math.min(symbols.length, Math.floor((width + PANEL_GAP) / (needed + PANEL_GAP))),
  );
  const columnWidth = Math.floor((width - PANEL_GAP * (perRow - 1)) / perRow);
  const panelRows = Math.ceil(symbols.length / perRow);
  const fixed = head.length +
    (symbols.length > 0 ? 1 + panelRows * PANEL_FIXED_LINES + panelRows - 1 : 0);
  const budget = fitHeight(fixed, panelRows, wanted, height);
  const lines: StyledLine[] = [...head];
  if (symbols.length > 0) {
    lines.push([]);
    const panels = symbols.map((symbol) => panel(symbol, budget.levels, budget.trades, pricesOnly));
    lines.push(...arrange(panels, perRow, perRow === 1 ? width : columnWidth));
  }
  if (budget.log > 0) {
    lines.push([], [{ text: "recent events", style: "muted" }]);
    for (const entry of view.log.slice(-budget.log)) lines.push(logLine(entry, view.startedAt));
  }
  const color = options.color ?? false;
  // Padding between panels leaves trailing blanks that a terminal need not be sent.
  return lines.slice(0, height).map((line) =>
    lineText(fitLine(line, width), color).replace(/ +$/, "")
  );
}

/**
 * The end-of-run summary: how long it ran and why it ended, the connection's final state, every
 * counter, and each pair's last best prices.
 *
 * @param summary The view's summary, with why the run ended when known.
 * @param options Title and colour.
 * @returns The lines, without newlines.
 *
 * @example
 * ```ts
 * import { MarketView } from "./market_view.ts";
 * import { renderSummary } from "./render_view.ts";
 * const summary = new MarketView({ symbols: ["BTC/USD"] }).summary(20_000);
 * console.log(renderSummary({ ...summary, ended: "seconds" }, { title: "watch" }).join("\n"));
 * ```
 */
export function renderSummary(
  summary: MarketSummary & { readonly ended?: string },
  options: SummaryOptions = {},
): string[] {
  const counters = summary.counters;
  const gaps = gapTotal(counters.gaps);
  const ended = summary.ended === undefined ? "" : `, ended by ${summary.ended}`;
  const lines: StyledLine[] = [
    [
      { text: options.title ?? "kraken-ws", style: "heading" },
      { text: `: ran ${secondsText(summary.elapsedMs)}${ended}` },
    ],
    [{ text: `connection ${summary.connection} (${summary.connectionCause})` }],
    [{
      text:
        `frames ${counters.frames}, books ${counters.bookUpdates}, trades ${counters.trades}, ` +
        `resyncs ${counters.resyncs}, reconnects ${counters.reconnects}, ` +
        `decode errors ${counters.decodeErrors}, overflows ${counters.overflows}, ` +
        `errors ${counters.errors}`,
    }],
    [{
      text: gaps === 0 ? "gaps 0" : `gaps ${gaps}: ${gapBreakdown(counters.gaps)}`,
      style: gaps > 0 ? "warning" : undefined,
    }],
  ];
  for (const symbol of summary.symbols) {
    const spans: Span[] = [{ text: symbol.symbol, style: "heading" }, { text: "  " }];
    if (symbol.bestBid === undefined && symbol.bestAsk === undefined) {
      spans.push({ text: "no book", style: "muted" });
    } else {
      spans.push(
        { text: "bid " },
        { text: symbol.bestBid ?? "-", style: "bid" },
        { text: "  ask " },
        { text: symbol.bestAsk ?? "-", style: "ask" },
      );
      if (symbol.spread !== undefined) spans.push({ text: `  spread ${symbol.spread}` });
    }
    spans.push({
      text: `  book ${symbol.bookState}, books ${symbol.bookUpdates}, trades ${symbol.trades}`,
    });
    if (symbol.rejection !== undefined) {
      spans.push({ text: `  rejected: ${symbol.rejection}`, style: "warning" });
    }
    lines.push(spans);
  }
  return lines.map((line) => lineText(line, options.color ?? false));
}
