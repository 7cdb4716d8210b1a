import assert from "node:assert/strict";
import { decimalDifference, decimalMidpoint } from "../../src/protocol/decimal_arithmetic.ts";

Deno.test("decimal difference: exact, at the finer precision, any sign", () => {
  const cases: [string, string, string][] = [
    ["45285.2", "45283.5", "1.7"],
    ["100.5", "99.5", "1.0"],
    ["2000.35", "2000.1", "0.25"],
    ["0.0280", "0.02815", "-0.00015"],
    ["0.00000013", "1.2e-7", "0.00000001"],
    ["101", "100", "1"],
    ["100", "100.00", "0.00"],
    ["-1.5", "0.5", "-2.0"],
    ["63498.0", "0.00000001", "63497.99999999"],
  ];
  for (const [minuend, subtrahend, expected] of cases) {
    assert.equal(decimalDifference(minuend, subtrahend), expected, `${minuend} - ${subtrahend}`);
  }
});

Deno.test("decimal midpoint: exact, one decimal more only when the halving needs it", () => {
  const cases: [string, string, string][] = [
    ["63501.8", "63501.9", "63501.85"],
    ["100.0", "102.0", "101.0"],
    ["0.1", "0.2", "0.15"],
    ["1", "2", "1.5"],
    ["1.5e-7", "2.5e-7", "0.00000020"],
    ["-1", "1", "0"],
    ["99999999999999999.5", "99999999999999999.6", "99999999999999999.55"],
  ];
  for (const [a, b, expected] of cases) {
    assert.equal(decimalMidpoint(a, b), expected, `mid ${a} ${b}`);
  }
  // Where floats are off: the float mid of these is 63501.850000000006.
  assert.notEqual(String((63501.8 + 63501.9) / 2), "63501.85");
});
