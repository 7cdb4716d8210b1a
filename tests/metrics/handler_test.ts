import assert from "node:assert/strict";
import { metricsHandler } from "../../src/metrics/handler.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";

function registryWithOneCounter() {
  const registry = new MetricsRegistry();
  const frames = registry.counter({ name: "frames_total", help: "Frames." });
  return { registry, frames };
}

Deno.test("handler: GET serves the exposition as it is at that moment, in format 0.0.4", async () => {
  const { registry, frames } = registryWithOneCounter();
  const handler = metricsHandler(registry);
  frames.inc(2);
  const first = handler(new Request("http://localhost/metrics"));
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(
    await first.text(),
    "# HELP frames_total Frames.\n# TYPE frames_total counter\nframes_total 2\n",
  );
  frames.inc();
  const second = handler(new Request("http://localhost/any/path"));
  assert.match(await second.text(), /^frames_total 3$/m);
});

Deno.test("handler: HEAD gets the headers and no body", () => {
  const { registry } = registryWithOneCounter();
  const response = metricsHandler(registry)(
    new Request("http://localhost/metrics", { method: "HEAD" }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(response.body, null);
});

Deno.test("handler: any other method is 405 with Allow", async () => {
  const { registry } = registryWithOneCounter();
  const handler = metricsHandler(registry);
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const response = handler(new Request("http://localhost/metrics", { method }));
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    assert.equal(await response.text(), "method not allowed\n");
  }
});
