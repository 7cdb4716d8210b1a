/**
 * The recorder: takes frames and lifecycle events from the client's tap synchronously, holds them
 * in a bounded queue, and writes them in order as the disk allows. When the disk falls behind and
 * the queue is full, lines are dropped and the loss is written as a gap line in their place:
 * never an unbounded queue, never a silent drop.
 *
 * @module
 */

import { Fifo } from "../core/fifo.ts";
import type { KrakenWsTap } from "../core/tap.ts";
import { redactToken } from "../protocol/trading_requests.ts";
import type { KrakenEvent } from "../core/events.ts";
import {
  encodeEvent,
  encodeFrame,
  encodeRecorderOverflow,
  isRecordedEvent,
} from "./recording_line.ts";

/** Default bound of the write queue. */
const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();

/**
 * Where the recorder's lines go, in order, one call per line: a {@link RotatingWriter} in the
 * command.
 *
 * @example
 * ```ts
 * import type { LineSink } from "@kraken-ws/sdk/extended";
 * const written: number[] = [];
 * const sink: LineSink = { write: async (recv) => void written.push(recv), close: async () => {} };
 * await sink.write(5, new Uint8Array());
 * console.log(written); // [5]
 * ```
 */
export interface LineSink {
  /** Writes one line (UTF-8, ending in `\n`) received at `recv`. */
  write(recv: number, line: Uint8Array): Promise<void>;
  /** Finishes the output. */
  close(): Promise<void>;
}

/**
 * Options of a {@link Recorder}.
 *
 * @example
 * ```ts
 * import type { RecorderOptions } from "@kraken-ws/sdk/extended";
 * const options: RecorderOptions = { maxQueuedBytes: 1024 * 1024, onFailure: (error) => console.error(error) };
 * console.log(options.maxQueuedBytes);
 * ```
 */
export interface RecorderOptions {
  /** Bytes of lines waiting for the disk at most (default 64 MiB); one line always fits. */
  readonly maxQueuedBytes?: number;
  /** Called once when the sink fails; the recorder writes nothing more. */
  readonly onFailure?: (error: unknown) => void;
}

/**
 * What a recorder wrote.
 *
 * @example
 * ```ts
 * import type { RecorderCounts } from "@kraken-ws/sdk/extended";
 * const counts: RecorderCounts = { frames: 10, events: 4, gaps: 1, dropped: 0 };
 * console.log(counts.frames);
 * ```
 */
export interface RecorderCounts {
  /** Frame lines written. */
  readonly frames: number;
  /** Event lines written, gaps included. */
  readonly events: number;
  /** Gap lines written: the client's and the recorder's own. */
  readonly gaps: number;
  /** Lines the recorder dropped because its queue was full (each loss has its gap line). */
  readonly dropped: number;
}

/** A line waiting for the disk. */
interface QueuedLine {
  readonly recv: number;
  readonly bytes: Uint8Array;
  readonly kind: "frame" | "event" | "gap";
}

/**
 * Records what a `KrakenWs` tap sees. Hand {@link Recorder.tap} to the client, then call
 * {@link Recorder.finish} once the client is closed.
 *
 * @example
 * ```ts
 * import { Recorder } from "@kraken-ws/sdk/extended";
 * const lines: string[] = [];
 * const recorder = new Recorder({
 *   write: async (_recv, line) => void lines.push(new TextDecoder().decode(line)),
 *   close: async () => {},
 * });
 * recorder.tap.frame?.('{"channel":"heartbeat"}', 1000);
 * await recorder.finish();
 * console.log(lines[0]); // {"recv":1000,"frame":"{\"channel\":\"heartbeat\"}"}
 * ```
 */
export class Recorder {
  /** The tap to give the client: frames and lifecycle events, queued synchronously. */
  readonly tap: KrakenWsTap;
  readonly #sink: LineSink;
  readonly #maxQueuedBytes: number;
  readonly #onFailure: ((error: unknown) => void) | undefined;
  /** Lines not yet written; the head stays queued while it is being written. */
  readonly #queue = new Fifo<QueuedLine>();
  #queuedBytes = 0;
  /** Lines dropped since the last one queued, and the receive time of the first of them. */
  #pendingLoss: { dropped: number; recv: number } | undefined;
  #draining: Promise<void> | undefined;
  #failed = false;
  #frames = 0;
  #events = 0;
  #gaps = 0;
  #dropped = 0;

  /**
   * Creates a recorder writing to `sink`.
   *
   * @param sink Where lines go.
   * @param options Queue bound and failure callback.
   */
  constructor(sink: LineSink, options: RecorderOptions = {}) {
    this.#sink = sink;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#onFailure = options.onFailure;
    this.tap = {
      // A recording is shared and kept: a session token must never be in one.
      frame: (text, receivedAt) =>
        this.#offer(receivedAt, encodeFrame(receivedAt, redactToken(text)), "frame"),
      event: (event) => this.#event(event),
    };
  }

  /** What was written so far. */
  get counts(): RecorderCounts {
    return { frames: this.#frames, events: this.#events, gaps: this.#gaps, dropped: this.#dropped };
  }

  /**
   * Array slots the write queue holds: about the lines waiting, however many went through.
   * Bytes are bounded by `maxQueuedBytes`; this shows the slots are too.
   */
  get queueSlots(): number {
    return this.#queue.slots;
  }

  /**
   * Writes everything queued, then the gap line of a loss still unwritten, and closes the sink.
   * Call it once nothing more comes (the client is closed). A failure goes to `onFailure`, as
   * during the run.
   */
  async finish(): Promise<void> {
    await this.#draining;
    if (this.#pendingLoss !== undefined && !this.#failed) {
      this.#enqueueLoss();
      await this.#drain();
    }
    if (this.#failed) return;
    try {
      await this.#sink.close();
    } catch (error) {
      this.#fail(error);
    }
  }

  #event(event: KrakenEvent): void {
    if (!isRecordedEvent(event)) return;
    this.#offer(event.time, encodeEvent(event.time, event), event.type === "gap" ? "gap" : "event");
  }

  #offer(recv: number, text: string, kind: QueuedLine["kind"]): void {
    if (this.#failed) return;
    const bytes = encoder.encode(text + "\n");
    const loss = this.#pendingLoss;
    // A loss waiting for its gap line needs room for that line too, before anything after it.
    const lossBytes = loss === undefined
      ? 0
      : encodeRecorderOverflow(loss.recv, loss.dropped).length + 1;
    if (
      this.#queuedBytes > 0 && this.#queuedBytes + lossBytes + bytes.length > this.#maxQueuedBytes
    ) {
      this.#dropped++;
      if (loss === undefined) this.#pendingLoss = { dropped: 1, recv };
      else loss.dropped++;
      return;
    }
    if (loss !== undefined) this.#enqueueLoss();
    this.#enqueue({ recv, bytes, kind });
    this.#draining ??= this.#drain();
  }

  #enqueueLoss(): void {
    const loss = this.#pendingLoss!;
    this.#pendingLoss = undefined;
    const text = encodeRecorderOverflow(loss.recv, loss.dropped);
    this.#enqueue({ recv: loss.recv, bytes: encoder.encode(text + "\n"), kind: "gap" });
  }

  #enqueue(line: QueuedLine): void {
    this.#queue.push(line);
    this.#queuedBytes += line.bytes.length;
  }

  async #drain(): Promise<void> {
    for (let line = this.#queue.peek(); line !== undefined; line = this.#queue.peek()) {
      try {
        await this.#sink.write(line.recv, line.bytes);
      } catch (error) {
        this.#fail(error);
        break;
      }
      this.#queue.shift();
      this.#queuedBytes -= line.bytes.length;
      if (line.kind === "frame") this.#frames++;
      else this.#events++;
      if (line.kind === "gap") this.#gaps++;
    }
    this.#draining = undefined;
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#queue.clear();
    this.#queuedBytes = 0;
    this.#pendingLoss = undefined;
    this.#onFailure?.(error);
  }
}
