/**
 * Lines of terminal text made of styled spans, measured and cut by what a reader sees, so colour
 * codes never count towards a line's width and a cut never splits one.
 *
 * @module
 */

/**
 * What a span means on screen; each maps to one ANSI colour or attribute.
 *
 * @example
 * ```ts
 * import type { Style } from "./styled_line.ts";
 * const style: Style = "bid";
 * console.log(style);
 * ```
 */
export type Style = "bid" | "ask" | "good" | "warning" | "heading" | "muted";

/**
 * A run of text in one style (none: the terminal's default).
 *
 * @example
 * ```ts
 * import type { Span } from "./styled_line.ts";
 * const span: Span = { text: "100.5", style: "ask" };
 * console.log(span.text);
 * ```
 */
export interface Span {
  /** The text; one column per character. */
  readonly text: string;
  /** Its style. */
  readonly style?: Style;
}

/**
 * One line of screen text.
 *
 * @example
 * ```ts
 * import type { StyledLine } from "./styled_line.ts";
 * const line: StyledLine = [{ text: "bid " }, { text: "99.5", style: "bid" }];
 * console.log(line.length);
 * ```
 */
export type StyledLine = readonly Span[];

const ANSI_CODES: Readonly<Record<Style, string>> = {
  bid: "32",
  ask: "31",
  good: "32",
  warning: "33",
  heading: "1",
  muted: "2",
};

const ELLIPSIS = "…";

/** Characters of `text` as the terminal counts them: one column per code point. */
function columns(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The columns a line takes on screen.
 *
 * @param line The line.
 * @returns Its visible width.
 *
 * @example
 * ```ts
 * import { lineWidth } from "./styled_line.ts";
 * console.log(lineWidth([{ text: "bid " }, { text: "99.5", style: "bid" }])); // 8
 * ```
 */
export function lineWidth(line: StyledLine): number {
  return line.reduce((sum, span) => sum + columns(span.text), 0);
}

/**
 * The line cut to at most `width` columns; a cut line ends in `…` so a reader knows.
 *
 * @param line The line.
 * @param width The columns available.
 * @returns The line, whole when it fits.
 *
 * @example
 * ```ts
 * import { fitLine, lineWidth } from "./styled_line.ts";
 * const cut = fitLine([{ text: "connection live" }], 8);
 * console.log(cut[0].text, lineWidth(cut)); // "connect…" 8
 * ```
 */
export function fitLine(line: StyledLine, width: number): StyledLine {
  if (lineWidth(line) <= width) return line;
  if (width <= 0) return [];
  const fitted: Span[] = [];
  let room = width - 1;
  for (const span of line) {
    if (room <= 0) break;
    const characters = [...span.text];
    const taken = characters.slice(0, room).join("");
    fitted.push({ ...span, text: taken });
    room -= Math.min(room, characters.length);
  }
  const last = fitted.at(-1);
  if (last === undefined) return [{ text: ELLIPSIS }];
  fitted[fitted.length - 1] = { ...last, text: last.text + ELLIPSIS };
  return fitted;
}

/**
 * The line padded with spaces, or cut, to exactly `width` columns: for panels side by side.
 *
 * @param line The line.
 * @param width The columns it must take.
 * @returns The line at that width.
 *
 * @example
 * ```ts
 * import { lineWidth, padLine } from "./styled_line.ts";
 * console.log(lineWidth(padLine([{ text: "abc" }], 6))); // 6
 * ```
 */
export function padLine(line: StyledLine, width: number): StyledLine {
  const fitted = fitLine(line, width);
  const missing = width - lineWidth(fitted);
  return missing > 0 ? [...fitted, { text: " ".repeat(missing) }] : fitted;
}

/**
 * The line as terminal text, with ANSI colours when `color` is set.
 *
 * @param line The line.
 * @param color Whether to colour it.
 * @returns The text, without a newline.
 *
 * @example
 * ```ts
 * import { lineText } from "./styled_line.ts";
 * const line = [{ text: "ask " }, { text: "100.5", style: "ask" as const }];
 * console.log(JSON.stringify(lineText(line, true))); // "ask \u001b[31m100.5\u001b[0m"
 * console.log(lineText(line, false)); // "ask 100.5"
 * ```
 */
export function lineText(line: StyledLine, color: boolean): string {
  let text = "";
  for (const span of line) {
    text += color && span.style !== undefined && span.text !== ""
      ? `\x1b[${ANSI_CODES[span.style]}m${span.text}\x1b[0m`
      : span.text;
  }
  return text;
}
