/**
 * Reads a recorded NDJSON file for the exchange's replay: raw Kraken frames, or `record`'s
 * recording lines (whose header, events and broken lines hold no frame to play).
 *
 * @module
 */

import type { RecordedFrame } from "../exchange/replay_feed.ts";
import { parseRecordingLine } from "../recording/recording_line.ts";

/**
 * The frames of a recorded file, with their receive times when the file has them.
 *
 * @param lines The file's lines.
 * @returns The frames, in file order.
 *
 * @example
 * ```ts
 * import { recordedFrames } from "./recorded_frames.ts";
 * const frames = recordedFrames(['{"channel":"heartbeat"}', "", '{"recv":5,"frame":"{}"}']);
 * console.log(frames); // [{ text: '{"channel":"heartbeat"}' }, { text: "{}", recv: 5 }]
 * ```
 */
export function recordedFrames(lines: readonly string[]): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const recorded = parseRecordingLine(line);
    if (recorded.kind === "frame") frames.push({ text: recorded.frame, recv: recorded.recv });
    else if (recorded.kind === "raw") frames.push({ text: line });
  }
  return frames;
}
