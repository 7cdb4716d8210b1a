import assert from "node:assert/strict";
import {
  diffSurfaces,
  type DocJson,
  docJson,
  ENTRY_POINTS,
  formatSurfaceDiff,
  lineDiff,
  normaliseDoc,
  readSnapshot,
  ROOT,
  SNAPSHOT_PATH,
  type Surface,
  UPDATE_COMMAND,
} from "./api_surface.ts";

let docs: Promise<DocJson[]> | undefined;
/** `deno doc --json` of every entry point, run once for the whole file. */
function entryDocs(): Promise<DocJson[]> {
  return docs ??= Promise.all(ENTRY_POINTS.map((entry) => docJson(entry)));
}

async function surfaceOf(transform: (doc: DocJson) => DocJson = (doc) => doc): Promise<Surface> {
  const all = await entryDocs();
  return Object.fromEntries(
    ENTRY_POINTS.map((
      entry,
      index,
    ) => [entry, normaliseDoc(transform(structuredClone(all[index])))]),
  );
}

// deno-lint-ignore no-explicit-any -- deno doc's JSON, edited by shape
type Json = any;

function symbols(doc: DocJson): Json[] {
  return Object.values(doc.nodes)[0].symbols as Json[];
}

function symbol(doc: DocJson, name: string): Json {
  const found = symbols(doc).find((item) => item.name === name);
  assert.ok(found, `deno doc lists ${name}`);
  return found;
}

Deno.test("api surface: mod, prelude, extended and sim match tests/api_surface.json", async () => {
  const snapshot = await readSnapshot();
  assert.ok(snapshot, `${SNAPSHOT_PATH} is missing: create it with \`${UPDATE_COMMAND}\``);
  const changes = diffSurfaces(snapshot, await surfaceOf());
  if (changes.length > 0) assert.fail(formatSurfaceDiff(changes));
});

Deno.test("api surface: every entry deno.json exports is snapshotted, but the CLI", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const exported = Object.values(config.exports as Record<string, string>)
    .map((path) => path.replace(/^\.\//, ""))
    .filter((path) => path !== "src/cli/main.ts")
    .sort();
  assert.deepEqual(exported, [...ENTRY_POINTS].sort());
  assert.equal(config.tasks["api-surface"].includes("tests/api_surface.ts"), true);
});

Deno.test("api surface: a renamed export and a changed parameter type fail with their diff", async () => {
  const before = await surfaceOf();
  const after = await surfaceOf((doc) => {
    const names = symbols(doc).map((item) => item.name);
    if (names.includes("bookSpread")) symbol(doc, "bookSpread").name = "bookSpreadText";
    if (names.includes("KrakenWs")) {
      const ready = symbol(doc, "KrakenWs").declarations[0].def.methods
        .find((method: Json) => method.name === "ready");
      ready.functionDef.params[0].tsType = { repr: "number", kind: "keyword", value: "number" };
    }
    if (names.includes("KrakenWsOptions")) {
      const url = symbol(doc, "KrakenWsOptions").declarations[0].def.properties
        .find((property: Json) => property.name === "url");
      url.optional = false;
    }
    return doc;
  });
  const changes = diffSurfaces(before, after);
  const inPrelude = changes.filter((change) => change.entry === "prelude.ts");
  assert.deepEqual(
    inPrelude.map((change) => `${change.change} ${change.name}`),
    ["removed bookSpread", "added bookSpreadText", "changed KrakenWs", "changed KrakenWsOptions"]
      .sort((a, b) => a.split(" ")[1] < b.split(" ")[1] ? -1 : 1),
  );
  // The same names change in every entry point that re-exports the prelude.
  for (const entry of ["mod.ts", "extended.ts"]) {
    assert.equal(changes.filter((change) => change.entry === entry).length, 4, entry);
  }
  assert.equal(changes.filter((change) => change.entry === "src/sim/mod.ts").length, 0);

  const report = formatSurfaceDiff(changes);
  for (
    const expected of [
      "prelude.ts\n",
      "  removed bookSpread\n      - function bookSpread(book: BookEvent): string | undefined",
      "  added bookSpreadText\n      + function bookSpreadText(book: BookEvent): string | undefined",
      "  changed KrakenWs\n",
      "      -   ready(symbols?: string | readonly string[]): Promise<void>\n" +
      "      +   ready(symbols?: number): Promise<void>",
      "      -   readonly url?: string\n      +   readonly url: string",
      "        class KrakenWs implements AsyncDisposable",
      UPDATE_COMMAND,
    ]
  ) {
    assert.ok(report.includes(expected), `expected ${JSON.stringify(expected)} in:\n${report}`);
  }
});

Deno.test("api surface: JSDoc, locations, import paths and member order do not count", async () => {
  const before = await surfaceOf();
  const after = await surfaceOf((doc) => {
    const reshuffle = (value: Json): Json => {
      if (Array.isArray(value)) return value.map(reshuffle).reverse();
      if (!value || typeof value !== "object") return value;
      const out: Json = {};
      for (const [key, inner] of Object.entries(value)) {
        if (key === "jsDoc") out[key] = { doc: "reworded" };
        else if (key === "location") out[key] = { filename: "file:///moved.ts", line: 1, col: 0 };
        else if (key === "specifier") out[key] = "./elsewhere.ts";
        else out[key] = key === "methods" || key === "properties" ? reshuffle(inner) : inner;
      }
      return out;
    };
    for (const item of symbols(doc)) {
      for (const declaration of item.declarations) {
        declaration.jsDoc = { doc: "reworded" };
        declaration.location = { filename: "file:///moved.ts", line: 1, col: 0 };
        declaration.def = reshuffle(declaration.def);
      }
    }
    symbols(doc).reverse();
    return doc;
  });
  assert.deepEqual(diffSurfaces(before, after), []);
});

Deno.test("api surface: declarations read as TypeScript, and a change to them is named", async () => {
  const dir = await Deno.makeTempDir();
  const root = new URL(`file://${dir}/`);
  const source = `
/** Documented. */
export function over(a: string): string;
export function over(a: number): number;
export function over(a: unknown): unknown { return a; }
export interface Options<T = string> {
  readonly depth?: 10 | 25;
  (x: number): T;
  [field: string]: unknown;
  on?(event: "a" | "b", ...rest: readonly T[]): void;
}
export abstract class Queue<E extends object> extends Map<string, E> implements Disposable {
  static readonly max = 3;
  private hidden = 1;
  #secret = 2;
  protected abstract next(): E | undefined;
  constructor(readonly name: string, size = 4) { super(); }
  get size(): number { return 0; }
  [Symbol.dispose](): void {}
  take({ count }: { count: number }): E[] { return []; }
}
export type Pick2<T> = { readonly [K in keyof T]?: T[K] };
export type Label = \`label:\${string}\`;
export const LIMITS: readonly number[] = [1];
`;
  try {
    await Deno.writeTextFile(`${dir}/api.ts`, source);
    const surface = normaliseDoc(await docJson("api.ts", root));
    assert.deepEqual(surface, {
      LIMITS: ["const LIMITS: readonly number[]"],
      Label: ["type Label = `label:${string}`"],
      Options: [
        "interface Options<T = string>",
        "  (x: number): T",
        "  [field: string]: unknown",
        "  readonly depth?: 10 | 25",
        '  on?(event: "a" | "b", ...rest: readonly T[]): void',
      ],
      Pick2: ["type Pick2<T> = { readonly [K in keyof T]?: T[K] }"],
      Queue: [
        "abstract class Queue<E extends object> extends Map<string, E> implements Disposable",
        "  constructor(readonly name: string, size?: number)",
        "  [Symbol.dispose](): void",
        "  static readonly max: number",
        "  protected abstract next(): E | undefined",
        "  get size(): number",
        "  take({}: { count: number }): E[]",
      ],
      over: ["function over(a: string): string", "function over(a: number): number"],
    });

    await Deno.writeTextFile(
      `${dir}/api.ts`,
      source.replace("export function over(a: number)", "export function over(a: bigint)")
        .replace("export type Label", "export type Tag"),
    );
    const changed = normaliseDoc(await docJson("api.ts", root));
    const changes = diffSurfaces({ "api.ts": surface }, { "api.ts": changed });
    assert.deepEqual(changes.map((change) => `${change.change} ${change.name}`), [
      "removed Label",
      "added Tag",
      "changed over",
    ]);
    assert.ok(
      formatSurfaceDiff(changes).includes(
        "  changed over\n" +
          "        function over(a: string): string\n" +
          "      - function over(a: number): number\n" +
          "      + function over(a: bigint): number",
      ),
      formatSurfaceDiff(changes),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("api surface: an entry point added or removed is a difference", () => {
  const changes = diffSurfaces({ "a.ts": { x: ["const x: 1"] } }, {
    "b.ts": { y: ["const y: 2"] },
  });
  assert.deepEqual(
    changes.map((change) => [change.change, change.entry, change.name]),
    [["removed", "a.ts", undefined], ["added", "b.ts", undefined]],
  );
  assert.match(
    formatSurfaceDiff(changes),
    /removed entry point a\.ts[\s\S]*added entry point b\.ts/,
  );
  assert.equal(formatSurfaceDiff([]), "The API surface matches the snapshot.");
});

Deno.test("api surface: the line diff keeps common lines and orders removals first", () => {
  assert.deepEqual(lineDiff(["a", "b", "c"], ["a", "x", "c", "d"]), [
    "  a",
    "- b",
    "+ x",
    "  c",
    "+ d",
  ]);
  assert.deepEqual(lineDiff([], ["a"]), ["+ a"]);
  assert.deepEqual(lineDiff(["a"], []), ["- a"]);
});
