/**
 * The error of a client that failed inside: its session threw, which no input should make it do.
 *
 * @module
 */

/**
 * The client failed inside, and closed: its sans-I/O session threw on an input, so its state can
 * no longer be trusted to be whole. Rather than go on from a half-applied change, the client
 * closed every connection, and every stream (data streams and `events()`) fails with this error;
 * `ready()` rejects with it, and trading calls reject with `KrakenOutcomeUnknownError`. It is a
 * defect of this SDK: please report it with `message` and `cause`. A new `KrakenWs` starts over.
 *
 * @example
 * ```ts
 * import { KrakenInternalError } from "@kraken-ws/sdk/extended";
 * const error = new KrakenInternalError("book depth must be one of 10, 25, 100, 500, 1000");
 * console.log(error.message); // "the client failed and closed: book depth must be one of 10, 25, 100, 500, 1000"
 * console.log(error.name); // "KrakenInternalError"
 * ```
 */
export class KrakenInternalError extends Error {
  /**
   * Creates the error.
   *
   * @param what What went wrong inside.
   * @param options The exception the session threw, as `cause`.
   */
  constructor(what: string, options?: { readonly cause?: unknown }) {
    super(`the client failed and closed: ${what}`, options);
    this.name = "KrakenInternalError";
  }
}
