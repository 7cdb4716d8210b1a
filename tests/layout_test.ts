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
      .replace(/\/\/.*$/gm, "")
      // The virtual clock's own methods are named after the timers they stand in for.
      .replace(/^\s+(?:set|clear)Timeout\(.*\)\s*:[^{;()]*[{;]\s*$/gm, "");
    const match = forbidden.exec(code);
    if (match !== null) offenders.push(`${path}: ${match[0]}`);
  }
  assert.ok(checked >= 5);
  assert.deepEqual(offenders, []);
});

/**
 * The layers, lowest first: a folder may import its own layer and those below it, never above.
 * Folders on one rung (client, metrics, recording, exchange) do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["protocol"],
  ["book"],
  ["core"],
  ["client", "metrics", "recording", "exchange"],
  ["sim"],
  ["cli"],
];

function layerOf(folder: string): number {
  const index = LAYERS.findIndex((rung) => rung.includes(folder));
  if (index < 0) throw new Error(`src/${folder} is in no layer: add it to LAYERS`);
  return index;
}

/** Every relative import of `code` (static, dynamic, re-export, and JSDoc examples excluded). */
function relativeImports(code: string): string[] {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  return [...stripped.matchAll(/(?:from|import)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g)].map((m) =>
    m[1]
  );
}

Deno.test("layout: imports point only down the layers (protocol <- book <- core <- ... <- cli)", async () => {
  const offenders: string[] = [];
  let checked = 0;
  for await (const path of typescriptFiles(new URL("src/", ROOT), "src/")) {
    const from = path.split("/")[1];
    const fromLayer = layerOf(from);
    const code = await Deno.readTextFile(new URL(path, ROOT));
    for (const specifier of relativeImports(code)) {
      checked++;
      const target = new URL(specifier, new URL(path, ROOT)).pathname
        .slice(new URL("src/", ROOT).pathname.length);
      const to = target.split("/")[0];
      if (to === from) continue;
      const toLayer = layerOf(to);
      if (toLayer > fromLayer || (toLayer === fromLayer)) {
        offenders.push(`${path} imports ${specifier}`);
      }
    }
  }
  assert.ok(checked > 50);
  assert.deepEqual(offenders, []);
});

Deno.test("layout: the layer check catches an upward import", () => {
  const from = layerOf("core");
  assert.ok(layerOf("client") > from, "core importing client is upward");
  assert.ok(layerOf("exchange") === layerOf("client"), "exchange and client are one rung apart");
  assert.throws(() => layerOf("nowhere"), /no layer/);
  assert.deepEqual(relativeImports('import { a } from "../client/x.ts";\n// from "../y.ts"'), [
    "../client/x.ts",
  ]);
});

for (const entry of ["mod.ts", "prelude.ts", "extended.ts"]) {
  Deno.test(`layout: a bundle of ${entry} holds no Deno. and no node: (it runs on any runtime)`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--platform", "browser", "-o", `${dir}/bundle.js`, entry],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const bundle = await Deno.readTextFile(`${dir}/bundle.js`);
      assert.ok(bundle.length > 10_000, "the bundle holds the library");
      const offenders = [...bundle.matchAll(/\bDeno\.\w+|["']node:[\w/]+["']/g)].map((m) => m[0]);
      assert.deepEqual([...new Set(offenders)], []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("layout: the simulator's entry point does reach Deno (the bundle check can fail)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform", "deno", "-o", `${dir}/bundle.js`, "src/sim/mod.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.match(await Deno.readTextFile(`${dir}/bundle.js`), /\bDeno\.serve\b/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
