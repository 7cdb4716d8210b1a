import assert from "node:assert/strict";
import { StreamQueue } from "../../src/client/stream_queue.ts";
import type { KrakenEvent } from "../../src/core/events.ts";

const event = (seq: number): KrakenEvent => ({ type: "gap", reason: "decode", seq, time: 0 });

async function readAll(stream: ReadableStream<KrakenEvent>): Promise<KrakenEvent[]> {
  const out: KrakenEvent[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

Deno.test("stream queue: never holds more than its bound, and reports what it dropped", async () => {
  let next = 1000;
  const queue = new StreamQueue(3, (dropped) => [
    { type: "gap", reason: "overflow", dropped, seq: next++, time: 0 },
  ]);
  const stream = queue.readable(() => {});
  for (let seq = 1; seq <= 10; seq++) {
    queue.push(event(seq));
    assert.ok(queue.size <= 3, `size ${queue.size} after ${seq} pushes`);
  }
  assert.equal(queue.dropped, 7);
  queue.end();
  const events = await readAll(stream);
  assert.deepEqual(events.map((item) => item.seq), [1, 2, 3, 1000]);
  const gap = events[3];
  assert.ok(gap.type === "gap" && gap.reason === "overflow" && gap.dropped === 7);
});

Deno.test("stream queue: after recovering it flows again, and counts a second overflow anew", async () => {
  let next = 1000;
  const queue = new StreamQueue(2, (dropped) => [
    { type: "gap", reason: "overflow", dropped, seq: next++, time: 0 },
  ]);
  const reader = queue.readable(() => {}).getReader();
  for (let seq = 1; seq <= 5; seq++) queue.push(event(seq));
  const first = [await reader.read(), await reader.read(), await reader.read()]
    .map((result) => result.value!);
  assert.deepEqual(first.map((item) => item.seq), [1, 2, 1000]);
  queue.push(event(6));
  assert.equal((await reader.read()).value!.seq, 6);
  for (let seq = 7; seq <= 10; seq++) queue.push(event(seq));
  queue.end();
  const rest: KrakenEvent[] = [];
  for (;;) {
    const result = await reader.read();
    if (result.done) break;
    rest.push(result.value);
  }
  assert.deepEqual(rest.map((item) => item.seq), [7, 8, 1001]);
  assert.ok(rest[2].type === "gap" && rest[2].reason === "overflow" && rest[2].dropped === 2);
});

Deno.test("stream queue: a failure comes after the queued events, as a typed error", async () => {
  const queue = new StreamQueue(8, () => []);
  const stream = queue.readable(() => {});
  queue.push(event(1));
  queue.push(event(2));
  queue.fail(new RangeError("gone"));
  queue.push(event(3));
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const item of stream) seen.push(item.seq);
  }, RangeError);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("stream queue: a waiting reader gets the next event, and cancel calls back once", async () => {
  let cancelled = 0;
  const queue = new StreamQueue(4, () => []);
  const reader = queue.readable(() => cancelled++).getReader();
  const pending = reader.read();
  queue.push(event(7));
  assert.equal((await pending).value!.seq, 7);
  const waiting = reader.read();
  await reader.cancel();
  assert.equal((await waiting).done, true);
  assert.equal(cancelled, 1);
  queue.push(event(8));
  assert.equal(queue.size, 0, "a cancelled queue takes nothing");
});
