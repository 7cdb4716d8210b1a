/**
 * One stream of several: what `events()` hands out when the client has more than one connection,
 * and what a level 3 stream is when its symbols live on several.
 *
 * @module
 */

/**
 * A stream fed by several: each chunk as soon as its own stream gives it (so each source keeps
 * its order), one chunk at a time as the reader asks. Sources can be added while it runs; it ends
 * once every source added has ended, fails when one fails, and cancelling it cancels them all.
 *
 * @example
 * ```ts
 * import { StreamMerger } from "./merge_streams.ts";
 * const merger = new StreamMerger<number>();
 * merger.add(ReadableStream.from([1, 2]));
 * merger.add(ReadableStream.from([3]));
 * console.log((await Array.fromAsync(merger.readable)).sort()); // [1, 2, 3]
 * ```
 */
export class StreamMerger<T> {
  /** The merged stream. */
  readonly readable: ReadableStream<T>;
  #controller!: ReadableStreamDefaultController<T>;
  readonly #readers = new Set<ReadableStreamDefaultReader<T>>();
  #over = false;
  /** Sources waiting for the reader to ask for more. */
  #waiting: (() => void)[] = [];
  #settleOver!: () => void;
  /** Resolves once the merged stream is over. */
  readonly ended: Promise<void> = new Promise((resolve) => this.#settleOver = resolve);

  /** Creates a merger with no source yet. */
  constructor() {
    this.readable = new ReadableStream<T>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel: async (reason) => {
        this.#end();
        await Promise.all([...this.#readers].map((reader) => reader.cancel(reason)));
      },
    }, { highWaterMark: 1 });
  }

  /**
   * Adds a source; once the merged stream is over, the source is cancelled instead.
   *
   * @param stream The source.
   */
  add(stream: ReadableStream<T>): void {
    if (this.#over) {
      void stream.cancel();
      return;
    }
    const reader = stream.getReader();
    this.#readers.add(reader);
    void this.#pump(reader);
  }

  #end(): void {
    this.#over = true;
    this.#wake();
    this.#settleOver();
  }

  #wake(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async #pump(reader: ReadableStreamDefaultReader<T>): Promise<void> {
    try {
      for (;;) {
        while (!this.#over && (this.#controller.desiredSize ?? 0) <= 0) {
          await new Promise<void>((resolve) => this.#waiting.push(resolve));
        }
        if (this.#over) return;
        const { done, value } = await reader.read();
        if (this.#over) return;
        if (done) break;
        this.#controller.enqueue(value);
      }
      this.#readers.delete(reader);
      if (this.#readers.size === 0) {
        this.#end();
        this.#controller.close();
      }
    } catch (error) {
      if (this.#over) return;
      this.#end();
      this.#controller.error(error);
      for (const other of this.#readers) if (other !== reader) void other.cancel(error);
    }
  }
}

/**
 * The merged stream of `streams` (see {@link StreamMerger}).
 *
 * @param streams The sources.
 * @returns The merged stream.
 *
 * @example
 * ```ts
 * import { mergeStreams } from "./merge_streams.ts";
 * const merged = mergeStreams([ReadableStream.from([1, 2]), ReadableStream.from([3])]);
 * console.log((await Array.fromAsync(merged)).sort()); // [1, 2, 3]
 * ```
 */
export function mergeStreams<T>(streams: readonly ReadableStream<T>[]): ReadableStream<T> {
  const merger = new StreamMerger<T>();
  for (const stream of streams) merger.add(stream);
  return merger.readable;
}
