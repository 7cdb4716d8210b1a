/**
 * A strict, schema-directed JSON reader over one frame of text.
 *
 * The decoder walks a frame with it and asks for exactly the type it expects at each key, so
 * numbers keep their wire text (`0.10000000` stays `0.10000000`), big integers never pass through a
 * float, and no generic object tree is built for the hot book path. Any deviation from RFC 8259 or
 * from the expected type raises a {@link JsonFailure}, which the decoder turns into a typed error.
 *
 * @module
 */

import type { DecodeErrorReason, JsonValue } from "./messages.ts";

/** Deepest nesting accepted; deeper input is hostile, and recursion must stay far from the stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * Thrown inside the decoder when a frame is not what it must be; never escapes `decode`. Not an
 * `Error`: hostile input can make many of these, and a stack trace per frame is wasted work.
 *
 * @example
 * ```ts
 * import { JsonFailure } from "./json_cursor.ts";
 * const failure = new JsonFailure("malformed_json", "unexpected end", 10);
 * console.log(failure.reason, failure.detail); // "malformed_json" "unexpected end"
 * ```
 */
export class JsonFailure {
  /** What kind of failure this is. */
  readonly reason: DecodeErrorReason;
  /** What exactly was wrong. */
  readonly detail: string;
  /** Offset in the text where it was detected. */
  readonly offset: number;

  /**
   * Creates the failure.
   *
   * @param reason The failure's kind.
   * @param detail A human description.
   * @param offset Where in the text it was detected.
   */
  constructor(reason: DecodeErrorReason, detail: string, offset: number) {
    this.reason = reason;
    this.detail = detail;
    this.offset = offset;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** 10^0 … 10^22: every one is exactly representable as a double. */
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Reads one JSON text, value by value, in the order the caller asks.
 *
 * @example
 * ```ts
 * import { JsonCursor } from "./json_cursor.ts";
 * const cursor = new JsonCursor('{"price":0.10}');
 * cursor.enterObject();
 * while (cursor.nextKey()) {
 *   console.log(cursor.key, cursor.readNumberText()); // price 0.10
 * }
 * cursor.finish();
 * ```
 */
export class JsonCursor {
  /** The frame being read. */
  readonly text: string;
  /** Current offset. */
  pos = 0;
  /** True when the number most recently read had no fraction and no exponent. */
  lastNumberIsInteger = false;
  /** The value of the number most recently read, exactly as `Number(text)` gives it. */
  lastNumberValue = 0;
  #depth = 0;
  #keyStart = 0;
  #keyEnd = 0;
  /** The key, when it had escapes or was set by hand; otherwise sliced from the text on demand. */
  #keyText: string | undefined = "";

  /**
   * Starts reading at the beginning of `text`.
   *
   * @param text The JSON text to read.
   */
  constructor(text: string) {
    this.text = text;
  }

  /** The key most recently read by {@link JsonCursor.nextKey}. */
  get key(): string {
    this.#keyText ??= this.text.slice(this.#keyStart, this.#keyEnd);
    return this.#keyText;
  }

  /** Names the current key (for error messages after jumping back into a frame). */
  set key(name: string) {
    this.#keyText = name;
  }

  /** True when the current key is `name`; compares in place, without building the key string. */
  keyIs(name: string): boolean {
    const keyText = this.#keyText;
    if (keyText !== undefined) return keyText === name;
    return this.#keyEnd - this.#keyStart === name.length &&
      this.text.startsWith(name, this.#keyStart);
  }

  /**
   * Consumes the next value when it is exactly the string `literal`, quotes included (for example
   * `'"update"'`), and returns true; otherwise moves nothing and returns false.
   */
  matchString(literal: string): boolean {
    this.peek();
    return this.skipLiteral(literal);
  }

  /**
   * Consumes `literal` when the text continues with it exactly (no whitespace skipped) and returns
   * true; otherwise moves nothing. For fast paths over the layout Kraken always sends.
   */
  skipLiteral(literal: string): boolean {
    // A char-code loop: measured faster than `startsWith` on the sliced strings frames arrive as.
    const text = this.text;
    const pos = this.pos;
    const length = literal.length;
    if (pos + length > text.length) return false;
    for (let i = 0; i < length; i++) {
      if (text.charCodeAt(pos + i) !== literal.charCodeAt(i)) return false;
    }
    this.pos = pos + length;
    return true;
  }

  /** Goes back to the start of the text, as new. */
  rewind(): void {
    this.pos = 0;
    this.#depth = 0;
    this.#keyText = "";
  }

  /** Builds a failure at the current offset. */
  fail(reason: DecodeErrorReason, detail: string): JsonFailure {
    return new JsonFailure(reason, detail, this.pos);
  }

  /** Skips whitespace and returns the next character code (NaN at the end). */
  peek(): number {
    const text = this.text;
    let pos = this.pos;
    let code = text.charCodeAt(pos);
    while (isWhitespace(code)) code = text.charCodeAt(++pos);
    this.pos = pos;
    return code;
  }

  /** Describes the value that starts at the current offset, for error messages. */
  describeNext(): string {
    const code = this.peek();
    if (code === QUOTE) return "a string";
    if (code === OPEN_BRACE) return "an object";
    if (code === OPEN_BRACKET) return "an array";
    if (code === MINUS || isDigit(code)) return "a number";
    if (code === 0x74 || code === 0x66) return "a boolean";
    if (code === 0x6e) return "null";
    if (Number.isNaN(code)) return "the end of the text";
    return `'${this.text[this.pos]}'`;
  }

  #wrongType(expected: string): JsonFailure {
    const where = this.key === "" ? "" : ` at "${this.key}"`;
    if (!this.#startsValue()) {
      return this.fail("malformed_json", `expected a value${where}, found ${this.describeNext()}`);
    }
    // Found a value of another type: it must be well-formed for that to be the verdict.
    const start = this.pos;
    const found = this.describeNext();
    this.skipValue();
    this.pos = start;
    return this.fail("wrong_type", `expected ${expected}${where}, found ${found}`);
  }

  #startsValue(): boolean {
    const code = this.peek();
    return code === QUOTE || code === OPEN_BRACE || code === OPEN_BRACKET || code === MINUS ||
      isDigit(code) || code === 0x74 || code === 0x66 || code === 0x6e;
  }

  #enter(): void {
    if (++this.#depth > MAX_JSON_DEPTH) {
      throw this.fail("too_deep", `nesting deeper than ${MAX_JSON_DEPTH}`);
    }
  }

  /**
   * True when the cursor stands right after `open` (whitespace aside): the first member of a
   * container. A value never ends in `{` or `[`, so this needs no stack of flags.
   */
  #justOpened(open: number): boolean {
    const text = this.text;
    let pos = this.pos - 1;
    while (isWhitespace(text.charCodeAt(pos))) pos--;
    return text.charCodeAt(pos) === open;
  }

  /** Consumes `{`; follow with {@link JsonCursor.nextKey} until it returns false. */
  enterObject(): void {
    if (this.peek() !== OPEN_BRACE) throw this.#wrongType("an object");
    this.pos++;
    this.#enter();
  }

  /**
   * Reads the next key of the current object into {@link JsonCursor.key}, or consumes `}` and
   * returns false.
   */
  nextKey(): boolean {
    let code = this.peek();
    const first = this.#justOpened(OPEN_BRACE);
    if (code === CLOSE_BRACE) {
      this.pos++;
      this.#depth--;
      return false;
    }
    if (!first) {
      if (code !== COMMA) throw this.fail("malformed_json", "expected ',' or '}' in an object");
      this.pos++;
      code = this.peek();
    }
    if (code !== QUOTE) throw this.fail("malformed_json", "expected a key string");
    this.#readKey();
    if (this.peek() !== COLON) throw this.fail("malformed_json", "expected ':' after a key");
    this.pos++;
    return true;
  }

  /** Consumes `[`; follow with {@link JsonCursor.nextItem} until it returns false. */
  enterArray(): void {
    if (this.peek() !== OPEN_BRACKET) throw this.#wrongType("an array");
    this.pos++;
    this.#enter();
  }

  /** Moves to the next array item, or consumes `]` and returns false. */
  nextItem(): boolean {
    const code = this.peek();
    const first = this.#justOpened(OPEN_BRACKET);
    if (code === CLOSE_BRACKET) {
      this.pos++;
      this.#depth--;
      return false;
    }
    if (!first) {
      if (code !== COMMA) throw this.fail("malformed_json", "expected ',' or ']' in an array");
      this.pos++;
    }
    return true;
  }

  #readKey(): void {
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    let code = text.charCodeAt(pos);
    while (code !== QUOTE && code !== BACKSLASH && code >= 0x20) code = text.charCodeAt(++pos);
    if (code === QUOTE) {
      this.#keyStart = start;
      this.#keyEnd = pos;
      this.#keyText = undefined;
      this.pos = pos + 1;
    } else {
      this.#keyText = this.#readStringBody();
    }
  }

  /** Reads a string value. */
  readString(): string {
    if (this.peek() !== QUOTE) throw this.#wrongType("a string");
    return this.#readStringBody();
  }

  #readStringBody(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === QUOTE) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (code === BACKSLASH) break;
      if (code < 0x20 || Number.isNaN(code)) {
        this.pos = pos;
        throw this.fail("malformed_json", "unterminated string or raw control character");
      }
      pos++;
    }
    let out = text.slice(start, pos);
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === QUOTE) {
        this.pos = pos + 1;
        return out;
      }
      if (code < 0x20 || Number.isNaN(code)) {
        this.pos = pos;
        throw this.fail("malformed_json", "unterminated string or raw control character");
      }
      if (code !== BACKSLASH) {
        out += text[pos++];
        continue;
      }
      const escape = text[pos + 1];
      if (escape === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.pos = pos;
          throw this.fail("malformed_json", "bad \\u escape");
        }
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
        continue;
      }
      const simple = escape === undefined ? undefined : SIMPLE_ESCAPES[escape];
      if (simple === undefined) {
        this.pos = pos;
        throw this.fail("malformed_json", "bad escape in a string");
      }
      out += simple;
      pos += 2;
    }
  }

  /** Reads a number and returns its exact text. */
  readNumberText(): string {
    const code = this.peek();
    if (code !== MINUS && !isDigit(code)) throw this.#wrongType("a number");
    return this.#scanNumber();
  }

  #scanNumber(): string {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let integer = true;
    // Digits are gathered as an integer so that the common case needs no second parse: with at
    // most 15 significant digits and 22 decimals, mantissa / 10^decimals is one correctly rounded
    // IEEE division, the same double `Number(text)` returns.
    let mantissa = 0;
    let significant = 0;
    let decimals = 0;
    const negative = text.charCodeAt(pos) === MINUS;
    if (negative) pos++;
    let code = text.charCodeAt(pos);
    if (code === DIGIT_0) {
      code = text.charCodeAt(++pos);
    } else if (isDigit(code)) {
      while (isDigit(code)) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        significant++;
        code = text.charCodeAt(++pos);
      }
    } else {
      this.pos = pos;
      throw this.fail("malformed_json", "bad number");
    }
    if (code === DOT) {
      integer = false;
      code = text.charCodeAt(++pos);
      if (!isDigit(code)) {
        this.pos = pos;
        throw this.fail("malformed_json", "bad number fraction");
      }
      while (isDigit(code)) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        if (significant > 0 || code !== DIGIT_0) significant++;
        decimals++;
        code = text.charCodeAt(++pos);
      }
    }
    let exponent = false;
    if (code === 0x65 || code === 0x45) {
      integer = false;
      exponent = true;
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === PLUS || sign === MINUS) pos++;
      if (!isDigit(text.charCodeAt(pos))) {
        this.pos = pos;
        throw this.fail("malformed_json", "bad number exponent");
      }
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    this.pos = pos;
    this.lastNumberIsInteger = integer;
    const numberText = text.slice(start, pos);
    if (!exponent && significant <= 15 && decimals <= 22) {
      const magnitude = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals];
      this.lastNumberValue = negative ? -magnitude : magnitude;
    } else {
      this.lastNumberValue = Number(numberText);
    }
    return numberText;
  }

  /** Reads a boolean. */
  readBoolean(): boolean {
    const code = this.peek();
    if (code === 0x74) return this.#literal("true", true);
    if (code === 0x66) return this.#literal("false", false);
    throw this.#wrongType("a boolean");
  }

  /** True when the next value is `null` (which is then consumed). */
  readNull(): boolean {
    if (this.peek() !== 0x6e) return false;
    this.#literal("null", null);
    return true;
  }

  /** Consumes `word` (whose first letter is known to be next) or fails: `tru` is not JSON. */
  #literal<T>(word: string, value: T): T {
    if (!this.skipLiteral(word)) throw this.fail("malformed_json", `broken literal, not ${word}`);
    return value;
  }

  /** Reads any value as plain data; numbers become JS numbers, so use only where exactness is moot. */
  readValue(): JsonValue {
    const code = this.peek();
    if (code === QUOTE) return this.#readStringBody();
    if (code === MINUS || isDigit(code)) return Number(this.#scanNumber());
    if (code === OPEN_BRACE) {
      const object: Record<string, JsonValue> = {};
      this.enterObject();
      while (this.nextKey()) {
        Object.defineProperty(object, this.key, {
          value: this.readValue(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    if (code === OPEN_BRACKET) {
      const array: JsonValue[] = [];
      this.enterArray();
      while (this.nextItem()) array.push(this.readValue());
      return array;
    }
    if (this.readNull()) return null;
    return this.readBoolean();
  }

  /** Skips one value of any type, still checking that it is well-formed. */
  skipValue(): void {
    const code = this.peek();
    if (code === QUOTE) {
      this.#readStringBody();
    } else if (code === MINUS || isDigit(code)) {
      this.#scanNumber();
    } else if (code === OPEN_BRACE) {
      this.enterObject();
      while (this.nextKey()) this.skipValue();
    } else if (code === OPEN_BRACKET) {
      this.enterArray();
      while (this.nextItem()) this.skipValue();
    } else if (!this.readNull()) {
      this.readBoolean();
    }
  }

  /** Checks that nothing but whitespace follows the top-level value. */
  finish(): void {
    if (!Number.isNaN(this.peek())) {
      throw this.fail("malformed_json", "unexpected text after the JSON value");
    }
  }
}
