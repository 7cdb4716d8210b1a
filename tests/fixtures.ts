/**
 * Paths of the shared recorded Kraken traffic, read in place (never copied into the project).
 *
 * @module
 */

/** Directory of the recorded Kraken v2 frames. */
export const FIXTURES: URL = new URL("../../shared/fixtures/kraken-v2/", import.meta.url);

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return new URL(name, FIXTURES).pathname;
}

/** Non-empty lines of an NDJSON fixture. */
export function fixtureLines(name: string): string[] {
  return Deno.readTextFileSync(fixturePath(name)).split("\n").filter((line) => line !== "");
}

/** A seeded PRNG (mulberry32) so every random test replays exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
