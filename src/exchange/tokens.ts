/**
 * The WebSocket tokens of one account: issued by the token endpoint, good if first used within
 * 15 minutes of issue, and good from then on (Kraken keeps a token alive while a connection that
 * used it lives; the simulator keeps it until a fault invalidates every token), plus the per-key
 * nonce the token endpoint checks.
 *
 * @module
 */

/**
 * How long an issued token may wait for its first use, in ms: Kraken's 15 minutes.
 *
 * @example
 * ```ts
 * import { TOKEN_FIRST_USE_MS } from "./tokens.ts";
 * console.log(TOKEN_FIRST_USE_MS / 60_000); // 15
 * ```
 */
export const TOKEN_FIRST_USE_MS = 15 * 60_000;

/**
 * The tokens one account has issued.
 *
 * @example
 * ```ts
 * import { TokenBook } from "./tokens.ts";
 * const tokens = new TokenBook();
 * tokens.add("abc", 0);
 * console.log(tokens.use("abc", 1000), tokens.use("nope", 1000)); // true false
 * tokens.invalidateAll();
 * console.log(tokens.use("abc", 2000)); // false
 * ```
 */
export class TokenBook {
  readonly #tokens = new Map<string, { readonly issuedAt: number; used: boolean }>();
  #lastNonce: bigint | undefined;

  /**
   * Records a token issued at `now`.
   *
   * @param token The token.
   * @param now The time of issue.
   */
  add(token: string, now: number): void {
    this.#tokens.set(token, { issuedAt: now, used: false });
  }

  /**
   * Whether `token` is good at `now`; a good token counts as used from then on.
   *
   * @param token The token a request carried.
   * @param now The time.
   * @returns Whether it is good.
   */
  use(token: string | undefined, now: number): boolean {
    if (token === undefined) return false;
    const held = this.#tokens.get(token);
    if (held === undefined) return false;
    if (!held.used && now - held.issuedAt > TOKEN_FIRST_USE_MS) {
      this.#tokens.delete(token);
      return false;
    }
    held.used = true;
    return true;
  }

  /** Every token stops being good. */
  invalidateAll(): void {
    this.#tokens.clear();
  }

  /**
   * Takes a nonce of the key if it is above every nonce taken before.
   *
   * @param nonce The request's nonce.
   * @returns Whether it was.
   */
  takeNonce(nonce: bigint): boolean {
    if (this.#lastNonce !== undefined && nonce <= this.#lastNonce) return false;
    this.#lastNonce = nonce;
    return true;
  }
}
