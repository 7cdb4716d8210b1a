import assert from "node:assert/strict";
import { utf8ByteLength } from "../../src/metrics/utf8_byte_length.ts";

function randomText(state: { seed: number }, length: number): string {
  const units = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0x20ac, 0xd83d, 0xdcc8, 0xdbff, 0xdc00, 0xffff];
  let text = "";
  for (let j = 0; j < length; j++) {
    state.seed = (Math.imul(state.seed, 1103515245) + 12345) >>> 0;
    text += String.fromCharCode(units[state.seed % units.length]);
  }
  return text;
}

Deno.test("utf8 byte length: equals what TextEncoder writes, lone surrogates included", () => {
  const encoder = new TextEncoder();
  const state = { seed: 99 };
  for (let i = 0; i < 5000; i++) {
    const text = randomText(state, i % 40);
    assert.equal(utf8ByteLength(text), encoder.encode(text).length, JSON.stringify(text));
  }
  assert.equal(utf8ByteLength(""), 0);
  assert.equal(utf8ByteLength('{"channel":"heartbeat"}'), 23);
  assert.equal(utf8ByteLength("€📈"), 7);
});

Deno.test("utf8 byte length: frames longer than the scratch buffer are counted in pieces", () => {
  const encoder = new TextEncoder();
  const state = { seed: 7 };
  for (const length of [5461, 5462, 16_383, 16_384, 16_385, 100_000]) {
    for (const text of ["a".repeat(length), "€".repeat(length), "📈".repeat(length)]) {
      assert.equal(utf8ByteLength(text), encoder.encode(text).length, `${length} ${text[0]}`);
    }
    // A pair that straddles a piece boundary, at every offset near it.
    for (let shift = 0; shift < 4; shift++) {
      const text = "a".repeat(16_382 + shift) + "📈€" + randomText(state, length % 5000);
      assert.equal(utf8ByteLength(text), encoder.encode(text).length, `shift ${shift}`);
    }
  }
});
