/**
 * Reads a stream in the background and lets a test wait for an event that matches, without
 * sleeping.
 *
 * @module
 */

export class EventCollector<E> {
  readonly events: E[] = [];
  readonly done: Promise<unknown>;
  #waiters: { predicate: (event: E) => boolean; resolve: (event: E) => void }[] = [];
  #ended = false;
  #endWaiters: (() => void)[] = [];

  readonly #reader: ReadableStreamDefaultReader<E>;

  constructor(stream: ReadableStream<E>) {
    const reader = stream.getReader();
    this.#reader = reader;
    this.done = (async () => {
      try {
        for (;;) {
          const { done, value: event } = await reader.read();
          if (done) break;
          this.events.push(event);
          for (const waiter of [...this.#waiters]) {
            if (waiter.predicate(event)) {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              waiter.resolve(event);
            }
          }
        }
        return undefined;
      } catch (error) {
        return error;
      } finally {
        this.#ended = true;
        for (const resolve of this.#endWaiters.splice(0)) resolve();
      }
    })();
  }

  /** The first event, past or future, that matches (the `skip`-th match when given). */
  waitFor(predicate: (event: E) => boolean, skip = 0): Promise<E> {
    const matches = this.events.filter(predicate);
    if (matches.length > skip) return Promise.resolve(matches[skip]);
    let seen = matches.length;
    return new Promise((resolve) => {
      this.#waiters.push({ predicate: (event) => predicate(event) && seen++ >= skip, resolve });
    });
  }

  /** Cancels the stream, as a consumer that stops reading does. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
    await this.done;
  }

  get ended(): boolean {
    return this.#ended;
  }
}
