/**
 * A file system in memory for the recorder's tests: it can fill up at a chosen size (a write then
 * lands partly and throws ENOSPC, as a real disk does) and refuse directories (EACCES).
 *
 * @module
 */

import type { RecordingFile, RecordingFileSystem } from "../../src/cli/recording_file_system.ts";

const decoder = new TextDecoder();

/** An error shaped like Deno's: a message with the OS wording and a `code`. */
export function fileError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

export class MemoryFileSystem implements RecordingFileSystem {
  readonly files = new Map<string, Uint8Array>();
  readonly directories = new Set<string>(["/"]);
  /** Directories where nothing may be created. */
  readonly readOnly = new Set<string>();
  /** Total bytes the disk holds; undefined: unlimited. */
  capacity: number | undefined;
  #listeners: (() => void)[] = [];

  get usedBytes(): number {
    let used = 0;
    for (const content of this.files.values()) used += content.length;
    return used;
  }

  /** The text of a file. */
  text(path: string): string {
    const content = this.files.get(path);
    if (content === undefined) throw new Error(`no file ${path}`);
    return decoder.decode(content);
  }

  /** Paths of the files in `directory`, sorted. */
  list(directory: string): string[] {
    return [...this.files.keys()].filter((path) => parentOf(path) === directory).sort();
  }

  /** Resolves once some file's text satisfies `predicate` (now or after a later write). */
  async waitFor(predicate: (text: string) => boolean): Promise<void> {
    while (![...this.files.keys()].some((path) => predicate(this.text(path)))) {
      await new Promise<void>((resolve) => this.#listeners.push(resolve));
    }
  }

  makeDirectory(path: string): Promise<void> {
    const missing: string[] = [];
    for (let at = path; !this.directories.has(at); at = parentOf(at)) {
      if (this.files.has(at)) return this.#reject("ENOTDIR", "Not a directory (os error 20)");
      missing.push(at);
    }
    const existing = parentOf(missing.at(-1) ?? path);
    if (missing.length > 0 && this.readOnly.has(existing)) {
      return this.#reject("EACCES", "Permission denied (os error 13)");
    }
    for (const directory of missing) this.directories.add(directory);
    return Promise.resolve();
  }

  readDirectory(path: string): Promise<string[]> {
    if (!this.directories.has(path)) {
      return this.#reject("ENOENT", "No such file or directory (os error 2)");
    }
    return Promise.resolve(this.list(path).map((file) => file.slice(path.length + 1)));
  }

  createFile(path: string): Promise<RecordingFile> {
    if (this.readOnly.has(parentOf(path))) {
      return this.#reject("EACCES", "Permission denied (os error 13)");
    }
    if (this.files.has(path)) return this.#reject("EEXIST", "File exists (os error 17)");
    this.files.set(path, new Uint8Array(0));
    let open = true;
    return Promise.resolve({
      write: (bytes: Uint8Array) => {
        if (!open) return this.#reject("EBADF", "Bad file descriptor (os error 9)");
        const room = this.capacity === undefined ? bytes.length : this.capacity - this.usedBytes;
        const landed = bytes.subarray(0, Math.max(0, Math.min(room, bytes.length)));
        const before = this.files.get(path)!;
        const after = new Uint8Array(before.length + landed.length);
        after.set(before);
        after.set(landed, before.length);
        this.files.set(path, after);
        this.#notify();
        if (landed.length < bytes.length) {
          return this.#reject("ENOSPC", "No space left on device (os error 28)");
        }
        return Promise.resolve();
      },
      close: () => {
        open = false;
      },
    });
  }

  fileSize(path: string): Promise<number> {
    const content = this.files.get(path);
    return content === undefined
      ? this.#reject("ENOENT", "No such file or directory (os error 2)")
      : Promise.resolve(content.length);
  }

  readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
    const content = this.files.get(path);
    return content === undefined
      ? this.#reject("ENOENT", "No such file or directory (os error 2)")
      : Promise.resolve(content.slice(offset, offset + length));
  }

  truncate(path: string, length: number): Promise<void> {
    const content = this.files.get(path);
    if (content === undefined) return this.#reject("ENOENT", "No such file or directory");
    this.files.set(path, content.slice(0, length));
    return Promise.resolve();
  }

  rename(from: string, to: string): Promise<void> {
    const content = this.files.get(from);
    if (content === undefined) return this.#reject("ENOENT", "No such file or directory");
    this.files.delete(from);
    this.files.set(to, content);
    this.#notify();
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    if (!this.files.delete(path)) return this.#reject("ENOENT", "No such file or directory");
    return Promise.resolve();
  }

  #notify(): void {
    for (const resolve of this.#listeners.splice(0)) resolve();
  }

  #reject<T>(code: string, message: string): Promise<T> {
    return Promise.reject(fileError(code, message));
  }
}
