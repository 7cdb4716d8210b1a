/**
 * The exchange's own agenda: what it has to do and when, in time order. Time is never read here;
 * the exchange takes what is due when told the time.
 *
 * @module
 */

interface Entry {
  readonly at: number;
  /** Ties go in the order added. */
  readonly order: number;
  readonly run: (at: number) => void;
}

function earlier(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

/**
 * Tasks in time order (a binary heap: an exchange schedules a delivery per frame).
 *
 * @example
 * ```ts
 * import { Agenda } from "./agenda.ts";
 * const agenda = new Agenda();
 * const done: string[] = [];
 * agenda.add(20, () => done.push("b"));
 * agenda.add(10, () => done.push("a"));
 * for (let task = agenda.take(15); task !== undefined; task = agenda.take(15)) task.run(task.at);
 * console.log(done, agenda.nextAt); // ["a"] 20
 * ```
 */
export class Agenda {
  readonly #heap: Entry[] = [];
  #order = 0;

  /** Time of the earliest task, if any. */
  get nextAt(): number | undefined {
    return this.#heap[0]?.at;
  }

  /**
   * Adds a task.
   *
   * @param at When it is due.
   * @param run What it does; given its time.
   */
  add(at: number, run: (at: number) => void): void {
    const heap = this.#heap;
    const entry: Entry = { at, order: this.#order++, run };
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(entry, heap[parent])) break;
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = entry;
  }

  /**
   * Takes the earliest task if it is due by `now`.
   *
   * @param now The time.
   * @returns The task, or undefined when none is due.
   */
  take(now: number): { readonly at: number; readonly run: (at: number) => void } | undefined {
    const heap = this.#heap;
    const first = heap[0];
    if (first === undefined || first.at > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && earlier(heap[right], heap[left]) ? right : left;
        if (!earlier(heap[child], last)) break;
        heap[index] = heap[child];
        index = child;
      }
      heap[index] = last;
    }
    return first;
  }
}
