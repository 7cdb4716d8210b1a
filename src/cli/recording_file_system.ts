/**
 * The few file operations a recording needs, behind an interface so that tests can make the disk
 * fill up or refuse a directory on cue.
 *
 * @module
 */

/**
 * A file opened for appending lines.
 *
 * @example
 * ```ts
 * import type { RecordingFile } from "./recording_file_system.ts";
 * const chunks: Uint8Array[] = [];
 * const file: RecordingFile = { write: async (bytes) => void chunks.push(bytes), close: () => {} };
 * await file.write(new TextEncoder().encode("line\n"));
 * console.log(chunks.length); // 1
 * ```
 */
export interface RecordingFile {
  /**
   * Writes every byte given, or throws. Callers hand it one whole line per call, so a crash
   * cuts at most that line.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Releases the file. */
  close(): void;
}

/**
 * File operations on paths. Errors are the runtime's (Deno's carry a `code` like `ENOSPC`).
 *
 * @example
 * ```ts ignore
 * import { DENO_FILE_SYSTEM } from "./recording_file_system.ts";
 * await DENO_FILE_SYSTEM.makeDirectory("recordings");
 * console.log(await DENO_FILE_SYSTEM.readDirectory("recordings"));
 * ```
 */
export interface RecordingFileSystem {
  /** Creates a directory and its parents; an existing directory is fine. */
  makeDirectory(path: string): Promise<void>;
  /** Names of the entries of a directory. */
  readDirectory(path: string): Promise<string[]>;
  /** Creates a new file for writing; fails when the path exists. */
  createFile(path: string): Promise<RecordingFile>;
  /** Size of a file in bytes. */
  fileSize(path: string): Promise<number>;
  /** Up to `length` bytes of a file from `offset`. */
  readAt(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Cuts a file to `length` bytes. */
  truncate(path: string, length: number): Promise<void>;
  /** Renames a file. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file. */
  remove(path: string): Promise<void>;
}

/**
 * The real file system, through Deno.
 *
 * @example
 * ```ts ignore
 * import { DENO_FILE_SYSTEM } from "./recording_file_system.ts";
 * const file = await DENO_FILE_SYSTEM.createFile("out.ndjson.part");
 * await file.write(new TextEncoder().encode("{}\n"));
 * file.close();
 * await DENO_FILE_SYSTEM.rename("out.ndjson.part", "out.ndjson");
 * ```
 */
export const DENO_FILE_SYSTEM: RecordingFileSystem = {
  makeDirectory: (path) => Deno.mkdir(path, { recursive: true }),
  readDirectory: async (path) => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names;
  },
  createFile: async (path) => {
    const file = await Deno.open(path, { write: true, createNew: true });
    return {
      write: async (bytes) => {
        // A regular file takes the whole buffer in one call; the loop only covers a short write.
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
      },
      close: () => file.close(),
    };
  },
  fileSize: async (path) => (await Deno.stat(path)).size,
  readAt: async (path, offset, length) => {
    using file = await Deno.open(path, { read: true });
    await file.seek(offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const count = await file.read(buffer.subarray(filled));
      if (count === null) break;
      filled += count;
    }
    return buffer.subarray(0, filled);
  },
  truncate: (path, length) => Deno.truncate(path, length),
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path),
};

/** What the usual error codes mean, for a person. */
const MEANINGS: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  EEXIST: "it already exists",
};

/**
 * A file error in words, with the system's own message after it.
 *
 * @param error What a file operation threw.
 * @returns A short description.
 *
 * @example
 * ```ts
 * import { describeFileError } from "./recording_file_system.ts";
 * const error = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * console.log(describeFileError(error)); // the disk is full (No space left on device (os error 28))
 * ```
 */
export function describeFileError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const meaning = typeof code === "string" && Object.hasOwn(MEANINGS, code)
    ? MEANINGS[code]
    : undefined;
  return meaning === undefined ? error.message : `${meaning} (${error.message})`;
}
