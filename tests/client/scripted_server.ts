/**
 * A scripted Kraken v2 server on 127.0.0.1 for the client's loopback tests. It speaks WebSocket
 * (RFC 6455) over raw TCP, so it can also do what no WebSocket API allows: drop a connection with
 * no close frame, which the client sees as 1006, as when a proxy dies.
 *
 * @module
 */

export interface Received {
  readonly method: string;
  readonly req_id: number;
  readonly params?: { channel: string; symbol?: string[]; depth?: number; snapshot?: boolean };
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126
    ? [0x80 | opcode, length]
    : length < 65536
    ? [0x80 | opcode, 126, length >> 8, length & 0xff]
    : [
      0x80 | opcode,
      127,
      0,
      0,
      0,
      0,
      (length >>> 24) & 0xff,
      (length >>> 16) & 0xff,
      (length >>> 8) & 0xff,
      length & 0xff,
    ];
  return concat(new Uint8Array(header), payload);
}

/** One accepted connection, seen from the server. */
export class ServerConnection {
  readonly received: Received[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
  #open = false;
  #resolveOpened!: () => void;
  #resolveClosed!: () => void;
  #listeners: ((message: Received) => void)[] = [];
  #waiters: { predicate: (message: Received) => boolean; resolve: (message: Received) => void }[] =
    [];
  #writes: Promise<unknown> = Promise.resolve();
  #closeSent = false;
  #tcpClosed = false;

  constructor(readonly conn: Deno.Conn, readonly index: number) {
    this.opened = new Promise((resolve) => this.#resolveOpened = resolve);
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /** Calls `listener` with every message the client sends. */
  onMessage(listener: (message: Received) => void): void {
    this.#listeners.push(listener);
  }

  /** Resolves with the `skip`-th message (already received or to come) that matches. */
  waitFor(predicate: (message: Received) => boolean, skip = 0): Promise<Received> {
    const matches = this.received.filter(predicate);
    if (matches.length > skip) return Promise.resolve(matches[skip]);
    let seen = matches.length;
    return new Promise((resolve) => {
      this.#waiters.push({ predicate: (message) => predicate(message) && seen++ >= skip, resolve });
    });
  }

  #write(bytes: Uint8Array): void {
    this.#writes = this.#writes.then(async () => {
      if (this.#tcpClosed) return;
      let written = 0;
      try {
        while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
      } catch {
        // The peer went away; the read loop notices.
      }
    });
  }

  send(message: unknown): void {
    if (!this.#open || this.#closeSent) return;
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.#write(frame(0x1, encoder.encode(text)));
  }

  /**
   * Acknowledges `symbols` of a request (default: all), one answer per symbol as Kraken does; a
   * request naming no symbol (`instrument`) gets one answer naming none.
   */
  ack(request: Received, symbols: readonly string[] = request.params!.symbol ?? []): void {
    const params = request.params!;
    if (params.symbol === undefined) {
      this.send({
        method: request.method,
        result: request.method === "subscribe"
          ? { channel: params.channel, snapshot: params.snapshot ?? true }
          : { channel: params.channel },
        success: true,
        req_id: request.req_id,
        time_in: "2026-01-01T00:00:00.000000Z",
        time_out: "2026-01-01T00:00:00.000001Z",
      });
      return;
    }
    for (const symbol of symbols) {
      const result: Record<string, unknown> = { channel: params.channel, symbol };
      if (params.depth !== undefined) result.depth = params.depth;
      this.send({
        method: request.method,
        result,
        success: true,
        req_id: request.req_id,
        time_in: "2026-01-01T00:00:00.000000Z",
        time_out: "2026-01-01T00:00:00.000001Z",
      });
    }
  }

  /** Refuses a request; `echoReqId: false` gives Kraken's documented shape, with no `req_id`. */
  /** Refuses `symbols` of a request (default: all), one answer per symbol as Kraken does. */
  reject(
    request: Received,
    error: string,
    echoReqId = true,
    symbols: readonly string[] = request.params?.symbol ?? [],
  ): void {
    for (const symbol of symbols) {
      this.send({
        error,
        method: request.method,
        success: false,
        symbol,
        ...(echoReqId ? { req_id: request.req_id } : {}),
        time_in: "2026-01-01T00:00:00.000000Z",
        time_out: "2026-01-01T00:00:00.000001Z",
      });
    }
  }

  /** A clean close: a close frame with `code`, then the TCP connection once the client answers. */
  close(code: number, reason = ""): void {
    if (!this.#open || this.#closeSent) return;
    this.#closeSent = true;
    const reasonBytes = encoder.encode(reason);
    const payload = new Uint8Array(2 + reasonBytes.length);
    payload[0] = code >> 8;
    payload[1] = code & 0xff;
    payload.set(reasonBytes, 2);
    this.#write(frame(0x8, payload));
  }

  /** Drops the TCP connection with no close frame: the client sees 1006. */
  drop(): void {
    this.#closeTcp();
  }

  #closeTcp(): void {
    if (this.#tcpClosed) return;
    this.#tcpClosed = true;
    this.#open = false;
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async run(): Promise<void> {
    let buffer: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    const fill = async (): Promise<boolean> => {
      let count: number | null = null;
      try {
        count = await this.conn.read(chunk);
      } catch {
        count = null;
      }
      if (count === null) return false;
      buffer = concat(buffer, chunk.subarray(0, count));
      return true;
    };
    try {
      // Handshake.
      let end = -1;
      while ((end = decoder.decode(buffer).indexOf("\r\n\r\n")) < 0) if (!await fill()) return;
      const head = decoder.decode(buffer.subarray(0, end));
      buffer = buffer.subarray(end + 4);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
      const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
      const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
      this.#write(encoder.encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      ));
      await this.#writes;
      this.#open = true;
      this.#resolveOpened();
      // Frames.
      let message: Uint8Array = new Uint8Array(0);
      for (;;) {
        while (buffer.length < 2) if (!await fill()) return;
        const fin = (buffer[0] & 0x80) !== 0;
        const opcode = buffer[0] & 0x0f;
        let length = buffer[1] & 0x7f;
        let offset = 2;
        const need = async (bytes: number) => {
          while (buffer.length < bytes) if (!await fill()) return false;
          return true;
        };
        if (length === 126) {
          if (!await need(4)) return;
          length = (buffer[2] << 8) | buffer[3];
          offset = 4;
        } else if (length === 127) {
          if (!await need(10)) return;
          length = (buffer[6] << 24 >>> 0) + (buffer[7] << 16) + (buffer[8] << 8) + buffer[9];
          offset = 10;
        }
        const masked = (buffer[1] & 0x80) !== 0;
        const maskOffset = offset;
        if (masked) offset += 4;
        if (!await need(offset + length)) return;
        const payload = buffer.slice(offset, offset + length);
        if (masked) {
          for (let i = 0; i < payload.length; i++) payload[i] ^= buffer[maskOffset + (i % 4)];
        }
        buffer = buffer.subarray(offset + length);
        if (opcode === 0x8) {
          if (!this.#closeSent) {
            this.#closeSent = true;
            this.#write(frame(0x8, payload.subarray(0, 2)));
          }
          await this.#writes;
          return;
        }
        if (opcode === 0x9) {
          this.#write(frame(0xa, payload));
          continue;
        }
        if (opcode !== 0x1 && opcode !== 0x0) continue;
        message = concat(message, payload);
        if (!fin) continue;
        const parsed = JSON.parse(decoder.decode(message)) as Received;
        message = new Uint8Array(0);
        this.received.push(parsed);
        for (const listener of this.#listeners) listener(parsed);
        for (const waiter of [...this.#waiters]) {
          if (waiter.predicate(parsed)) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
            waiter.resolve(parsed);
          }
        }
      }
    } finally {
      await this.#writes;
      this.#closeTcp();
      this.#resolveOpened();
      this.#resolveClosed();
    }
  }
}

export type ConnectionHandler = (connection: ServerConnection) => void;

export const STATUS_FRAME =
  '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":4421894013101914413}]}';

/** Kraken's `instrument` snapshot of BTC/USD (price 1 decimal, qty 8) and ETH/USD (2, 8). */
export const INSTRUMENT_SNAPSHOT =
  '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled",' +
  '"precision":10,"precision_display":5,"borrowable":true,"collateral_value":1.0,' +
  '"margin_rate":0.01},{"id":"ETH","status":"enabled","precision":10,"precision_display":5,' +
  '"borrowable":true,"collateral_value":1.0,"margin_rate":0.02},{"id":"USD","status":"enabled",' +
  '"precision":4,"precision_display":2,"borrowable":true,"collateral_value":1.0,' +
  '"margin_rate":0.015}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD",' +
  '"status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,' +
  '"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,' +
  '"price_increment":0.1,"qty_min":0.0001},{"symbol":"ETH/USD","base":"ETH","quote":"USD",' +
  '"status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":2,' +
  '"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,' +
  '"price_increment":0.01,"qty_min":0.002}]}}';

/**
 * Sends the status frame on open; acknowledges every subscribe and unsubscribe, and follows an
 * `instrument` subscribe with {@link INSTRUMENT_SNAPSHOT}, as Kraken does; answers pings.
 */
export const AUTO_ACK: ConnectionHandler = (connection: ServerConnection): void => {
  connection.opened.then(() => connection.send(STATUS_FRAME));
  connection.onMessage((message) => {
    if (message.method === "subscribe" || message.method === "unsubscribe") connection.ack(message);
    if (message.method === "subscribe" && message.params?.channel === "instrument") {
      connection.send(INSTRUMENT_SNAPSHOT);
    }
    if (message.method === "ping") connection.send({ method: "pong", req_id: message.req_id });
  });
};

export class ScriptedServer {
  readonly connections: ServerConnection[] = [];
  readonly #listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  readonly #runs: Promise<void>[] = [];
  readonly #accepting: Promise<void>;
  readonly #waiters: (() => void)[] = [];

  private constructor(handler: ConnectionHandler) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.#accepting = (async () => {
      try {
        for await (const conn of listener) {
          const connection = new ServerConnection(conn, this.connections.length);
          this.connections.push(connection);
          handler(connection);
          this.#runs.push(connection.run());
          for (const waiter of this.#waiters.splice(0)) waiter();
        }
      } catch {
        // The listener was closed.
      }
    })();
  }

  static start(handler: ConnectionHandler = AUTO_ACK): ScriptedServer {
    return new ScriptedServer(handler);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#listener.addr.port}/v2`;
  }

  /** Resolves with connection `index` once it is accepted and its handshake is done. */
  async connection(index: number): Promise<ServerConnection> {
    while (this.connections.length <= index) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    await this.connections[index].opened;
    return this.connections[index];
  }

  async close(): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    for (const connection of this.connections) connection.close(1001, "server shutdown");
    await Promise.all(this.#runs);
  }
}
