import assert from "node:assert/strict";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";

Deno.test("registry: a small registry gives exactly the expected text", () => {
  const registry = new MetricsRegistry();
  const gaps = registry.counter({
    name: "app_gaps_total",
    help: "Data lost.",
    labelNames: ["channel", "reason"],
  });
  const up = registry.gauge({ name: "app_up", help: "1 while running." });
  const delay = registry.histogram({
    name: "app_delay_seconds",
    help: "Delay.",
    labelNames: ["channel"],
    buckets: [0.1, 1],
  });
  registry.counter({ name: "app_frames_total", help: "Frames." });
  gaps.labels({ channel: "trade", reason: "sequence" }).inc(2);
  gaps.labels({ channel: "book", reason: "checksum" }).inc();
  up.set(1);
  delay.labels({ channel: "trade" }).observe(0.05);
  delay.labels({ channel: "trade" }).observe(0.1); // on a bound: counted in that bucket
  delay.labels({ channel: "trade" }).observe(7);
  delay.labels({ channel: "book" }).observe(0.5);
  assert.equal(
    renderPrometheusText(registry),
    [
      "# HELP app_delay_seconds Delay.",
      "# TYPE app_delay_seconds histogram",
      'app_delay_seconds_bucket{channel="book",le="0.1"} 0',
      'app_delay_seconds_bucket{channel="book",le="1"} 1',
      'app_delay_seconds_bucket{channel="book",le="+Inf"} 1',
      'app_delay_seconds_sum{channel="book"} 0.5',
      'app_delay_seconds_count{channel="book"} 1',
      'app_delay_seconds_bucket{channel="trade",le="0.1"} 2',
      'app_delay_seconds_bucket{channel="trade",le="1"} 2',
      'app_delay_seconds_bucket{channel="trade",le="+Inf"} 3',
      'app_delay_seconds_sum{channel="trade"} 7.15',
      'app_delay_seconds_count{channel="trade"} 3',
      "# HELP app_frames_total Frames.",
      "# TYPE app_frames_total counter",
      "app_frames_total 0",
      "# HELP app_gaps_total Data lost.",
      "# TYPE app_gaps_total counter",
      'app_gaps_total{channel="book",reason="checksum"} 1',
      'app_gaps_total{channel="trade",reason="sequence"} 2',
      "# HELP app_up 1 while running.",
      "# TYPE app_up gauge",
      "app_up 1",
      "",
    ].join("\n"),
  );
});

Deno.test("registry: label values and help text are escaped as the text format says", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter({
    name: "escapes_total",
    help: 'A back\\slash, a "quote" and a\nline feed.',
    labelNames: ["value"],
  });
  counter.labels({ value: 'C:\\dir "quoted"\nnext' }).inc();
  counter.labels({ value: "€ and 📈" }).inc();
  assert.equal(
    renderPrometheusText(registry),
    '# HELP escapes_total A back\\\\slash, a "quote" and a\\nline feed.\n' +
      "# TYPE escapes_total counter\n" +
      'escapes_total{value="C:\\\\dir \\"quoted\\"\\nnext"} 1\n' +
      'escapes_total{value="€ and 📈"} 1\n',
  );
});

Deno.test("registry: histogram buckets are cumulative, end in +Inf, and default to Prometheus' own", () => {
  const registry = new MetricsRegistry();
  const histogram = registry.histogram({ name: "latency_seconds", help: "Latency." });
  assert.deepEqual(
    histogram.buckets,
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  for (const value of [0.001, 0.005, 0.3, 0.3, 11, -1]) histogram.observe(value);
  const samples = histogram.collect().samples;
  const buckets = samples.filter((sample) => sample.name === "latency_seconds_bucket");
  assert.deepEqual(
    buckets.map((sample) => [sample.labels[0][1], sample.value]),
    [
      ["0.005", 3],
      ["0.01", 3],
      ["0.025", 3],
      ["0.05", 3],
      ["0.1", 3],
      ["0.25", 3],
      ["0.5", 5],
      ["1", 5],
      ["2.5", 5],
      ["5", 5],
      ["10", 5],
      ["+Inf", 6],
    ],
  );
  const sum = samples.find((sample) => sample.name === "latency_seconds_sum");
  assert.equal(sum?.value, 0.001 + 0.005 + 0.3 + 0.3 + 11 - 1);
  const count = samples.find((sample) => sample.name === "latency_seconds_count");
  assert.equal(count?.value, 6);
  // An explicit +Inf bound is the one that is always there.
  const explicit = registry.histogram({ name: "sizes", help: "Sizes.", buckets: [1, Infinity] });
  assert.deepEqual(explicit.buckets, [1]);
  assert.throws(() => histogram.observe(NaN), RangeError);
});

Deno.test("registry: invalid names throw a RangeError at creation", () => {
  const registry = new MetricsRegistry();
  for (const name of ["", "1frames", "frames-total", "frames total", "främes", "frames{}"]) {
    assert.throws(() => registry.counter({ name, help: "x" }), RangeError, `metric ${name}`);
  }
  for (const labelNames of [["1a"], ["a-b"], ["a:b"], ["__reserved"], ["a", "a"], [""]]) {
    assert.throws(
      () => registry.gauge({ name: "g", help: "x", labelNames }),
      RangeError,
      `labels ${labelNames}`,
    );
  }
  assert.throws(
    () => registry.histogram({ name: "h", help: "x", labelNames: ["le"] }),
    RangeError,
  );
  for (const buckets of [[1, 1], [2, 1], [NaN], [-Infinity, 0], [1, Infinity, 2]]) {
    assert.throws(() => registry.histogram({ name: "h", help: "x", buckets }), RangeError);
  }
  // Names that are fine: colons in metric names, `le` outside histograms, one leading underscore.
  registry.counter({ name: "job:frames:rate5m", help: "x", labelNames: ["le", "_private"] });
});

Deno.test("registry: two metrics can never write the same line", () => {
  const registry = new MetricsRegistry();
  registry.histogram({ name: "delay_seconds", help: "x" });
  registry.counter({ name: "frames_total", help: "x" });
  assert.throws(() => registry.gauge({ name: "frames_total", help: "x" }), RangeError);
  assert.throws(() => registry.counter({ name: "delay_seconds_count", help: "x" }), RangeError);
  assert.throws(() => registry.gauge({ name: "delay_seconds", help: "x" }), RangeError);
  assert.throws(() => registry.histogram({ name: "delay_seconds_bucket", help: "x" }), RangeError);
  // Writes frames_bucket, frames_sum and frames_count: nothing frames_total writes.
  registry.histogram({ name: "frames", help: "x" });
});

Deno.test("registry: the output order depends on names and label values, not on use", () => {
  const render = (order: number[]) => {
    const registry = new MetricsRegistry();
    const make = [
      () => registry.counter({ name: "b_total", help: "b", labelNames: ["k"] }),
      () => registry.counter({ name: "a_total", help: "a", labelNames: ["k"] }),
      () => registry.counter({ name: "c_total", help: "c", labelNames: ["k"] }),
    ];
    const counters = order.map((index) => make[index]());
    const values = ["z", "a", "B", "a b", "10", "9", "é"];
    for (const counter of counters) {
      for (const value of order[0] === 0 ? values : [...values].reverse()) {
        counter.labels({ k: value }).inc();
      }
    }
    return renderPrometheusText(registry);
  };
  const first = render([0, 1, 2]);
  assert.equal(render([2, 1, 0]), first);
  assert.equal(render([1, 0, 2]), first);
  const names = [...first.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]);
  assert.deepEqual(names, ["a_total", "b_total", "c_total"]);
  const values = [...first.matchAll(/^a_total\{k="([^"]*)"\}/gm)].map((match) => match[1]);
  assert.deepEqual(values, ["10", "9", "B", "a", "a b", "z", "é"]);
});

Deno.test("registry: label sets must match the label names, and counters only go up", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter({ name: "c_total", help: "c", labelNames: ["a", "b"] });
  assert.throws(() => counter.labels({ a: "1" } as { a: string; b: string }), RangeError);
  assert.throws(
    () => counter.labels({ a: "1", b: "2", c: "3" } as { a: string; b: string }),
    RangeError,
  );
  assert.throws(() => counter.labels({ a: "1", b: 2 } as unknown as { a: string; b: string }));
  assert.throws(() => counter.labels({ a: "lone \ud800", b: "x" }), RangeError);
  assert.throws(() => counter.inc(), RangeError, "a labeled counter needs its labels");
  const series = counter.labels({ a: "1", b: "2" });
  assert.equal(
    counter.labels({ b: "2", a: "1" }),
    series,
    "the same series, whatever the key order",
  );
  for (const amount of [-1, NaN, Infinity]) assert.throws(() => series.inc(amount), RangeError);
  series.inc(0.5);
  assert.equal(series.value, 0.5);
  // Values that a plain join would confuse stay apart.
  counter.labels({ a: "x,y", b: "" }).inc();
  counter.labels({ a: "x", b: "y," }).inc(2);
  assert.equal(counter.labels({ a: "x,y", b: "" }).value, 1);
});

Deno.test("registry: gauges go both ways and write NaN and the infinities as Prometheus reads them", () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge({ name: "g", help: "g", labelNames: ["k"] });
  gauge.labels({ k: "a" }).inc(5);
  gauge.labels({ k: "a" }).dec(7);
  gauge.labels({ k: "b" }).set(NaN);
  gauge.labels({ k: "c" }).set(Infinity);
  gauge.labels({ k: "d" }).set(-Infinity);
  gauge.labels({ k: "e" }).set(1e-7);
  const plain = registry.gauge({ name: "plain", help: "p" });
  plain.set(3);
  assert.equal(plain.value, 3);
  assert.equal(
    renderPrometheusText(registry),
    "# HELP g g\n# TYPE g gauge\n" +
      'g{k="a"} -2\ng{k="b"} NaN\ng{k="c"} +Inf\ng{k="d"} -Inf\ng{k="e"} 1e-7\n' +
      "# HELP plain p\n# TYPE plain gauge\nplain 3\n",
  );
  assert.equal(renderPrometheusText(new MetricsRegistry()), "");
});
