import assert from "node:assert/strict";
import { type LineSink, Recorder } from "../../src/recording/recorder.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { encodeFrame, parseRecordingLine } from "../../src/recording/recording_line.ts";

const decoder = new TextDecoder();

/** A disk that takes a line only when the test lets it: each write waits for `release`. */
class SlowSink implements LineSink {
  readonly lines: string[] = [];
  closed = false;
  failWith: Error | undefined;
  #waiting: (() => void)[] = [];

  write(_recv: number, line: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push(() => {
        if (this.failWith !== undefined) return reject(this.failWith);
        this.lines.push(decoder.decode(line));
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Lets the oldest waiting write through, and the recorder start its next one. */
  async releaseOne(): Promise<void> {
    this.#waiting.shift()?.();
    await Promise.resolve();
    await Promise.resolve();
  }

  /** Lets every waiting write and those they lead to through. */
  async release(): Promise<void> {
    for (let round = 0; round < 1000 && this.#waiting.length > 0; round++) {
      for (const write of this.#waiting.splice(0)) write();
      // Let the recorder's loop queue its next write.
      await Promise.resolve();
      await Promise.resolve();
    }
  }
}

function shapes(lines: readonly string[]): string[] {
  return lines.map((text) => {
    assert.ok(text.endsWith("\n"));
    const line = parseRecordingLine(text.slice(0, -1));
    if (line.kind === "frame") return `frame ${line.frame} @${line.recv}`;
    if (line.kind === "event") {
      const { type, reason, dropped, scope } = line.event;
      return [type, reason, dropped, scope].filter((part) => part !== undefined).join(" ") +
        ` @${line.recv}`;
    }
    return line.kind;
  });
}

const frameText = (n: number) => `{"n":${n}}`; // 8 bytes; its line is 37 bytes

Deno.test("recorder: a full queue drops lines and writes their loss in their place", async () => {
  const sink = new SlowSink();
  const recorder = new Recorder(sink, { maxQueuedBytes: 120 });
  for (let n = 1; n <= 8; n++) recorder.tap.frame!(frameText(n), 1000 + n);
  // Lines 1-3 fit (111 bytes); 4-8 are dropped.
  await sink.release();
  recorder.tap.frame!(frameText(9), 1009);
  await sink.release();
  await recorder.finish();
  assert.deepEqual(shapes(sink.lines), [
    'frame {"n":1} @1001',
    'frame {"n":2} @1002',
    'frame {"n":3} @1003',
    "gap overflow 5 recorder @1004",
    'frame {"n":9} @1009',
  ]);
  assert.deepEqual(recorder.counts, { frames: 4, events: 1, gaps: 1, dropped: 5 });
  assert.equal(sink.closed, true);
});

Deno.test("recorder: a loss still unwritten at the end is written before closing", async () => {
  const sink = new SlowSink();
  const recorder = new Recorder(sink, { maxQueuedBytes: 40 });
  recorder.tap.frame!(frameText(1), 1);
  recorder.tap.frame!(frameText(2), 2);
  recorder.tap.frame!(frameText(3), 3);
  const finished = recorder.finish();
  await sink.release();
  await finished;
  assert.deepEqual(shapes(sink.lines), ['frame {"n":1} @1', "gap overflow 2 recorder @2"]);
});

Deno.test("recorder: one line always fits, however big; lifecycle events only", async () => {
  const sink = new SlowSink();
  const recorder = new Recorder(sink, { maxQueuedBytes: 10 });
  const big = "x".repeat(1000);
  recorder.tap.frame!(big, 5);
  const gap: KrakenEvent = { type: "gap", reason: "decode", seq: 1, time: 6 };
  const trade: KrakenEvent = {
    type: "trade",
    symbol: "BTC/USD",
    side: "buy",
    price: 1,
    priceText: "1.0",
    qty: 1,
    qtyText: "1.0",
    ordType: "limit",
    tradeId: 1,
    timestamp: "2026-01-01T00:00:00Z",
    snapshot: false,
    seq: 2,
    time: 6,
  };
  await sink.release();
  recorder.tap.event!(trade);
  recorder.tap.event!(gap);
  await sink.release();
  await recorder.finish();
  assert.deepEqual(shapes(sink.lines), [`frame ${big} @5`, "gap decode @6"]);
});

Deno.test("recorder: a failing disk is reported once and nothing more is written", async () => {
  const sink = new SlowSink();
  const failures: unknown[] = [];
  const recorder = new Recorder(sink, { onFailure: (error) => failures.push(error) });
  recorder.tap.frame!(frameText(1), 1);
  recorder.tap.frame!(frameText(2), 2);
  sink.failWith = new Error("disk gone");
  await sink.release();
  recorder.tap.frame!(frameText(3), 3);
  await sink.release();
  await recorder.finish();
  assert.equal(failures.length, 1);
  assert.equal((failures[0] as Error).message, "disk gone");
  assert.deepEqual(sink.lines, []);
  assert.equal(sink.closed, false, "a failed recording is finished by its writer, not closed");
});

Deno.test("recorder: a queue that never empties still gives back the slots of written lines", async () => {
  const sink = new SlowSink();
  const recorder = new Recorder(sink);
  const lines = 10_000;
  let mostSlots = 0;
  recorder.tap.frame!(frameText(0), 0);
  for (let n = 1; n < lines; n++) {
    // The disk is always one line behind: the queue holds a line or two, never none.
    recorder.tap.frame!(frameText(n), n);
    await sink.releaseOne();
    mostSlots = Math.max(mostSlots, recorder.queueSlots);
  }
  await sink.release();
  await recorder.finish();
  assert.equal(sink.lines.length, lines);
  assert.equal(sink.lines[lines - 1], encodeFrame(lines - 1, frameText(lines - 1)) + "\n");
  assert.ok(mostSlots <= 100, `the queue held ${mostSlots} slots for at most 2 lines`);
});
