import assert from "node:assert/strict";
import { decimalDifference } from "../../src/protocol/decimal_difference.ts";

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
