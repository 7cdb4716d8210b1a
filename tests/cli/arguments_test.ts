import assert from "node:assert/strict";
import {
  ArgumentList,
  bookDepthValue,
  numberValue,
  webSocketUrlValue,
} from "../../src/cli/arguments.ts";
import { parseSimArgs } from "../../src/cli/sim.ts";
import { UsageError } from "../../src/cli/usage_error.ts";

function read(args: string[]): string[] {
  const list = new ArgumentList(args);
  const seen: string[] = [];
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    seen.push(
      argument.positional
        ? `positional ${argument.flag}`
        : argument.flag === "--flag"
        ? `option ${argument.flag}`
        : `option ${argument.flag}=${list.value(argument)}`,
    );
  }
  return seen;
}

Deno.test("arguments: values inline or next, -- ends the options", () => {
  assert.deepEqual(read(["--depth", "25", "--url=ws://x/?a=b", "BTC/USD", "-", "--", "--flag"]), [
    "option --depth=25",
    "option --url=ws://x/?a=b",
    "positional BTC/USD",
    "positional -",
    "positional --flag",
  ]);
  assert.throws(() => read(["--depth"]), new UsageError("--depth needs a value"));
  assert.throws(() => read(["--depth", "--seconds", "5"]), new UsageError("--depth needs a value"));
  const list = new ArgumentList(["--json=yes"]);
  assert.throws(() => list.noValue(list.next()!), new UsageError("--json takes no value, not yes"));
});

Deno.test("arguments: depths, URLs and numbers are checked with one message each", () => {
  assert.equal(bookDepthValue("--depth", "1000"), 1000);
  assert.throws(
    () => bookDepthValue("--depth", "20"),
    new UsageError("--depth must be one of 10, 25, 100, 500, 1000, not 20"),
  );
  assert.equal(webSocketUrlValue("--url", "wss://ws.kraken.com/v2"), "wss://ws.kraken.com/v2");
  for (const bad of ["https://ws.kraken.com", "nope", ""]) {
    assert.throws(() => webSocketUrlValue("--url", bad), UsageError);
  }
  assert.equal(numberValue("--seconds", "0.5"), 0.5);
  for (const bad of ["0", "-1", "", " ", "NaN", "Infinity", "1e999"]) {
    assert.throws(() => numberValue("--seconds", bad), UsageError, bad);
  }
  const port = { whole: true, min: 0, max: 65_535 } as const;
  assert.equal(numberValue("--port", "0", port), 0);
  for (const bad of ["65536", "1.5", "1e3", "-0", "0x10"]) {
    assert.throws(
      () => numberValue("--port", bad, port),
      new UsageError(`--port must be a whole number from 0 to 65535, not ${bad}`),
    );
  }
});

Deno.test("sim: arguments", () => {
  assert.deepEqual(parseSimArgs([]), {
    port: 8765,
    seed: 1,
    faultsMeanMs: undefined,
    replay: undefined,
    speed: 1,
  });
  assert.deepEqual(
    parseSimArgs([
      "--port",
      "0",
      "--seed=9",
      "--faults",
      "2500",
      "--replay",
      "x.ndjson",
      "--speed",
      "10",
    ]),
    { port: 0, seed: 9, faultsMeanMs: 2500, replay: "x.ndjson", speed: 10 },
  );
  for (
    const bad of [["--port", "70000"], ["--faults", "10"], ["--speed", "0"], ["--bogus"], ["x"]]
  ) {
    assert.throws(() => parseSimArgs(bad), UsageError, bad.join(" "));
  }
});
