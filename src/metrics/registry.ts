/**
 * The registry: the metrics of one process (or one client), created through it so that no two
 * can write the same line, and read together for an exposition.
 *
 * @module
 */

import type { Collectable, CollectedMetric } from "./collected.ts";
import { Counter } from "./counter.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";
import type { MetricOptions } from "./metric_options.ts";
import type { ClientTapSource, KrakenWsTap } from "../core/tap.ts";
import { ClientMetrics } from "./client_metrics.ts";

/**
 * Creates and holds counters, gauges and histograms. Names are checked at creation: an invalid
 * metric or label name, or a name another metric already writes (`x_count` beside a histogram
 * `x`, say), is a `RangeError` there and then. {@link MetricsRegistry.collect} reads them all,
 * ordered by name, so the same state always gives the same exposition.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "@kraken-ws/sdk";
 * import { renderPrometheusText } from "@kraken-ws/sdk/extended";
 *
 * const registry = new MetricsRegistry();
 * const gaps = registry.counter({
 *   name: "gaps_total",
 *   help: "Data lost.",
 *   labelNames: ["reason"],
 * });
 * gaps.labels({ reason: "checksum" }).inc();
 * console.log(renderPrometheusText(registry));
 * // # HELP gaps_total Data lost.
 * // # TYPE gaps_total counter
 * // gaps_total{reason="checksum"} 1
 * ```
 */
export class MetricsRegistry implements ClientTapSource {
  #clientMetrics: ClientMetrics | undefined;
  readonly #metrics = new Map<string, Collectable>();
  /** Every family and sample name in use, so no two metrics write the same line. */
  readonly #takenNames = new Set<string>();

  /**
   * Creates a counter.
   *
   * @param options Name, help and label names.
   * @returns The counter.
   */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter(options));
  }

  /**
   * Creates a gauge.
   *
   * @param options Name, help and label names.
   * @returns The gauge.
   */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(new Gauge(options));
  }

  /**
   * Creates a histogram.
   *
   * @param options Name, help, label names and buckets.
   * @returns The histogram.
   */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram(options));
  }

  /**
   * The client metrics of this registry (metric names start with `kraken_ws_`): one set per
   * registry, so every client given it counts into the same series, and a client made again
   * (after a close for good) counts on where the last one stopped.
   *
   * @returns The tap a client counts through.
   */
  clientTap(): KrakenWsTap {
    this.#clientMetrics ??= new ClientMetrics(this);
    return this.#clientMetrics;
  }

  /**
   * Reads every metric, ordered by name.
   *
   * @returns The metrics as they are now.
   */
  collect(): CollectedMetric[] {
    return [...this.#metrics.keys()].sort().map((name) => this.#metrics.get(name)!.collect());
  }

  #add<M extends Collectable>(metric: M): M {
    const names = [metric.name, ...metric.sampleNames];
    const clash = names.find((name) => this.#takenNames.has(name));
    if (clash !== undefined) {
      throw new RangeError(`metric name ${JSON.stringify(clash)} is already in use`);
    }
    for (const name of names) this.#takenNames.add(name);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}
