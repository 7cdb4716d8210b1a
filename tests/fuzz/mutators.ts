/**
 * Ways to damage a frame: in its text (flips, deletions, duplications, splices, truncation, number
 * respellings) and in its structure (renamed, dropped and repeated keys, values of another type),
 * plus text from nowhere (random bytes, ASCII, unicode, JSON token soup).
 *
 * @module
 */

import { containersOf, type Raw, slotsOf, writeRaw } from "./json_tree.ts";
import type { Rng } from "./random.ts";

/** Characters that matter to a JSON reader, and some that should never appear. */
const INTERESTING = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "-",
  "+",
  ".",
  "e",
  "E",
  "0",
  "1",
  "9",
  " ",
  "\t",
  "\n",
  "\u0000",
  "\u001f",
  "\u007f",
  "\u00e9",
  "\u2028",
  "\ud800",
  "\udc00",
  "\ufeff",
  "\uffff",
  "t",
  "n",
  "u",
];

const TOKENS = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"',
  "true",
  "false",
  "null",
  "0",
  "-0",
  "1e400",
  "0.00000000",
  '"book"',
  '"channel"',
  '"data"',
  '"price"',
  '"qty"',
  '"\\u0000"',
  '"\\ud800"',
  "\\",
  "NaN",
  "Infinity",
  "undefined",
  "1.",
  ".5",
  "01",
];

function randomChar(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.5) return rng.pick(INTERESTING);
  if (roll < 0.8) return String.fromCharCode(0x20 + rng.int(0x5f));
  return String.fromCharCode(rng.int(0x10000));
}

/** Spellings of a JSON number: valid ones Kraken never sends, and invalid ones. */
function respellNumber(rng: Rng, text: string): string {
  const hasPoint = text.includes(".");
  const exponent = /[eE]/.test(text);
  switch (rng.int(14)) {
    case 0:
      return hasPoint && !exponent ? text + "0".repeat(rng.range(1, 12)) : `${text}.0`;
    case 1:
      return hasPoint && !exponent ? text.replace(/\.?0+$/, "") || "0" : text;
    case 2:
      return `${text}e0`;
    case 3:
      return `${text}E+${"0".repeat(rng.range(1, 3))}`;
    case 4:
      return `-${text}`;
    case 5:
      return `0${text}`; // a leading zero: not JSON
    case 6:
      return `+${text}`; // not JSON
    case 7:
      return hasPoint ? text.replace(/^\d+/, "") : `${text}.`; // ".5" or "5.": not JSON
    case 8:
      return rng.pick(["1e400", "-1e400", "1e-400", "9".repeat(rng.range(16, 400))]);
    case 9:
      return rng.pick(["0", "0.0", "-0", "0e5", "0E-3", "0.00000000", "-0.0e+2"]);
    case 10:
      return `${text}${"1".repeat(rng.range(10, 30))}`;
    case 11:
      return rng.pick(["NaN", "Infinity", "0x10", "1_000", "١٢٣"]);
    case 12:
      return hasPoint && !exponent ? shiftPoint(text, rng.range(1, 4)) : text;
    default:
      return `"${text}"`;
  }
}

/** The same value with its point moved left and an exponent to compensate: `1234.5` is `1.2345e3`. */
function shiftPoint(text: string, places: number): string {
  const negative = text.startsWith("-");
  const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
  if (whole.length <= places) return text;
  const moved = `${whole.slice(0, whole.length - places)}.${
    whole.slice(whole.length - places)
  }${fraction}`;
  return `${negative ? "-" : ""}${moved}e${places}`;
}

/** Start and end of every number token outside strings. */
function numberSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      const start = i;
      while (i < text.length && /[-+.\deE]/.test(text[i])) i++;
      spans.push([start, i]);
    } else i++;
  }
  return spans;
}

/** One text mutation of `text`; `other` is another frame, for splices. */
export function mutateText(rng: Rng, text: string, other: string): string {
  const at = rng.int(text.length + 1);
  const span = rng.range(1, Math.max(1, Math.min(64, text.length >> 2)));
  switch (rng.int(9)) {
    case 0: // flip characters
    {
      const chars = [...text];
      const flips = rng.range(1, 4);
      for (let i = 0; i < flips && chars.length > 0; i++) {
        chars[rng.int(chars.length)] = randomChar(rng);
      }
      return chars.join("");
    }
    case 1:
      return text.slice(0, at) + text.slice(at + span);
    case 2:
      return text.slice(0, at) + text.slice(at, at + span) + text.slice(at);
    case 3:
      return text.slice(0, at) + other.slice(rng.int(other.length + 1));
    case 4:
      return text.slice(0, at);
    case 5: {
      const spans = numberSpans(text);
      if (spans.length === 0) return text + rng.pick(TOKENS);
      let out = text;
      // From the end, so earlier spans keep their offsets.
      const chosen = spans.filter(() => rng.chance(0.3)).reverse();
      for (const [start, end] of chosen.length > 0 ? chosen : [rng.pick(spans)]) {
        out = out.slice(0, start) + respellNumber(rng, out.slice(start, end)) + out.slice(end);
      }
      return out;
    }
    case 6:
      return text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
    case 7: {
      // A byte-level view: a character cut in the middle of its UTF-16 pair, or an odd unit.
      const unit = String.fromCharCode(rng.pick([0xd83d, 0xde00, 0xfffe, 0x0085, 0x00a0]));
      return text.slice(0, at) + unit + text.slice(at);
    }
    default:
      return text.slice(0, at) + " ".repeat(rng.range(1, 3)) + text.slice(at);
  }
}

/** A value of a random JSON type, small unless `deep`. */
export function randomValue(rng: Rng, depth = 0): Raw {
  const roll = rng.int(depth > 2 ? 7 : 10);
  switch (roll) {
    case 0:
      return {
        kind: "number",
        text: rng.pick(["0", "-1", "1.5", "1e400", "42", "0.00000000", "-0"]),
      };
    case 1:
      return { kind: "number", text: String(rng.int(2 ** 53)) };
    case 2:
      return {
        kind: "string",
        value: rng.pick(["", "book", "BTC/USD", "1.0", "snapshot", "\u0000"]),
      };
    case 3:
      return { kind: "string", value: randomText(rng, rng.range(0, 12)) };
    case 4:
      return { kind: "literal", text: rng.pick(["true", "false"] as const) };
    case 5:
      return { kind: "literal", text: "null" };
    case 6:
      return { kind: "array", items: [] };
    case 7:
      return { kind: "array", items: [randomValue(rng, depth + 1)] };
    case 8:
      return { kind: "object", entries: [] };
    default:
      return {
        kind: "object",
        entries: [[rng.pick(["price", "qty", "symbol", "x"]), randomValue(rng, depth + 1)]],
      };
  }
}

/** A value of another type than `value`, keeping its content where it can. */
export function swapType(rng: Rng, value: Raw): Raw {
  const roll = rng.int(6);
  if (roll === 0 && value.kind === "number") return { kind: "string", value: value.text };
  if (roll === 1 && value.kind === "string" && /^-?\d/.test(value.value)) {
    return { kind: "number", text: value.value };
  }
  if (roll === 2) return { kind: "array", items: [value] };
  if (roll === 3) return { kind: "object", entries: [["value", value]] };
  if (roll === 4) return { kind: "literal", text: "null" };
  return randomValue(rng);
}

const KEYS = [
  "channel",
  "type",
  "data",
  "symbol",
  "bids",
  "asks",
  "price",
  "qty",
  "checksum",
  "timestamp",
  "method",
  "result",
  "success",
  "req_id",
  "error",
  "depth",
  "__proto__",
  "constructor",
  "",
];

/** One structural mutation of `root` in place: the tree stays JSON, its schema does not. */
export function mutateTree(rng: Rng, root: Raw): void {
  const slots = slotsOf(root);
  const containers = containersOf(root);
  const objects = containers.filter((raw): raw is Extract<Raw, { kind: "object" }> =>
    raw.kind === "object" && raw.entries.length > 0
  );
  const arrays = containers.filter((raw): raw is Extract<Raw, { kind: "array" }> =>
    raw.kind === "array" && raw.items.length > 0
  );
  const roll = rng.int(8);
  if (roll <= 1 && slots.length > 0) {
    const slot = rng.pick(slots);
    slot.replace(swapType(rng, slot.value));
  } else if (roll === 2 && objects.length > 0) {
    const object = rng.pick(objects);
    const entry = rng.pick(object.entries);
    entry[0] = rng.chance(0.5)
      ? rng.pick(KEYS)
      : `${entry[0]}${rng.pick([" ", "_", "s", "\u0000"])}`;
  } else if (roll === 3 && objects.length > 0) {
    const object = rng.pick(objects);
    object.entries.splice(rng.int(object.entries.length), 1);
  } else if (roll === 4 && objects.length > 0) {
    // A repeated key: the later wins, for JSON.parse and for decode alike.
    const object = rng.pick(objects);
    const [key] = rng.pick(object.entries);
    object.entries.splice(rng.int(object.entries.length + 1), 0, [key, randomValue(rng)]);
  } else if (roll === 5 && objects.length > 0) {
    const object = rng.pick(objects);
    for (let i = object.entries.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [object.entries[i], object.entries[j]] = [object.entries[j], object.entries[i]];
    }
  } else if (roll === 6 && arrays.length > 0) {
    const array = rng.pick(arrays);
    const index = rng.int(array.items.length);
    if (rng.chance(0.5)) array.items.splice(index, 1);
    else array.items.splice(index, 0, structuredClone(array.items[index]));
  } else if (slots.length > 0) {
    // Deep nesting in place of a value.
    const depth = rng.pick([10, 100, 600, 1500, 20_000]);
    const [open, close] = rng.pick([["[", "]"], ['{"a":', "}"]]);
    const nested: Raw = {
      kind: "verbatim",
      text: open.repeat(depth) + writeRaw(randomValue(rng)) + close.repeat(depth),
    };
    rng.pick(slots).replace(nested);
  }
}

/** Text from nowhere: bytes, ASCII, unicode or JSON token soup. */
export function randomText(rng: Rng, length: number): string {
  const mode = rng.int(4);
  let out = "";
  for (let i = 0; i < length; i++) {
    if (mode === 0) out += String.fromCharCode(rng.int(256));
    else if (mode === 1) out += String.fromCharCode(0x20 + rng.int(0x5f));
    else if (mode === 2) out += String.fromCharCode(rng.int(0x10000));
    else out += rng.pick(TOKENS);
  }
  return out;
}
