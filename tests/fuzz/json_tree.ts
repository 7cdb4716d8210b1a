/**
 * JSON as a tree that keeps what `JSON.parse` loses: every number's exact text, every key in order
 * (a repeated key too). The structural mutations work on it, and it is written back to text digit
 * for digit, so a mutated book frame still carries Kraken's spellings (`0.10000000`).
 *
 * @module
 */

/** One JSON value, as written. */
export type Raw =
  | { readonly kind: "number"; text: string }
  | { readonly kind: "string"; value: string }
  | { readonly kind: "literal"; text: "true" | "false" | "null" }
  | { readonly kind: "array"; items: Raw[] }
  | { readonly kind: "object"; entries: [string, Raw][] }
  /** Text written as it is: deep nesting, built as text because a tree that deep overflows the stack of every walk. */
  | { readonly kind: "verbatim"; text: string };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const MAX_TREE_DEPTH = 200;

/** A reader over one text; throws a plain `SyntaxError` at the first thing that is not JSON. */
class Reader {
  pos = 0;
  depth = 0;
  constructor(readonly text: string) {}

  skip(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  value(): Raw {
    this.skip();
    // Far deeper than decode reads (64), and far from the stack's limit.
    if (this.depth > MAX_TREE_DEPTH) throw new SyntaxError("too deep for a tree");
    const char = this.text[this.pos];
    if (char === "{" || char === "[") {
      this.depth++;
      const value = char === "{" ? this.object() : this.array();
      this.depth--;
      return value;
    }
    if (char === '"') return { kind: "string", value: this.string() };
    for (const text of ["true", "false", "null"] as const) {
      if (this.text.startsWith(text, this.pos)) {
        this.pos += text.length;
        return { kind: "literal", text };
      }
    }
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new SyntaxError(`no JSON value at ${this.pos}`);
    this.pos = NUMBER.lastIndex;
    return { kind: "number", text: match[0] };
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (char === "\\") this.pos += 2;
      else if (char === '"') {
        this.pos++;
        // The escapes are JSON's own: let the native parser read them.
        return JSON.parse(this.text.slice(start, this.pos));
      } else this.pos++;
    }
    throw new SyntaxError("unterminated string");
  }

  object(): Raw {
    this.pos++;
    const entries: [string, Raw][] = [];
    this.skip();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { kind: "object", entries };
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') throw new SyntaxError(`no key at ${this.pos}`);
      const key = this.string();
      this.skip();
      if (this.text[this.pos++] !== ":") throw new SyntaxError(`no colon at ${this.pos}`);
      entries.push([key, this.value()]);
      this.skip();
      const next = this.text[this.pos++];
      if (next === "}") return { kind: "object", entries };
      if (next !== ",") throw new SyntaxError(`no comma at ${this.pos}`);
    }
  }

  array(): Raw {
    this.pos++;
    const items: Raw[] = [];
    this.skip();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const next = this.text[this.pos++];
      if (next === "]") return { kind: "array", items };
      if (next !== ",") throw new SyntaxError(`no comma at ${this.pos}`);
    }
  }
}

/**
 * Reads JSON text into a tree, or undefined when it is not JSON or nests deeper than 200.
 *
 * @param text The text.
 * @returns The tree.
 */
export function parseRaw(text: string): Raw | undefined {
  const reader = new Reader(text);
  try {
    const value = reader.value();
    reader.skip();
    return reader.pos === text.length ? value : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Writes a tree back to JSON text, numbers exactly as they were read.
 *
 * @param raw The tree.
 * @param gap Whitespace between tokens (none by default): varying it must not change a decode.
 * @returns The text.
 */
export function writeRaw(raw: Raw, gap: () => string = () => ""): string {
  switch (raw.kind) {
    case "number":
      return raw.text;
    case "string":
      return JSON.stringify(raw.value);
    case "literal":
    case "verbatim":
      return raw.text;
    case "array":
      return `[${gap()}${
        raw.items.map((item) => writeRaw(item, gap)).join(`${gap()},${gap()}`)
      }${gap()}]`;
    case "object":
      return `{${gap()}${
        raw.entries.map(([key, value]) =>
          `${JSON.stringify(key)}${gap()}:${gap()}${writeRaw(value, gap)}`
        )
          .join(`${gap()},${gap()}`)
      }${gap()}}`;
  }
}

/** Every value of the tree, the root first, each with a way to replace it in its parent. */
export interface RawSlot {
  readonly value: Raw;
  readonly replace: (value: Raw) => void;
}

/**
 * Lists the slots of every value below the root (the root itself has no parent to replace it in).
 *
 * @param root The tree.
 * @returns The slots, depth first.
 */
export function slotsOf(root: Raw): RawSlot[] {
  const out: RawSlot[] = [];
  const walk = (raw: Raw): void => {
    if (raw.kind === "array") {
      raw.items.forEach((item, index) => {
        out.push({ value: item, replace: (value) => raw.items[index] = value });
        walk(item);
      });
    } else if (raw.kind === "object") {
      for (const entry of raw.entries) {
        out.push({ value: entry[1], replace: (value) => entry[1] = value });
        walk(entry[1]);
      }
    }
  };
  walk(root);
  return out;
}

/** Every object and array of the tree, the root included. */
export function containersOf(root: Raw): Raw[] {
  const out: Raw[] = [];
  const walk = (raw: Raw): void => {
    if (raw.kind === "array") {
      out.push(raw);
      raw.items.forEach(walk);
    } else if (raw.kind === "object") {
      out.push(raw);
      for (const [, value] of raw.entries) walk(value);
    }
  };
  walk(root);
  return out;
}

/**
 * The number tokens of a JSON text (outside its strings), exactly as written: a decoded level's
 * text must be one of them, not a respelling.
 *
 * @param text JSON text.
 * @returns The set of number texts.
 */
export function numberTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) i++;
      else {
        tokens.add(match[0]);
        i = NUMBER.lastIndex;
      }
    } else i++;
  }
  return tokens;
}
