import assert from "node:assert/strict";
import { DENO_FILE_SYSTEM } from "../../src/cli/recording_file_system.ts";
import {
  recordingFileName,
  RecordingWriteError,
  RotatingWriter,
  type RotatingWriterOptions,
} from "../../src/cli/rotating_writer.ts";
import { parseRecordingLine } from "../../src/recording/recording_line.ts";
import { MemoryFileSystem } from "./memory_file_system.ts";

const HOUR = Date.UTC(2026, 0, 1, 10);
const encoder = new TextEncoder();

/** A frame line of exactly `size` bytes (newline included), received at `recv`. */
function line(recv: number, size: number, tag = "x"): Uint8Array {
  const prefix = `{"recv":${recv},"frame":"${tag}`;
  const suffix = '"}\n';
  return encoder.encode(prefix + "-".repeat(size - prefix.length - suffix.length) + suffix);
}

function open(
  fileSystem: MemoryFileSystem,
  now: number,
  overrides: Partial<RotatingWriterOptions> = {},
  notes: string[] = [],
): Promise<RotatingWriter> {
  return RotatingWriter.open({
    directory: "/rec",
    url: "ws://127.0.0.1:1/v2",
    maxFileBytes: 1024,
    fileSystem,
    note: (message) => notes.push(message),
    ...overrides,
  }, now);
}

function linesOf(text: string): string[] {
  assert.ok(text.endsWith("\n"), "a finished file ends with a complete line");
  return text.slice(0, -1).split("\n");
}

Deno.test("rotating writer: rotates before a line would pass the size limit", async () => {
  const fileSystem = new MemoryFileSystem();
  const writer = await open(fileSystem, HOUR, { maxFileBytes: 400 });
  for (let i = 0; i < 10; i++) await writer.write(HOUR + i, line(HOUR + i, 100, `f${i}`));
  await writer.close();
  const paths = fileSystem.list("/rec");
  assert.deepEqual(paths, [1, 2, 3, 4].map((n) => `/rec/kraken-20260101T10-000${n}.ndjson`));
  assert.deepEqual(writer.files, paths);
  const frames: string[] = [];
  paths.forEach((path, index) => {
    const text = fileSystem.text(path);
    assert.ok(text.length <= 400, `${path} holds ${text.length} bytes`);
    const [header, ...rest] = linesOf(text);
    const parsed = parseRecordingLine(header);
    assert.ok(parsed.kind === "header");
    assert.equal(parsed.header.file, index + 1);
    assert.equal(parsed.header.url, "ws://127.0.0.1:1/v2");
    for (const entry of rest) {
      const frame = parseRecordingLine(entry);
      assert.ok(frame.kind === "frame");
      frames.push(frame.frame.slice(0, 2));
    }
  });
  assert.deepEqual(frames, ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"]);
  assert.equal(writer.lines, 14, "10 lines and 4 headers");
});

Deno.test("rotating writer: a line bigger than the limit still gets a file of its own", async () => {
  const fileSystem = new MemoryFileSystem();
  const writer = await open(fileSystem, HOUR, { maxFileBytes: 200 });
  await writer.write(HOUR, line(HOUR, 500));
  await writer.write(HOUR, line(HOUR, 50));
  await writer.close();
  const paths = fileSystem.list("/rec");
  assert.equal(paths.length, 2);
  assert.equal(linesOf(fileSystem.text(paths[0])).length, 2, "the header and the big line");
});

Deno.test("rotating writer: a new file every UTC hour of the receive time", async () => {
  const fileSystem = new MemoryFileSystem();
  const start = HOUR + 3_599_000; // 10:59:59
  const writer = await open(fileSystem, start);
  await writer.write(start + 500, line(start + 500, 80));
  await writer.write(start + 1000, line(start + 1000, 80)); // 11:00:00.000
  await writer.write(start + 3_601_000, line(start + 3_601_000, 80)); // 12:00:00.000
  await writer.close();
  assert.deepEqual(fileSystem.list("/rec"), [
    "/rec/kraken-20260101T10-0001.ndjson",
    "/rec/kraken-20260101T11-0001.ndjson",
    "/rec/kraken-20260101T12-0001.ndjson",
  ]);
  const header = parseRecordingLine(
    linesOf(fileSystem.text("/rec/kraken-20260101T11-0001.ndjson"))[0],
  );
  assert.ok(header.kind === "header");
  assert.deepEqual(header.header, { file: 2, started: start + 1000, url: "ws://127.0.0.1:1/v2" });
  assert.equal(
    recordingFileName(Date.UTC(2026, 11, 31, 23, 59, 59, 999), 12),
    "kraken-20261231T23-0012.ndjson",
  );
});

Deno.test("rotating writer: numbers continue after the files already in the directory", async () => {
  const fileSystem = new MemoryFileSystem();
  await fileSystem.makeDirectory("/rec");
  fileSystem.files.set("/rec/kraken-20260101T10-0007.ndjson", encoder.encode("{}\n"));
  fileSystem.files.set("/rec/kraken-20260101T09-0042.ndjson", encoder.encode("{}\n"));
  fileSystem.files.set("/rec/notes.txt", encoder.encode("mine"));
  const writer = await open(fileSystem, HOUR);
  await writer.close();
  assert.deepEqual(writer.files, ["/rec/kraken-20260101T10-0008.ndjson"]);
  assert.equal(fileSystem.text("/rec/notes.txt"), "mine");
});

Deno.test("rotating writer: a .part left by a crash is cut after its last complete line and renamed", async () => {
  const fileSystem = new MemoryFileSystem();
  await fileSystem.makeDirectory("/rec");
  const complete = '{"recording":"kraken-ws","version":1,"file":1,"started":0,"url":"x"}\n' +
    '{"recv":1,"frame":"{}"}\n';
  fileSystem.files.set(
    "/rec/kraken-20260101T10-0001.ndjson.part",
    encoder.encode(complete + '{"recv":2,"fra'),
  );
  fileSystem.files.set("/rec/kraken-20260101T10-0002.ndjson.part", encoder.encode('{"recor'));
  const notes: string[] = [];
  const writer = await open(fileSystem, HOUR, {}, notes);
  await writer.close();
  assert.equal(fileSystem.text("/rec/kraken-20260101T10-0001.ndjson"), complete);
  assert.deepEqual(fileSystem.list("/rec"), [
    "/rec/kraken-20260101T10-0001.ndjson",
    "/rec/kraken-20260101T10-0003.ndjson",
  ]);
  assert.deepEqual(notes, [
    "recovered /rec/kraken-20260101T10-0001.ndjson from a crash (cut 14 bytes of an unfinished last line)",
    "removed /rec/kraken-20260101T10-0002.ndjson.part: a crash left it without one complete line",
  ]);
});

Deno.test("rotating writer: recovery on the real disk finds the last newline past a chunk", async () => {
  const directory = await Deno.makeTempDir();
  try {
    // Longer than one 64 KiB read, so the search for the last newline crosses chunks.
    const complete = `{"recv":1,"frame":"${"a".repeat(100_000)}"}\n`;
    const part = `${directory}/kraken-20260101T10-0001.ndjson.part`;
    await Deno.writeTextFile(part, complete + `{"recv":2,"frame":"${"b".repeat(70_000)}`);
    const notes: string[] = [];
    const writer = await RotatingWriter.open({
      directory,
      url: "ws://x",
      maxFileBytes: 1024,
      fileSystem: DENO_FILE_SYSTEM,
      note: (message) => notes.push(message),
    }, HOUR);
    await writer.close();
    assert.equal(
      await Deno.readTextFile(`${directory}/kraken-20260101T10-0001.ndjson`),
      complete,
    );
    assert.match(notes[0], /cut 70019 bytes of an unfinished last line/);
    const names = [];
    for await (const entry of Deno.readDir(directory)) names.push(entry.name);
    assert.deepEqual(names.sort(), [
      "kraken-20260101T10-0001.ndjson",
      "kraken-20260101T10-0002.ndjson",
    ]);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("rotating writer: a full disk mid-line keeps every complete line under the final name", async () => {
  const fileSystem = new MemoryFileSystem();
  const writer = await open(fileSystem, HOUR);
  await writer.write(HOUR, line(HOUR, 100));
  await writer.write(HOUR, line(HOUR, 100));
  fileSystem.capacity = fileSystem.usedBytes + 60; // the next line lands only partly
  const error = await writer.write(HOUR, line(HOUR, 100)).then(() => undefined, (e) => e);
  assert.ok(error instanceof RecordingWriteError);
  assert.match(
    error.message,
    /cannot write \/rec\/kraken-20260101T10-0001\.ndjson\.part: the disk is full \(No space left on device \(os error 28\)\); its 2 complete lines after the header are kept in \/rec\/kraken-20260101T10-0001\.ndjson/,
  );
  assert.deepEqual(fileSystem.list("/rec"), ["/rec/kraken-20260101T10-0001.ndjson"]);
  const lines = linesOf(fileSystem.text("/rec/kraken-20260101T10-0001.ndjson"));
  assert.equal(lines.length, 3);
  for (const text of lines) assert.notEqual(parseRecordingLine(text).kind, "invalid");
  await assert.rejects(writer.write(HOUR, line(HOUR, 40)), RecordingWriteError);
  await writer.close();
});

Deno.test("rotating writer: a disk that fills on a new file's header leaves no empty file", async () => {
  const fileSystem = new MemoryFileSystem();
  const writer = await open(fileSystem, HOUR, { maxFileBytes: 200 });
  await writer.write(HOUR, line(HOUR, 100));
  fileSystem.capacity = fileSystem.usedBytes + 20;
  await assert.rejects(writer.write(HOUR, line(HOUR, 100)), /nothing was written to it/);
  assert.deepEqual(fileSystem.list("/rec"), ["/rec/kraken-20260101T10-0001.ndjson"]);
});

Deno.test("rotating writer: a directory that cannot be written is a clear error at once", async () => {
  const refusing = new MemoryFileSystem();
  await refusing.makeDirectory("/rec");
  refusing.readOnly.add("/rec");
  await assert.rejects(
    open(refusing, HOUR),
    (error: Error) =>
      error instanceof RecordingWriteError &&
      /cannot create \/rec\/kraken-20260101T10-0001\.ndjson\.part: permission denied/.test(
        error.message,
      ),
  );
  refusing.readOnly.add("/");
  await assert.rejects(
    open(refusing, HOUR, { directory: "/other/rec" }),
    /cannot use \/other\/rec as the output directory: permission denied/,
  );

  // For real: a path under a regular file (root writes through chmod, so not that).
  const file = await Deno.makeTempFile();
  try {
    await assert.rejects(
      RotatingWriter.open({
        directory: `${file}/rec`,
        url: "ws://x",
        maxFileBytes: 1024,
        fileSystem: DENO_FILE_SYSTEM,
        note: () => {},
      }, HOUR),
      (error: Error) =>
        error instanceof RecordingWriteError &&
        error.message.startsWith(
          `cannot use ${file}/rec as the output directory: a part of the path is not a directory`,
        ),
    );
  } finally {
    await Deno.remove(file);
  }
});
