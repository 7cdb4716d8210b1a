/**
 * Reading a text file line by line without holding it whole.
 *
 * @module
 */

/**
 * Yields the lines of a byte stream as UTF-8 text, without their `\n` or `\r\n`.
 *
 * @param bytes The stream, for example `(await Deno.open(path)).readable`.
 * @returns The lines in order, the last one even without a final newline.
 *
 * @example
 * ```ts
 * import { readLines } from "./lines.ts";
 * const bytes = ReadableStream.from([new TextEncoder().encode("a\r\nb\nc")]);
 * for await (const line of readLines(bytes)) console.log(line); // a, b, c
 * ```
 */
export async function* readLines(bytes: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of bytes.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let newline = pending.indexOf("\n");
    let start = 0;
    while (newline >= 0) {
      yield stripCarriageReturn(pending.slice(start, newline));
      start = newline + 1;
      newline = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
  }
  if (pending !== "") yield stripCarriageReturn(pending);
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
