import assert from "node:assert/strict";
import { Agenda } from "../../src/exchange/agenda.ts";
import { seededRandom } from "../fixtures.ts";

Deno.test("Agenda: tasks come out in time order, ties in the order added", () => {
  const agenda = new Agenda();
  const random = seededRandom(3);
  const added: { at: number; index: number }[] = [];
  const order: number[] = [];
  for (let index = 0; index < 2000; index++) {
    const at = Math.floor(random() * 50);
    added.push({ at, index });
    agenda.add(at, () => order.push(index));
  }
  for (let task = agenda.take(Infinity); task !== undefined; task = agenda.take(Infinity)) {
    task.run(task.at);
  }
  const expected = [...added].sort((a, b) => a.at - b.at || a.index - b.index).map((t) => t.index);
  assert.deepEqual(order, expected);
  assert.equal(agenda.nextAt, undefined);
});

Deno.test("Agenda: take gives only what is due; nextAt is the earliest", () => {
  const agenda = new Agenda();
  assert.equal(agenda.nextAt, undefined);
  assert.equal(agenda.take(100), undefined);
  agenda.add(30, () => {});
  agenda.add(10, () => {});
  assert.equal(agenda.nextAt, 10);
  assert.equal(agenda.take(9), undefined);
  assert.equal(agenda.take(10)?.at, 10);
  assert.equal(agenda.take(29), undefined);
  assert.equal(agenda.nextAt, 30);
  // A task added while others run is taken in its turn.
  agenda.add(20, () => {});
  assert.equal(agenda.take(40)?.at, 20);
  assert.equal(agenda.take(40)?.at, 30);
  assert.equal(agenda.take(Infinity), undefined);
});
