/**
 * Runs a {@link Session} in virtual time and records every effect: the driver of the core tests.
 *
 * @module
 */

import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import {
  Session,
  type SessionEffect,
  type SessionInput,
  type SessionOptions,
} from "../../src/core/session.ts";
import type { SubscriptionRequest, UnkeyedRequest } from "../../src/core/subscription.ts";
import type { TradingOutcome } from "../../src/core/trading.ts";

/** A request the session sent, parsed. */
export interface SentRequest {
  readonly connection: number;
  readonly at: number;
  readonly method: string;
  readonly reqId: number;
  readonly params?: Record<string, unknown> & { channel: string; symbol?: string[] };
}

export class SessionHarness {
  readonly clock = new VirtualClock();
  readonly session: Session;
  readonly sent: SentRequest[] = [];
  readonly events: KrakenEvent[] = [];
  /** Events addressed to one consumer's stream (they are in `events` too). */
  readonly addressed: { readonly consumer: number; readonly event: KrakenEvent }[] = [];
  readonly opens: { connection: number; at: number }[] = [];
  readonly closes: { connection: number; code: number; reason: string; at: number }[] = [];
  /** Trading requests settled, by the driver's number. */
  readonly settled: { id: number; outcome: TradingOutcome; at: number }[] = [];
  /** Fresh tokens asked for, by connection. */
  readonly tokenRequests: number[] = [];
  /** Every text sent, as sent. */
  readonly texts: string[] = [];
  readonly #timers = new Map<string, unknown>();
  #consumer = 0;

  constructor(options: Partial<SessionOptions> = {}) {
    this.session = new Session({ url: "ws://test", seed: 1, ...options });
  }

  input(input: SessionInput): void {
    this.apply(this.session.handle(input, this.clock.now()));
  }

  apply(effects: SessionEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case "open":
          this.opens.push({ connection: effect.connection, at: this.clock.now() });
          break;
        case "close":
          this.closes.push({ ...effect, at: this.clock.now() });
          break;
        case "fetchToken":
          this.tokenRequests.push(effect.connection);
          break;
        case "settle":
          this.settled.push({ id: effect.id, outcome: effect.outcome, at: this.clock.now() });
          break;
        case "send": {
          this.texts.push(effect.text);
          const parsed = JSON.parse(effect.text);
          this.sent.push({
            connection: effect.connection,
            at: this.clock.now(),
            method: parsed.method,
            reqId: parsed.req_id,
            params: parsed.params,
          });
          break;
        }
        case "setTimer": {
          const previous = this.#timers.get(effect.id);
          if (previous !== undefined) this.clock.clearTimeout(previous);
          const id = effect.id;
          this.#timers.set(
            id,
            this.clock.setTimeout(() => {
              this.#timers.delete(id);
              this.input({ type: "timer", id });
            }, effect.delayMs),
          );
          break;
        }
        case "cancelTimer": {
          const handle = this.#timers.get(effect.id);
          if (handle !== undefined) this.clock.clearTimeout(handle);
          this.#timers.delete(effect.id);
          break;
        }
        case "emit":
          this.events.push(effect.event);
          if (effect.consumer !== undefined) {
            this.addressed.push({ consumer: effect.consumer, event: effect.event });
          }
          break;
      }
    }
  }

  /** Timer ids currently set. */
  get timers(): string[] {
    return [...this.#timers.keys()].sort();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  subscribe(
    request: SubscriptionRequest | UnkeyedRequest,
    consumer = ++this.#consumer,
  ): number {
    this.input({ type: "subscribe", consumer, request });
    return consumer;
  }

  unsubscribe(consumer: number): void {
    this.input({ type: "unsubscribe", consumer });
  }

  get connection(): number {
    return this.session.connection;
  }

  opened(token?: string): void {
    this.input(
      token === undefined
        ? { type: "opened", connection: this.connection }
        : { type: "opened", connection: this.connection, token },
    );
  }

  frame(message: unknown): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.input({ type: "frame", connection: this.connection, text });
  }

  serverClose(code: number, reason = ""): void {
    this.input({ type: "closed", connection: this.connection, code, reason });
  }

  /** Opens the socket and sends Kraken's status frame: the connection goes live. */
  goLive(token?: string): void {
    this.opened(token);
    this.frame(STATUS_ONLINE);
  }

  /** Requests sent on the current connection, optionally of one method. */
  requests(method?: string): SentRequest[] {
    return this.sent.filter((request) =>
      request.connection === this.connection && (method === undefined || request.method === method)
    );
  }

  /** Answers every unanswered subscribe/unsubscribe of the current connection with success. */
  ackAll(): void {
    for (const request of this.requests()) {
      if (request.method === "ping" || this.#answered.has(request.reqId)) continue;
      this.ack(request);
    }
  }

  readonly #answered = new Set<number>();

  /**
   * Acknowledges `symbols` of a request (default: all), one answer per symbol as Kraken does; a
   * request naming no symbol (`instrument`) gets one answer naming none.
   */
  ack(request: SentRequest, symbols: readonly string[] = request.params!.symbol ?? []): void {
    this.#answered.add(request.reqId);
    const params = request.params!;
    if (params.symbol === undefined) {
      const result = request.method === "subscribe"
        ? { channel: params.channel, snapshot: params.snapshot ?? true }
        : { channel: params.channel };
      this.frame({ method: request.method, result, success: true, req_id: request.reqId });
      return;
    }
    for (const symbol of symbols) {
      const result: Record<string, unknown> = { channel: params.channel, symbol };
      if (params.depth !== undefined) result.depth = params.depth;
      this.frame({ method: request.method, result, success: true, req_id: request.reqId });
    }
  }

  /**
   * Refuses `symbols` of a request (default: all), one answer per symbol; with `symbols` empty,
   * one answer naming no symbol, for the whole request.
   */
  reject(
    request: SentRequest,
    error: string,
    symbols: readonly string[] = request.params?.symbol ?? [],
  ): void {
    this.#answered.add(request.reqId);
    const answer = { method: request.method, error, success: false, req_id: request.reqId };
    if (symbols.length === 0) this.frame(answer);
    for (const symbol of symbols) this.frame({ ...answer, symbol });
  }

  eventsOf<T extends KrakenEvent["type"]>(type: T): Extract<KrakenEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<KrakenEvent, { type: T }> =>
      event.type === type
    );
  }

  connectionStates(): string[] {
    return this.eventsOf("state").filter((event) => event.scope === "connection")
      .map((event) => event.to);
  }
}

export const STATUS_ONLINE = {
  channel: "status",
  type: "update",
  data: [{ api_version: "v2", connection_id: 1, system: "online", version: "2.0.10" }],
};
