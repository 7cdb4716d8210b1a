/**
 * Kraken's REST token endpoint, `POST /0/private/GetWebSocketsToken`, sans I/O: a `Request` in,
 * a `Response` out, for both drivers (the socket simulator's HTTP server and the virtual
 * exchange's `fetch`). The request is checked as Kraken checks it: the key (`EAPI:Invalid key`),
 * the signature (`API-Sign`, `EAPI:Invalid signature`), and a nonce above every nonce the key
 * used before (`EAPI:Invalid nonce`); then the exchange issues a token. Async only because
 * WebCrypto is.
 *
 * @module
 */

import { signRestRequest } from "../protocol/rest_signature.ts";
import type { Exchange } from "./exchange.ts";

/**
 * The token endpoint's path.
 *
 * @example
 * ```ts
 * import { TOKEN_PATH } from "./token_endpoint.ts";
 * console.log(TOKEN_PATH); // "/0/private/GetWebSocketsToken"
 * ```
 */
export const TOKEN_PATH = "/0/private/GetWebSocketsToken";

/**
 * Seconds a token may wait for its first use, as the reply's `expires` says.
 *
 * @example
 * ```ts
 * import { TOKEN_EXPIRES_SECONDS } from "./token_endpoint.ts";
 * console.log(TOKEN_EXPIRES_SECONDS); // 900
 * ```
 */
export const TOKEN_EXPIRES_SECONDS = 900;

/**
 * Whether `sign` is Kraken's signature of a request:
 * `base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + body)))`.
 *
 * @param secret The API secret (base64).
 * @param path The request's path.
 * @param nonce The nonce, as sent.
 * @param body The body, exactly as sent.
 * @param sign The `API-Sign` header.
 * @returns Whether it matches (false too when the secret is not base64).
 *
 * @example
 * ```ts
 * import { verifyRestSignature } from "./token_endpoint.ts";
 * // Kraken's documented example.
 * console.log(await verifyRestSignature(
 *   "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
 *   "/0/private/AddOrder",
 *   "1616492376594",
 *   "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
 *   "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
 * )); // true
 * ```
 */
export async function verifyRestSignature(
  secret: string,
  path: string,
  nonce: string,
  body: string,
  sign: string,
): Promise<boolean> {
  let expected: string;
  try {
    expected = await signRestRequest(secret, path, nonce, body);
  } catch {
    return false;
  }
  // Compared in full whatever the first difference: no timing hint about the secret.
  let difference = expected.length ^ sign.length;
  for (let i = 0; i < expected.length; i++) {
    difference |= expected.charCodeAt(i) ^ (sign.charCodeAt(i) || 0);
  }
  return difference === 0;
}

/** The nonce of a body, form-encoded (`nonce=…`) or JSON (`{"nonce": …}`), as sent. */
function nonceOf(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed.startsWith("{")) {
    const match = /"nonce"\s*:\s*"?(\d+)"?/.exec(trimmed);
    return match?.[1];
  }
  const nonce = new URLSearchParams(body).get("nonce");
  return nonce !== null && /^\d+$/.test(nonce) ? nonce : undefined;
}

function reply(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Answers one request to the token endpoint: `{"error":[],"result":{"token":"…","expires":900}}`
 * or `{"error":["EAPI:…"]}` (HTTP 200, as Kraken answers its API errors). Another path answers
 * 404 with `EGeneral:Unknown method`; another HTTP method, 405.
 *
 * @param exchange The exchange whose account's key, secret and tokens are used.
 * @param request The HTTP request.
 * @param now The time when the token is issued (read once the checks are done).
 * @returns The HTTP response.
 *
 * @example
 * ```ts
 * import { answerTokenRequest } from "./token_endpoint.ts";
 * import { Exchange } from "./exchange.ts";
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * import { signRestRequest } from "../protocol/rest_signature.ts";
 * const secret = btoa("sim secret");
 * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)), account: { apiKey: "key", apiSecret: secret } });
 * const body = "nonce=1";
 * const request = new Request("http://sim.invalid/0/private/GetWebSocketsToken", {
 *   method: "POST",
 *   headers: { "API-Key": "key", "API-Sign": await signRestRequest(secret, "/0/private/GetWebSocketsToken", "1", body) },
 *   body,
 * });
 * const answer = await (await answerTokenRequest(exchange, request, () => 0)).json();
 * console.log(answer.result.expires); // 900
 * ```
 */
export async function answerTokenRequest(
  exchange: Exchange,
  request: Request,
  now: () => number,
): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path !== TOKEN_PATH) return reply({ error: ["EGeneral:Unknown method"] }, 404);
  if (request.method !== "POST") return reply({ error: ["EGeneral:Invalid arguments"] }, 405);
  const body = await request.text();
  const account = exchange.account;
  const key = request.headers.get("API-Key");
  if (key === null || account.apiKey === "" || key !== account.apiKey) {
    return reply({ error: ["EAPI:Invalid key"] });
  }
  const nonce = nonceOf(body);
  const sign = request.headers.get("API-Sign") ?? "";
  const signed = await verifyRestSignature(account.apiSecret, path, nonce ?? "", body, sign);
  if (!signed) return reply({ error: ["EAPI:Invalid signature"] });
  if (nonce === undefined || !account.tokens.takeNonce(BigInt(nonce))) {
    return reply({ error: ["EAPI:Invalid nonce"] });
  }
  const token = exchange.issueToken(now());
  return reply({ error: [], result: { token, expires: TOKEN_EXPIRES_SECONDS } });
}
