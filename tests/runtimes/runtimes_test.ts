/**
 * The bundled client in other runtimes: `deno bundle` makes one ES module of mod.ts, and the same
 * small program (`program.js`: validated books, trades through `pipeThrough`, `close()`) runs it
 * against the simulator in Node 22 and 24, Bun, workerd and headless Chromium, and in Deno too.
 * Each program must print its summary and then end by itself, soon, with code 0: a socket or a
 * timer the client left behind would keep it alive, and a hard deadline kills whatever hangs.
 *
 * The runtimes come from `.ci/run`: Node, Bun and workerd from npm into
 * `$KRAKEN_WS_RUNTIMES_DIR` (default `~/.cache/kraken-ws-runtimes`), Chromium from Debian. A
 * runtime that is not there is skipped, unless `KRAKEN_WS_REQUIRE_RUNTIMES=1` (set by `.ci/run`):
 * then it is a failure.
 */
import assert from "node:assert/strict";
import { KrakenSimulator } from "../../src/sim/mod.ts";

const HERE = new URL("./", import.meta.url);
const ROOT = new URL("../../", import.meta.url);
const REQUIRED = Deno.env.get("KRAKEN_WS_REQUIRE_RUNTIMES") === "1";
const RUNTIMES_DIR = Deno.env.get("KRAKEN_WS_RUNTIMES_DIR") ??
  `${Deno.env.get("HOME") ?? "/root"}/.cache/kraken-ws-runtimes`;
/** A program still running this long after it started is killed, and its test fails. */
const DEADLINE_MS = 30_000;
/**
 * How long a program may take to end once it has reported (they take milliseconds; Chromium
 * 150 ms). The client's shortest timer is 2 s (the close handshake's), so any socket or timer
 * left behind by `close()` keeps the program past this, and the test kills it and fails.
 */
const LINGER_MS = 1500;
/** The simulator's market at four times its usual pace: three trades come well within a second. */
const SIMULATOR = { seed: 1, stepMs: 25 } as const;
/** The files copied beside the bundle; `program.js` imports the bundle instead of mod.ts. */
const PROGRAM_FILES = ["program.js", "node_main.js", "worker.js", "browser_main.js"];
const SOURCE_IMPORT = `from "../../mod.ts";`;

/** A runtime found on this machine, or why it is not. */
type Found = { readonly path: string } | { readonly missing: string };

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/** `npm install` puts the binary at `relative` in the runtimes folder. */
function fromNpm(relative: string, what: string): Found {
  const path = `${RUNTIMES_DIR}/node_modules/${relative}`;
  return isFile(path) ? { path } : { missing: `${what} is not installed (no ${path})` };
}

/** Node of one major version: the npm package, else a `node` on PATH of that major. */
function findNode(major: number, relative: string): Found {
  const found = fromNpm(relative, `node ${major}`);
  if ("path" in found) return found;
  const path = onPath("node");
  if (path === undefined) return found;
  try {
    const output = new Deno.Command(path, { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    const version = new TextDecoder().decode(output.stdout).trim();
    return version.startsWith(`v${major}.`) ? { path } : found;
  } catch {
    return found;
  }
}

function findChromium(): Found {
  const path = onPath("chromium");
  return path === undefined
    ? { missing: "chromium is not installed (Debian's package chromium)" }
    : { path };
}

/** One Deno.test per runtime: skipped when the runtime is missing, failed if it is required. */
function runtimeTest(
  runtime: string,
  found: Found,
  body: (path: string) => Promise<void>,
): void {
  const name = `runtimes: the bundle runs in ${runtime}`;
  if ("missing" in found && !REQUIRED) {
    Deno.test({
      name: `${name} (skipped: ${found.missing}; .ci/run installs it)`,
      ignore: true,
      fn: () => {},
    });
    return;
  }
  Deno.test(name, async () => {
    if ("missing" in found) {
      assert.fail(
        `${found.missing}, and KRAKEN_WS_REQUIRE_RUNTIMES=1: the install in .ci/run failed`,
      );
    }
    await body(found.path);
  });
}

/** A temporary folder with the bundle of mod.ts and the program files beside it. */
async function workspace(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "kraken-ws-runtimes-" });
  const dispose = () => Deno.remove(dir, { recursive: true });
  try {
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform", "browser", "-o", `${dir}/kraken.js`, "mod.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
    assert.match(await Deno.readTextFile(`${dir}/kraken.js`), /\bKrakenWs\b/);
    for (const file of PROGRAM_FILES) {
      let text = await Deno.readTextFile(new URL(file, HERE));
      if (file === "program.js") {
        assert.equal(text.split(SOURCE_IMPORT).length, 2, "program.js imports mod.ts once");
        text = text.replace(SOURCE_IMPORT, `from "./kraken.js";`);
      }
      await Deno.writeTextFile(`${dir}/${file}`, text);
    }
    // Node reads .js files here as ES modules, like the bundle.
    await Deno.writeTextFile(`${dir}/package.json`, '{ "type": "module" }\n');
  } catch (error) {
    await dispose();
    throw error;
  }
  return { dir, [Symbol.asyncDispose]: dispose };
}

/** What a program did: how it ended, what it printed, and when. */
interface Outcome {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  /** Why the test killed it, if it did. */
  readonly killed: "deadline" | "lingered" | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the start to its report, if any. */
  readonly reportedMs: number | undefined;
  /** Milliseconds from the start to its end. */
  readonly endedMs: number;
}

/**
 * Runs a program to its end. It is killed if it has not ended by the deadline, or
 * {@link LINGER_MS} after it reported. Its report is its first JSON line on stdout, unless
 * `reported` says when it came some other way (the page's POST).
 */
async function runProgram(
  path: string,
  args: readonly string[],
  cwd: string,
  reported?: Promise<unknown>,
): Promise<Outcome> {
  const start = performance.now();
  const child = new Deno.Command(path, {
    args: [...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed: Outcome["killed"];
  let ended = false;
  const kill = (why: "deadline" | "lingered") => {
    if (ended || killed !== undefined) return;
    killed = why;
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
  };
  const deadline = setTimeout(() => kill("deadline"), DEADLINE_MS);
  let lingering: ReturnType<typeof setTimeout> | undefined;
  let reportedMs: number | undefined;
  const onReport = () => {
    if (reportedMs !== undefined || ended) return;
    reportedMs = performance.now() - start;
    lingering = setTimeout(() => kill("lingered"), LINGER_MS);
  };
  reported?.then(onReport);
  const stdout = readText(child.stdout, (text) => {
    if (reported === undefined && /^\{.*\}$/m.test(text)) onReport();
  });
  const stderr = readText(child.stderr, () => {});
  try {
    const status = await child.status;
    ended = true;
    const endedMs = performance.now() - start;
    return {
      code: status.code,
      signal: status.signal,
      killed,
      stdout: await stdout.end(),
      stderr: await stderr.end(),
      reportedMs,
      endedMs,
    };
  } finally {
    ended = true;
    clearTimeout(deadline);
    clearTimeout(lingering);
  }
}

/**
 * Reads a child's output as it comes. `end()`, once the child has ended, gives the text; should
 * a process it left behind hold the pipe open, it stops waiting after a second.
 */
function readText(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
): { end(): Promise<string> } {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const done = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
      onText(text);
    }
  })();
  return {
    async end() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = setTimeout(() => resolve("late"), 1000)
      );
      const result = await Promise.race([done, late]);
      clearTimeout(timer);
      if (result === "late") await reader.cancel();
      return text;
    },
  };
}

/** The last JSON line a program printed. */
function summaryLine(outcome: Outcome): Record<string, unknown> {
  const lines = outcome.stdout.split("\n").filter((line) => line.startsWith("{"));
  assert.ok(lines.length > 0, `no summary on stdout:\n${describe(outcome)}`);
  return JSON.parse(lines[lines.length - 1]);
}

function describe(outcome: Outcome): string {
  const tail = (text: string) => text.length > 4000 ? "…" + text.slice(-4000) : text;
  return [
    `code ${outcome.code}, signal ${outcome.signal}, killed: ${outcome.killed ?? "no"}`,
    `reported at ${outcome.reportedMs?.toFixed(0)} ms, ended at ${outcome.endedMs.toFixed(0)} ms`,
    `stdout:\n${tail(outcome.stdout)}`,
    `stderr:\n${tail(outcome.stderr)}`,
  ].join("\n");
}

/** It reported, then ended by itself, soon, with code 0. */
function assertEndedByItself(outcome: Outcome): void {
  const details = describe(outcome);
  assert.notEqual(outcome.killed, "deadline", `no end within ${DEADLINE_MS} ms:\n${details}`);
  assert.notEqual(
    outcome.killed,
    "lingered",
    `still running ${LINGER_MS} ms after its report: the client left something open:\n${details}`,
  );
  assert.equal(outcome.code, 0, `it failed:\n${details}`);
  assert.notEqual(outcome.reportedMs, undefined, `it reported nothing:\n${details}`);
}

/** The program's summary: three validated BTC/USD books, three trades, closed. */
function assertSummary(summary: Record<string, unknown>): void {
  const books = summary.books as { bid: string; ask: string; depth: number; checksum: number }[];
  assert.equal(books.length, 3, JSON.stringify(summary));
  for (const book of books) {
    assert.match(book.bid, /^\d+\.\d$/, "BTC/USD prices have one decimal, as printed");
    assert.match(book.ask, /^\d+\.\d$/);
    assert.ok(Number(book.bid) < Number(book.ask), `uncrossed: ${JSON.stringify(book)}`);
    assert.equal(book.depth, 10);
    assert.ok(Number.isInteger(book.checksum) && book.checksum >= 0);
  }
  const trades = summary.trades as string[];
  assert.equal(trades.length, 3, JSON.stringify(summary));
  for (const trade of trades) assert.match(trade, /^(buy|sell) \d+\.\d{8} @ \d+\.\d #\d+$/);
  assert.equal(summary.closed, true);
}

/**
 * Every connection the simulator saw was closed by the client's `close()`. The close handshake
 * may still be on its way, so it waits a little for it.
 */
async function assertConnectionsClosed(simulator: KrakenSimulator): Promise<void> {
  const until = performance.now() + 2000;
  while (simulator.connections.some((connection) => connection.open)) {
    if (performance.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const connections = simulator.connections;
  assert.ok(connections.length >= 1, "the program connected");
  assert.deepEqual(
    connections.filter((connection) => connection.open),
    [],
    "the client closed its connection",
  );
}

/** Runs `node_main.js` (Node, Bun, Deno) against a fresh simulator. */
async function runNodeLike(path: string, runtime: RegExp, extraArgs: string[] = []) {
  await using work = await workspace();
  await using simulator = new KrakenSimulator(SIMULATOR);
  const url = await simulator.start();
  const outcome = await runProgram(path, [...extraArgs, "node_main.js", url], work.dir);
  assertEndedByItself(outcome);
  const summary = summaryLine(outcome);
  assertSummary(summary);
  assert.match(String(summary.runtime), runtime);
  await assertConnectionsClosed(simulator);
}

runtimeTest("Node 22", findNode(22, "node22/bin/node"), (node) => runNodeLike(node, /^node 22\./));

runtimeTest("Node 24", findNode(24, "node/bin/node"), (node) => runNodeLike(node, /^node 24\./));

runtimeTest("Bun", fromNpm("bun/bin/bun.exe", "bun"), (bun) => runNodeLike(bun, /^bun \d/));

// Deno itself, on the bundle rather than the sources: always present.
runtimeTest(
  "Deno",
  { path: Deno.execPath() },
  (deno) => runNodeLike(deno, /^deno \d/, ["run", "--allow-net=127.0.0.1", "--no-prompt"]),
);

/**
 * workerd's config: the program as a module worker whose `test` handler `workerd test` runs, the
 * simulator's URL as a text binding, and an outbound network that reaches loopback (the default
 * one allows only public addresses).
 */
function workerdConfig(simulatorUrl: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "program.js", esModule = embed "program.js"),
    (name = "kraken.js", esModule = embed "kraken.js"),
  ],
  bindings = [(name = "SIM_URL", text = ${JSON.stringify(simulatorUrl)})],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
);
`;
}

runtimeTest("workerd", fromNpm("workerd/bin/workerd", "workerd"), async (workerd) => {
  await using work = await workspace();
  await using simulator = new KrakenSimulator(SIMULATOR);
  const url = await simulator.start();
  await Deno.writeTextFile(`${work.dir}/config.capnp`, workerdConfig(url));
  const outcome = await runProgram(workerd, ["test", "config.capnp"], work.dir);
  assertEndedByItself(outcome);
  assertSummary(summaryLine(outcome));
  assert.match(outcome.stderr, /PASS/, "workerd ran the test handler and it passed");
  await assertConnectionsClosed(simulator);
});

/** The page Chromium opens: the program's module script, beside the bundle. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>kraken-ws</title>
<script type="module" src="/browser_main.js"></script>
`;

runtimeTest("headless Chromium", findChromium(), async (chromium) => {
  await using work = await workspace();
  await using simulator = new KrakenSimulator(SIMULATOR);
  const url = await simulator.start();
  const posted = Promise.withResolvers<void>();
  let pageOutcome: string | undefined;
  let closedBeforeReport: Promise<void> | undefined;
  // Serves the page and the program's files, and takes the page's outcome.
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/result") {
        pageOutcome = await request.text();
        // Checked while the page is still open: closing the page would close its socket.
        closedBeforeReport = assertConnectionsClosed(simulator);
        await closedBeforeReport.catch(() => {});
        posted.resolve();
        return new Response("ok");
      }
      if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
      const file = path.slice(1);
      if (!PROGRAM_FILES.includes(file) && file !== "kraken.js") {
        return new Response("not found", { status: 404 });
      }
      return new Response(await Deno.readFile(`${work.dir}/${file}`), {
        headers: { "content-type": "text/javascript" },
      });
    },
  );
  const page = `http://127.0.0.1:${server.addr.port}/?sim=${encodeURIComponent(url)}`;
  const outcome = await runProgram(
    chromium,
    [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--enable-logging=stderr", // the page's console too, should it fail
      `--user-data-dir=${work.dir}/profile`,
      page,
    ],
    work.dir,
    posted.promise,
  );
  // Without a session bus Chromium logs D-Bus errors by the dozen: leave them out.
  const stderr = outcome.stderr.split("\n").filter((line) => !line.includes("dbus")).join("\n");
  const details = `${describe({ ...outcome, stderr })}\npage outcome: ${pageOutcome}`;
  assert.notEqual(pageOutcome, undefined, `the page reported nothing:\n${details}`);
  const result = JSON.parse(pageOutcome ?? "{}");
  assert.equal(result.ok, true, `the page failed:\n${details}`);
  assertEndedByItself({ ...outcome, stderr });
  assertSummary(result.summary);
  assert.match(String(result.summary.runtime), /HeadlessChrome\//);
  await closedBeforeReport;
});
