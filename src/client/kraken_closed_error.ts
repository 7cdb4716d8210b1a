/**
 * The error of a client that is closed: a data stream fails with it when the server ended the
 * connection for good, and a subscription asked of a closed client throws it.
 *
 * @module
 */

/**
 * The client is closed. Either the server ended the connection for good (close code 1008, a
 * policy violation: reconnecting would be refused the same way), and then `code` and `reason` are
 * the server's and data streams fail with this error once their buffered events have been read;
 * or `close()` was called (or its signal aborted), and then streams end cleanly and only a new
 * subscription throws this, with no `code`.
 *
 * @example
 * ```ts
 * import { KrakenClosedError } from "@kraken-ws/sdk";
 * const error = new KrakenClosedError("close 1008 Policy violation", {
 *   code: 1008,
 *   reason: "Policy violation",
 * });
 * console.log(error.message); // "the connection ended for good: close 1008 Policy violation"
 * console.log(error.code, error.reason); // 1008 "Policy violation"
 * ```
 */
export class KrakenClosedError extends Error {
  /** The close code the server ended the connection with; undefined after `close()`. */
  readonly code: number | undefined;
  /** The server's close reason, as sent; undefined after `close()`. */
  readonly reason: string | undefined;

  /**
   * Creates the error.
   *
   * @param cause Why the client is closed.
   * @param close The server's close frame, when the server ended it.
   */
  constructor(cause: string, close?: { readonly code: number; readonly reason: string }) {
    super(close === undefined ? cause : `the connection ended for good: ${cause}`);
    this.name = "KrakenClosedError";
    this.code = close?.code;
    this.reason = close?.reason;
  }
}
