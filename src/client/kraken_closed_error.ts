/**
 * The error a data stream fails with when the server ended the connection for good.
 *
 * @module
 */

/**
 * The connection ended for good on the server's word (close code 1008), not by `close()`: data
 * streams fail with this once their buffered events have been read.
 *
 * @example
 * ```ts
 * import { KrakenClosedError } from "./kraken_closed_error.ts";
 * console.log(new KrakenClosedError("close 1008").message);
 * ```
 */
export class KrakenClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param cause Why the connection ended.
   */
  constructor(cause: string) {
    super(`the connection ended for good: ${cause}`);
    this.name = "KrakenClosedError";
  }
}
