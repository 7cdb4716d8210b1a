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

/**
 * How many characters of a run the char-code loops take before handing the rest to a sticky
 * regular expression: the engine's compiled regex scans a long run about three times faster than
 * a loop, but costs more than a short run to call.
 */
const LONG_RUN = 32;

/** A run of string characters that need no care: from U+0020 up, but not `"` or `\`. */
const PLAIN_RUN = /[\u0020\u0021\u0023-\u005b\u005d-\uffff]*/y;
const WHITESPACE_RUN = /[ \t\n\r]*/y;
const DIGIT_RUN = /[0-9]*/y;

/** Where the run of `pattern` (a sticky regex) that starts at `pos` ends. */
function runEnd(pattern: RegExp, text: string, pos: number): number {
  pattern.lastIndex = pos;
  pattern.test(text);
  return pattern.lastIndex;
}

/** The end of the whitespace at `pos`. */
function skipWhitespace(text: string, pos: number): number {
  const stop = pos + LONG_RUN;
  while (isWhitespace(text.charCodeAt(pos))) {
    if (++pos === stop) return runEnd(WHITESPACE_RUN, text, pos);
  }
  return pos;
}

/** The end of the digits at `pos`. */
function skipDigits(text: string, pos: number): number {
  const stop = pos + LONG_RUN;
  while (isDigit(text.charCodeAt(pos))) {
    if (++pos === stop) return runEnd(DIGIT_RUN, text, pos);
  }
  return pos;
}

/** The value of a hexadecimal digit, or -1 when `code` is not one. */
function hexDigit(code: number): number {
  if (isDigit(code)) return code - DIGIT_0;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** What each escape that is one letter after the backslash stands for, by the letter's code. */
const UNESCAPED: Readonly<Record<number, string>> = {
  [QUOTE]: '"',
  [BACKSLASH]: "\\",
  0x2f: "/",
  0x62: "\b",
  0x66: "\f",
  0x6e: "\n",
  0x72: "\r",
  0x74: "\t",
};

/**
 * Up to this many escapes a string is unescaped here; past it, by the engine's parser. A call to
 * that parser costs as much as a handful of escapes here, while each escape here adds a piece to
 * join, so a string of thousands of escapes would be built piece by piece many times slower.
 */
const FEW_ESCAPES = 4;

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
    if (isWhitespace(code)) {
      pos = skipWhitespace(text, pos);
      code = text.charCodeAt(pos);
    }
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
   * True when the text before `before` is `open`, whitespace aside: the first member of a
   * container. A value never ends in `{` or `[`, so this needs no stack of flags. `before` is where
   * the cursor stood before it skipped the whitespace in front of the next token: looking back from
   * there, not from the token, keeps a long run of whitespace from being walked twice.
   */
  #justOpened(open: number, before: number): boolean {
    const text = this.text;
    let pos = before - 1;
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
    const before = this.pos;
    let code = this.peek();
    const first = this.#justOpened(OPEN_BRACE, before);
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
    const before = this.pos;
    const code = this.peek();
    const first = this.#justOpened(OPEN_BRACKET, before);
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
    const start = this.pos;
    const escapes = this.#scanString();
    if (escapes > 0) {
      this.#keyText = this.#unescape(start, escapes);
    } else {
      this.#keyStart = start + 1;
      this.#keyEnd = this.pos - 1;
      this.#keyText = undefined;
    }
  }

  /** Reads a string value. */
  readString(): string {
    if (this.peek() !== QUOTE) throw this.#wrongType("a string");
    return this.#readStringBody();
  }

  /** Reads the string that starts at the cursor (on its opening quote). */
  #readStringBody(): string {
    const start = this.pos;
    const escapes = this.#scanString();
    return escapes > 0 ? this.#unescape(start, escapes) : this.text.slice(start + 1, this.pos - 1);
  }

  /**
   * The text of the string from `start` (its opening quote) to the cursor (just past its closing
   * quote), which {@link JsonCursor.#scanString} has just checked and found `escapes` escapes in.
   */
  #unescape(start: number, escapes: number): string {
    const text = this.text;
    const end = this.pos - 1;
    // Checked already, so the engine's parser cannot fail on it.
    if (escapes > FEW_ESCAPES) return JSON.parse(text.slice(start, end + 1)) as string;
    let out = "";
    let from = start + 1;
    // Exactly one search per escape: a search past the last one could run on to the frame's end.
    for (let i = 0; i < escapes; i++) {
      const pos = text.indexOf("\\", from);
      out += text.slice(from, pos);
      const escape = text.charCodeAt(pos + 1);
      if (escape === 0x75) {
        out += String.fromCharCode(
          hexDigit(text.charCodeAt(pos + 2)) << 12 | hexDigit(text.charCodeAt(pos + 3)) << 8 |
            hexDigit(text.charCodeAt(pos + 4)) << 4 | hexDigit(text.charCodeAt(pos + 5)),
        );
        from = pos + 6;
      } else {
        out += UNESCAPED[escape];
        from = pos + 2;
      }
    }
    return out + text.slice(from, end);
  }

  /**
   * Moves past the string that starts at the cursor (on its opening quote), checking it exactly as
   * RFC 8259 says but building nothing: skipped strings must cost a scan, however many escapes they
   * hold. Returns how many escapes it had.
   */
  #scanString(): number {
    const text = this.text;
    let pos = this.pos + 1;
    let escapes = 0;
    let stop = pos + LONG_RUN;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === QUOTE) {
        this.pos = pos + 1;
        return escapes;
      }
      if (code === BACKSLASH) {
        escapes++;
        const escape = text.charCodeAt(pos + 1);
        if (escape === 0x75) {
          const digits = hexDigit(text.charCodeAt(pos + 2)) | hexDigit(text.charCodeAt(pos + 3)) |
            hexDigit(text.charCodeAt(pos + 4)) | hexDigit(text.charCodeAt(pos + 5));
          if (digits < 0) {
            this.pos = pos;
            throw this.fail("malformed_json", "bad \\u escape");
          }
          pos += 6;
        } else if (UNESCAPED[escape] !== undefined) {
          pos += 2;
        } else {
          this.pos = pos;
          throw this.fail("malformed_json", "bad escape in a string");
        }
        stop = pos + LONG_RUN;
        continue;
      }
      if (code < 0x20 || Number.isNaN(code)) {
        this.pos = pos;
        throw this.fail("malformed_json", "unterminated string or raw control character");
      }
      if (++pos === stop) pos = runEnd(PLAIN_RUN, text, pos);
    }
  }

  /** Reads a number and returns its exact text. */
  readNumberText(): string {
    const code = this.peek();
    if (code !== MINUS && !isDigit(code)) throw this.#wrongType("a number");
    const start = this.pos;
    this.#scanNumber(true);
    return this.text.slice(start, this.pos);
  }

  /**
   * Moves past the number at the cursor and sets {@link JsonCursor.lastNumberIsInteger}, and
   * {@link JsonCursor.lastNumberValue} when `withValue`: a skipped number is only checked, since
   * `Number` over thousands of digits would cost more than the scan.
   */
  #scanNumber(withValue: boolean): void {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let integer = true;
    // Digits are gathered as an integer so that the common case needs no second parse: with at
    // most 15 significant digits and 22 decimals, mantissa / 10^decimals is one correctly rounded
    // IEEE division, the same double `Number(text)` returns. Past those limits `Number` decides,
    // so the remaining digits are only skipped.
    let mantissa = 0;
    let significant = 0;
    let decimals = 0;
    const negative = text.charCodeAt(pos) === MINUS;
    if (negative) pos++;
    let code = text.charCodeAt(pos);
    if (code === DIGIT_0) {
      code = text.charCodeAt(++pos);
    } else if (isDigit(code)) {
      while (isDigit(code) && significant <= 15) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        significant++;
        code = text.charCodeAt(++pos);
      }
      if (isDigit(code)) {
        pos = skipDigits(text, pos);
        code = text.charCodeAt(pos);
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
      while (isDigit(code) && significant <= 15 && decimals <= 22) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        if (significant > 0 || code !== DIGIT_0) significant++;
        decimals++;
        code = text.charCodeAt(++pos);
      }
      if (isDigit(code)) {
        pos = skipDigits(text, pos);
        code = text.charCodeAt(pos);
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
      pos = skipDigits(text, pos);
    }
    this.pos = pos;
    this.lastNumberIsInteger = integer;
    if (!withValue) return;
    if (!exponent && significant <= 15 && decimals <= 22) {
      const magnitude = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals];
      this.lastNumberValue = negative ? -magnitude : magnitude;
    } else {
      this.lastNumberValue = Number(text.slice(start, pos));
    }
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
    if (code === MINUS || isDigit(code)) {
      this.#scanNumber(true);
      return this.lastNumberValue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const start = this.pos;
      this.skipValue();
      // The skip has checked the container as strictly as building it would (depth included), so
      // the engine's parser cannot fail on it; it builds the same tree (`__proto__` an own key, the
      // last of repeated keys winning), in a fraction of the time of defining property by property.
      return JSON.parse(this.text.slice(start, this.pos)) as JsonValue;
    }
    if (this.readNull()) return null;
    return this.readBoolean();
  }

  /** Reads an array as plain data, as {@link JsonCursor.readValue} would. */
  readArray(): JsonValue[] {
    if (this.peek() !== OPEN_BRACKET) throw this.#wrongType("an array");
    return this.readValue() as JsonValue[];
  }

  /** Skips one value of any type, still checking that it is well-formed. */
  skipValue(): void {
    const code = this.peek();
    if (code === QUOTE) {
      this.#scanString();
    } else if (code === MINUS || isDigit(code)) {
      this.#scanNumber(false);
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
