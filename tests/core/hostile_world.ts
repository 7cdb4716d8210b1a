/**
 * A seeded, hostile world around a {@link Session}: streams come and go, and the server answers
 * requests in any order, without `req_id`, twice or never, refuses them for any reason,
 * acknowledges books at depths not asked for, corrupts
 * books, sends frames that do not decode, drops the link and lets time run. For tests that must
 * hold whatever the wire does.
 *
 * @module
 */

import type { KrakenEvent } from "../../src/core/events.ts";
import type { Session, SessionEffect, SessionInput } from "../../src/core/session.ts";
import type { SubscriptionRequest } from "../../src/core/subscription.ts";
import { ServerBook, tradeFrame } from "./server_book.ts";
import { seededRandom } from "../fixtures.ts";

/** What one input did: its effects, or what it threw. */
export interface WorldStep {
  readonly input: SessionInput;
  readonly effects: readonly SessionEffect[];
  readonly error?: unknown;
}

interface Sent {
  readonly connection: number;
  readonly method: string;
  readonly reqId: number;
  readonly params: { channel: string; symbol: string[]; depth?: number; interval?: number };
}

const REQUESTS: readonly SubscriptionRequest[] = [
  { channel: "book", symbol: "BTC/USD", depth: 10 },
  { channel: "book", symbol: "BTC/USD", depth: 25 },
  { channel: "book", symbol: "ETH/USD", depth: 10 },
  { channel: "trade", symbol: "BTC/USD" },
  { channel: "trade", symbol: "XBT/USD" },
  { channel: "ticker", symbol: "BTC/USD", trigger: "trades" },
  { channel: "ohlc", symbol: "BTC/USD", interval: 1 },
  { channel: "ohlc", symbol: "BTC/USD", interval: 5 },
];

const ERRORS = [
  "Currency pair not supported",
  "Already subscribed",
  "Exceeded msg rate",
  "Subscription Not Found",
];

const TICKER =
  '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":63498.0,"bid_qty":1.5,"ask":63501.9,"ask_qty":0.25,"last":63500.1,"volume":912.5,"vwap":63100.4,"low":62000.0,"high":64000.0,"change":500.1,"change_pct":0.79,"timestamp":"2026-07-07T23:00:04.585581Z"}]}';

function candle(interval: number): string {
  return `{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":3000.1,"high":3010.5,"low":2990.0,"close":3005.2,"vwap":3001.7,"trades":42,"volume":12.5,"interval_begin":"2026-07-07T23:00:00.000000000Z","interval":${interval},"timestamp":"2026-07-07T24:00:00.000000Z"}]}`;
}

/**
 * Runs `steps` random moves of the world seeded `seed` against `session`, calling `observe` with
 * what each input did. An input that throws is reported and the world goes on.
 */
export function runHostileWorld(
  session: Session,
  seed: number,
  steps: number,
  observe: (step: WorldStep) => void,
): void {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let now = 0;
  let connection = 0;
  let opened = 0;
  const timers = new Map<string, number>();
  /** Each consumer still subscribed, and what it last asked for. */
  const consumers = new Map<number, SubscriptionRequest>();
  let nextConsumer = 0;
  let unanswered: Sent[] = [];
  const books = new Map<string, ServerBook>();
  let tradeId = 1;

  const book = (symbol: string): ServerBook => {
    let server = books.get(symbol);
    if (server === undefined || random() < 0.05) {
      server = new ServerBook(symbol, 10, symbol === "BTC/USD" ? 100 : 2000);
      books.set(symbol, server);
    }
    return server;
  };

  const feed = (input: SessionInput): void => {
    let effects: SessionEffect[];
    try {
      effects = session.handle(input, now);
    } catch (error) {
      observe({ input, effects: [], error });
      return;
    }
    observe({ input, effects });
    for (const effect of effects) {
      if (effect.type === "open") connection = effect.connection;
      else if (effect.type === "setTimer") timers.set(effect.id, now + effect.delayMs);
      else if (effect.type === "cancelTimer") timers.delete(effect.id);
      else if (effect.type === "send") {
        const sent: Omit<Sent, "connection"> = JSON.parse(effect.text);
        if (sent.method !== "ping") unanswered.push({ ...sent, connection: effect.connection });
      }
    }
  };

  const advance = (ms: number): void => {
    const until = now + ms;
    for (;;) {
      let next: [string, number] | undefined;
      for (const timer of timers) if (next === undefined || timer[1] < next[1]) next = timer;
      if (next === undefined || next[1] > until) break;
      now = Math.max(now, next[1]);
      timers.delete(next[0]);
      feed({ type: "timer", id: next[0] });
    }
    now = until;
  };

  const frame = (text: string): void => feed({ type: "frame", connection, text });

  const answer = (): void => {
    const open = unanswered.filter((request) => request.connection === connection);
    if (open.length === 0) return;
    const request = random() < 0.6 ? open[0] : pick(open);
    unanswered = unanswered.filter((other) => other !== request);
    const roll = random();
    const reqId = random() < 0.8 ? { req_id: request.reqId } : {};
    const symbol = request.params.symbol[0];
    if (roll < 0.1) return; // never answered
    if (roll < 0.7) {
      const { channel, interval } = request.params;
      // Now and then a book acknowledged at a depth it was not asked for: one the client refuses.
      const depth = request.params.depth !== undefined && random() < 0.05
        ? 1000
        : request.params.depth;
      const result = { channel, symbol, depth, interval };
      frame(JSON.stringify({ method: request.method, result, success: true, ...reqId }));
    } else {
      const error = pick(ERRORS);
      frame(JSON.stringify({ method: request.method, error, success: false, symbol, ...reqId }));
    }
    if (random() < 0.1) unanswered.push(request); // answered twice
  };

  const data = (): void => {
    const roll = random();
    const symbol = random() < 0.7 ? "BTC/USD" : "ETH/USD";
    if (roll < 0.2) frame(book(symbol).snapshot());
    else if (roll < 0.45) {
      frame(book(symbol).update(1 + Math.floor(random() * 50) / 10, random() < 0.1));
    } else if (roll < 0.48) frame(book(symbol).crossing());
    else if (roll < 0.5) {
      frame(`{"channel":"book","type":"update","data":[{"symbol":"${symbol}","bids":[{"price":`);
    } else if (roll < 0.52) frame("\u0000garbage");
    else if (roll < 0.7) {
      const jump = random();
      tradeId += jump < 0.1 ? -2 : jump < 0.2 ? 3 : 1;
      frame(tradeFrame(pick(["BTC/USD", "XBT/USD"]), tradeId, ++tradeId));
    } else if (roll < 0.78) frame(TICKER);
    else if (roll < 0.84) frame(candle(pick([1, 5])));
    else if (roll < 0.95) frame('{"channel":"heartbeat"}');
    else if (roll < 0.97) frame('{"method":"pong","req_id":0}');
    else {
      const system = random() < 0.7 ? "online" : "maintenance";
      frame(JSON.stringify({ channel: "status", type: "update", data: [{ system }] }));
    }
  };

  for (let step = 0; step < steps; step++) {
    const roll = random();
    if (roll < 0.1) {
      if (session.state === "closed") continue;
      const consumer = consumers.size > 0 && random() < 0.3
        ? pick([...consumers.keys()])
        : ++nextConsumer;
      const request = pick(REQUESTS);
      consumers.set(consumer, request);
      feed({ type: "subscribe", consumer, request });
    } else if (roll < 0.17) {
      if (consumers.size === 0) continue;
      const [consumer, request] = pick([...consumers]);
      consumers.delete(consumer);
      feed({ type: "unsubscribe", consumer });
      // Asked for again at once, the subscription may have two subscribes on the wire.
      if (random() < 0.4 && session.state !== "closed" && session.state !== "closing") {
        consumers.set(++nextConsumer, request);
        feed({ type: "subscribe", consumer: nextConsumer, request });
      }
    } else if (roll < 0.4) answer();
    else if (roll < 0.62) data();
    else if (roll < 0.85) {
      const scale = random();
      advance(Math.floor(random() * (scale < 0.5 ? 300 : scale < 0.9 ? 3000 : 20_000)));
    } else if (roll < 0.93) {
      if (connection > 0 && opened !== connection) {
        opened = connection;
        feed({ type: "opened", connection });
      }
    } else if (roll < 0.97) {
      // A closing socket lingers, so streams can leave while it closes.
      if (session.state === "closing" && random() < 0.8) continue;
      const code = random() < 0.01 ? 1008 : pick([1000, 1006, 1011]);
      feed({ type: "closed", connection, code, reason: random() < 0.5 ? "" : "bye" });
    } else if (roll < 0.985) {
      // A stop ends what the run can explore: it comes late, on a live link, some streams just
      // left, and the rest may leave while the socket closes, as a client's close() cancels them.
      if (step > steps * 0.8 && session.state === "live") {
        const leaving = [...consumers.keys()].filter(() => random() < 0.3);
        for (const consumer of leaving) {
          consumers.delete(consumer);
          feed({ type: "unsubscribe", consumer });
        }
        feed({ type: "stop" });
        if (random() < 0.5) {
          for (const [consumer] of consumers) feed({ type: "unsubscribe", consumer });
          consumers.clear();
        }
      }
    } else if (consumers.size > 0) {
      const channel = random() < 0.5 ? "book" : "trade";
      feed({ type: "overflow", consumer: pick([...consumers.keys()]), dropped: 1, channel });
    }
  }
}

/** The events `effects` emit. */
export function emitted(effects: readonly SessionEffect[]): KrakenEvent[] {
  return effects.flatMap((effect) => effect.type === "emit" ? [effect.event] : []);
}
