/**
 * A TCP relay in front of the simulator's HTTP server. No WebSocket API can drop a connection
 * without a close frame (Deno's server sends one even for 1006), yet that is what a dying proxy
 * does to Kraken's clients; cutting the relay's two TCP connections does exactly that.
 *
 * @module
 */

/**
 * One client connection carried through the relay.
 *
 * @example
 * ```ts ignore
 * import { TcpRelay } from "./tcp_relay.ts";
 * const relay = TcpRelay.listen({ hostname: "127.0.0.1", port: 0 }, 8080);
 * relay.byInnerPort(54321)?.drop(); // the client sees its link die, with no close frame
 * ```
 */
export class RelayedConnection {
  readonly #outer: Deno.Conn;
  readonly #inner: Deno.Conn;
  #closed = false;
  /** Settles when both directions have stopped. */
  readonly done: Promise<void>;

  /**
   * Starts carrying bytes both ways.
   *
   * @param outer The client's connection.
   * @param inner The connection to the server behind the relay.
   */
  constructor(outer: Deno.Conn, inner: Deno.Conn) {
    this.#outer = outer;
    this.#inner = inner;
    const carry = (from: Deno.Conn, to: Deno.Conn) =>
      from.readable.pipeTo(to.writable).catch(() => {
        // A side that went away ends both directions below.
      }).finally(() => this.drop());
    this.done = Promise.all([carry(outer, inner), carry(inner, outer)]).then(() => {});
  }

  /** The local port of the relay's connection to the server: how the server tells us apart. */
  get innerPort(): number {
    return (this.#inner.localAddr as Deno.NetAddr).port;
  }

  /** Cuts both TCP connections at once: no close frame reaches the client. */
  drop(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [this.#outer, this.#inner]) {
      try {
        conn.close();
      } catch {
        // Already closed by the pipe that ended first.
      }
    }
  }
}

/**
 * Listens on a public address and relays each connection to a server on loopback.
 *
 * @example
 * ```ts ignore
 * import { TcpRelay } from "./tcp_relay.ts";
 * const relay = TcpRelay.listen({ hostname: "127.0.0.1", port: 0 }, 8080);
 * console.log(relay.port);
 * await relay.close();
 * ```
 */
export class TcpRelay {
  readonly #listener: Deno.Listener;
  readonly #targetPort: number;
  readonly #connections = new Map<number, RelayedConnection>();
  readonly #accepting: Promise<void>;
  readonly #admit: () => boolean;
  #closing = false;

  private constructor(listener: Deno.Listener, targetPort: number, admit: () => boolean) {
    this.#listener = listener;
    this.#targetPort = targetPort;
    this.#admit = admit;
    this.#accepting = this.#accept();
  }

  /**
   * Starts relaying.
   *
   * @param address Where clients connect.
   * @param targetPort The port of the server on 127.0.0.1.
   * @param admit Asked for each new connection; a refused one is cut at once, as when the
   *   server behind is down.
   * @returns The relay.
   */
  static listen(
    address: { hostname: string; port: number },
    targetPort: number,
    admit: () => boolean = () => true,
  ): TcpRelay {
    return new TcpRelay(Deno.listen({ ...address, transport: "tcp" }), targetPort, admit);
  }

  /** The public port. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /**
   * The relayed connection whose inner side has this local port.
   *
   * @param port The server's view of the peer port.
   * @returns The connection, if it is still carried.
   */
  byInnerPort(port: number): RelayedConnection | undefined {
    return this.#connections.get(port);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let outer: Deno.Conn;
      try {
        outer = await this.#listener.accept();
      } catch {
        return; // The listener was closed.
      }
      if (!this.#admit()) {
        outer.close();
        continue;
      }
      let inner: Deno.Conn;
      try {
        inner = await Deno.connect({ hostname: "127.0.0.1", port: this.#targetPort });
      } catch {
        outer.close();
        continue;
      }
      if (this.#closing) {
        outer.close();
        inner.close();
        return;
      }
      const relayed = new RelayedConnection(outer, inner);
      const port = relayed.innerPort;
      this.#connections.set(port, relayed);
      relayed.done.then(() => this.#connections.delete(port));
    }
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#listener.close();
    await this.#accepting;
    const open = [...this.#connections.values()];
    for (const connection of open) connection.drop();
    await Promise.all(open.map((connection) => connection.done));
  }
}
