import assert from "node:assert/strict";
import {
  checksumDigits,
  padDecimalText,
  plainDecimalText,
} from "../../src/protocol/decimal_text.ts";

Deno.test("plainDecimalText: exponent forms become plain digits without a float", () => {
  assert.equal(plainDecimalText("1.2e-7"), "0.00000012");
  assert.equal(plainDecimalText("1e-08"), "0.00000001");
  assert.equal(plainDecimalText("5E+3"), "5000");
  assert.equal(plainDecimalText("1.25e1"), "12.5");
  assert.equal(plainDecimalText("-3.5e-2"), "-0.035");
  assert.equal(
    plainDecimalText("123456789012345678901234567890e-20"),
    "1234567890.12345678901234567890",
  );
  assert.equal(plainDecimalText("0.10000000"), "0.10000000");
  assert.equal(plainDecimalText("63498"), "63498");
});

Deno.test("padDecimalText: pads to the precision and never cuts", () => {
  assert.equal(padDecimalText("4.0", 8), "4.00000000");
  assert.equal(padDecimalText("0.001", 8), "0.00100000");
  assert.equal(padDecimalText("29430", 1), "29430.0");
  assert.equal(padDecimalText("1.2e-7", 8), "0.00000012");
  assert.equal(padDecimalText("0.123456789", 8), "0.123456789");
  assert.equal(padDecimalText("7", 0), "7");
});

Deno.test("checksumDigits: drops the point and leading zeros", () => {
  assert.equal(checksumDigits("45285.2"), "452852");
  assert.equal(checksumDigits("0.00100000"), "100000");
  assert.equal(checksumDigits("1.54571953"), "154571953");
  assert.equal(checksumDigits("0.0280"), "280");
  assert.equal(checksumDigits("0.00000000"), "0");
  assert.equal(checksumDigits("100"), "100");
});
