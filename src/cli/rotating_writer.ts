/**
 * Writes recording lines to `DIR/kraken-YYYYMMDDTHH-NNNN.ndjson`, one file per UTC hour of the
 * lines' receive time and at most `maxFileBytes` per file. A file is written under a `.part` name
 * and renamed when complete, so a finished name always holds whole lines; `.part` files a crash
 * left behind are recovered on open.
 *
 * @module
 */

import { encodeHeader } from "../recording/recording_line.ts";
import { PART_SUFFIX, recoverPart } from "./part_recovery.ts";
import {
  describeFileError,
  type RecordingFile,
  type RecordingFileSystem,
} from "./recording_file_system.ts";

const HOUR_MS = 3_600_000;

/** Names this writer gives, with or without `.part`: the hour stamp and the counter. */
const FILE_NAME = /^kraken-(\d{8}T\d{2})-(\d+)\.ndjson(\.part)?$/;

/** Attempts at a fresh name when another writer took the one chosen. */
const NAME_ATTEMPTS = 100;

const encoder = new TextEncoder();

/**
 * A recording file could not be written: the message says which, why, and what was kept.
 *
 * @example
 * ```ts
 * import { RecordingWriteError } from "./rotating_writer.ts";
 * console.log(new RecordingWriteError("the disk is full").message);
 * ```
 */
export class RecordingWriteError extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, for the user.
   */
  constructor(message: string) {
    super(message);
    this.name = "RecordingWriteError";
  }
}

/**
 * The file name for lines received at `recv`: the UTC hour, then a counter.
 *
 * @param recv Client time in ms of the file's first line.
 * @param counter The file's number within that hour.
 * @returns The name, like `kraken-20260101T00-0001.ndjson`.
 *
 * @example
 * ```ts
 * import { recordingFileName } from "./rotating_writer.ts";
 * console.log(recordingFileName(Date.UTC(2026, 0, 1, 13, 30), 2)); // kraken-20260101T13-0002.ndjson
 * ```
 */
export function recordingFileName(recv: number, counter: number): string {
  return `kraken-${hourStamp(recv)}-${String(counter).padStart(4, "0")}.ndjson`;
}

function hourStamp(recv: number): string {
  const iso = new Date(recv).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`;
}

function joinPath(directory: string, name: string): string {
  return directory.endsWith("/") ? directory + name : `${directory}/${name}`;
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/**
 * Options of {@link RotatingWriter.open}.
 *
 * @example
 * ```ts
 * import type { RotatingWriterOptions } from "./rotating_writer.ts";
 * import { DENO_FILE_SYSTEM } from "./recording_file_system.ts";
 * const options: RotatingWriterOptions = {
 *   directory: "recordings",
 *   url: "wss://ws.kraken.com/v2",
 *   maxFileBytes: 256 * 1024 * 1024,
 *   fileSystem: DENO_FILE_SYSTEM,
 *   note: (message) => console.error(message),
 * };
 * console.log(options.maxFileBytes);
 * ```
 */
export interface RotatingWriterOptions {
  /** The output directory; created when missing. */
  readonly directory: string;
  /** The URL recorded, for each file's header. */
  readonly url: string;
  /** A file is rotated before a line would take it past this size (a lone line may). */
  readonly maxFileBytes: number;
  /** The file system. */
  readonly fileSystem: RecordingFileSystem;
  /** Told about `.part` files recovered from a crash. */
  readonly note: (message: string) => void;
}

/** The file being written. */
interface OpenFile {
  readonly part: string;
  readonly final: string;
  readonly file: RecordingFile;
  readonly hour: number;
  /** Bytes of complete lines written, the header included. */
  bytes: number;
  /** Lines after the header. */
  lines: number;
}

/**
 * A writer of recording lines that rotates by hour and size and never leaves a half-written file
 * under a final name. Lines must come in receive-time order; each goes out in one write.
 *
 * @example
 * ```ts ignore
 * import { RotatingWriter } from "./rotating_writer.ts";
 * import { DENO_FILE_SYSTEM } from "./recording_file_system.ts";
 * const writer = await RotatingWriter.open({
 *   directory: "recordings",
 *   url: "wss://ws.kraken.com/v2",
 *   maxFileBytes: 256 * 1024 * 1024,
 *   fileSystem: DENO_FILE_SYSTEM,
 *   note: (message) => console.error(message),
 * }, Date.now());
 * await writer.write(Date.now(), new TextEncoder().encode('{"recv":1,"frame":"{}"}\n'));
 * await writer.close();
 * console.log(writer.files);
 * ```
 */
export class RotatingWriter {
  readonly #options: RotatingWriterOptions;
  /** Highest counter in use per hour stamp, in the directory or by this writer. */
  readonly #counters = new Map<string, number>();
  readonly #files: string[] = [];
  #current: OpenFile | undefined;
  #fileNumber = 0;
  #lines = 0;
  #failed: RecordingWriteError | undefined;
  #closed = false;

  private constructor(options: RotatingWriterOptions) {
    this.#options = options;
  }

  /**
   * Prepares the directory (creating it, recovering `.part` files a crash left) and starts the
   * first file at once, so a directory that cannot be written is known before anything runs.
   *
   * @param options Where and how to write.
   * @param now Client time in ms: the first file's start.
   * @returns The writer.
   * @throws {RecordingWriteError} When the directory cannot be used.
   */
  static async open(options: RotatingWriterOptions, now: number): Promise<RotatingWriter> {
    const writer = new RotatingWriter(options);
    const { directory, fileSystem } = options;
    let names: string[];
    try {
      await fileSystem.makeDirectory(directory);
      names = await fileSystem.readDirectory(directory);
    } catch (error) {
      throw new RecordingWriteError(
        `cannot use ${directory} as the output directory: ${describeFileError(error)}`,
      );
    }
    for (const name of names.sort()) {
      const match = FILE_NAME.exec(name);
      if (match === null) continue;
      writer.#countName(match[1], Number(match[2]));
      if (match[3] === PART_SUFFIX) await writer.#recover(joinPath(directory, name));
    }
    await writer.#start(now);
    return writer;
  }

  /** Finished files, in order, by their final paths. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Lines written so far, headers included. */
  get lines(): number {
    return this.#lines;
  }

  /**
   * Appends one line, rotating first when its receive hour differs from the file's or it would
   * take the file past the size limit.
   *
   * @param recv Client time in ms of the line.
   * @param line The line's UTF-8 bytes, ending in `\n`.
   * @throws {RecordingWriteError} When the write fails; the file then keeps its complete lines
   *   under its final name, and the writer takes no more.
   */
  async write(recv: number, line: Uint8Array): Promise<void> {
    this.#assertWritable();
    const hour = Math.floor(recv / HOUR_MS);
    let current = this.#current;
    if (
      current !== undefined &&
      (current.hour !== hour ||
        (current.lines > 0 && current.bytes + line.length > this.#options.maxFileBytes))
    ) {
      await this.#finish(current);
      current = undefined;
    }
    current ??= await this.#start(recv);
    await this.#append(current, line);
    current.lines++;
  }

  /**
   * Finishes the file being written: closes it and gives it its final name.
   *
   * @throws {RecordingWriteError} When the rename fails (the `.part` is recovered on the next
   *   open).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#current !== undefined) await this.#finish(this.#current);
  }

  #assertWritable(): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#closed) throw new RecordingWriteError("the recording is already closed");
  }

  #countName(stamp: string, counter: number): void {
    this.#counters.set(stamp, Math.max(counter, this.#counters.get(stamp) ?? 0));
  }

  async #recover(part: string): Promise<void> {
    try {
      const recovered = await recoverPart(this.#options.fileSystem, part);
      this.#options.note(
        recovered.file === undefined
          ? `removed ${part}: a crash left it without one complete line`
          : `recovered ${recovered.file} from a crash` +
            (recovered.cutBytes > 0
              ? ` (cut ${recovered.cutBytes} bytes of an unfinished last line)`
              : ""),
      );
    } catch (error) {
      throw new RecordingWriteError(`cannot recover ${part}: ${describeFileError(error)}`);
    }
  }

  async #start(recv: number): Promise<OpenFile> {
    const { directory, fileSystem, url } = this.#options;
    const stamp = hourStamp(recv);
    let file: RecordingFile | undefined;
    let final = "";
    let part = "";
    for (let attempt = 0; file === undefined; attempt++) {
      const counter = (this.#counters.get(stamp) ?? 0) + 1;
      this.#countName(stamp, counter);
      final = joinPath(directory, recordingFileName(recv, counter));
      part = final + PART_SUFFIX;
      try {
        file = await fileSystem.createFile(part);
      } catch (error) {
        if (errorCode(error) === "EEXIST" && attempt < NAME_ATTEMPTS) continue;
        throw this.#fail(`cannot create ${part}: ${describeFileError(error)}`);
      }
    }
    const number = ++this.#fileNumber;
    const current: OpenFile = {
      part,
      final,
      file,
      hour: Math.floor(recv / HOUR_MS),
      bytes: 0,
      lines: 0,
    };
    this.#current = current;
    const header = encodeHeader({ file: number, started: recv, url });
    await this.#append(current, encoder.encode(header + "\n"));
    return current;
  }

  async #append(current: OpenFile, line: Uint8Array): Promise<void> {
    try {
      await current.file.write(line);
    } catch (error) {
      throw await this.#salvage(current, error);
    }
    current.bytes += line.length;
    this.#lines++;
  }

  async #finish(current: OpenFile): Promise<void> {
    this.#current = undefined;
    current.file.close();
    try {
      await this.#options.fileSystem.rename(current.part, current.final);
    } catch (error) {
      throw this.#fail(
        `cannot rename ${current.part} to ${current.final}: ${describeFileError(error)}; ` +
          `the next record into ${this.#options.directory} recovers it`,
      );
    }
    this.#files.push(current.final);
  }

  /**
   * A write failed, perhaps halfway through a line: cut the file back to its complete lines and
   * give it its final name, so what was written stays valid.
   */
  async #salvage(current: OpenFile, cause: unknown): Promise<RecordingWriteError> {
    this.#current = undefined;
    const { fileSystem } = this.#options;
    const problem = `cannot write ${current.part}: ${describeFileError(cause)}`;
    try {
      current.file.close();
      if (current.bytes === 0) {
        await fileSystem.remove(current.part);
        return this.#fail(`${problem}; nothing was written to it, so it is removed`);
      }
      await fileSystem.truncate(current.part, current.bytes);
      await fileSystem.rename(current.part, current.final);
    } catch (error) {
      return this.#fail(
        `${problem}; it could not be closed cleanly either (${describeFileError(error)}): ` +
          `the next record into ${this.#options.directory} recovers it`,
      );
    }
    this.#files.push(current.final);
    return this.#fail(
      `${problem}; its ${current.lines} complete lines after the header are kept in ${current.final}`,
    );
  }

  #fail(message: string): RecordingWriteError {
    this.#failed = new RecordingWriteError(message);
    return this.#failed;
  }
}
