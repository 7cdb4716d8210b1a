import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
/** Only these may touch the runtime directly; the library itself runs on Web standards alone. */
const RUNTIME_DIRS = ["src/cli/", "src/sim/"];

async function* typescriptFiles(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* typescriptFiles(new URL(entry.name + "/", dir), path + "/");
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("layout: the library uses no Deno.* and no node: outside src/cli and src/sim", async () => {
  const offenders: string[] = [];
  const libraryFiles = ["mod.ts", "prelude.ts", "extended.ts"];
  for await (const path of typescriptFiles(new URL("src/", ROOT), "src/")) libraryFiles.push(path);
  for (const path of libraryFiles) {
    if (RUNTIME_DIRS.some((dir) => path.startsWith(dir))) continue;
    const code = (await Deno.readTextFile(new URL(path, ROOT)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    if (/\bDeno\./.test(code) || /["']node:/.test(code)) offenders.push(path);
  }
  assert.deepEqual(offenders, []);
  assert.ok(libraryFiles.length > 5);
});

Deno.test("layout: no package.json or node_modules that Deno would pick up", async () => {
  for (const name of ["package.json", "node_modules"]) {
    await assert.rejects(Deno.stat(new URL(name, ROOT)), Deno.errors.NotFound, name);
  }
});

Deno.test("layout: the core decides without I/O: no clock, timer, socket or Math.random", async () => {
  const forbidden =
    /\b(Date\.now|Math\.random|setTimeout|setInterval|performance\.now|new WebSocket|crypto\.)/;
  const offenders: string[] = [];
  let checked = 0;
  for await (const path of typescriptFiles(new URL("src/core/", ROOT), "src/core/")) {
    checked++;
    const code = (await Deno.readTextFile(new URL(path, ROOT)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const match = forbidden.exec(code);
    if (match !== null) offenders.push(`${path}: ${match[0]}`);
  }
  assert.ok(checked >= 5);
  assert.deepEqual(offenders, []);
});
