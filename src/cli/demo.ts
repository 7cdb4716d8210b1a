/**
 * `demo`: the project's first command on a fresh machine. It starts the local simulator, points
 * the client at it, shows the live view of three pairs, and throws faults while it runs, so the
 * viewer sees a resync and a reconnect happen and recover. `--live` shows Kraken itself instead.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { SYSTEM_CLOCK } from "../client/system_clock.ts";
import { KRAKEN_PUBLIC_URL } from "../client/kraken_ws.ts";
import { metricsHandler } from "../metrics/handler.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import type { FaultKind } from "../exchange/faults.ts";
import { KrakenSimulator } from "../sim/simulator.ts";
import { ArgumentList, numberValue } from "./arguments.ts";
import { type LiveViewOptions, runLiveView } from "./live_view.ts";
import type { MarketView } from "./market_view.ts";
import { renderSummary } from "./render_view.ts";
import { stdoutIsTerminal, writeStderr, writeStdout } from "./terminal.ts";
import { UsageError } from "./usage_error.ts";

/** Usage text of `demo`. */
export const DEMO_USAGE: string =
  `usage: demo [--seconds N] [--seed N] [--live] [--metrics-port N] [--no-color]

Starts the local Kraken simulator on 127.0.0.1 and the client against it, and shows the live view
of BTC/USD, ETH/USD and SOL/USD: verified books, last trades, the connection and its counters.
Faults are thrown while it runs (a corrupted checksum, a dropped link, a malformed frame, a lost
update, a maintenance notice) so you can watch the client resync and reconnect. Ends after
--seconds (default 20) or on Ctrl+C, with a summary.

  --live             the same view against Kraken itself (wss://ws.kraken.com/v2), no faults
  --seed N           the simulated market's seed (default 1)
  --metrics-port N   serve Prometheus metrics on http://127.0.0.1:N/metrics while it runs
                     (0 picks a free port)`;

/** The pairs the demo shows. */
const DEMO_SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"] as const;

/**
 * The faults the demo throws, each at a fraction of its run, with what the viewer should watch.
 *
 * @example
 * ```ts
 * import { DEMO_FAULTS } from "./demo.ts";
 * console.log(DEMO_FAULTS.map((fault) => fault.kind).join(", "));
 * ```
 */
export const DEMO_FAULTS: readonly {
  /** When, as a fraction of the run. */
  readonly at: number;
  /** What. */
  readonly kind: FaultKind;
  /** How long, for lasting faults. */
  readonly durationMs?: number;
  /** What the viewer sees. */
  readonly note: string;
}[] = [
  { at: 0.2, kind: "wrong_checksum", note: "fault: a corrupted checksum, the book resyncs" },
  { at: 0.4, kind: "drop_connection", note: "fault: the link dies with no close frame" },
  { at: 0.55, kind: "malformed_json", note: "fault: a malformed frame" },
  { at: 0.7, kind: "drop_update", note: "fault: the next book or trade update is lost" },
  {
    at: 0.8,
    kind: "maintenance",
    durationMs: 2000,
    note: "fault: Kraken announces maintenance for 2 s",
  },
];

/**
 * Parsed arguments of `demo`.
 *
 * @example
 * ```ts
 * import { parseDemoArgs } from "./demo.ts";
 * console.log(parseDemoArgs(["--seconds", "5"]).seconds); // 5
 * ```
 */
export interface DemoArgs {
  /** How long it runs. */
  readonly seconds: number;
  /** Seed of the simulated market. */
  readonly seed: number;
  /** Against Kraken itself. */
  readonly live: boolean;
  /** Where metrics are served, when asked. */
  readonly metricsPort: number | undefined;
  /** No ANSI colours. */
  readonly noColor: boolean;
}

/**
 * Parses `demo`'s arguments.
 *
 * @param args The arguments after `demo`.
 * @returns The parsed arguments.
 * @throws {UsageError} On anything malformed.
 *
 * @example
 * ```ts
 * import { parseDemoArgs } from "./demo.ts";
 * console.log(parseDemoArgs(["--live", "--metrics-port", "9464"]).metricsPort); // 9464
 * ```
 */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  let seconds = 20;
  let seed = 1;
  let live = false;
  let metricsPort: number | undefined;
  let noColor = false;
  const list = new ArgumentList(args);
  for (let argument = list.next(); argument !== undefined; argument = list.next()) {
    const flag = argument.flag;
    if (argument.positional) throw new UsageError(`unexpected argument ${flag}`);
    else if (flag === "--seconds") {
      seconds = numberValue(flag, list.value(argument), { whole: true, min: 1, max: 86_400 });
    } else if (flag === "--seed") {
      seed = numberValue(flag, list.value(argument), { whole: true, min: 0, max: 2 ** 32 - 1 });
    } else if (flag === "--metrics-port") {
      metricsPort = numberValue(flag, list.value(argument), { whole: true, min: 0, max: 65_535 });
    } else if (flag === "--live") {
      list.noValue(argument);
      live = true;
    } else if (flag === "--no-color") {
      list.noValue(argument);
      noColor = true;
    } else throw new UsageError(`unknown option ${flag}`);
  }
  return { seconds, seed, live, metricsPort, noColor };
}

/**
 * Where `demo` writes and what it runs on; the process's by default. Tests inject a virtual
 * clock and capture the screen.
 *
 * @example
 * ```ts
 * import type { DemoIo } from "./demo.ts";
 * const screens: string[] = [];
 * const io: DemoIo = { write: (text) => void screens.push(text) };
 * console.log(typeof io.write);
 * ```
 */
export interface DemoIo extends Pick<LiveViewOptions, "write" | "terminalSize" | "signal"> {
  /** Time and timers of the simulator, the client and the fault script. */
  readonly clock?: Clock;
  /** Receives usage errors and notices (default stderr). */
  readonly writeError?: (text: string) => void;
  /** Told the metrics URL once it listens. */
  readonly onMetrics?: (url: string) => void;
}

/**
 * Runs the demo.
 *
 * @param args The arguments after `demo`.
 * @param io Where it writes and what it runs on.
 * @returns 0 when it ran its time or was stopped, 1 when the connection ended for good, 2 on
 *   usage errors.
 *
 * @example
 * ```ts ignore
 * import { demoCommand } from "./demo.ts";
 * Deno.exit(await demoCommand(["--seconds", "20"]));
 * ```
 */
export async function demoCommand(args: readonly string[], io: DemoIo = {}): Promise<number> {
  const write = io.write ?? writeStdout;
  const writeError = io.writeError ?? writeStderr;
  let parsed: DemoArgs;
  try {
    parsed = parseDemoArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeError(`demo: ${error.message}\n\n${DEMO_USAGE}\n`);
    return 2;
  }
  const clock = io.clock ?? SYSTEM_CLOCK;
  const color = !parsed.noColor && io.write === undefined && stdoutIsTerminal() && !Deno.noColor;
  const registry = parsed.metricsPort === undefined ? undefined : new MetricsRegistry();
  const metricsServer = registry === undefined ? undefined : Deno.serve(
    { hostname: "127.0.0.1", port: parsed.metricsPort, onListen: () => {} },
    metricsHandler(registry),
  );
  if (metricsServer !== undefined) {
    const url = `http://127.0.0.1:${metricsServer.addr.port}/metrics`;
    writeError(`demo: metrics on ${url}\n`);
    io.onMetrics?.(url);
  }
  const simulator = parsed.live ? undefined : new KrakenSimulator({ seed: parsed.seed, clock });
  const interrupt = new AbortController();
  const onInterrupt = (): void => interrupt.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  const faultTimers: unknown[] = [];
  const thrown: FaultKind[] = [];
  try {
    const url = simulator === undefined ? KRAKEN_PUBLIC_URL : await simulator.start();
    let view: MarketView | undefined;
    if (simulator !== undefined) {
      for (const fault of DEMO_FAULTS) {
        faultTimers.push(clock.setTimeout(() => {
          if (!simulator.inject(fault.kind, { durationMs: fault.durationMs })) return;
          thrown.push(fault.kind);
          view?.note(clock.now(), "warning", fault.note);
        }, fault.at * parsed.seconds * 1000));
      }
    }
    const summary = await runLiveView({
      url,
      symbols: DEMO_SYMBOLS,
      depth: 10,
      seconds: parsed.seconds,
      signal: io.signal === undefined
        ? interrupt.signal
        : AbortSignal.any([interrupt.signal, io.signal]),
      color,
      title: parsed.live ? "kraken-ws demo: Kraken live" : `kraken-ws demo: simulator ${url}`,
      write: io.write,
      terminalSize: io.terminalSize,
      clock,
      metrics: registry,
      reconnect: { seed: parsed.seed },
      onUpdate: (current) => view = current,
    });
    write(renderSummary(summary, { title: "demo", color }).join("\n") + "\n");
    if (simulator !== undefined) {
      write(`faults thrown: ${thrown.length === 0 ? "none" : thrown.join(", ")}\n`);
    }
    return summary.ended === "seconds" || summary.ended === "aborted" ? 0 : 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    for (const timer of faultTimers) clock.clearTimeout(timer);
    await simulator?.close();
    await metricsServer?.shutdown();
  }
}
