/**
 * A real Prometheus server for tests: Debian's `prometheus` started on 127.0.0.1 with a free
 * port, a temporary data directory and a generated config that scrapes the given targets every
 * second, and its HTTP query API. Also finds `promtool` and `prometheus` on PATH and decides
 * whether a test that needs them runs, fails or is ignored.
 *
 * @module
 */

/** CI sets this to 1, so that a missing Prometheus fails the build instead of skipping. */
const REQUIRE_VARIABLE = "KRAKEN_WS_REQUIRE_PROMETHEUS";

/** Waits between polls of the server; only ever paired with a bounded number of attempts. */
const POLL_INTERVAL_MS = 250;

/** The full path of `name` on PATH, if it is there. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const path = `${dir}/${name}`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Options for `Deno.test` of a test that needs `tools`: ignored when one is missing, unless
 * KRAKEN_WS_REQUIRE_PROMETHEUS=1, in which case the test runs and `requireTools` fails it.
 */
export function toolTestOptions(tools: readonly string[]): { ignore: boolean } {
  const missing = tools.some((tool) => findOnPath(tool) === undefined);
  return { ignore: missing && Deno.env.get(REQUIRE_VARIABLE) !== "1" };
}

/** The paths of `tools`, or an error that says which are missing and how to get them. */
export function requireTools(tools: readonly string[]): string[] {
  const found = tools.map((tool) => [tool, findOnPath(tool)] as const);
  const missing = found.filter(([, path]) => path === undefined).map(([tool]) => tool);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(" and ")} not found on PATH, and ${REQUIRE_VARIABLE}=1 requires them: ` +
        "install Debian's package (apt-get install -y --no-install-recommends prometheus)",
    );
  }
  return found.map(([, path]) => path!);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nothing listens on right now, found by binding port 0 and letting it go. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/** One sample of an instant query's vector result. */
export interface QuerySample {
  /** Its labels, with `__name__`, `job` and `instance`. */
  readonly metric: Record<string, string>;
  /** Its value, as Prometheus writes it (`"16"`, `"0.35"`, `"+Inf"`). */
  readonly value: string;
}

export interface PrometheusOptions {
  /** `host:port` of each endpoint to scrape. */
  readonly targets: readonly string[];
  /** Path of the metrics on each target (default `/metrics`). */
  readonly metricsPath?: string;
  /** Times to poll `/-/ready` before giving up (default 120, a quarter second apart). */
  readonly readyAttempts?: number;
}

/** A running Prometheus; `stop()` it in a `finally`. */
export class PrometheusServer {
  readonly #child: Deno.ChildProcess;
  readonly #status: Promise<Deno.CommandStatus>;
  readonly #logs: Promise<string[]>;
  readonly #dir: string;
  #exited = false;
  #stopped = false;

  /** Base URL of its HTTP API, like `http://127.0.0.1:PORT`. */
  readonly url: string;

  private constructor(child: Deno.ChildProcess, dir: string, url: string) {
    this.#child = child;
    this.#dir = dir;
    this.url = url;
    this.#status = child.status.then((status) => {
      this.#exited = true;
      return status;
    });
    // Read as it comes, so a chatty server never blocks on a full pipe.
    this.#logs = Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
  }

  /** Starts Prometheus scraping `targets` every second, and waits until it is ready. */
  static async start(options: PrometheusOptions): Promise<PrometheusServer> {
    const [binary] = requireTools(["prometheus"]);
    const dir = await Deno.makeTempDir({ prefix: "kraken-ws-prometheus-" });
    const port = freePort();
    const targets = options.targets.map((target) => JSON.stringify(target)).join(", ");
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: kraken_ws",
        `    metrics_path: ${JSON.stringify(options.metricsPath ?? "/metrics")}`,
        "    static_configs:",
        `      - targets: [${targets}]`,
        "",
      ].join("\n"),
    );
    const child = new Deno.Command(binary, {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = new PrometheusServer(child, dir, `http://127.0.0.1:${port}`);
    try {
      await server.#waitReady(options.readyAttempts ?? 120);
    } catch (error) {
      const logs = await server.stop();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
    return server;
  }

  async #waitReady(attempts: number): Promise<void> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.#exited) throw new Error("prometheus exited before it was ready");
      try {
        const response = await fetch(`${this.url}/-/ready`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await pause(POLL_INTERVAL_MS);
    }
    throw new Error(`prometheus was not ready after ${attempts} attempts`);
  }

  /** An instant query; its vector result. */
  async query(promql: string): Promise<QuerySample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = await response.json() as {
      status: string;
      error?: string;
      data?: {
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      };
    };
    if (body.status !== "success" || body.data?.resultType !== "vector") {
      throw new Error(`query ${promql} failed: ${body.error ?? JSON.stringify(body)}`);
    }
    return body.data.result.map((sample) => ({ metric: sample.metric, value: sample.value[1] }));
  }

  /**
   * Polls `promql` until `accept` holds for its result (a quarter second apart, at most
   * `attempts` times); the last result, or an error with it.
   */
  async waitFor(
    promql: string,
    accept: (samples: QuerySample[]) => boolean,
    attempts = 120,
  ): Promise<QuerySample[]> {
    let samples: QuerySample[] = [];
    for (let attempt = 0; attempt < attempts; attempt++) {
      samples = await this.query(promql);
      if (accept(samples)) return samples;
      await pause(POLL_INTERVAL_MS);
    }
    throw new Error(`${promql} gave ${JSON.stringify(samples)} after ${attempts} attempts`);
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL if it lingers) and removes its directory; returns
   * what it logged. Safe to call twice.
   */
  async stop(): Promise<string> {
    if (!this.#stopped) {
      this.#stopped = true;
      if (!this.#exited) this.#child.kill("SIGTERM");
      for (let attempt = 0; attempt < 40 && !this.#exited; attempt++) await pause(POLL_INTERVAL_MS);
      if (!this.#exited) this.#child.kill("SIGKILL");
      await this.#status;
      await Deno.remove(this.#dir, { recursive: true });
    }
    return (await this.#logs).join("");
  }
}
