/**
 * The live view and the Prometheus metrics count by one set of definitions: fed the same run, the
 * same word is the same number in both.
 */

import assert from "node:assert/strict";
import { MarketView } from "../../src/cli/market_view.ts";
import type { CountedGapReason } from "../../src/core/counted_events.ts";
import type { GapEvent, KrakenEvent } from "../../src/core/events.ts";
import type { KrakenWsTap } from "../../src/core/tap.ts";
import { ClientMetrics } from "../../src/metrics/client_metrics.ts";
import { renderPrometheusText } from "../../src/metrics/exposition.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { runSimulation } from "../../src/sim/simulation.ts";
import { runScriptedSession } from "../metrics/scripted_run.ts";
import { EventScript } from "./view_events.ts";

/** The counts both consumers keep, in the view's words. */
interface Counts {
  frames: number;
  resyncs: number;
  reconnects: number;
  decodeErrors: number;
  overflows: number;
  gaps: Record<CountedGapReason, number>;
}

/** A tap that hands the view everything the client reports. */
function viewTap(view: MarketView): KrakenWsTap {
  return {
    frame: (text, receivedAt) => view.frame(text, receivedAt),
    event: (event) => view.apply(event),
    overflow: (gap) => view.overflow(gap),
  };
}

function viewCounts(view: MarketView): Counts {
  const { frames, resyncs, reconnects, decodeErrors, overflows, gaps } = view.counters;
  return { frames, resyncs, reconnects, decodeErrors, overflows, gaps: { ...gaps } };
}

/** The sum of every series of `kraken_ws_${name}` whose labels include `labels`. */
function total(exposition: string, name: string, labels = ""): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    const cut = line.lastIndexOf(" ");
    const series = line.slice(0, cut);
    const metric = `kraken_ws_${name}`;
    if (series !== metric && !series.startsWith(`${metric}{`)) continue;
    if (series.includes(labels)) sum += Number(line.slice(cut + 1));
  }
  return sum;
}

function metricCounts(exposition: string): Counts {
  const gaps = (reason: CountedGapReason) => total(exposition, "gaps_total", `reason="${reason}"`);
  return {
    frames: total(exposition, "frames_received_total"),
    resyncs: total(exposition, "resyncs_total"),
    reconnects: total(exposition, "reconnects_total"),
    decodeErrors: total(exposition, "decode_errors_total"),
    overflows: total(exposition, "stream_overflows_total"),
    gaps: {
      checksum: gaps("checksum"),
      crossed: gaps("crossed"),
      sequence: gaps("sequence"),
      reconnect: gaps("reconnect"),
      resubscribe: gaps("resubscribe"),
      decode: gaps("decode"),
    },
  };
}

/** A MarketView and a ClientMetrics behind one tap: both see exactly the same run. */
function bothConsumers() {
  const view = new MarketView({ symbols: ["BTC/USD", "ETH/USD"] });
  const registry = new MetricsRegistry();
  const metrics = new ClientMetrics(registry);
  const forView = viewTap(view);
  const tap = {
    frame: (text: string, receivedAt: number) => {
      forView.frame?.(text, receivedAt);
      metrics.frame(text, receivedAt);
    },
    event: (event: KrakenEvent) => {
      forView.event?.(event);
      metrics.event(event);
    },
    overflow: (gap: GapEvent) => {
      forView.overflow?.(gap);
      metrics.overflow(gap);
    },
  };
  const exposition = () => renderPrometheusText(registry);
  return { view, tap, exposition };
}

Deno.test("counts: the view and the metrics fed one sequence agree, and say what README says", () => {
  const { view, tap, exposition } = bothConsumers();
  const s = new EventScript();
  for (let i = 0; i < 5; i++) tap.frame('{"channel":"heartbeat"}', i);
  const events: KrakenEvent[] = [
    s.connection("idle", "connecting", "subscribe"),
    s.connection("connecting", "backoff", "connect timeout"), // an attempt failed
    s.connection("backoff", "connecting", "retry"), // reconnect 1
    s.connection("connecting", "open", "opened"),
    s.connection("open", "live", "first frame"),
    s.subscription("book", "BTC/USD", "unsubscribed", "pending", "subscribe"),
    s.subscription("book", "BTC/USD", "pending", "awaiting_snapshot", "acknowledged"),
    s.subscription("book", "BTC/USD", "awaiting_snapshot", "synced", "snapshot"),
    s.gap({ reason: "checksum", channel: "book", symbol: "BTC/USD", expected: 1, computed: 2 }),
    s.subscription("book", "BTC/USD", "synced", "resyncing", "mismatch", 1), // resync 1
    s.subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acknowledged"),
    s.gap({ reason: "crossed", channel: "book", symbol: "BTC/USD" }),
    s.subscription("book", "BTC/USD", "awaiting_snapshot", "resyncing", "crossed", 2), // resync 2
    s.subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acknowledged"),
    s.subscription("book", "BTC/USD", "awaiting_snapshot", "synced", "snapshot"),
    s.error("decode", "invalid JSON"),
    s.gap({ reason: "decode", channel: "book", symbol: "BTC/USD" }),
    s.subscription("book", "BTC/USD", "synced", "resyncing", "undecodable frame"), // resync 3
    s.subscription("trade", "ETH/USD", "pending", "resyncing", "Already subscribed"), // resync 4
    s.subscription("book", "BTC/USD", "resyncing", "awaiting_snapshot", "acknowledged"),
    s.subscription("book", "BTC/USD", "awaiting_snapshot", "resyncing", "depth 25"), // resync 5
    s.subscription("trade", "ETH/USD", "resyncing", "synced", "acknowledged"),
    s.subscription("trade", "ETH/USD", "synced", "stale", "silent"), // not a resync
    s.gap({ reason: "resubscribe", channel: "trade", symbol: "ETH/USD", fromTime: 0, toTime: 1 }),
    s.error("decode", "frame too large"),
    s.gap({ reason: "decode" }),
    s.error("unknown", "unknown channel"),
    s.gap({
      reason: "sequence",
      channel: "trade",
      symbol: "ETH/USD",
      fromTradeId: 4,
      toTradeId: 5,
    }),
    s.connection("live", "backoff", "close 1006"),
    s.connection("backoff", "connecting", "retry"), // reconnect 2
    s.connection("connecting", "open", "opened"),
    s.connection("open", "live", "first frame"),
    s.gap({ reason: "reconnect", channel: "book", symbol: "BTC/USD", fromTime: 0, toTime: 9 }),
    s.gap({ reason: "reconnect", channel: "trade", symbol: "ETH/USD", fromTime: 0, toTime: 9 }),
    s.connection("live", "backoff", "stale"),
    s.connection("backoff", "closed", "user"), // lost, closed while backing off: no reconnect
  ];
  for (const event of events) tap.event(event);
  // Two streams fell behind; a reader of the book stream also gets its overflow gap, once.
  const bookOverflow = s.gap({ reason: "overflow", channel: "book", dropped: 3 });
  tap.overflow(bookOverflow);
  tap.event(bookOverflow);
  tap.overflow(s.gap({ reason: "overflow", dropped: 2 }));

  const expected: Counts = {
    frames: 5,
    resyncs: 5,
    reconnects: 2,
    decodeErrors: 2,
    overflows: 2,
    gaps: { checksum: 1, crossed: 1, sequence: 1, reconnect: 2, resubscribe: 1, decode: 2 },
  };
  assert.deepEqual(viewCounts(view), expected);
  const text = exposition();
  assert.deepEqual(metricCounts(text), expected);
  // The reconnect's label is why the connection went to the backoff the retry ended.
  assert.equal(total(text, "reconnects_total", 'cause="connect_timeout"'), 1);
  assert.equal(total(text, "reconnects_total", 'cause="close_1006"'), 1);
  assert.equal(total(text, "reconnects_total", 'cause="stale"'), 0);
  assert.equal(total(text, "connection_attempts_total"), 3, "the first and the two reconnects");
  assert.equal(total(text, "resyncs_total", 'symbol="ETH/USD"'), 1);
  assert.equal(total(text, "checksum_mismatches_total"), expected.gaps.checksum);
});

Deno.test("counts: a real client's view and its own metrics agree on a scripted run", async () => {
  const view = new MarketView({ symbols: ["BTC/USD", "ETH/USD"] });
  const run = await runScriptedSession(viewTap(view));
  const counts = viewCounts(view);
  assert.deepEqual(counts, metricCounts(run.exposition));
  // The run's checksum resync and its dropped link, each counted once.
  assert.equal(counts.resyncs, 1);
  assert.equal(counts.reconnects, 1);
  assert.equal(counts.frames, run.framesSent);
});

Deno.test("counts: the view and the metrics agree over seeded runs full of faults", async () => {
  const sums: Omit<Counts, "frames" | "overflows"> = {
    resyncs: 0,
    reconnects: 0,
    decodeErrors: 0,
    gaps: { checksum: 0, crossed: 0, sequence: 0, reconnect: 0, resubscribe: 0, decode: 0 },
  };
  for (let seed = 1; seed <= 20; seed++) {
    const { view, tap, exposition } = bothConsumers();
    // The session's events, exactly as it emitted them; the run itself is left as it was.
    await runSimulation({ seed, durationMs: 60_000, onEvent: (event) => tap.event(event) });
    const counts = viewCounts(view);
    assert.deepEqual(counts, metricCounts(exposition()), `seed ${seed}`);
    sums.resyncs += counts.resyncs;
    sums.reconnects += counts.reconnects;
    sums.decodeErrors += counts.decodeErrors;
    for (const reason of Object.keys(sums.gaps) as CountedGapReason[]) {
      sums.gaps[reason] += counts.gaps[reason];
    }
  }
  // The runs were not quiet: there was something to agree on.
  const seen = JSON.stringify(sums);
  assert.ok(sums.resyncs > 0 && sums.reconnects > 0 && sums.decodeErrors > 0, seen);
  assert.ok(sums.gaps.checksum > 0 && sums.gaps.reconnect > 0 && sums.gaps.decode > 0, seen);
  // Books resynced for more than checksums and crossings (undecodable frames naming them).
  assert.ok(sums.resyncs > sums.gaps.checksum + sums.gaps.crossed, seen);
});
