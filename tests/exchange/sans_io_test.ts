import assert from "node:assert/strict";

const EXCHANGE = new URL("../../src/exchange/", import.meta.url);

Deno.test("exchange: sans I/O: no clock, timer, socket, runtime or randomness but the seeded one", async () => {
  const forbidden =
    /\b(Date\.now|Math\.random|setTimeout|setInterval|performance\.now|new WebSocket|crypto\.|Deno\.)|["']node:/;
  const offenders: string[] = [];
  let checked = 0;
  for await (const entry of Deno.readDir(EXCHANGE)) {
    if (!entry.name.endsWith(".ts")) continue;
    checked++;
    const code = (await Deno.readTextFile(new URL(entry.name, EXCHANGE)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const match = forbidden.exec(code);
    if (match !== null) offenders.push(`${entry.name}: ${match[0]}`);
  }
  assert.ok(checked >= 10);
  assert.deepEqual(offenders, []);
});
