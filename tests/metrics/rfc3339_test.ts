import assert from "node:assert/strict";
import { parseRfc3339 } from "../../src/metrics/rfc3339.ts";

Deno.test("rfc3339: 0 to 9 fraction digits are read exactly, with no float in between", () => {
  const base = Date.UTC(2026, 0, 1, 0, 0, 0) / 1000;
  const cases: [string, number][] = [
    ["2026-01-01T00:00:00Z", 0],
    ["2026-01-01T00:00:00.1Z", 100_000_000],
    ["2026-01-01T00:00:00.12Z", 120_000_000],
    ["2026-01-01T00:00:00.123Z", 123_000_000],
    ["2026-01-01T00:00:00.000001Z", 1_000],
    ["2026-01-01T00:00:00.585581Z", 585_581_000],
    ["2026-01-01T00:00:00.1234567Z", 123_456_700],
    ["2026-01-01T00:00:00.12345678Z", 123_456_780],
    ["2026-01-01T00:00:00.999999999Z", 999_999_999],
    ["2026-01-01t00:00:00.000000001z", 1],
  ];
  for (const [text, nanoseconds] of cases) {
    assert.deepEqual(parseRfc3339(text), { epochSeconds: base, nanoseconds }, text);
  }
});

Deno.test("rfc3339: agrees with Date.UTC across centuries, leap days and offsets", () => {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  let state = 12345;
  const next = (below: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % below;
  };
  for (let i = 0; i < 5000; i++) {
    const year = 1 + next(9999);
    const month = 1 + next(12);
    const day = 1 + next(new Date(Date.UTC(2000, month, 0)).getUTCDate()); // leap year 2000
    const isLeap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (month === 2 && day === 29 && !isLeap) continue;
    const [hour, minute, second, millis] = [next(24), next(60), next(60), next(1000)];
    const utc = new Date(0);
    utc.setUTCFullYear(year, month - 1, day);
    utc.setUTCHours(hour, minute, second, millis);
    const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:` +
      `${pad(second)}.${pad(millis, 3)}Z`;
    const parsed = parseRfc3339(text);
    assert.ok(parsed !== undefined, text);
    assert.equal(parsed.epochSeconds * 1000 + parsed.nanoseconds / 1e6, utc.getTime(), text);
  }
  const utcMidnight = Date.UTC(2024, 1, 29) / 1000;
  assert.deepEqual(parseRfc3339("2024-02-29T02:30:00+02:30"), {
    epochSeconds: utcMidnight,
    nanoseconds: 0,
  });
  assert.deepEqual(parseRfc3339("2024-02-28T21:00:00.5-03:00"), {
    epochSeconds: utcMidnight,
    nanoseconds: 500_000_000,
  });
  assert.deepEqual(parseRfc3339("1969-12-31T23:59:59Z"), { epochSeconds: -1, nanoseconds: 0 });
  assert.deepEqual(parseRfc3339("2016-12-31T23:59:60Z"), {
    epochSeconds: Date.UTC(2017, 0, 1) / 1000,
    nanoseconds: 0,
  });
});

Deno.test("rfc3339: garbage gives undefined and never throws", () => {
  const bad = [
    "",
    "2026-01-01",
    "2026-01-01T00:00:00",
    "2026-01-01 00:00:00Z",
    "2026-01-01T00:00:00.Z",
    "2026-01-01T00:00:00.1234567890Z",
    "2026-01-01T00:00:00,5Z",
    "2026-13-01T00:00:00Z",
    "2026-00-01T00:00:00Z",
    "2026-01-00T00:00:00Z",
    "2026-01-32T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:60:00Z",
    "2026-01-01T00:00:61Z",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+01:60",
    "2026-01-01T00:00:00+0100",
    "2026-01-01T00:00:00Zjunk",
    "2026-01-01T00:00:00.5",
    "+2026-01-01T00:00:00Z",
    "202a-01-01T00:00:00Z",
    "2026-01-01T0-:00:00Z",
    "2026-1-01T00:00:00Z",
    "２０２６-01-01T00:00:00Z",
    "2026-01-01T00:00:00.00000000000000000Z",
  ];
  for (const text of bad) assert.equal(parseRfc3339(text), undefined, text);
  let state = 7;
  const alphabet = "0123456789-:.TZtz+ Ｔ\u0000";
  for (let i = 0; i < 20000; i++) {
    let text = "";
    const length = 15 + (i % 25);
    for (let j = 0; j < length; j++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      text += alphabet[state % alphabet.length];
    }
    const parsed = parseRfc3339(text);
    if (parsed !== undefined) {
      assert.ok(Number.isInteger(parsed.epochSeconds) && Number.isInteger(parsed.nanoseconds));
    }
  }
});
