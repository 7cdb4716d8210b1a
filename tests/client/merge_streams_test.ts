import assert from "node:assert/strict";
import { mergeStreams, StreamMerger } from "../../src/client/merge_streams.ts";

/** A stream that records whether it was cancelled, and gives `chunks` as the reader asks. */
function source(chunks: readonly number[], endless = false) {
  const state = { cancelled: false as unknown };
  let next = 0;
  const stream = new ReadableStream<number>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]);
      else if (!endless) controller.close();
    },
    cancel(reason) {
      state.cancelled = reason ?? true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

Deno.test("merge: every chunk of every source, each source in its own order", async () => {
  const a = Array.from({ length: 50 }, (_, i) => i);
  const b = Array.from({ length: 50 }, (_, i) => 100 + i);
  const merged = await Array.fromAsync(mergeStreams([source(a).stream, source(b).stream]));
  assert.deepEqual(merged.filter((value) => value < 100), a);
  assert.deepEqual(merged.filter((value) => value >= 100), b);
});

Deno.test("merge: cancelling the merged stream cancels every source and ends it", async () => {
  const a = source([1], true);
  const b = source([2], true);
  const merger = new StreamMerger<number>();
  merger.add(a.stream);
  merger.add(b.stream);
  const reader = merger.readable.getReader();
  await reader.read();
  await reader.cancel("enough");
  await merger.ended;
  assert.equal(a.state.cancelled, "enough");
  assert.equal(b.state.cancelled, "enough");
  // A source added once it is over is cancelled at once.
  const late = source([3], true);
  merger.add(late.stream);
  assert.notEqual(late.state.cancelled, false);
});

Deno.test("merge: a failing source fails the merged stream and cancels the others", async () => {
  const healthy = source([1], true);
  const failing = new ReadableStream<number>({
    pull(controller) {
      controller.error(new Error("source broke"));
    },
  });
  const merged = mergeStreams([healthy.stream, failing]);
  await assert.rejects(() => Array.fromAsync(merged), /source broke/);
  assert.notEqual(healthy.state.cancelled, false);
});

Deno.test("merge: a source added while it runs is merged in; it ends when all sources have ended", async () => {
  const merger = new StreamMerger<number>();
  merger.add(source([1, 2]).stream);
  const reader = merger.readable.getReader();
  assert.equal((await reader.read()).value, 1);
  merger.add(source([10]).stream);
  const rest: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest.push(value);
  }
  assert.deepEqual(rest.sort((x, y) => x - y), [2, 10]);
  await merger.ended;
});
