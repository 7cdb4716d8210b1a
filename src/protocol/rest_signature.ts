/**
 * Kraken's REST request signature, `API-Sign`: what the token request is authenticated with.
 * WebCrypto only, so it runs wherever the client does.
 *
 * @module
 */

const encoder = new TextEncoder();

function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    // The message names no part of the secret: it must never reach a log.
    throw new TypeError("the API secret is not valid base64");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Signs one private REST request as Kraken defines it:
 * `base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + body)))`.
 *
 * @param secret The API secret, base64 as Kraken issues it.
 * @param path The request path, like `/0/private/GetWebSocketsToken`.
 * @param nonce The request's nonce, as sent in the body.
 * @param body The URL-encoded body, `nonce=…` included.
 * @returns The `API-Sign` header value.
 * @throws {TypeError} When `secret` is not base64 (the message never quotes it).
 *
 * @example
 * ```ts
 * import { signRestRequest } from "@kraken-ws/sdk/extended";
 * // Kraken's documented example.
 * const sign = await signRestRequest(
 *   "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
 *   "/0/private/AddOrder",
 *   "1616492376594",
 *   "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
 * );
 * console.log(sign.startsWith("4/dpxb3iT4tp")); // true
 * ```
 */
export async function signRestRequest(
  secret: string,
  path: string,
  nonce: string,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    base64Decode(secret),
    { name: "HMAC", hash: "SHA-512" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(nonce + body)),
  );
  const pathBytes = encoder.encode(path);
  const message = new Uint8Array(pathBytes.length + digest.length);
  message.set(pathBytes);
  message.set(digest, pathBytes.length);
  return base64Encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, message)));
}
