/**
 * Reads one sample's value out of an exposition, by its exact series text, for assertions.
 *
 * @module
 */

/** The value of `series` (like `gaps_total{channel="book",reason="checksum"}`), if written. */
export function sampleValue(exposition: string, series: string): number | undefined {
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(`${series} `)) continue;
    const text = line.slice(series.length + 1);
    return text === "+Inf" ? Infinity : text === "-Inf" ? -Infinity : Number(text);
  }
  return undefined;
}
