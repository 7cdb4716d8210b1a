import assert from "node:assert/strict";
import { BoundedLabelValues } from "../../src/metrics/bounded_label_values.ts";

Deno.test("bounded label values: the first values stay, later ones fold into other", () => {
  const symbols = new BoundedLabelValues(1000);
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) seen.add(symbols.of(`SYM${i}/USD`));
  assert.equal(seen.size, 1001, "1000 symbols and other, however many the feed sends");
  assert.equal(symbols.of("SYM999/USD"), "SYM999/USD", "a kept value stays kept");
  assert.equal(symbols.of("SYM1000/USD"), "other");
});

Deno.test("bounded label values: overlong and ill-formed values fold, and use no room", () => {
  const symbols = new BoundedLabelValues(2, 8);
  assert.equal(symbols.of("x".repeat(9)), "other");
  assert.equal(symbols.of("bad \ud800"), "other");
  assert.equal(symbols.of("BTC/USD"), "BTC/USD");
  assert.equal(symbols.of("ETH/USD"), "ETH/USD");
  assert.equal(symbols.of("SOL/USD"), "other");
  assert.throws(() => new BoundedLabelValues(-1), RangeError);
  assert.throws(() => new BoundedLabelValues(1.5), RangeError);
});
