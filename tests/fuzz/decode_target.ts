/**
 * The decode target: `decode` fed mutated real frames, structurally damaged frames, frames of every
 * channel with values of the wrong type, and random text; each result checked by
 * {@link checkDecode}.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { decode, type DecodeOptions } from "../../src/protocol/decode.ts";
import type { DecodeError, JsonValue, KrakenMessage } from "../../src/protocol/messages.ts";
import { recordedFrames, templateFrame } from "./corpus.ts";
import { numberTokens, parseRaw, writeRaw } from "./json_tree.ts";
import { mutateText, mutateTree, randomText } from "./mutators.ts";
import { Rng } from "./random.ts";
import { describeError, type FuzzOptions, type FuzzResult, Tally, Violation } from "./report.ts";

/** What is fuzzed: `decode` itself, or a tampered copy in the oracle's own tests. */
export type Decoder = (text: string, options?: DecodeOptions) => KrakenMessage | DecodeError;

/** Settings of the decode target. */
export interface DecodeFuzzOptions extends FuzzOptions {
  /** The decoder under test (default: `decode`). */
  readonly decoder?: Decoder;
}

/** Inputs per seed when `--cases` is not given. */
export const DECODE_CASES = 100;

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function show(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length <= 160 ? shown : `${shown.slice(0, 160)}… (${text.length} units)`;
}

function fail(text: string, what: string): never {
  throw new Violation(`${what}, for ${show(text)}`);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Every decimal a message carries as a number beside its `…Text` must be that text's value, and
 * the text one of the frame's own number tokens (or a decimal the frame wrote as a string), never
 * a respelling: the checksum is computed from it.
 */
function checkTexts(value: unknown, text: string, tokens: Set<string>): number {
  let checks = 0;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    const fields = record(node);
    if (fields === undefined) return;
    for (const [key, field] of Object.entries(fields)) {
      if (
        key.endsWith("Text") && typeof field === "string" &&
        typeof fields[key.slice(0, -4)] === "number"
      ) {
        checks++;
        if (Number(field) !== fields[key.slice(0, -4)]) {
          fail(text, `${key} ${field} is not the number ${fields[key.slice(0, -4)]}`);
        }
        if (!tokens.has(field) && !text.includes(`"${field}"`)) {
          fail(text, `${key} ${JSON.stringify(field)} is not a number written in the frame`);
        }
      } else walk(field);
    }
  };
  walk(value);
  return checks;
}

/** A decimal written as a JSON string, as its number; anything else as it is. */
function quotedDecimal(value: unknown): unknown {
  return typeof value === "string" && /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(value)
    ? Number(value)
    : value;
}

/** The payloads of a book or level 3 frame against `JSON.parse`'s items, entry by entry. */
function checkPayloads<Entry>(
  payloads: readonly {
    symbol: string;
    checksum: number;
    bids: readonly Entry[];
    asks: readonly Entry[];
  }[],
  items: unknown[],
  same: (a: unknown, b: unknown, what: string) => void,
  decoded: (entry: Entry) => unknown[],
  wire: (entry: Record<string, unknown>) => unknown[],
): number {
  same(payloads.length, items.length, "items");
  let checks = 1;
  payloads.forEach((payload, i) => {
    const item = record(items[i]) ?? {};
    same(payload.symbol, item.symbol, "symbol");
    same(payload.checksum, item.checksum, "checksum");
    for (const side of ["bids", "asks"] as const) {
      same(
        payload[side].map(decoded),
        list(item[side]).map((entry) => wire(record(entry) ?? {})),
        side,
      );
      checks++;
    }
  });
  return checks;
}

/** A decoded message must say what `JSON.parse` reads in the same text. */
function checkAgreement(message: KrakenMessage, parsed: unknown, text: string): number {
  const frame = record(parsed);
  if (frame === undefined) fail(text, `decoded a ${message.kind} from JSON that is not an object`);
  const same = (a: unknown, b: unknown, what: string): void => {
    // JSON's view: -0 and 0 are one value (decode writes every zero as 0).
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      fail(text, `${what}: decode says ${JSON.stringify(a)}, JSON.parse ${JSON.stringify(b)}`);
    }
  };
  let checks = 1;
  switch (message.kind) {
    case "book":
      same("book", frame.channel, "channel");
      same(message.type, frame.type, "type");
      checks += checkPayloads(
        message.data,
        list(frame.data),
        same,
        (level) => [level.price, level.qty],
        (wire) => [wire.price, wire.qty],
      );
      break;
    case "level3":
      same("level3", frame.channel, "channel");
      same(message.type, frame.type, "type");
      checks += checkPayloads(
        message.data,
        list(frame.data),
        same,
        (order) => [order.orderId, order.limitPrice, order.orderQty, order.event],
        // Level 3 decimals may come as JSON strings, as Kraken's checksum guide prints them.
        (
          wire,
        ) => [
          wire.order_id,
          quotedDecimal(wire.limit_price),
          quotedDecimal(wire.order_qty),
          wire.event,
        ],
      );
      break;
    case "ack":
    case "rejection":
      // A refusal naming no method (Kraken's bare `error` frames) says "".
      same(message.method, frame.method ?? "", "method");
      same(message.reqId, frame.req_id, "req_id");
      if (message.kind === "ack") {
        same(message.result.channel, record(frame.result)?.channel, "result.channel");
        same(message.result.depth, record(frame.result)?.depth, "result.depth");
      }
      break;
    case "unknown":
      same(message.value, parsed as JsonValue, "value");
      same(message.raw, text, "raw");
      break;
    case "heartbeat":
      same("heartbeat", frame.channel, "channel");
      break;
    default:
      checks--;
  }
  return checks;
}

/** The UTF-8 length of `text`, a lone surrogate counting 3 bytes (it encodes as U+FFFD). */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Whitespace between tokens, cycling: the first gap is never empty, so no fast path is taken. */
function spacer(): () => string {
  const gaps = [" ", "", "\n", "\t ", "", "\r\n  "];
  let i = 0;
  return () => gaps[i++ % gaps.length];
}

/** A result with what depends on the text's layout left out: `raw`, and errors' positions. */
function layoutFree(result: KrakenMessage | DecodeError): unknown {
  if (result.kind === "decodeError") return { kind: result.kind, reason: result.reason };
  if (result.kind === "unknown") return { ...result, raw: undefined };
  return result;
}

/**
 * The oracle of `decode`, for one input:
 * - it never throws, and answers the same twice (deep-equal);
 * - it never accepts what `JSON.parse` rejects, and never calls malformed what `JSON.parse` reads;
 * - its reason is never `internal` (a defect caught), and `too_large` exactly when the frame's
 *   UTF-8 is over the limit;
 * - what it accepts agrees with `JSON.parse` (channel, type, symbols, checksums, every level's
 *   price and quantity, acks' req_id), and every decimal's text is the frame's own digits;
 * - the same JSON laid out with other whitespace decodes to the same message.
 *
 * @param decoder The decoder under test.
 * @param text The input; not always a string, as from an untyped caller.
 * @param options The size limit, when the case sets one.
 * @returns How many checks were made.
 * @throws {Violation} At the first check that fails.
 */
export function checkDecode(decoder: Decoder, text: string, options?: DecodeOptions): number {
  let first: KrakenMessage | DecodeError;
  let second: KrakenMessage | DecodeError;
  try {
    first = decoder(text, options);
    second = decoder(text, options);
  } catch (error) {
    fail(String(text), `decode threw ${describeError(error)}`);
  }
  let checks = 2;
  if (!isDeepStrictEqual(first, second)) {
    fail(
      text,
      `two decodes differ: ${JSON.stringify(first).slice(0, 200)} then ${
        JSON.stringify(second).slice(0, 200)
      }`,
    );
  }
  if (typeof text !== "string") {
    if (first.kind !== "decodeError" || first.reason !== "wrong_type") {
      fail(String(text), `a ${typeof text} decoded as ${first.kind}`);
    }
    return checks + 1;
  }
  if (first.kind === "decodeError" && first.reason === "internal") {
    fail(text, `decode caught a defect: ${first.detail}`);
  }
  const limit = options?.maxFrameBytes;
  const over = limit !== undefined && utf8Length(text) > limit;
  checks++;
  if (over !== (first.kind === "decodeError" && first.reason === "too_large")) {
    fail(
      text,
      over
        ? `a frame over ${limit} bytes decoded as ${first.kind}`
        : "a frame within the limit is too_large",
    );
  }
  if (over) return checks;
  const parsed = parse(text);
  checks++;
  if (!parsed.ok) {
    if (first.kind !== "decodeError") {
      fail(text, `accepted as ${first.kind} what JSON.parse rejects`);
    }
    return checks;
  }
  if (first.kind === "decodeError") {
    if (first.reason === "malformed_json") {
      fail(text, `malformed_json for JSON that JSON.parse reads: ${first.detail}`);
    }
  } else {
    checks += checkAgreement(first, parsed.value, text);
    checks += checkTexts(first, text, numberTokens(text));
  }
  const tree = parseRaw(text);
  if (tree === undefined) return checks;
  const spaced = writeRaw(tree, spacer());
  let again: KrakenMessage | DecodeError;
  try {
    // The spaced text is longer: it is read without the case's size limit.
    again = decoder(spaced);
  } catch (error) {
    fail(spaced, `decode threw ${describeError(error)}`);
  }
  if (!isDeepStrictEqual(layoutFree(first), layoutFree(again))) {
    fail(
      text,
      `laid out again it decodes otherwise: ${JSON.stringify(layoutFree(first)).slice(0, 200)} vs ${
        JSON.stringify(layoutFree(again)).slice(0, 200)
      } (for ${show(spaced)})`,
    );
  }
  return checks + 1;
}

/** One input of the target, and which family it came from. */
interface DecodeCase {
  readonly family: string;
  readonly text: string;
  readonly options?: DecodeOptions;
}

function makeCase(rng: Rng): DecodeCase {
  const frames = recordedFrames();
  const real = () => rng.pick(frames);
  const roll = rng.next();
  if (roll < 0.35) {
    let text = real();
    for (let i = rng.range(1, 3); i > 0; i--) text = mutateText(rng, text, real());
    return { family: "mutated real frames", text };
  }
  if (roll < 0.55) {
    const tree = parseRaw(real());
    if (tree === undefined) return { family: "real frames", text: real() };
    for (let i = rng.range(1, 3); i > 0; i--) mutateTree(rng, tree);
    return { family: "structurally mutated frames", text: writeRaw(tree) };
  }
  if (roll < 0.62) return { family: "real frames", text: real() };
  if (roll < 0.8) {
    const text = writeRaw(templateFrame(rng, rng.chance(0.7)));
    return {
      family: "generated frames",
      text: rng.chance(0.2) ? mutateText(rng, text, real()) : text,
    };
  }
  if (roll < 0.93) {
    return {
      family: "random texts",
      text: randomText(rng, rng.chance(0.9) ? rng.int(200) : rng.int(5000)),
    };
  }
  if (roll < 0.99) {
    const text = real();
    return {
      family: "size-limited frames",
      text,
      options: { maxFrameBytes: rng.int(text.length * 2) },
    };
  }
  // What an untyped caller may pass: a binary frame, a number, nothing.
  const value = rng.pick<unknown>([new Uint8Array([123, 125]), 42, undefined, null, {
    channel: "heartbeat",
  }]);
  return { family: "values that are not text", text: value as string };
}

/**
 * Runs one seed of the decode target.
 *
 * @param seed The seed: every input comes from it.
 * @param options Cases and the decoder under test.
 */
export function fuzzDecode(seed: number, options: DecodeFuzzOptions = {}): FuzzResult {
  const rng = new Rng(seed);
  const decoder = options.decoder ?? decode;
  const counts = new Tally();
  const cases = options.cases ?? DECODE_CASES;
  for (let i = 0; i < cases; i++) {
    const input = makeCase(rng);
    counts.add("inputs");
    counts.add(input.family);
    try {
      counts.add("checks", checkDecode(decoder, input.text, input.options));
    } catch (error) {
      return {
        target: "decode",
        seed,
        counts,
        failure: `input ${i} (${input.family}): ${describeError(error)}`,
      };
    }
  }
  return { target: "decode", seed, counts };
}
