/**
 * One stream of two: what `events()` hands out when the client has two connections.
 *
 * @module
 */

/**
 * A stream of every chunk of `streams`, each as soon as it is read from its own stream (so each
 * keeps its order); it ends when all have ended, fails when one fails, and cancelling it cancels
 * them all.
 *
 * @param streams The streams.
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
  const readers = streams.map((stream) => stream.getReader());
  const pulls = new Map<ReadableStreamDefaultReader<T>, Promise<void>>();
  let open = readers.length;
  return new ReadableStream<T>({
    pull(controller) {
      // One read outstanding per source: whichever answers first is delivered first.
      const next = () =>
        new Promise<void>((resolve, reject) => {
          let delivered = false;
          for (const reader of readers) {
            if (pulls.has(reader)) continue;
            pulls.set(
              reader,
              reader.read().then(({ done, value }) => {
                pulls.delete(reader);
                if (done) {
                  readers.splice(readers.indexOf(reader), 1);
                  if (--open === 0) controller.close();
                } else {
                  controller.enqueue(value);
                  delivered = true;
                }
              }),
            );
          }
          if (open === 0) {
            resolve();
            return;
          }
          Promise.race(pulls.values()).then(() => {
            if (delivered || open === 0) resolve();
            else next().then(resolve, reject);
          }, reject);
        });
      return next();
    },
    async cancel(reason) {
      await Promise.all(readers.map((reader) => reader.cancel(reason)));
    },
  });
}
