import assert from "node:assert/strict";
import { formatUnits } from "../../src/exchange/fixed_units.ts";
import { seededRandom } from "../fixtures.ts";
import { fixedPointPattern } from "./helpers.ts";

Deno.test("formatUnits: Kraken's own examples, trailing zeros kept", () => {
  assert.equal(formatUnits(634980, 1), "63498.0");
  assert.equal(formatUnits(100000, 8), "0.00100000");
  assert.equal(formatUnits(0, 8), "0.00000000");
  assert.equal(formatUnits(280, 4), "0.0280");
  assert.equal(formatUnits(12, 8), "0.00000012");
  assert.equal(formatUnits(10000000, 8), "0.10000000");
  assert.equal(formatUnits(177400, 2), "1774.00");
  assert.equal(formatUnits(52130, 5), "0.52130");
});

Deno.test("formatUnits: zero decimals prints a plain integer, without a point", () => {
  assert.equal(formatUnits(0, 0), "0");
  assert.equal(formatUnits(5, 0), "5");
  assert.equal(formatUnits(63498, 0), "63498");
});

Deno.test("formatUnits: values below one get exactly one leading zero", () => {
  assert.equal(formatUnits(7, 3), "0.007");
  assert.equal(formatUnits(99, 2), "0.99");
  assert.equal(formatUnits(100, 2), "1.00");
  assert.equal(formatUnits(1, 1), "0.1");
});

Deno.test("formatUnits: the largest safe integer is printed exactly, never in exponent form", () => {
  assert.equal(formatUnits(Number.MAX_SAFE_INTEGER, 8), "90071992.54740991");
  assert.equal(formatUnits(Number.MAX_SAFE_INTEGER, 0), "9007199254740991");
  assert.equal(formatUnits(Number.MAX_SAFE_INTEGER, 18), "0.009007199254740991");
});

Deno.test("formatUnits: any units at any precision read back exactly and follow Kraken's form", () => {
  const random = seededRandom(20260707);
  for (let i = 0; i < 5000; i++) {
    const decimals = Math.floor(random() * 11);
    const magnitude = 10 ** Math.floor(random() * 16);
    const units = Math.min(Number.MAX_SAFE_INTEGER, Math.floor(random() * magnitude));
    const text = formatUnits(units, decimals);
    assert.match(text, fixedPointPattern(decimals), `${units} at ${decimals}`);
    // The digits without the point are the units, left-padded: exact, with no float in between.
    assert.equal(BigInt(text.replace(".", "")), BigInt(units), `${units} at ${decimals}: ${text}`);
  }
});
