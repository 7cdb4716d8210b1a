/**
 * The API surface of the published entry points, from `deno doc --json`, normalised so that it
 * changes only when the API does: per entry point, every exported name with its declarations as
 * lines of TypeScript-like text (kind, type parameters, parameters, types, and the public members
 * of classes and interfaces). Locations, JSDoc, import paths and formatting are dropped; members
 * are sorted by name, so moving code around changes nothing.
 *
 * `deno task api-surface` rewrites the snapshot, `tests/api_surface.json`, and prints what changed;
 * `tests/api_surface_test.ts` fails while the code and the snapshot differ.
 *
 * @module
 */

/** The entry points whose surface is kept, as deno.json exports them (the CLI has no API). */
export const ENTRY_POINTS: readonly string[] = [
  "mod.ts",
  "prelude.ts",
  "extended.ts",
  "src/sim/mod.ts",
];

/** The snapshot, relative to the project root. */
export const SNAPSHOT_PATH = "tests/api_surface.json";

/** The command that rewrites the snapshot. */
export const UPDATE_COMMAND = "deno task api-surface";

/** The project root. */
export const ROOT: URL = new URL("../", import.meta.url);

/** One entry point's surface: exported name to its lines, names sorted. */
export type EntrySurface = Record<string, readonly string[]>;

/** Every entry point's surface, keyed by its path from the project root. */
export type Surface = Record<string, EntrySurface>;

/** What the snapshot file holds. */
export interface SurfaceSnapshot {
  readonly note: string;
  readonly entries: Surface;
}

// --- deno doc --json, version 2: the parts read here --------------------------------------------

/** `deno doc --json` output. */
export interface DocJson {
  readonly version: number;
  readonly nodes: Record<string, { readonly symbols?: readonly DocSymbol[] }>;
}

/** One documented name and its declarations. */
export interface DocSymbol {
  readonly name: string;
  readonly declarations: readonly DocDeclaration[];
}

/** One declaration of a name. */
export interface DocDeclaration {
  readonly kind: string;
  readonly declarationKind?: string;
  // deno-lint-ignore no-explicit-any -- deno doc's JSON, read by shape below
  readonly def?: any;
}

// deno-lint-ignore no-explicit-any -- deno doc's JSON, read by shape below
type Node = any;

/** Type aliases longer than this put each member of a union on its own line. */
const LINE_WIDTH = 100;

/** The doc JSON format this normaliser reads. */
export const DOC_JSON_VERSION = 2;

/** Runs `deno doc --json` on one entry point (a path from the project root). */
export async function docJson(entry: string, root: URL = ROOT): Promise<DocJson> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`deno doc --json ${entry} failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** The surface of every entry point as the code stands. */
export async function currentSurface(
  entries: readonly string[] = ENTRY_POINTS,
  root: URL = ROOT,
): Promise<Surface> {
  const docs = await Promise.all(entries.map((entry) => docJson(entry, root)));
  const surface: Surface = {};
  entries.forEach((entry, index) => surface[entry] = normaliseDoc(docs[index]));
  return surface;
}

/** One entry point's doc JSON as its surface: the module's documented names, sorted. */
export function normaliseDoc(doc: DocJson): EntrySurface {
  if (doc.version !== DOC_JSON_VERSION) {
    throw new Error(
      `deno doc --json gave format version ${doc.version}; tests/api_surface.ts reads version ` +
        `${DOC_JSON_VERSION}. Update the normaliser, then run ${UPDATE_COMMAND}.`,
    );
  }
  const modules = Object.values(doc.nodes);
  if (modules.length !== 1) throw new Error(`expected one module, got ${modules.length}`);
  return normaliseSymbols(modules[0].symbols ?? []);
}

function normaliseSymbols(symbols: readonly DocSymbol[]): EntrySurface {
  const surface: Record<string, string[]> = {};
  for (const symbol of [...symbols].sort((a, b) => compare(a.name, b.name))) {
    const lines = surface[symbol.name] ??= [];
    lines.push(...declarationsLines(symbol.name, symbol.declarations));
  }
  return surface;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Overloads: when a function has signatures without a body, the one with the body is hidden. */
function visibleOverloads<T>(items: readonly T[], hasBody: (item: T) => boolean): T[] {
  return items.length > 1 && items.some((item) => !hasBody(item))
    ? items.filter((item) => !hasBody(item))
    : [...items];
}

function declarationsLines(name: string, declarations: readonly DocDeclaration[]): string[] {
  const functions = visibleOverloads(
    declarations.filter((declaration) => declaration.kind === "function"),
    (declaration) => declaration.def?.hasBody === true,
  );
  const lines: string[] = [];
  for (const declaration of declarations) {
    if (declaration.kind === "function" && !functions.includes(declaration)) continue;
    const declared = declarationLines(name, declaration);
    if (declaration.declarationKind === "private") declared[0] = `(not exported) ${declared[0]}`;
    lines.push(...declared);
  }
  return lines;
}

function declarationLines(name: string, declaration: DocDeclaration): string[] {
  const def = declaration.def ?? {};
  switch (declaration.kind) {
    case "function":
      return [`function ${name}${signature(def)}`];
    case "variable":
      return [`${def.kind ?? "const"} ${name}${def.tsType ? `: ${typeText(def.tsType)}` : ""}`];
    case "typeAlias": {
      const header = `type ${name}${typeParams(def.typeParams)} =`;
      const line = `${header} ${typeText(def.tsType)}`;
      // A long union gets a line per member, so that a change to one member is a one-line diff.
      if (line.length <= LINE_WIDTH || def.tsType?.kind !== "union") return [line];
      return [header, ...def.tsType.value.map((member: Node) => `  | ${typeText(member)}`)];
    }
    case "interface":
      return interfaceLines(name, def);
    case "class":
      return classLines(name, def);
    case "enum":
      return [
        `enum ${name}`,
        ...(def.members ?? []).map((member: Node) =>
          `  ${member.name}${member.init ? ` = ${typeText(member.init)}` : ""}`
        ),
      ];
    case "namespace": {
      const inner = normaliseSymbols(def.elements ?? []);
      return [
        `namespace ${name}`,
        ...Object.values(inner).flatMap((lines) => lines.map((line) => `  ${line}`)),
      ];
    }
    default:
      return [`${declaration.kind} ${name} ${stableJson(def)}`];
  }
}

function interfaceLines(name: string, def: Node): string[] {
  const extendsText = (def.extends ?? []).length
    ? ` extends ${def.extends.map(typeText).join(", ")}`
    : "";
  return [
    `interface ${name}${typeParams(def.typeParams)}${extendsText}`,
    ...sortedMembers(objectMembers(def)).map((line) => `  ${line}`),
  ];
}

function classLines(name: string, def: Node): string[] {
  let header = `${def.isAbstract ? "abstract " : ""}class ${name}${typeParams(def.typeParams)}`;
  if (def.extends) header += ` extends ${def.extends}${typeArguments(def.superTypeParams)}`;
  if ((def.implements ?? []).length) {
    header += ` implements ${def.implements.map(typeText).join(", ")}`;
  }
  const members: Member[] = [];
  for (const constructor of def.constructors ?? []) {
    if (constructor.accessibility === "private") continue;
    members.push({
      key: "",
      text: `${modifiers(constructor)}constructor(${params(constructor.params)})`,
    });
  }
  for (const property of def.properties ?? []) {
    if (property.accessibility === "private") continue;
    members.push({
      key: property.name,
      text: `${modifiers(property)}${property.readonly ? "readonly " : ""}${property.name}` +
        `${property.optional ? "?" : ""}${property.tsType ? `: ${typeText(property.tsType)}` : ""}`,
    });
  }
  const methods = (def.methods ?? []).filter((method: Node) => method.accessibility !== "private");
  const groups = new Map<string, Node[]>();
  for (const method of methods) {
    const key = `${method.isStatic ? "static " : ""}${method.kind} ${method.name}`;
    groups.set(key, [...groups.get(key) ?? [], method]);
  }
  for (const group of groups.values()) {
    for (const method of visibleOverloads(group, (item) => item.functionDef?.hasBody === true)) {
      members.push({
        key: method.name,
        text: `${modifiers(method)}${accessorPrefix(method.kind)}${method.name}` +
          `${method.optional ? "?" : ""}${signature(method.functionDef ?? {})}`,
      });
    }
  }
  for (const index of def.indexSignatures ?? []) {
    members.push({ key: "[", text: indexSignature(index) });
  }
  return [header, ...sortedMembers(members).map((line) => `  ${line}`)];
}

interface Member {
  /** Members sort by this (constructors and signatures first), then keep their source order. */
  readonly key: string;
  readonly text: string;
}

function sortedMembers(members: readonly Member[]): string[] {
  return members
    .map((member, index) => ({ member, index }))
    .sort((a, b) => compare(a.member.key, b.member.key) || a.index - b.index)
    .map(({ member }) => member.text);
}

/** The members of an interface or a type literal. */
function objectMembers(def: Node): Member[] {
  const members: Member[] = [];
  for (const constructor of def.constructors ?? []) {
    members.push({
      key: "",
      text: `new${typeParams(constructor.typeParams)}(${params(constructor.params)})` +
        `${constructor.returnType ? `: ${typeText(constructor.returnType)}` : ""}`,
    });
  }
  for (const call of def.callSignatures ?? []) {
    members.push({
      key: "(",
      text: `${typeParams(call.typeParams)}(${params(call.params)})` +
        `${call.tsType ? `: ${typeText(call.tsType)}` : ""}`,
    });
  }
  for (const index of def.indexSignatures ?? []) {
    members.push({ key: "[", text: indexSignature(index) });
  }
  for (const property of def.properties ?? []) {
    const name = property.computed ? `[${property.name}]` : property.name;
    members.push({
      key: property.name,
      text: `${property.readonly ? "readonly " : ""}${name}${property.optional ? "?" : ""}` +
        `${property.tsType ? `: ${typeText(property.tsType)}` : ""}`,
    });
  }
  for (const method of def.methods ?? []) {
    const name = method.computed ? `[${method.name}]` : method.name;
    members.push({
      key: method.name,
      text: `${accessorPrefix(method.kind)}${name}${method.optional ? "?" : ""}` +
        `${typeParams(method.typeParams)}(${params(method.params)})` +
        `${method.returnType ? `: ${typeText(method.returnType)}` : ""}`,
    });
  }
  return members;
}

function indexSignature(index: Node): string {
  return `${index.readonly ? "readonly " : ""}[${params(index.params)}]` +
    `${index.tsType ? `: ${typeText(index.tsType)}` : ""}`;
}

function modifiers(member: Node): string {
  let text = "";
  if (member.accessibility && member.accessibility !== "public") text += `${member.accessibility} `;
  if (member.isStatic) text += "static ";
  if (member.isAbstract) text += "abstract ";
  if (member.isOverride) text += "override ";
  return text;
}

function accessorPrefix(kind: string): string {
  return kind === "getter" ? "get " : kind === "setter" ? "set " : "";
}

/** `<T>(params): ReturnType` of a function definition. */
function signature(def: Node): string {
  return `${typeParams(def.typeParams)}(${params(def.params)})` +
    `${def.returnType ? `: ${typeText(def.returnType)}` : ""}`;
}

function typeParams(list: readonly Node[] | undefined): string {
  if (!list || list.length === 0) return "";
  return `<${
    list.map((param) =>
      `${param.name}${param.constraint ? ` extends ${typeText(param.constraint)}` : ""}` +
      `${param.default ? ` = ${typeText(param.default)}` : ""}`
    ).join(", ")
  }>`;
}

function typeArguments(list: readonly Node[] | undefined): string {
  return list && list.length > 0 ? `<${list.map(typeText).join(", ")}>` : "";
}

function params(list: readonly Node[] | undefined): string {
  return (list ?? []).map((param) => paramText(param)).join(", ");
}

function paramText(param: Node, defaulted = false): string {
  const type = param.tsType ? `: ${typeText(param.tsType)}` : "";
  const optional = param.optional || defaulted ? "?" : "";
  const access = `${param.accessibility ? `${param.accessibility} ` : ""}${
    param.readonly ? "readonly " : ""
  }`;
  switch (param.kind) {
    case "identifier":
      return `${access}${param.name}${optional}${type}`;
    case "assign":
      // A default value makes the parameter optional; the value itself is not part of the type.
      return paramText(param.left, true);
    case "rest":
      return `...${paramText(param.arg)}${type}`;
    case "object":
      return `{}${optional}${type}`;
    case "array":
      return `[]${optional}${type}`;
    default:
      return stableJson(param);
  }
}

/** A type as TypeScript text, from deno doc's type definition. */
export function typeText(type: Node): string {
  if (!type) return "unknown";
  const value = type.value;
  switch (type.kind) {
    case "keyword":
      return value;
    case "this":
      return "this";
    case "literal":
      return literalText(value);
    case "typeRef":
      return `${value.typeName}${typeArguments(value.typeParams)}`;
    case "union":
      return value.map(typeText).join(" | ");
    case "intersection":
      return value.map(typeText).join(" & ");
    case "array":
      return `${typeText(value)}[]`;
    case "tuple":
      return `[${value.map(typeText).join(", ")}]`;
    case "parenthesized":
      return `(${typeText(value)})`;
    case "rest":
      return `...${typeText(value)}`;
    case "optional":
      return `${typeText(value)}?`;
    case "typeOperator":
      return `${value.operator} ${typeText(value.tsType)}`;
    case "typeQuery":
      return `typeof ${typeof value === "string" ? value : stableJson(value)}`;
    case "indexedAccess":
      return `${value.readonly ? "readonly " : ""}${typeText(value.objType)}[${
        typeText(value.indexType)
      }]`;
    case "fnOrConstructor":
      return `${value.constructor ? "new " : ""}${typeParams(value.typeParams)}(${
        params(value.params)
      }) => ${typeText(value.tsType)}`;
    case "typeLiteral": {
      const members = sortedMembers(objectMembers(value ?? {}));
      return members.length ? `{ ${members.join("; ")} }` : "{}";
    }
    case "typePredicate": {
      const subject = value.param?.type === "this" ? "this" : value.param?.name;
      return `${value.asserts ? "asserts " : ""}${subject}${
        value.type ? ` is ${typeText(value.type)}` : ""
      }`;
    }
    case "conditional":
      return `${typeText(value.checkType)} extends ${typeText(value.extendsType)} ? ${
        typeText(value.trueType)
      } : ${typeText(value.falseType)}`;
    case "infer":
      return `infer ${typeParams([value.typeParam]).slice(1, -1)}`;
    case "mapped": {
      const readonly = value.readonly === true
        ? "readonly "
        : value.readonly
        ? `${value.readonly}readonly `
        : "";
      const optional = value.optional === true ? "?" : value.optional ? `${value.optional}?` : "";
      const param = value.typeParam;
      const as = value.nameType ? ` as ${typeText(value.nameType)}` : "";
      return `{ ${readonly}[${param.name} in ${typeText(param.constraint)}${as}]${optional}: ${
        typeText(value.tsType)
      } }`;
    }
    case "importType":
      return `import(${JSON.stringify(value.specifier)})${
        value.qualifier ? `.${value.qualifier}` : ""
      }${typeArguments(value.typeParams)}`;
    default:
      return `/* ${type.kind} */ ${stableJson(value)}`;
  }
}

function literalText(literal: Node): string {
  switch (literal.kind) {
    case "string":
      return JSON.stringify(literal.string);
    case "number":
      return String(literal.number);
    case "boolean":
      return String(literal.boolean);
    case "bigInt":
      return `${literal.string}n`;
    case "template":
      return "`" +
        (literal.tsTypes ?? []).map((part: Node) =>
          part.kind === "literal" && part.value?.kind === "string"
            ? part.value.string
            : "${" + typeText(part) + "}"
        ).join("") + "`";
    default:
      return stableJson(literal);
  }
}

/** JSON with sorted keys and without what does not belong to the API (locations, docs, paths). */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (key, inner) => {
    if (["location", "jsDoc", "resolution", "repr"].includes(key)) return undefined;
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => compare(a, b)));
    }
    return inner;
  }) ?? "undefined";
}

// --- the difference between two surfaces --------------------------------------------------------

/** One difference between two surfaces. */
export interface SurfaceChange {
  readonly entry: string;
  /** Undefined when a whole entry point was added or removed. */
  readonly name?: string;
  readonly change: "added" | "removed" | "changed";
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Every entry point, name and signature that differs between `before` and `after`. */
export function diffSurfaces(before: Surface, after: Surface): SurfaceChange[] {
  const changes: SurfaceChange[] = [];
  const entries = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compare);
  for (const entry of entries) {
    const old = before[entry];
    const now = after[entry];
    if (!old || !now) {
      const names = Object.keys(old ?? now ?? {});
      changes.push({
        entry,
        change: old ? "removed" : "added",
        before: old ? names : [],
        after: now ? names : [],
      });
      continue;
    }
    const names = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort(compare);
    for (const name of names) {
      if (!(name in now)) {
        changes.push({ entry, name, change: "removed", before: old[name], after: [] });
      } else if (!(name in old)) {
        changes.push({ entry, name, change: "added", before: [], after: now[name] });
      } else if (old[name].join("\n") !== now[name].join("\n")) {
        changes.push({ entry, name, change: "changed", before: old[name], after: now[name] });
      }
    }
  }
  return changes;
}

/** The lines of `before` and `after` as a unified list: `  ` kept, `- ` removed, `+ ` added. */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  // Longest common subsequence; the lists are one name's lines, so small.
  const rows = before.length + 1;
  const columns = after.length + 1;
  const lengths = new Uint32Array(rows * columns);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lengths[i * columns + j] = before[i] === after[j]
        ? lengths[(i + 1) * columns + j + 1] + 1
        : Math.max(lengths[(i + 1) * columns + j], lengths[i * columns + j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      out.push(`  ${before[i++]}`);
      j++;
    } else if (
      i < before.length &&
      (j === after.length || lengths[(i + 1) * columns + j] >= lengths[i * columns + j + 1])
    ) {
      out.push(`- ${before[i++]}`);
    } else {
      out.push(`+ ${after[j++]}`);
    }
  }
  return out;
}

/** The changes as text a reviewer reads: per entry point, added, removed and changed names. */
export function formatSurfaceDiff(changes: readonly SurfaceChange[]): string {
  if (changes.length === 0) return "The API surface matches the snapshot.";
  const out = [
    `The API surface differs from ${SNAPSHOT_PATH} (${changes.length} ` +
    `${changes.length === 1 ? "difference" : "differences"}):`,
  ];
  let entry: string | undefined;
  for (const change of changes) {
    if (change.name === undefined) {
      out.push("", `${change.change} entry point ${change.entry}`);
      entry = undefined;
      continue;
    }
    if (change.entry !== entry) {
      entry = change.entry;
      out.push("", entry);
    }
    out.push(`  ${change.change} ${change.name}`);
    const lines = change.change === "added"
      ? change.after.map((line) => `+ ${line}`)
      : change.change === "removed"
      ? change.before.map((line) => `- ${line}`)
      : lineDiff(change.before, change.after);
    out.push(...lines.map((line) => `      ${line}`));
  }
  out.push(
    "",
    `If the change is intended, update the snapshot with \`${UPDATE_COMMAND}\` and commit ` +
      `${SNAPSHOT_PATH} with it. Names in prelude.ts (and mod.ts) keep their meaning for the ` +
      "major version: a removed or changed name there is a breaking change.",
  );
  return out.join("\n");
}

// --- the snapshot file --------------------------------------------------------------------------

/** The snapshot file's text for a surface. */
export function renderSnapshot(surface: Surface): string {
  const snapshot: SurfaceSnapshot = {
    note: `Generated by ${UPDATE_COMMAND} from deno doc --json; checked by ` +
      "tests/api_surface_test.ts. Do not edit by hand.",
    entries: surface,
  };
  return JSON.stringify(snapshot, null, 2) + "\n";
}

/** The committed snapshot, or undefined when there is none yet. */
export async function readSnapshot(root: URL = ROOT): Promise<Surface | undefined> {
  try {
    const text = await Deno.readTextFile(new URL(SNAPSHOT_PATH, root));
    return (JSON.parse(text) as SurfaceSnapshot).entries;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** `deno task api-surface`: rewrites the snapshot and prints what changed. */
async function main(): Promise<void> {
  const before = await readSnapshot();
  const surface = await currentSurface();
  await Deno.writeTextFile(new URL(SNAPSHOT_PATH, ROOT), renderSnapshot(surface));
  const changes = diffSurfaces(before ?? {}, surface);
  const names = Object.values(surface).reduce((sum, entry) => sum + Object.keys(entry).length, 0);
  const report = changes.length === 0
    ? `${SNAPSHOT_PATH}: unchanged (${names} names in ${ENTRY_POINTS.length} entry points).`
    : `${formatSurfaceDiff(changes).split("\n\nIf the change")[0]}\n\n${SNAPSHOT_PATH} ` +
      `rewritten (${names} names in ${ENTRY_POINTS.length} entry points).`;
  await Deno.stdout.write(new TextEncoder().encode(report + "\n"));
}

if (import.meta.main) await main();
