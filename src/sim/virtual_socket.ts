/**
 * An in-memory WebSocket for the seeded simulation: the parts of the WebSocket interface the
 * client's driver uses, carried to and from the exchange by whoever drives the run, in virtual
 * time. Events fire when the driver says the exchange's output arrived, never on their own.
 *
 * @module
 */

/**
 * Where a virtual socket's sends and closes go: the exchange's side of the link.
 *
 * @example
 * ```ts
 * import type { VirtualSocketPeer } from "./virtual_socket.ts";
 * const sent: string[] = [];
 * const peer: VirtualSocketPeer = { send: (text) => sent.push(text), close: () => {} };
 * peer.send("{}");
 * console.log(sent); // ["{}"]
 * ```
 */
export interface VirtualSocketPeer {
  /** The client sent a text frame. */
  send(text: string): void;
  /** The client closed its side. */
  close(code: number, reason: string): void;
}

/**
 * The part of the WebSocket interface a virtual socket offers: what the client's driver uses.
 *
 * @example
 * ```ts
 * import type { SocketLike } from "./virtual_socket.ts";
 * const isOpen = (socket: SocketLike) => socket.readyState === 1;
 * console.log(typeof isOpen);
 * ```
 */
export type SocketLike = Pick<
  WebSocket,
  | "url"
  | "readyState"
  | "binaryType"
  | "send"
  | "close"
  | "onopen"
  | "onmessage"
  | "onclose"
  | "onerror"
  | "CONNECTING"
  | "OPEN"
  | "CLOSING"
  | "CLOSED"
>;

/** The close code of a link lost without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/**
 * One client socket in memory. The client calls `send` and `close` as on a WebSocket; the run
 * calls {@link VirtualSocket.accept}, {@link VirtualSocket.receive} and {@link VirtualSocket.end}
 * when the exchange's outputs arrive.
 *
 * @example
 * ```ts
 * import { VirtualSocket } from "./virtual_socket.ts";
 * const socket = new VirtualSocket("wss://sim.invalid/v2", { send: () => {}, close: () => {} });
 * const seen: string[] = [];
 * socket.onopen = () => seen.push("open");
 * socket.onmessage = (message) => seen.push(message.data);
 * socket.onclose = (close) => seen.push(`close ${close.code}`);
 * socket.accept();
 * socket.receive('{"channel":"heartbeat"}');
 * socket.end(1001, "going away");
 * console.log(seen, socket.readyState === socket.CLOSED); // ["open", '{"channel":"heartbeat"}', "close 1001"] true
 * ```
 */
export class VirtualSocket implements SocketLike {
  /** Not yet open. */
  static readonly CONNECTING = 0;
  /** Open: frames flow. */
  static readonly OPEN = 1;
  /** The client asked to close; the close has not come back yet. */
  static readonly CLOSING = 2;
  /** Closed. */
  static readonly CLOSED = 3;
  /** Not yet open. */
  readonly CONNECTING = 0;
  /** Open: frames flow. */
  readonly OPEN = 1;
  /** Closing. */
  readonly CLOSING = 2;
  /** Closed. */
  readonly CLOSED = 3;
  /** The URL the client asked for. */
  readonly url: string;
  /** Frames are text on this link; kept only because the client sets it. */
  binaryType: BinaryType = "blob";
  /** Called when the link opens. */
  onopen: ((event: Event) => void) | null = null;
  /** Called with each frame. */
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** Called once, when the link is closed or lost. */
  onclose: ((event: CloseEvent) => void) | null = null;
  /** Called before a close that was not clean. */
  onerror: ((event: Event) => void) | null = null;
  readonly #peer: VirtualSocketPeer;
  #state = VirtualSocket.CONNECTING;

  /**
   * Creates a socket that is connecting.
   *
   * @param url The URL asked for.
   * @param peer Where its sends and closes go.
   */
  constructor(url: string, peer: VirtualSocketPeer) {
    this.url = url;
    this.#peer = peer;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed, as on a WebSocket. */
  get readyState(): number {
    return this.#state;
  }

  /**
   * Sends a text frame to the exchange. As on a WebSocket: an error before the link opens,
   * nothing once it is closing.
   *
   * @param data The frame.
   * @throws {DOMException} While connecting.
   */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.#state === VirtualSocket.CONNECTING) {
      throw new DOMException("the socket is not open yet", "InvalidStateError");
    }
    if (this.#state !== VirtualSocket.OPEN) return;
    this.#peer.send(String(data));
  }

  /**
   * Closes the client's side; the `close` event comes when the exchange answers.
   *
   * @param code The close code (default 1000).
   * @param reason The reason.
   */
  close(code = 1000, reason = ""): void {
    if (this.#state === VirtualSocket.CLOSING || this.#state === VirtualSocket.CLOSED) return;
    this.#state = VirtualSocket.CLOSING;
    this.#peer.close(code, reason);
  }

  /** The exchange accepted the link. A socket the client already closed stays closing. */
  accept(): void {
    if (this.#state !== VirtualSocket.CONNECTING) return;
    this.#state = VirtualSocket.OPEN;
    this.onopen?.(new Event("open"));
  }

  /**
   * A frame arrived. As on a WebSocket, one that arrives after the client began closing is not
   * delivered.
   *
   * @param text The frame.
   */
  receive(text: string): void {
    if (this.#state !== VirtualSocket.OPEN) return;
    this.onmessage?.(new MessageEvent("message", { data: text }));
  }

  /**
   * The link ended: a close frame arrived (`code`, `reason`), or it was lost or refused (no code:
   * 1006, after an `error` event).
   *
   * @param code The close code, if a close frame came.
   * @param reason Its reason.
   */
  end(code?: number, reason = ""): void {
    if (this.#state === VirtualSocket.CLOSED) return;
    this.#state = VirtualSocket.CLOSED;
    if (code === undefined) this.onerror?.(new Event("error"));
    this.onclose?.(
      new CloseEvent("close", {
        code: code ?? ABNORMAL_CLOSURE,
        reason,
        wasClean: code !== undefined,
      }),
    );
  }
}
