import assert from "node:assert/strict";
import { metricsHandler } from "../../src/metrics/handler.ts";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { PrometheusServer, requireTools, toolTestOptions } from "./prometheus_server.ts";
import { sampleValue } from "./sample_lookup.ts";
import { runScriptedSession } from "./scripted_run.ts";

async function promtoolCheck(
  promtool: string,
  exposition: string,
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(promtool, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(exposition));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test({
  name: "promtool: the exposition of a client after a scripted run passes check metrics",
  ...toolTestOptions(["promtool"]),
  fn: async () => {
    const [promtool] = requireTools(["promtool"]);
    const run = await runScriptedSession();
    assert.match(run.exposition, /^kraken_ws_exchange_delay_seconds_bucket\{channel="trade",le=/m);
    assert.match(run.exposition, /^kraken_ws_gaps_total\{channel="book",reason="checksum"\} 1$/m);
    const { code, output } = await promtoolCheck(promtool, run.exposition);
    assert.equal(output, "", "no lint complaint");
    assert.equal(code, 0);
  },
});

Deno.test({
  name: "promtool: escaped label values and help text, and every kind of value, pass check metrics",
  ...toolTestOptions(["promtool"]),
  fn: async () => {
    const [promtool] = requireTools(["promtool"]);
    const registry = new MetricsRegistry();
    const counter = registry.counter({
      name: "escapes_total",
      help: 'Back\\slash, "quotes" and a\nline feed.',
      labelNames: ["value"],
    });
    for (const value of ['C:\\dir "quoted"\nnext', "€ 📈", "", "{}=,"]) {
      counter.labels({ value }).inc();
    }
    const gauge = registry.gauge({ name: "values", help: "Special values.", labelNames: ["kind"] });
    gauge.labels({ kind: "nan" }).set(NaN);
    gauge.labels({ kind: "inf" }).set(Infinity);
    gauge.labels({ kind: "minus_inf" }).set(-Infinity);
    gauge.labels({ kind: "tiny" }).set(1e-7);
    gauge.labels({ kind: "huge" }).set(1e21);
    registry.histogram({ name: "sizes_bytes", help: "Sizes.", buckets: [1e-7, 1, 1e21] })
      .observe(5);
    const { code, output } = await promtoolCheck(promtool, renderPrometheusText(registry));
    assert.equal(output, "");
    assert.equal(code, 0);
    // The check has teeth: a counter without `_total` is a lint complaint.
    const careless = new MetricsRegistry();
    careless.counter({ name: "frames", help: "Frames." }).inc();
    const complaint = await promtoolCheck(promtool, renderPrometheusText(careless));
    assert.notEqual(complaint.code, 0);
    assert.match(complaint.output, /_total/);
  },
});

Deno.test({
  name: "prometheus: a real server scrapes the endpoint and its query API returns what was counted",
  ...toolTestOptions(["prometheus"]),
  fn: async () => {
    requireTools(["prometheus"]);
    const run = await runScriptedSession();
    const frames = sampleValue(run.exposition, "kraken_ws_frames_received_total");
    assert.equal(frames, run.framesSent);
    const endpoint = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      metricsHandler(run.registry),
    );
    let prometheus: PrometheusServer | undefined;
    try {
      prometheus = await PrometheusServer.start({
        targets: [`127.0.0.1:${endpoint.addr.port}`],
      });
      const [scraped] = await prometheus.waitFor(
        "kraken_ws_frames_received_total",
        (samples) => samples.length === 1,
      );
      assert.equal(Number(scraped.value), frames);
      assert.equal(scraped.metric.job, "kraken_ws");
      const query = async (promql: string) => {
        const samples = await prometheus!.query(promql);
        assert.equal(samples.length, 1, promql);
        return Number(samples[0].value);
      };
      for (
        const series of [
          'kraken_ws_gaps_total{channel="book",reason="checksum"}',
          'kraken_ws_gaps_total{channel="trade",reason="sequence"}',
          'kraken_ws_reconnects_total{cause="close_1006"}',
          'kraken_ws_exchange_delay_seconds_count{channel="trade"}',
          "kraken_ws_received_bytes_total",
        ]
      ) {
        const counted = sampleValue(run.exposition, series);
        assert.ok(counted !== undefined && counted > 0, series);
        assert.equal(await query(series), counted, series);
      }
      // The median comes from the buckets: Prometheus read them as one histogram.
      const median = await query(
        'histogram_quantile(0.5, kraken_ws_exchange_delay_seconds_bucket{channel="trade"})',
      );
      assert.ok(median > 0.5 && median <= 1, `median ${median}`);
      assert.equal(await query('up{job="kraken_ws"}'), 1);
    } finally {
      await prometheus?.stop();
      await endpoint.shutdown();
    }
  },
});
