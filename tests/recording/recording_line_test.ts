import assert from "node:assert/strict";
import type { KrakenEvent } from "../../src/core/events.ts";
import {
  encodeEvent,
  encodeFrame,
  encodeHeader,
  encodeRecorderOverflow,
  isRecordedEvent,
  isRecorderOverflow,
  parseRecordingLine,
} from "../../src/recording/recording_line.ts";
import { fixtureLines } from "../fixtures.ts";

Deno.test("recording line: every frame comes back exactly as received, malformed ones included", () => {
  const frames = [
    ...fixtureLines("live-btc-eth.ndjson").slice(0, 50),
    '{"channel":"book","data":[{"price":0.10000000}]}',
    "\u0000not json",
    "{broken",
    '  {"channel":"heartbeat"}  ',
    'quote " backslash \\ tab \t newline \n return \r',
    "unicode: é € 𝄞 \u2028 \u2029",
    "",
    '{"recv":1,"frame":"a frame that looks like a recording line"}',
  ];
  for (const frame of frames) {
    const line = encodeFrame(1_767_225_600_123, frame);
    assert.ok(!line.includes("\n"), "one line per frame");
    const parsed = parseRecordingLine(line);
    assert.equal(parsed.kind, "frame");
    assert.ok(parsed.kind === "frame");
    assert.equal(parsed.frame, frame);
    assert.equal(parsed.recv, 1_767_225_600_123);
  }
});

Deno.test("recording line: headers, events and the recorder's overflow have the decided shape", () => {
  assert.equal(
    encodeHeader({ file: 3, started: 1000, url: "wss://ws.kraken.com/v2" }),
    '{"recording":"kraken-ws","version":1,"file":3,"started":1000,"url":"wss://ws.kraken.com/v2"}',
  );
  assert.deepEqual(parseRecordingLine(encodeHeader({ file: 3, started: 1000, url: "ws://x" })), {
    kind: "header",
    header: { file: 3, started: 1000, url: "ws://x" },
  });
  const gap: KrakenEvent = {
    type: "gap",
    reason: "checksum",
    channel: "book",
    symbol: "BTC/USD",
    expected: 1,
    computed: 2,
    seq: 7,
    time: 1500,
  };
  const line = encodeEvent(gap.time, gap);
  assert.equal(
    line,
    '{"recv":1500,"event":{"type":"gap","reason":"checksum","channel":"book","symbol":"BTC/USD",' +
      '"expected":1,"computed":2,"seq":7,"time":1500}}',
  );
  assert.deepEqual(parseRecordingLine(line), { kind: "event", recv: 1500, event: gap });
  const overflow = encodeRecorderOverflow(2000, 12);
  assert.equal(
    overflow,
    '{"recv":2000,"event":{"type":"gap","reason":"overflow","dropped":12,"scope":"recorder"}}',
  );
  const parsed = parseRecordingLine(overflow);
  assert.ok(parsed.kind === "event" && isRecorderOverflow(parsed.event));
  const clientGap = parseRecordingLine(line);
  assert.ok(clientGap.kind === "event" && !isRecorderOverflow(clientGap.event));
});

Deno.test("recording line: only lifecycle events are recorded; frames carry the data", () => {
  const base = { seq: 1, time: 0 };
  assert.equal(isRecordedEvent({ ...base, type: "gap", reason: "decode" }), true);
  assert.equal(isRecordedEvent({ ...base, type: "status", system: "online" }), true);
  assert.equal(isRecordedEvent({ ...base, type: "error", code: "decode", message: "x" }), true);
  assert.equal(
    isRecordedEvent({
      ...base,
      type: "state",
      scope: "connection",
      from: "idle",
      to: "connecting",
      cause: "start",
    }),
    true,
  );
  assert.equal(
    isRecordedEvent({
      ...base,
      type: "book",
      symbol: "BTC/USD",
      bids: [],
      asks: [],
      checksum: 0,
      snapshot: true,
      validated: true,
      changes: [],
    }),
    false,
  );
});

Deno.test("recording line: raw frames are not recording lines; broken recording lines are invalid", () => {
  for (const raw of fixtureLines("live-btc-eth.ndjson").slice(0, 20)) {
    assert.deepEqual(parseRecordingLine(raw), { kind: "raw" });
  }
  assert.deepEqual(parseRecordingLine("{broken"), { kind: "raw" });
  assert.deepEqual(parseRecordingLine('{"method":"pong","req_id":1}'), { kind: "raw" });
  const invalid = [
    '{"recv":1,"frame":"cut in the mid',
    '{"recv":"1","frame":"x"}',
    '{"recv":1}',
    '{"recv":1,"frame":"x","event":{"type":"gap"}}',
    '{"recv":1,"event":{"reason":"decode"}}',
    '{"recv":1,"frame":7}',
    '{"recording":"other","version":1,"file":1,"started":0,"url":"x"}',
    '{"recording":"kraken-ws","version":2,"file":1,"started":0,"url":"x"}',
    '{"recording":"kraken-ws","version":1,"file":0,"started":0,"url":"x"}',
  ];
  for (const text of invalid) {
    const parsed = parseRecordingLine(text);
    assert.equal(parsed.kind, "invalid", text);
    assert.ok(parsed.kind === "invalid" && parsed.reason.length > 0);
  }
  const version = parseRecordingLine(
    '{"recording":"kraken-ws","version":2,"file":1,"started":0,"url":"x"}',
  );
  assert.ok(version.kind === "invalid");
  assert.match(version.reason, /unsupported recording version 2/);
});
