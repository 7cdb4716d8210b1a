/**
 * The line format of recordings, written by `record` and read by `verify` and the simulator's
 * replay: NDJSON, one JSON object per line. A file starts with a header; then come frames exactly
 * as received and the client's lifecycle events, each with its receive time, in the order they
 * happened. Only the text of a line is here; writing files is the command's.
 *
 * ```text
 * {"recording":"kraken-ws","version":1,"file":1,"started":1767225600000,"url":"wss://ws.kraken.com/v2"}
 * {"recv":1767225600012,"frame":"{\"channel\":\"heartbeat\"}"}
 * {"recv":1767225600013,"event":{"type":"gap","reason":"checksum","channel":"book","symbol":"BTC/USD",…}}
 * {"recv":1767225600020,"event":{"type":"gap","reason":"overflow","dropped":12,"scope":"recorder"}}
 * ```
 *
 * @module
 */

import type { JsonValue } from "../protocol/messages.ts";
import type { KrakenEvent } from "../core/events.ts";

/** The `recording` field of every header. */
const FORMAT = "kraken-ws";

/** The version this module writes and reads. */
const VERSION = 1;

/** A recording line starts with one of these keys; a raw Kraken frame never does. */
const RECORDING_LINE_START = /^\s*\{\s*"(recording|recv)"\s*:/;

/**
 * The first line of every recording file.
 *
 * @example
 * ```ts
 * import type { RecordingHeader } from "@kraken-ws/sdk/extended";
 * const header: RecordingHeader = { file: 1, started: 0, url: "wss://ws.kraken.com/v2" };
 * console.log(header.file);
 * ```
 */
export interface RecordingHeader {
  /** Which file of its run this is, counting from 1. */
  readonly file: number;
  /** Client time in ms when the file was started. */
  readonly started: number;
  /** The WebSocket URL recorded. */
  readonly url: string;
}

/**
 * An event as read back from a recording: the client's event as JSON, or the recorder's own
 * `overflow` gap (which has `scope: "recorder"` and neither `seq` nor `time`).
 *
 * @example
 * ```ts
 * import type { RecordedEvent } from "@kraken-ws/sdk/extended";
 * const event: RecordedEvent = { type: "gap", reason: "overflow", dropped: 3, scope: "recorder" };
 * console.log(event.type);
 * ```
 */
export interface RecordedEvent {
  /** The event's `type`: `state`, `gap`, `status` or `error`. */
  readonly type: string;
  /** Every other field, as written. */
  readonly [field: string]: JsonValue;
}

/**
 * One line of input, classified. `raw` is anything that is not a recording line (a raw Kraken
 * frame, as older captures hold), so a reader can take both kinds of file, even mixed. `invalid`
 * is a line that starts like a recording line but is not one.
 *
 * @example
 * ```ts
 * import { parseRecordingLine, type RecordingLine } from "@kraken-ws/sdk/extended";
 * const line: RecordingLine = parseRecordingLine('{"channel":"heartbeat"}');
 * console.log(line.kind); // "raw"
 * ```
 */
export type RecordingLine =
  | { readonly kind: "header"; readonly header: RecordingHeader }
  | { readonly kind: "frame"; readonly recv: number; readonly frame: string }
  | { readonly kind: "event"; readonly recv: number; readonly event: RecordedEvent }
  | { readonly kind: "raw" }
  | { readonly kind: "invalid"; readonly reason: string };

/**
 * The header line of a recording file, without its newline.
 *
 * @param header Which file, when it started, and the URL.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { encodeHeader } from "@kraken-ws/sdk/extended";
 * console.log(encodeHeader({ file: 1, started: 5, url: "ws://127.0.0.1:8080/v2" }));
 * // {"recording":"kraken-ws","version":1,"file":1,"started":5,"url":"ws://127.0.0.1:8080/v2"}
 * ```
 */
export function encodeHeader(header: RecordingHeader): string {
  return JSON.stringify({
    recording: FORMAT,
    version: VERSION,
    file: header.file,
    started: header.started,
    url: header.url,
  });
}

/**
 * A frame line, without its newline. The frame is kept as a JSON string, so parsing the line
 * gives back the identical text, malformed frames included.
 *
 * @param recv Client time of receipt in ms.
 * @param frame The frame's text exactly as received.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { encodeFrame } from "@kraken-ws/sdk/extended";
 * console.log(encodeFrame(7, '{"channel":"heartbeat"}'));
 * // {"recv":7,"frame":"{\"channel\":\"heartbeat\"}"}
 * ```
 */
export function encodeFrame(recv: number, frame: string): string {
  return JSON.stringify({ recv, frame });
}

/**
 * An event line, without its newline.
 *
 * @param recv Client time in ms (an event's own `time`).
 * @param event The event.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { encodeEvent } from "@kraken-ws/sdk/extended";
 * console.log(encodeEvent(9, { type: "gap", reason: "decode", seq: 4, time: 9 }));
 * // {"recv":9,"event":{"type":"gap","reason":"decode","seq":4,"time":9}}
 * ```
 */
export function encodeEvent(recv: number, event: KrakenEvent | RecordedEvent): string {
  return JSON.stringify({ recv, event });
}

/**
 * The line that marks the recorder's own loss: its write queue was full, so `dropped` lines
 * after the previous one were never written.
 *
 * @param recv Client time of the first line lost.
 * @param dropped How many lines were lost.
 * @returns The line, without its newline.
 *
 * @example
 * ```ts
 * import { encodeRecorderOverflow } from "@kraken-ws/sdk/extended";
 * console.log(encodeRecorderOverflow(3, 12));
 * // {"recv":3,"event":{"type":"gap","reason":"overflow","dropped":12,"scope":"recorder"}}
 * ```
 */
export function encodeRecorderOverflow(recv: number, dropped: number): string {
  return encodeEvent(recv, { type: "gap", reason: "overflow", dropped, scope: "recorder" });
}

/**
 * Whether a recording keeps this event. Lifecycle events (`state`, `gap`, `status`, `error`)
 * are kept; data events are not, because the frames carry them.
 *
 * @param event A client event.
 * @returns True for the lifecycle.
 *
 * @example
 * ```ts
 * import { isRecordedEvent } from "@kraken-ws/sdk/extended";
 * console.log(isRecordedEvent({ type: "gap", reason: "decode", seq: 1, time: 0 })); // true
 * ```
 */
export function isRecordedEvent(event: KrakenEvent): boolean {
  return event.type === "state" || event.type === "gap" || event.type === "status" ||
    event.type === "error";
}

/**
 * Whether a recorded event is the recorder's own loss rather than the client's.
 *
 * @param event An event read from a recording.
 * @returns True for the recorder's `overflow` gap.
 *
 * @example
 * ```ts
 * import { isRecorderOverflow } from "@kraken-ws/sdk/extended";
 * console.log(isRecorderOverflow({ type: "gap", reason: "overflow", dropped: 1, scope: "recorder" })); // true
 * ```
 */
export function isRecorderOverflow(event: RecordedEvent): boolean {
  return event.type === "gap" && event.reason === "overflow" && event.scope === "recorder";
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseHeader(value: Record<string, JsonValue>): RecordingLine {
  if (value.recording !== FORMAT) {
    return { kind: "invalid", reason: `not a ${FORMAT} recording: ${String(value.recording)}` };
  }
  if (value.version !== VERSION) {
    return { kind: "invalid", reason: `unsupported recording version ${String(value.version)}` };
  }
  const { file, started, url } = value;
  if (
    typeof file !== "number" || !Number.isSafeInteger(file) || file < 1 ||
    typeof started !== "number" || !Number.isFinite(started) || typeof url !== "string"
  ) {
    return { kind: "invalid", reason: "recording header without file, started and url" };
  }
  return { kind: "header", header: { file, started, url } };
}

/**
 * Classifies one line of input. Never throws.
 *
 * @param text The line, without its newline.
 * @returns A header, a frame (with its text as received), an event, `raw` for a line that is no
 *   recording line, or `invalid`.
 *
 * @example
 * ```ts
 * import { parseRecordingLine } from "@kraken-ws/sdk/extended";
 * const line = parseRecordingLine('{"recv":7,"frame":"{\\"channel\\":\\"heartbeat\\"}"}');
 * if (line.kind === "frame") console.log(line.recv, line.frame); // 7 {"channel":"heartbeat"}
 * ```
 */
export function parseRecordingLine(text: string): RecordingLine {
  if (!RECORDING_LINE_START.test(text)) return { kind: "raw" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", reason: `malformed recording line: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { kind: "invalid", reason: "malformed recording line" };
  if (Object.hasOwn(value, "recording")) return parseHeader(value);
  const recv = value.recv;
  if (typeof recv !== "number" || !Number.isFinite(recv)) {
    return { kind: "invalid", reason: "recording line without a numeric recv" };
  }
  const frame = value.frame;
  const event = value.event;
  if (typeof frame === "string" && event === undefined) return { kind: "frame", recv, frame };
  if (frame === undefined && isObject(event) && typeof event.type === "string") {
    return { kind: "event", recv, event: event as RecordedEvent };
  }
  return { kind: "invalid", reason: "recording line with neither a frame text nor an event" };
}
