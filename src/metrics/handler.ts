/**
 * The `/metrics` endpoint as a fetch-style handler, to mount in `Deno.serve` or any server that
 * speaks `Request` and `Response`.
 *
 * @module
 */

import { PROMETHEUS_TEXT_CONTENT_TYPE, renderPrometheusText } from "./exposition.ts";
import type { MetricsRegistry } from "./registry.ts";

/**
 * A handler that answers `GET` (and `HEAD`) with the registry's exposition, read at that moment,
 * and any other method with 405. It does not look at the path: mount it where you want it.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "@kraken-ws/sdk";
 * import { metricsHandler } from "@kraken-ws/sdk";
 *
 * const registry = new MetricsRegistry();
 * registry.gauge({ name: "up", help: "1 while running." }).set(1);
 * const handler = metricsHandler(registry);
 * const response = handler(new Request("http://localhost/metrics"));
 * console.log(response.status, await response.text()); // 200 "# HELP up 1 while running. …"
 * // In a server: Deno.serve({ port: 9464 }, handler);
 * ```
 *
 * @param registry The metrics to serve.
 * @returns The handler.
 */
export function metricsHandler(registry: MetricsRegistry): (request: Request) => Response {
  return (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", {
        status: 405,
        headers: { "allow": "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      });
    }
    const headers = { "content-type": PROMETHEUS_TEXT_CONTENT_TYPE, "cache-control": "no-store" };
    // HEAD answers with the headers only: reading every metric for nothing is wasted work.
    if (request.method === "HEAD") return new Response(null, { headers });
    return new Response(renderPrometheusText(registry), { headers });
  };
}
