import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import { SeededRandom } from "../../src/core/seeded_random.ts";
import { decode } from "../../src/protocol/decode.ts";
import {
  drawFault,
  type FaultKind,
  FrameFaults,
  MALFORMED_FRAME,
  oversizedFrame,
  randomFaultSchedule,
  UNKNOWN_CHANNEL_FRAME,
} from "../../src/exchange/faults.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import type { SimFrame } from "../../src/exchange/feed.ts";
import { ReplayFeed } from "../../src/exchange/replay_feed.ts";
import { fixtureLines } from "../fixtures.ts";
import {
  bookPayloadOf,
  decoded,
  jsonObject,
  marketConnection,
  rawFrames,
  requestText,
} from "./helpers.ts";

const START = Date.UTC(2026, 6, 7, 23, 0, 0);

const ALL_KINDS: readonly FaultKind[] = [
  "drop_connection",
  "close_1001",
  "close_1008",
  "close_1011",
  "stall",
  "wrong_checksum",
  "drop_update",
  "duplicate_frame",
  "malformed_json",
  "unknown_channel",
  "exceeded_msg_rate",
  "maintenance",
  "slow",
  "oversized_frame",
  "outage",
];

/** Real frames of every kind a connection sends, from a seeded market. */
function sampleFrames(): {
  bookSnapshot: SimFrame;
  bookUpdate: SimFrame;
  tradeSnapshot: SimFrame;
  tradeUpdate: SimFrame;
  ticker: SimFrame;
  ohlc: SimFrame;
  reply: SimFrame;
  status: SimFrame;
  heartbeat: SimFrame;
} {
  const market = new SimMarket(4);
  for (let step = 1; step <= 100; step++) market.step(START + step * 100);
  const connection = marketConnection(market);
  const status = connection.status(START + 10_000);
  const [reply, bookSnapshot] = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }, 1),
    START + 10_000,
  );
  const [, tradeSnapshot] = connection.receive(
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"], snapshot: true }),
    START + 10_000,
  );
  const [, ticker] = connection.receive(
    requestText("subscribe", { channel: "ticker", symbol: ["BTC/USD"] }),
    START + 10_000,
  );
  const [, ohlc] = connection.receive(
    requestText("subscribe", { channel: "ohlc", symbol: ["BTC/USD"] }),
    START + 10_000,
  );
  let bookUpdate: SimFrame | undefined;
  let tradeUpdate: SimFrame | undefined;
  for (let step = 101; bookUpdate === undefined || tradeUpdate === undefined; step++) {
    const now = START + step * 100;
    for (const frame of connection.step(market.step(now), now)) {
      if (frame.kind === "book") bookUpdate ??= frame;
      if (frame.kind === "trade") tradeUpdate ??= frame;
    }
  }
  const heartbeat = connection.heartbeat(START + 60_000);
  assert.ok(heartbeat !== undefined);
  for (
    const [frame, kind] of [[bookSnapshot, "book"], [tradeSnapshot, "trade"], [ticker, "ticker"], [
      ohlc,
      "ohlc",
    ]] as const
  ) {
    assert.equal(frame.kind, kind);
  }
  return {
    bookSnapshot,
    bookUpdate,
    tradeSnapshot,
    tradeUpdate,
    ticker,
    ohlc,
    reply,
    status,
    heartbeat,
  };
}

Deno.test("FrameFaults: nothing armed, every frame is sent as it is", () => {
  const faults = new FrameFaults();
  for (const frame of Object.values(sampleFrames())) {
    const out = faults.apply(frame);
    assert.equal(out.fate, "sent");
    assert.deepEqual(out.frames, [frame]);
  }
});

Deno.test("FrameFaults: wrong_checksum changes only the checksum of the next book frame, once", () => {
  const frames = sampleFrames();
  const faults = new FrameFaults();
  faults.arm("wrong_checksum");
  // Frames it does not fit pass untouched and leave it armed.
  for (
    const frame of [frames.reply, frames.status, frames.tradeUpdate, frames.ticker, frames.ohlc]
  ) {
    assert.deepEqual(faults.apply(frame), { frames: [frame], fate: "sent" });
  }
  const out = faults.apply(frames.bookUpdate);
  assert.equal(out.fate, "corrupted");
  assert.equal(out.frames.length, 1);
  const [corrupted] = out.frames;
  assert.notEqual(corrupted.text, frames.bookUpdate.text);
  assert.equal(corrupted.kind, "book");
  assert.equal(corrupted.symbol, frames.bookUpdate.symbol);
  const original = bookPayloadOf(frames.bookUpdate.text);
  const changed = bookPayloadOf(corrupted.text);
  assert.notEqual(changed.payload.checksum, original.payload.checksum);
  assert.ok(changed.payload.checksum >= 0 && changed.payload.checksum <= 0xffffffff);
  // Everything but the checksum is as it was, text included.
  assert.deepEqual(
    { ...changed, payload: { ...changed.payload, checksum: 0 } },
    { ...original, payload: { ...original.payload, checksum: 0 } },
  );
  const checksumOut = /"checksum":[0-9]+/g;
  assert.equal(
    corrupted.text.replace(checksumOut, ""),
    frames.bookUpdate.text.replace(checksumOut, ""),
  );
  // And a client's book notices: the frame fails its checksum.
  const book = new OrderBook("BTC/USD", 10);
  const snapshot = bookPayloadOf(frames.bookSnapshot.text);
  assert.equal(book.apply(snapshot.type, snapshot.payload).status, "ok");
  assert.equal(book.apply(changed.type, changed.payload).status, "mismatch");
  // Once only.
  assert.deepEqual(faults.apply(frames.bookUpdate), { frames: [frames.bookUpdate], fate: "sent" });
});

Deno.test("FrameFaults: wrong_checksum wraps at 2^32", () => {
  const faults = new FrameFaults();
  faults.arm("wrong_checksum");
  const frame: SimFrame = {
    kind: "book",
    symbol: "BTC/USD",
    text:
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":4294967295}]}',
  };
  const [corrupted] = faults.apply(frame).frames;
  const message = decoded(corrupted.text);
  assert.equal(message.kind === "book" ? message.data[0].checksum : -1, 0);
});

Deno.test("FrameFaults: wrong_checksum fits a book snapshot too", () => {
  const frames = sampleFrames();
  const faults = new FrameFaults();
  faults.arm("wrong_checksum");
  const out = faults.apply(frames.bookSnapshot);
  assert.equal(out.fate, "corrupted");
  assert.notEqual(
    bookPayloadOf(out.frames[0].text).payload.checksum,
    bookPayloadOf(frames.bookSnapshot.text).payload.checksum,
  );
});

Deno.test("FrameFaults: drop_update drops the next book or trade update, never a snapshot, once", () => {
  const frames = sampleFrames();
  for (const target of [frames.bookUpdate, frames.tradeUpdate]) {
    const faults = new FrameFaults();
    faults.arm("drop_update");
    for (
      const frame of [
        frames.status,
        frames.reply,
        frames.bookSnapshot,
        frames.tradeSnapshot,
        frames.ticker,
        frames.ohlc,
        frames.heartbeat,
      ]
    ) {
      assert.deepEqual(faults.apply(frame), { frames: [frame], fate: "sent" }, frame.text);
    }
    assert.deepEqual(faults.apply(target), { frames: [], fate: "dropped" });
    assert.deepEqual(faults.apply(target), { frames: [target], fate: "sent" });
  }
});

Deno.test("FrameFaults: drop_update passes a replayed book snapshot and drops the next update", () => {
  const feed = new ReplayFeed(rawFrames(fixtureLines("live-btc-eth.ndjson")), Infinity);
  const connection = new ConnectionFeed(feed);
  connection.receive(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }), 0);
  const replayed = connection.step(feed.advance(1), 1);
  const [snapshot, update] = replayed;
  assert.equal(bookPayloadOf(snapshot.text).type, "snapshot");
  assert.equal(bookPayloadOf(update.text).type, "update");
  const faults = new FrameFaults();
  faults.arm("drop_update");
  assert.deepEqual(faults.apply(snapshot), { frames: [snapshot], fate: "sent" });
  assert.deepEqual(faults.apply(update), { frames: [], fate: "dropped" });
});

Deno.test("FrameFaults: duplicate_frame sends the next data frame twice, once", () => {
  const frames = sampleFrames();
  for (const target of [frames.bookSnapshot, frames.tradeUpdate, frames.ticker, frames.ohlc]) {
    const faults = new FrameFaults();
    faults.arm("duplicate_frame");
    for (const frame of [frames.status, frames.reply, frames.heartbeat]) {
      assert.deepEqual(faults.apply(frame), { frames: [frame], fate: "sent" });
    }
    assert.deepEqual(faults.apply(target), { frames: [target, target], fate: "duplicated" });
    assert.deepEqual(faults.apply(target), { frames: [target], fate: "sent" });
  }
});

Deno.test("FrameFaults: exceeded_msg_rate is taken by a subscribe, not by frames, once", () => {
  const faults = new FrameFaults();
  assert.equal(faults.takeRateLimit(), false);
  faults.arm("exceeded_msg_rate");
  for (const frame of Object.values(sampleFrames())) {
    assert.equal(faults.apply(frame).fate, "sent");
  }
  assert.equal(faults.takeRateLimit(), true);
  assert.equal(faults.takeRateLimit(), false);
});

Deno.test("FrameFaults: several armed faults each hit the first frame they fit, in turn", () => {
  const frames = sampleFrames();
  const faults = new FrameFaults();
  faults.arm("drop_update");
  faults.arm("wrong_checksum");
  faults.arm("duplicate_frame");
  faults.arm("drop_update");
  // The book update is dropped first; the snapshot that follows takes the wrong checksum; the
  // ticker is duplicated; the second drop waits for the next update.
  assert.equal(faults.apply(frames.bookUpdate).fate, "dropped");
  assert.equal(faults.apply(frames.bookSnapshot).fate, "corrupted");
  assert.equal(faults.apply(frames.ticker).fate, "duplicated");
  assert.equal(faults.apply(frames.ticker).fate, "sent");
  assert.equal(faults.apply(frames.tradeUpdate).fate, "dropped");
  // Each was taken once: nothing is left to hit the frames each would have fit.
  for (const frame of [frames.bookUpdate, frames.bookSnapshot, frames.ticker, frames.tradeUpdate]) {
    assert.equal(faults.apply(frame).fate, "sent");
  }
});

Deno.test("drawFault: with `kinds`, only those kinds are drawn, all of them in time", () => {
  for (
    const kinds of [
      ["stall", "slow"],
      ["close_1008"],
      ["wrong_checksum", "drop_update", "duplicate_frame"],
      ["drop_connection", "maintenance", "oversized_frame", "malformed_json"],
    ] as FaultKind[][]
  ) {
    const random = new SeededRandom(kinds.length * 1000 + 7);
    const drawn = new Set<FaultKind>();
    for (let i = 0; i < 2000; i++) {
      const fault = drawFault(random, 5000, kinds);
      assert.ok(kinds.includes(fault.kind), `${fault.kind} not in ${kinds}`);
      assert.ok(Number.isInteger(fault.at) && fault.at >= 0);
      drawn.add(fault.kind);
    }
    assert.deepEqual([...drawn].sort(), [...kinds].sort());
  }
});

Deno.test("drawFault: every kind is drawn by default; durations only where they mean something", () => {
  const random = new SeededRandom(99);
  const drawn = new Map<FaultKind, number>();
  let gaps = 0;
  const draws = 20_000;
  for (let i = 0; i < draws; i++) {
    const fault = drawFault(random, 4000);
    gaps += fault.at;
    drawn.set(fault.kind, (drawn.get(fault.kind) ?? 0) + 1);
    if (fault.kind === "stall") {
      assert.ok(fault.durationMs! >= 12_000 && fault.durationMs! < 20_000);
    } else if (fault.kind === "outage") {
      assert.ok(fault.durationMs! >= 20_000 && fault.durationMs! < 60_000);
    } else if (fault.kind === "maintenance" || fault.kind === "slow") {
      assert.ok(fault.durationMs! >= 2_000 && fault.durationMs! < 10_000);
    } else {
      assert.ok(!("durationMs" in fault), fault.kind);
    }
  }
  assert.deepEqual([...drawn.keys()].sort(), [...ALL_KINDS].sort());
  // 1008 is final for a client: drawn rarely.
  assert.ok(drawn.get("close_1008")! < drawn.get("wrong_checksum")! / 10);
  // The gaps are exponential with the mean asked for (within a few percent over 20000 draws).
  const mean = gaps / draws;
  assert.ok(mean > 3800 && mean < 4200, `mean gap ${mean}`);
});

Deno.test("drawFault: the same generator state draws the same fault", () => {
  const first = new SeededRandom(5);
  const second = new SeededRandom(5);
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(
      drawFault(first, 3000, ["stall", "drop_update"]),
      drawFault(second, 3000, ["stall", "drop_update"]),
    );
  }
});

Deno.test("randomFaultSchedule: reproducible from its seed, sorted, within the run", () => {
  for (const seed of [1, 2, 3, 42, 1234567]) {
    const schedule = randomFaultSchedule(seed, 120_000, 5000);
    assert.deepEqual(randomFaultSchedule(seed, 120_000, 5000), schedule);
    assert.ok(schedule.length > 5, `seed ${seed}: ${schedule.length} faults`);
    for (let i = 0; i < schedule.length; i++) {
      const fault = schedule[i];
      assert.ok(fault.at >= 0 && fault.at < 120_000);
      if (i > 0) assert.ok(fault.at >= schedule[i - 1].at, `seed ${seed}: unsorted at ${i}`);
      assert.ok(ALL_KINDS.includes(fault.kind));
    }
  }
  assert.notDeepEqual(randomFaultSchedule(1, 120_000, 5000), randomFaultSchedule(2, 120_000, 5000));
  assert.deepEqual(randomFaultSchedule(3, 0, 5000), []);
});

Deno.test("randomFaultSchedule: a schedule is the running sum of drawFault's gaps from the seed", () => {
  const schedule = randomFaultSchedule(17, 300_000, 2000);
  const random = new SeededRandom(17);
  let at = 0;
  for (const fault of schedule) {
    const drawn = drawFault(random, 2000);
    at += drawn.at;
    assert.deepEqual(fault, { ...drawn, at });
  }
  // The next draw is past the end: that is why the schedule stopped.
  assert.ok(at + drawFault(random, 2000).at >= 300_000);
  // About one fault per mean gap.
  assert.ok(schedule.length > 100 && schedule.length < 200, `${schedule.length} faults`);
});

Deno.test("fault frames: malformed JSON fails to decode, an unknown channel decodes as unknown", () => {
  const malformed = decode(MALFORMED_FRAME);
  assert.equal(malformed.kind, "decodeError");
  if (malformed.kind === "decodeError") assert.equal(malformed.reason, "malformed_json");
  const unknown = decode(UNKNOWN_CHANNEL_FRAME);
  assert.equal(unknown.kind, "unknown");
  if (unknown.kind === "unknown") assert.equal(unknown.channel, "level9");
});

Deno.test("oversizedFrame: valid JSON of exactly the size asked, refused by the decoder's limit", () => {
  for (const bytes of [100, 4096, 9 * 1024 * 1024]) {
    const frame = oversizedFrame(bytes);
    assert.equal(new TextEncoder().encode(frame).length, bytes);
    assert.equal(jsonObject(frame).channel, "bulk");
  }
  const huge = decode(oversizedFrame(9 * 1024 * 1024));
  assert.equal(huge.kind, "decodeError");
  if (huge.kind === "decodeError") assert.equal(huge.reason, "too_large");
});
