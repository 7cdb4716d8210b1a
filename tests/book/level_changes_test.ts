import assert from "node:assert/strict";
import { levelChanges } from "../../src/book/level_changes.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";
import { seededRandom } from "../fixtures.ts";

function level(priceText: string, qtyText: string): BookLevel {
  return { price: Number(priceText), priceText, qty: Number(qtyText), qtyText };
}

Deno.test("level changes: applying them to the view held gives the next view, on both sides", () => {
  const random = seededRandom(3);
  for (const side of ["bid", "ask"] as const) {
    const order = (a: BookLevel, b: BookLevel) =>
      side === "bid" ? b.price - a.price : a.price - b.price;
    const view = (count: number) => {
      const byPrice = new Map<string, BookLevel>();
      while (byPrice.size < count) {
        const price = (100 + Math.floor(random() * 40) / 2).toFixed(1);
        byPrice.set(price, level(price, (1 + Math.floor(random() * 4)).toString()));
      }
      return [...byPrice.values()].sort(order).slice(0, 10);
    };
    for (let round = 0; round < 200; round++) {
      const before = view(Math.floor(random() * 12));
      // Keep some level objects shared, as views of one book are.
      const after = view(Math.floor(random() * 12)).map((entry) =>
        before.find((held) => held.price === entry.price && random() < 0.5) ?? entry
      );
      const followed = new Map(before.map((entry) => [entry.priceText, entry.qtyText]));
      for (const change of levelChanges(side, before, after)) {
        assert.equal(change.side, side);
        if (change.qty === 0) followed.delete(change.priceText);
        else followed.set(change.priceText, change.qtyText);
      }
      assert.deepEqual(followed, new Map(after.map((entry) => [entry.priceText, entry.qtyText])));
    }
  }
});

Deno.test("level changes: nothing for an unchanged view; a level moving into view is a change", () => {
  const levels = [level("101", "1"), level("102", "1"), level("103", "1")];
  assert.deepEqual(levelChanges("ask", levels.slice(0, 2), levels.slice(0, 2)), []);
  // The best ask went; the third moves into a two-level view.
  const changes = levelChanges("ask", levels.slice(0, 2), levels.slice(1, 3));
  assert.deepEqual(changes.map((change) => `${change.priceText}:${change.qtyText}`), [
    "101:0",
    "103:1",
  ]);
});
