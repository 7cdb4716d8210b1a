/**
 * The process's terminal, for commands that draw on it: writing text to stdout and stderr, and
 * the screen's size.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Columns and rows of a screen.
 *
 * @example
 * ```ts
 * import type { TerminalSize } from "./terminal.ts";
 * const size: TerminalSize = { columns: 120, rows: 40 };
 * console.log(size.columns);
 * ```
 */
export interface TerminalSize {
  /** Characters per line. */
  readonly columns: number;
  /** Lines. */
  readonly rows: number;
}

/** Writes all of `text`: a write may take only part of it. */
function writeAll(target: typeof Deno.stdout | typeof Deno.stderr, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += target.writeSync(bytes.subarray(written));
}

/**
 * Writes text to stdout as it is, with no newline added.
 *
 * @param text The text.
 *
 * @example
 * ```ts
 * import { writeStdout } from "./terminal.ts";
 * writeStdout("done\n");
 * ```
 */
export function writeStdout(text: string): void {
  writeAll(Deno.stdout, text);
}

/**
 * Writes text to stderr as it is, with no newline added.
 *
 * @param text The text.
 *
 * @example
 * ```ts
 * import { writeStderr } from "./terminal.ts";
 * writeStderr("watch: --depth must be one of 10, 25, 100, 500, 1000\n");
 * ```
 */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, text);
}

/**
 * Whether stdout is an interactive terminal (not a pipe or a file).
 *
 * @returns True for a terminal.
 *
 * @example
 * ```ts
 * import { stdoutIsTerminal } from "./terminal.ts";
 * console.log(typeof stdoutIsTerminal()); // "boolean"
 * ```
 */
export function stdoutIsTerminal(): boolean {
  return Deno.stdout.isTerminal();
}

/**
 * The size of the terminal behind stdout, read each time so a resized window is followed.
 *
 * @param fallback The size when stdout is not a terminal.
 * @returns The size.
 *
 * @example
 * ```ts
 * import { stdoutSize } from "./terminal.ts";
 * console.log(stdoutSize({ columns: 100, rows: 40 }).columns > 0); // true
 * ```
 */
export function stdoutSize(fallback: TerminalSize): TerminalSize {
  try {
    return Deno.stdout.isTerminal() ? Deno.consoleSize() : fallback;
  } catch {
    // A terminal that cannot report its size is drawn at the fallback size.
    return fallback;
  }
}
