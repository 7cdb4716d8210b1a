import assert from "node:assert/strict";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32, crc32Finish, crc32Update } from "../../src/book/crc32.ts";
import { seededRandom } from "../fixtures.ts";

Deno.test("crc32: the standard check value", () => {
  assert.equal(crc32("123456789"), 0xcbf43926);
  assert.equal(crc32(""), 0);
  assert.equal(crc32(new Uint8Array()), 0);
});

Deno.test("crc32: equals node:zlib on random bytes and random ASCII", () => {
  const random = seededRandom(20261123);
  for (let round = 0; round < 500; round++) {
    const length = Math.floor(random() * 600);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
    assert.equal(crc32(bytes), zlibCrc32(bytes), `bytes round ${round}`);
    const ascii = String.fromCharCode(...bytes.map((byte) => byte & 0x7f));
    assert.equal(crc32(ascii), zlibCrc32(ascii), `ascii round ${round}`);
  }
});

Deno.test("crc32: fed in pieces equals fed at once", () => {
  const random = seededRandom(7);
  for (let round = 0; round < 100; round++) {
    const text = Array.from({ length: 40 }, () => String(Math.floor(random() * 1e6))).join("");
    let state = 0xffffffff;
    let at = 0;
    while (at < text.length) {
      const next = Math.min(text.length, at + 1 + Math.floor(random() * 30));
      state = crc32Update(state, text.slice(at, next));
      at = next;
    }
    assert.equal(crc32Finish(state), zlibCrc32(text));
  }
});
