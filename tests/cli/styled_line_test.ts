import assert from "node:assert/strict";
import {
  fitLine,
  lineText,
  lineWidth,
  padLine,
  type StyledLine,
} from "../../src/cli/styled_line.ts";

const LINE: StyledLine = [{ text: "bid " }, { text: "99.5", style: "bid" }, { text: " │ " }, {
  text: "100.5",
  style: "ask",
}];

Deno.test("styled line: width counts what is seen, not colour codes", () => {
  assert.equal(lineWidth(LINE), 16);
  assert.equal(lineText(LINE, false), "bid 99.5 │ 100.5");
  assert.equal(lineText(LINE, true), "bid \x1b[32m99.5\x1b[0m │ \x1b[31m100.5\x1b[0m");
});

Deno.test("styled line: a cut keeps styles whole and ends in an ellipsis", () => {
  assert.equal(fitLine(LINE, 16), LINE, "a line that fits is kept as it is");
  const cut = fitLine(LINE, 7);
  assert.equal(lineWidth(cut), 7);
  assert.equal(lineText(cut, true), "bid \x1b[32m99…\x1b[0m");
  assert.deepEqual(fitLine(LINE, 1), [{ text: "…" }]);
  assert.deepEqual(fitLine(LINE, 0), []);
});

Deno.test("styled line: padding makes an exact width", () => {
  assert.equal(lineText(padLine([{ text: "ab" }], 5), false), "ab   ");
  assert.equal(lineWidth(padLine(LINE, 10)), 10);
});
