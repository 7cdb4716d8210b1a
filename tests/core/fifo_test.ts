import assert from "node:assert/strict";
import { Fifo } from "../../src/core/fifo.ts";

Deno.test("fifo: items come out in the order they went in; peek leaves them", () => {
  const fifo = new Fifo<number>();
  assert.equal(fifo.shift(), undefined);
  assert.equal(fifo.peek(), undefined);
  fifo.push(1);
  fifo.push(2, 3);
  assert.equal(fifo.peek(), 1);
  assert.equal(fifo.size, 3);
  assert.deepEqual([fifo.shift(), fifo.shift(), fifo.shift(), fifo.shift()], [1, 2, 3, undefined]);
  assert.equal(fifo.size, 0);
});

Deno.test("fifo: a queue that never empties gives back the slots of taken items", () => {
  const fifo = new Fifo<number>();
  fifo.push(0);
  let mostSlots = 0;
  for (let next = 1; next <= 100_000; next++) {
    fifo.push(next);
    assert.equal(fifo.shift(), next - 1);
    mostSlots = Math.max(mostSlots, fifo.slots);
  }
  assert.equal(fifo.size, 1);
  assert.ok(mostSlots <= 66, `${mostSlots} slots for one or two items`);
});

Deno.test("fifo: the array stays within twice the items once more than 64 were taken", () => {
  const fifo = new Fifo<number>();
  for (let item = 0; item < 1000; item++) fifo.push(item);
  for (let item = 0; item < 600; item++) fifo.shift();
  assert.equal(fifo.size, 400);
  assert.ok(fifo.slots <= 800, `${fifo.slots} slots for 400 items`);
  assert.equal(fifo.peek(), 600);
  fifo.clear();
  assert.deepEqual([fifo.size, fifo.slots, fifo.shift()], [0, 0, undefined]);
});
