import assert from "node:assert/strict";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { DEMO_FAULTS, demoCommand, type DemoIo } from "../../src/cli/demo.ts";
import { PrometheusServer, requireTools, toolTestOptions } from "../metrics/prometheus_server.ts";
import { sampleValue } from "../metrics/sample_lookup.ts";

/** Yields to the event loop so socket reads and writes can complete. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Strips ANSI escapes: what a viewer reads. */
function plain(text: string): string {
  // deno-lint-ignore no-control-regex -- escape codes are what is stripped
  return text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
}

/** The demo on a virtual clock, moved 50 ms at a time with the sockets drained in between. */
function startDemo(args: string[], io: Omit<DemoIo, "clock" | "write"> = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  let screen = "";
  const errors: string[] = [];
  let exit: number | undefined;
  const finished = demoCommand(args, {
    ...io,
    clock,
    write: (text) => void (screen += text),
    writeError: (text) => void errors.push(text),
    terminalSize: () => ({ columns: 140, rows: 45 }),
  }).then((code) => exit = code);
  const advance = async (ms: number) => {
    for (let elapsed = 0; elapsed < ms && exit === undefined; elapsed += 50) {
      clock.advance(50);
      for (let i = 0; i < 8; i++) await turn();
    }
  };
  return {
    clock,
    screen: () => plain(screen),
    errors,
    advance,
    exit: () => exit,
    finished,
  };
}

Deno.test("demo: the viewer sees faults thrown, a resync and a reconnect, and the recovery", async () => {
  const demo = startDemo(["--seconds", "20", "--seed", "3"]);
  while (demo.exit() === undefined) await demo.advance(1000);
  await demo.finished;
  assert.equal(demo.exit(), 0);
  const screen = demo.screen();
  for (const fault of DEMO_FAULTS) assert.ok(screen.includes(fault.note), fault.note);
  assert.match(screen, /gap checksum book/);
  assert.match(screen, /synced -> resyncing \(mismatch/);
  assert.match(screen, /resyncing -> awaiting_snapshot|awaiting_snapshot -> synced \(snapshot\)/);
  assert.match(screen, /backoff \(close 1006\)/);
  assert.match(screen, /gap reconnect/);
  // The summary: counters of what happened, every pair's book in sync at the end.
  const summary = screen.slice(screen.lastIndexOf("demo: ran 20.0 s"));
  assert.match(summary, /reconnects 1/);
  assert.match(summary, /resyncs [1-9]/);
  for (const symbol of ["BTC/USD", "ETH/USD", "SOL/USD"]) {
    assert.match(summary, new RegExp(`${symbol.replace("/", "\\/")} .*book synced`));
  }
  assert.match(
    summary,
    /faults thrown: wrong_checksum, drop_connection, malformed_json, drop_update, maintenance/,
  );
});

Deno.test("demo: bad arguments are a clear message and exit 2", async () => {
  for (
    const args of [["--seconds"], ["--seconds", "x"], ["--seconds", "0"], ["--bogus"], [
      "--metrics-port",
      "70000",
    ]]
  ) {
    const errors: string[] = [];
    const code = await demoCommand(args, { writeError: (text) => void errors.push(text) });
    assert.equal(code, 2, args.join(" "));
    assert.match(errors[0], /^demo: /);
  }
});

Deno.test({
  name: "demo: a real Prometheus scrapes --metrics-port and returns what the client counted",
  ...toolTestOptions(["prometheus"]),
  fn: async () => {
    requireTools(["prometheus"]);
    let metricsUrl: string | undefined;
    const stop = new AbortController();
    const demo = startDemo(["--seconds", "60", "--metrics-port", "0"], {
      signal: stop.signal,
      onMetrics: (url) => metricsUrl = url,
    });
    // Past the dropped link (at 40 % of the run), then hold still: the counters stop moving.
    await demo.advance(30_000);
    assert.ok(metricsUrl !== undefined);
    const exposition = await (await fetch(metricsUrl)).text();
    const frames = sampleValue(exposition, "kraken_ws_frames_received_total");
    const reconnects = sampleValue(exposition, 'kraken_ws_reconnects_total{cause="close_1006"}');
    const checksums = sampleValue(
      exposition,
      'kraken_ws_gaps_total{channel="book",reason="checksum"}',
    );
    assert.ok(frames !== undefined && frames > 100, `${frames} frames`);
    assert.equal(reconnects, 1);
    assert.ok(checksums !== undefined && checksums >= 1);
    const prometheus = await PrometheusServer.start({ targets: [new URL(metricsUrl).host] });
    try {
      const value = (samples: { value: string }[]) =>
        samples.length === 1 ? Number(samples[0].value) : NaN;
      await prometheus.waitFor(
        "kraken_ws_frames_received_total",
        (samples) => value(samples) === frames,
      );
      await prometheus.waitFor(
        'kraken_ws_reconnects_total{cause="close_1006"}',
        (samples) => value(samples) === 1,
      );
      await prometheus.waitFor(
        'kraken_ws_gaps_total{channel="book",reason="checksum"}',
        (samples) => value(samples) === checksums,
      );
      await prometheus.waitFor(
        'kraken_ws_connection_state{state="live"}',
        (samples) => value(samples) === 1,
      );
    } finally {
      await prometheus.stop();
      stop.abort();
      await demo.finished;
    }
    assert.equal(demo.exit(), 0);
    // The view counted the same frames the metrics did.
    assert.match(demo.screen(), new RegExp(`frames ${frames},`));
  },
});

Deno.test("demo: output that is not a terminal gets the log as lines, with no screen codes", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../src/cli/main.ts", import.meta.url).pathname,
      "demo",
      "--seconds",
      "3",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0);
  const text = new TextDecoder().decode(output.stdout);
  assert.ok(!text.includes("\x1b"), "no escape codes");
  assert.match(text, /^ +\+0\.0s {2}connection idle -> connecting \(subscribe\)$/m);
  assert.match(text, /\+\d\.\ds {2}fault: a corrupted checksum, the book resyncs$/m);
  assert.match(text, /\+\d\.\ds {2}gap checksum book /m);
  // Real time on a loaded machine may overrun by a tick: the point is that it ended by seconds.
  assert.match(text, /^demo: ran 3\.\d s, ended by seconds$/m);
});
