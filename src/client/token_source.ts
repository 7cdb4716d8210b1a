/**
 * Where the authenticated connection's tokens come from: Kraken's REST `GetWebSocketsToken`,
 * signed with the user's key, or the user's own source.
 *
 * @module
 */

import { signRestRequest } from "../protocol/rest_signature.ts";

/** Kraken's REST API. */
export const KRAKEN_REST_URL = "https://api.kraken.com";

const TOKEN_PATH = "/0/private/GetWebSocketsToken";

/**
 * How the client authenticates: with an API key it fetches a token itself for every connection;
 * with `token` it asks the user's own source (key custody elsewhere), once per connection and
 * again when Kraken says a token is no longer valid.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { KrakenAuth } from "@kraken-ws/sdk/extended";
 * const custody: KrakenAuth = { token: () => Promise.resolve("token-from-a-vault") };
 * console.log("token" in custody); // true
 * ```
 */
export type KrakenAuth =
  | { readonly apiKey: string; readonly apiSecret: string }
  | { readonly token: () => Promise<string> };

/**
 * A token could not be had: Kraken refused the token request (its error strings, as sent, in
 * `krakenErrors`), the request failed, or the user's source threw. The message never holds the
 * key, the secret or a token.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { KrakenAuthError } from "@kraken-ws/sdk/extended";
 * const error = new KrakenAuthError("token request refused: EAPI:Invalid key", ["EAPI:Invalid key"]);
 * console.log(error.name, error.krakenErrors); // "KrakenAuthError" ["EAPI:Invalid key"]
 * ```
 */
export class KrakenAuthError extends Error {
  /** Kraken's error strings, when Kraken answered with some. */
  readonly krakenErrors: readonly string[];

  /**
   * Creates the error.
   *
   * @param message What failed; never a secret.
   * @param krakenErrors Kraken's error strings.
   */
  constructor(message: string, krakenErrors: readonly string[] = []) {
    super(message);
    this.name = "KrakenAuthError";
    this.krakenErrors = krakenErrors;
  }
}

let lastNonce = 0;

/**
 * The token requests of each API key, one after another: Kraken refuses a nonce below one it has
 * already seen for the key, and signing is asynchronous, so requests drawn in order could reach it
 * out of order if they overlapped.
 */
const requestsByKey = new Map<string, Promise<unknown>>();

/**
 * The next nonce of this process: the time in ms, or one more than the last when the clock has
 * not moved on. Kraken refuses a nonce not above the last one it saw for a key, so every client
 * in the process draws from this one counter.
 *
 * @param now The wall clock in ms.
 * @returns A nonce above every one returned before.
 *
 * @example
 * ```ts
 * import { nextNonce } from "@kraken-ws/sdk/extended";
 * const first = nextNonce(1000);
 * console.log(nextNonce(1000) > first); // true
 * ```
 */
export function nextNonce(now: number = Date.now()): number {
  lastNonce = Math.max(Math.floor(now), lastNonce + 1);
  return lastNonce;
}

/**
 * Settings of {@link restTokenSource}.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { RestTokenOptions } from "@kraken-ws/sdk/extended";
 * const options: RestTokenOptions = { apiKey: "key", apiSecret: "c2VjcmV0", restUrl: "http://127.0.0.1:1" };
 * console.log(options.restUrl);
 * ```
 */
export interface RestTokenOptions {
  /** The API key. */
  readonly apiKey: string;
  /** The API secret, base64 as Kraken issues it. */
  readonly apiSecret: string;
  /** Kraken's REST API (default `https://api.kraken.com`). */
  readonly restUrl?: string;
  /** The `fetch` to use (default the global one). */
  readonly fetch?: typeof fetch;
}

function tokenOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const result = (body as { result?: unknown }).result;
  if (typeof result !== "object" || result === null) return undefined;
  const token = (result as { token?: unknown }).token;
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

function errorsOf(body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const errors = (body as { error?: unknown }).error;
  return Array.isArray(errors) ? errors.filter((item) => typeof item === "string") : [];
}

/**
 * A token source that asks Kraken's REST API for a WebSocket token, signing each request with
 * the key (a fresh nonce every time).
 *
 * @param options The key, where Kraken is, and the `fetch` to use.
 * @returns A function that resolves to a fresh token, or rejects with {@link KrakenAuthError}.
 *
 * @example
 * ```ts
 * import { KrakenAuthError, restTokenSource } from "@kraken-ws/sdk/extended";
 * const source = restTokenSource({
 *   apiKey: "key",
 *   apiSecret: "c2VjcmV0",
 *   fetch: () => Promise.resolve(Response.json({ error: ["EAPI:Invalid key"] })),
 * });
 * const error = await source().catch((error) => error);
 * console.log(error instanceof KrakenAuthError, error.message); // true "token request refused: EAPI:Invalid key"
 * ```
 */
export function restTokenSource(options: RestTokenOptions): () => Promise<string> {
  const base = (options.restUrl ?? KRAKEN_REST_URL).replace(/\/+$/, "");
  const { apiKey, apiSecret } = options;
  const send = options.fetch ?? fetch;
  return () => {
    const previous = requestsByKey.get(apiKey) ?? Promise.resolve();
    const request = previous.then(requestToken, requestToken);
    const settled = request.then(() => undefined, () => undefined);
    requestsByKey.set(apiKey, settled);
    // The chain forgets a key once its last request is done.
    settled.then(() => {
      if (requestsByKey.get(apiKey) === settled) requestsByKey.delete(apiKey);
    });
    return request;
  };

  async function requestToken(): Promise<string> {
    const nonce = String(nextNonce());
    const body = `nonce=${nonce}`;
    let sign: string;
    try {
      sign = await signRestRequest(apiSecret, TOKEN_PATH, nonce, body);
    } catch (error) {
      throw new KrakenAuthError(
        `token request not signed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let response: Response;
    try {
      response = await send(`${base}${TOKEN_PATH}`, {
        method: "POST",
        headers: {
          "API-Key": apiKey,
          "API-Sign": sign,
          "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
        body,
      });
    } catch (error) {
      throw new KrakenAuthError(
        `token request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      throw new KrakenAuthError(`token request failed: HTTP ${response.status}, not JSON`);
    }
    const errors = errorsOf(parsed);
    if (errors.length > 0) {
      throw new KrakenAuthError(`token request refused: ${errors.join(", ")}`, errors);
    }
    const token = tokenOf(parsed);
    if (token === undefined || !response.ok) {
      throw new KrakenAuthError(`token request failed: HTTP ${response.status}, no token`);
    }
    return token;
  }
}

/**
 * The token source `auth` describes.
 *
 * @param auth The key, or the user's source.
 * @param restUrl Kraken's REST API.
 * @param fetcher The `fetch` to use.
 * @returns A function resolving to a fresh token; what the user's source throws becomes a
 *   {@link KrakenAuthError}.
 *
 * @example
 * ```ts
 * import { tokenSource } from "./token_source.ts";
 * const source = tokenSource({ token: () => Promise.resolve("t") }, "http://127.0.0.1:1");
 * console.log(await source()); // "t"
 * ```
 */
export function tokenSource(
  auth: KrakenAuth,
  restUrl?: string,
  fetcher?: typeof fetch,
): () => Promise<string> {
  if ("token" in auth) {
    const own = auth.token;
    return async () => {
      let token: unknown;
      try {
        token = await own();
      } catch (error) {
        throw new KrakenAuthError(
          `token source failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (typeof token !== "string" || token.length === 0) {
        throw new KrakenAuthError("token source gave no token");
      }
      return token;
    };
  }
  return restTokenSource({ ...auth, restUrl, fetch: fetcher });
}
