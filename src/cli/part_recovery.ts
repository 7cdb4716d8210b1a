/**
 * Recovery of a recording file that a crash left under its temporary `.part` name: everything up
 * to its last complete line is kept under the final name; the unfinished line is cut.
 *
 * @module
 */

import type { RecordingFileSystem } from "./recording_file_system.ts";

/** The suffix of a file still being written. */
export const PART_SUFFIX = ".part";

/** How much of the file's end is read at a time while looking for its last newline. */
const TAIL_CHUNK_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * What recovering one `.part` file did.
 *
 * @example
 * ```ts
 * import type { RecoveredPart } from "./part_recovery.ts";
 * const recovered: RecoveredPart = { part: "a.ndjson.part", file: "a.ndjson", keptBytes: 90, cutBytes: 7 };
 * console.log(recovered.cutBytes);
 * ```
 */
export interface RecoveredPart {
  /** The `.part` path found. */
  readonly part: string;
  /** The final path it now has; undefined when it held no complete line and was removed. */
  readonly file: string | undefined;
  /** Bytes kept: every complete line. */
  readonly keptBytes: number;
  /** Bytes of an unfinished last line that were cut. */
  readonly cutBytes: number;
}

/** Length of the file up to and including its last newline (0 when it has none). */
async function completeLength(fileSystem: RecordingFileSystem, path: string): Promise<number> {
  let end = await fileSystem.fileSize(path);
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK_BYTES);
    const chunk = await fileSystem.readAt(path, start, end - start);
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

/**
 * Cuts a `.part` file after its last complete line and renames it to its final name (the path
 * without `.part`). A file without one complete line holds nothing and is removed.
 *
 * @param fileSystem Where the file is.
 * @param part The path, ending in `.part`.
 * @returns What was done.
 *
 * @example
 * ```ts ignore
 * import { recoverPart } from "./part_recovery.ts";
 * import { DENO_FILE_SYSTEM } from "./recording_file_system.ts";
 * const recovered = await recoverPart(DENO_FILE_SYSTEM, "out/kraken-20260101T00-0001.ndjson.part");
 * console.log(recovered.file, recovered.cutBytes);
 * ```
 */
export async function recoverPart(
  fileSystem: RecordingFileSystem,
  part: string,
): Promise<RecoveredPart> {
  if (!part.endsWith(PART_SUFFIX)) throw new RangeError(`${part} does not end in ${PART_SUFFIX}`);
  const size = await fileSystem.fileSize(part);
  const keptBytes = await completeLength(fileSystem, part);
  if (keptBytes === 0) {
    await fileSystem.remove(part);
    return { part, file: undefined, keptBytes, cutBytes: size };
  }
  if (keptBytes < size) await fileSystem.truncate(part, keptBytes);
  const file = part.slice(0, -PART_SUFFIX.length);
  await fileSystem.rename(part, file);
  return { part, file, keptBytes, cutBytes: size - keptBytes };
}
