/**
 * The fuzz suite in CI: a bounded run of each target over fixed seeds, and proof that each oracle
 * can fail: a tampered decoder, broken books and a tampered session are each caught, as the seeded
 * simulation's checks are.
 */

import assert from "node:assert/strict";
import { Level3Book } from "../../src/book/level3_book.ts";
import { type BookDepth, OrderBook } from "../../src/book/order_book.ts";
import { Session, type SessionEffect, type SessionInput } from "../../src/core/session.ts";
import { decode } from "../../src/protocol/decode.ts";
import type { Level3Order, Level3Payload } from "../../src/protocol/level3_messages.ts";
import type { BookLevel, BookPayload } from "../../src/protocol/messages.ts";
import { type BookUnderTest, fuzzBook } from "./book_target.ts";
import { checkDecode, type Decoder, fuzzDecode } from "./decode_target.ts";
import { fuzzLevel3, type Level3UnderTest } from "./level3_target.ts";
import { parseFuzzArgs, RUNNERS } from "./main.ts";
import {
  type FuzzResult,
  replayCommand,
  runSeeds,
  type TargetName,
  TARGETS,
  Violation,
} from "./report.ts";
import { fuzzSession } from "./session_target.ts";

/** The seeds CI runs per target: about 12 s in all on a 2-core machine. */
const CI_SEEDS: Readonly<Record<TargetName, number>> = {
  decode: 120,
  book: 50,
  level3: 20,
  session: 60,
};

for (const target of TARGETS) {
  Deno.test(`fuzz ${target}: seeds 1 to ${CI_SEEDS[target]} hold every check`, () => {
    const seeds = Array.from({ length: CI_SEEDS[target] }, (_, index) => index + 1);
    const summary = runSeeds(target, seeds, (seed) => RUNNERS[target](seed));
    const failures = summary.failures.map((result) =>
      `seed ${result.seed}: ${result.failure}\n  replay: ${replayCommand(target, result.seed)}`
    );
    assert.deepEqual(failures, []);
    assert.ok(summary.counts.get("checks") > 1000, "the run checked something");
  });
}

/** The first of seeds 1..`seeds` whose run fails as `pattern` says; fails the test when none does. */
function caught(run: (seed: number) => FuzzResult, pattern: RegExp, seeds = 30): string {
  for (let seed = 1; seed <= seeds; seed++) {
    const failure = run(seed).failure;
    if (failure !== undefined && pattern.test(failure)) return failure;
  }
  assert.fail(`no seed of 1..${seeds} caught it (${pattern})`);
}

// ---------------------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------------------

/** Takes malformed JSON for a heartbeat. */
const lenientDecoder: Decoder = (text, options) => {
  const result = decode(text, options);
  return result.kind === "decodeError" && result.reason === "malformed_json"
    ? { kind: "heartbeat" }
    : result;
};

/** Answers a little differently each time it is asked. */
function driftingDecoder(): Decoder {
  let calls = 0;
  return (text, options) => {
    const result = decode(text, options);
    calls++;
    return result.kind === "decodeError"
      ? { ...result, detail: `${result.detail} (${calls})` }
      : result;
  };
}

/** Respells quantities the way `JSON.parse` would (`0.10000000` becomes `0.1`). */
const respellingDecoder: Decoder = (text, options) => {
  const result = decode(text, options);
  if (result.kind !== "book") return result;
  const respell = (level: BookLevel) => ({ ...level, qtyText: String(level.qty) });
  return {
    ...result,
    data: result.data.map((payload) => ({
      ...payload,
      bids: payload.bids.map(respell),
      asks: payload.asks.map(respell),
    })),
  };
};

/** Overflows its stack on deep nesting instead of refusing it. */
const recursiveDecoder: Decoder = (text, options) => {
  if (text.includes("[[[[[[[[[[")) throw new RangeError("Maximum call stack size exceeded");
  return decode(text, options);
};

Deno.test("fuzz decode oracle: a decoder that takes malformed JSON is caught", () => {
  assert.throws(() => checkDecode(lenientDecoder, '{"channel":"heartbeat"'), Violation);
  caught((seed) => fuzzDecode(seed, { decoder: lenientDecoder }), /what JSON\.parse rejects/);
});

Deno.test("fuzz decode oracle: a decoder that answers differently twice is caught", () => {
  assert.throws(() => checkDecode(driftingDecoder(), "{"), /two decodes differ/);
  caught((seed) => fuzzDecode(seed, { decoder: driftingDecoder() }), /two decodes differ/);
});

Deno.test("fuzz decode oracle: a decoder that respells a level's text is caught", () => {
  caught(
    (seed) => fuzzDecode(seed, { decoder: respellingDecoder }),
    /qtyText .* is not a number written in the frame/,
  );
});

Deno.test("fuzz decode oracle: a decoder that throws is caught", () => {
  caught((seed) => fuzzDecode(seed, { decoder: recursiveDecoder }), /decode threw RangeError/);
});

// ---------------------------------------------------------------------------------------------
// The L2 book
// ---------------------------------------------------------------------------------------------

/** An `OrderBook` that sees each payload through `rewrite` first. */
function rewritten(book: OrderBook, rewrite: (level: BookLevel) => BookLevel): BookUnderTest {
  return {
    apply: (type, payload: BookPayload) =>
      book.apply(type, {
        ...payload,
        bids: payload.bids.map(rewrite),
        asks: payload.asks.map(rewrite),
      }),
    bids: () => book.bids(),
    asks: () => book.asks(),
    checksum: () => book.checksum(),
    get state() {
      return book.state;
    },
  };
}

Deno.test("fuzz book oracle: a book that forgets to cut to its depth is caught", () => {
  const failure = caught(
    (seed) => fuzzBook(seed, { book: (symbol) => new OrderBook(symbol, 1000) }),
    /differ at level|verdict/,
  );
  assert.doesNotMatch(failure, /depth 1000,/, "at depth 1000 the broken book is the right one");
});

Deno.test('fuzz book oracle: a book that takes "0.0" for a quantity is caught', () => {
  const zeroKept = (symbol: string, depth: BookDepth) =>
    rewritten(
      new OrderBook(symbol, depth),
      (level) => level.qtyText === "0.0" ? { ...level, qty: Number.MIN_VALUE } : level,
    );
  caught((seed) => fuzzBook(seed, { book: zeroKept }), /differ at level|verdict/);
});

Deno.test("fuzz book oracle: a book that keeps a respelled price as a level of its own is caught", () => {
  const respelledApart = (symbol: string, depth: BookDepth) => {
    // The first spelling of each price keeps its number; any other lands a hair beside it.
    const first = new Map<number, string>();
    return rewritten(new OrderBook(symbol, depth), (level) => {
      const spelling = first.get(level.price) ?? level.priceText;
      first.set(level.price, spelling);
      return spelling === level.priceText
        ? level
        : { ...level, price: level.price * (1 + 2 ** -48) };
    });
  };
  caught((seed) => fuzzBook(seed, { book: respelledApart }), /differ at level|verdict/);
});

// ---------------------------------------------------------------------------------------------
// The level 3 book
// ---------------------------------------------------------------------------------------------

/** A `Level3Book` that sees each payload's orders through `rewrite` first. */
function rewrittenLevel3(
  book: Level3Book,
  rewrite: (order: Level3Order) => Level3Order[],
): Level3UnderTest {
  return {
    apply: (type, payload: Level3Payload) =>
      book.apply(type, {
        ...payload,
        bids: payload.bids.flatMap(rewrite),
        asks: payload.asks.flatMap(rewrite),
      }),
    bids: () => book.bids(),
    asks: () => book.asks(),
    checksum: () => book.checksum(),
    get state() {
      return book.state;
    },
    get size() {
      return book.size;
    },
  };
}

Deno.test("fuzz level3 oracle: a book that sends a modified order to the back of its queue is caught", () => {
  const toBack = (symbol: string, depth: 10 | 100 | 1000) =>
    rewrittenLevel3(
      new Level3Book(symbol, depth),
      (order) =>
        order.event === "modify"
          ? [{ ...order, event: "delete" }, { ...order, event: "add" }]
          : [order],
    );
  caught((seed) => fuzzLevel3(seed, { book: toBack }), /levels differ|verdict/);
});

Deno.test("fuzz level3 oracle: a book that forgets to cut to its depth is caught", () => {
  caught(
    (seed) => fuzzLevel3(seed, { book: (symbol) => new Level3Book(symbol, 1000) }),
    /levels differ|verdict|orders held/,
  );
});

Deno.test("fuzz level3 oracle: a book that keeps an order modified to zero is caught", () => {
  const zeroKept = (symbol: string, depth: 10 | 100 | 1000) =>
    rewrittenLevel3(
      new Level3Book(symbol, depth),
      (order) =>
        order.event === "modify" && order.orderQty === 0
          ? [{ ...order, orderQty: Number.MIN_VALUE }]
          : [order],
    );
  caught((seed) => fuzzLevel3(seed, { book: zeroKept }), /levels differ|verdict|orders held/);
});

// ---------------------------------------------------------------------------------------------
// The session
// ---------------------------------------------------------------------------------------------

type Tamper = (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];

const tampered = (tamper: Tamper) => (seed: number) => fuzzSession(seed, { tamper });

Deno.test("fuzz session oracle: a timer left set after stop is caught", () => {
  const leak: Tamper = (input, effects) =>
    input.type === "stop"
      ? [...effects, { type: "setTimer", id: "leak", delayMs: 60_000 }]
      : effects;
  caught(tampered(leak), /leak/);
});

Deno.test("fuzz session oracle: timers never cancelled pile up and are caught", () => {
  const keep: Tamper = (_input, effects) =>
    effects.filter((effect) => effect.type !== "cancelTimer");
  caught(tampered(keep), /timer/);
});

Deno.test("fuzz session oracle: a book event whose level was altered is caught", () => {
  const alter: Tamper = (_input, effects) =>
    effects.map((effect) => {
      if (effect.type !== "emit" || effect.event.type !== "book" || effect.event.bids.length < 2) {
        return effect;
      }
      const [first, ...rest] = effect.event.bids;
      const last = rest.pop()!;
      // A level below the top 10 where there is one (no checksum covers it), the best otherwise.
      const bids = rest.length >= 10
        ? [first, ...rest, {
          ...last,
          qtyText: `${last.qtyText}1`,
          qty: Number(`${last.qtyText}1`),
        }]
        : [
          { ...first, qtyText: `${first.qtyText}1`, qty: Number(`${first.qtyText}1`) },
          ...rest,
          last,
        ];
      return { ...effect, event: { ...effect.event, bids } };
    });
  caught(tampered(alter), /book event .*(the frames said|CRC)/);
});

Deno.test("fuzz session oracle: an event number given twice is caught", () => {
  const repeat: Tamper = (_input, effects) => {
    const emits = effects.filter((effect) => effect.type === "emit");
    if (emits.length < 2) return effects;
    const [first, second] = emits;
    return effects.map((effect) =>
      effect === second && first.type === "emit" && second.type === "emit"
        ? { ...second, event: { ...second.event, seq: first.event.seq } }
        : effect
    );
  };
  caught(tampered(repeat), /event seq/);
});

Deno.test("fuzz session oracle: an undocumented error code is caught", () => {
  const internal: Tamper = (_input, effects) =>
    effects.map((effect) =>
      effect.type === "emit" && effect.event.type === "error"
        ? { ...effect, event: { ...effect.event, code: "internal" } }
        : effect
    );
  caught(tampered(internal), /error event of code internal/);
});

Deno.test("fuzz session oracle: a session that takes invalid requests is caught", () => {
  class Lenient extends Session {
    override handle(input: SessionInput, now: number): SessionEffect[] {
      try {
        return super.handle(input, now);
      } catch (error) {
        if (error instanceof TypeError || error instanceof RangeError) return [];
        throw error;
      }
    }
  }
  caught(
    (seed) => fuzzSession(seed, { session: (options) => new Lenient(options) }),
    /invalid values was accepted/,
  );
});

Deno.test("fuzz session oracle: a session that throws on a server's frame is caught", () => {
  class Fragile extends Session {
    override handle(input: SessionInput, now: number): SessionEffect[] {
      if (input.type === "frame" && input.text.includes("maintenance")) throw new Error("boom");
      return super.handle(input, now);
    }
  }
  caught(
    (seed) => fuzzSession(seed, { session: (options) => new Fragile(options) }),
    /threw Error: boom on a frame input/,
  );
});

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

Deno.test("fuzz command line: targets, seeds and cases", () => {
  assert.deepEqual(parseFuzzArgs(["--target", "book", "--seed", "1234"]), {
    targets: ["book"],
    seeds: [1234],
  });
  assert.deepEqual(parseFuzzArgs(["--seeds", "3-5", "--cases", "2"]), {
    targets: TARGETS,
    seeds: [3, 4, 5],
    cases: 2,
  });
  assert.throws(() => parseFuzzArgs(["--target", "nope"]), RangeError);
  assert.throws(() => parseFuzzArgs(["--seeds", "5-3"]), RangeError);
  assert.equal(replayCommand("session", 1234), "deno task fuzz --target session --seed 1234");
});

Deno.test("fuzz: a seed replays exactly", () => {
  for (const target of TARGETS) {
    const first = RUNNERS[target](7, 1);
    const again = RUNNERS[target](7, 1);
    assert.deepEqual(again.counts.entries(), first.counts.entries(), target);
    assert.equal(again.failure, first.failure, target);
  }
});
