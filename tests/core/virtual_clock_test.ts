import assert from "node:assert/strict";
import { VirtualClock } from "../../src/core/virtual_clock.ts";

Deno.test("virtual clock: fires in time order, ties in order set, and only when advanced", () => {
  const clock = new VirtualClock(100);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
  const cancelled = clock.setTimeout(() => fired.push("never"), 5);
  clock.clearTimeout(cancelled);
  assert.deepEqual(fired, []);
  clock.advance(15);
  assert.deepEqual(fired, ["a@110"]);
  assert.equal(clock.now(), 115);
  clock.advance(100);
  assert.deepEqual(fired, ["a@110", "b@120", "c@120"]);
  assert.equal(clock.now(), 215);
  assert.equal(clock.pendingCount, 0);
});

Deno.test("virtual clock: callbacks scheduling callbacks fire within the same advance when due", () => {
  const clock = new VirtualClock();
  const fired: number[] = [];
  const every10 = () => {
    fired.push(clock.now());
    if (fired.length < 5) clock.setTimeout(every10, 10);
  };
  clock.setTimeout(every10, 10);
  clock.advance(35);
  assert.deepEqual(fired, [10, 20, 30]);
  assert.equal(clock.nextAt(), 40);
  clock.advance(100);
  assert.deepEqual(fired, [10, 20, 30, 40, 50]);
});
