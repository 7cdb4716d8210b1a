import assert from "node:assert/strict";
import {
  KrakenAuthError,
  nextNonce,
  restTokenSource,
  tokenSource,
} from "../../src/client/token_source.ts";

const SECRET = btoa("a-secret-nobody-may-see");

function answering(body: unknown, status = 200): typeof fetch {
  return () =>
    Promise.resolve(
      typeof body === "string" ? new Response(body, { status }) : Response.json(body, { status }),
    );
}

Deno.test("nonces only grow, across every source in the process, even when the clock stands still", async () => {
  const seen: number[] = [];
  const recording: typeof fetch = (_input, init) => {
    seen.push(Number(/^nonce=(\d+)$/.exec(String(init?.body))![1]));
    return Promise.resolve(Response.json({ error: [], result: { token: "t", expires: 900 } }));
  };
  const a = restTokenSource({ apiKey: "a", apiSecret: SECRET, fetch: recording });
  const b = restTokenSource({ apiKey: "b", apiSecret: SECRET, fetch: recording });
  await Promise.all([a(), b(), a(), b()]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], String(seen));
  const before = nextNonce(0);
  assert.ok(nextNonce(0) > before, "a clock behind the last nonce does not go back");
});

Deno.test("a refused token request is a KrakenAuthError with Kraken's errors, naming no secret", async () => {
  const source = restTokenSource({
    apiKey: "key",
    apiSecret: SECRET,
    fetch: answering({ error: ["EAPI:Invalid key"] }),
  });
  const error = await source().catch((error) => error);
  assert.ok(error instanceof KrakenAuthError);
  assert.deepEqual(error.krakenErrors, ["EAPI:Invalid key"]);
  assert.equal(error.message.includes(SECRET), false);
  assert.equal(error.message.includes(atob(SECRET)), false);
});

Deno.test("a failed, unreadable or token-less answer is a KrakenAuthError", async () => {
  for (
    const fetcher of [
      answering("<html>bad gateway</html>", 502),
      answering({ error: [], result: {} }),
      answering({ error: [], result: { token: "" } }),
      (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch,
    ]
  ) {
    const error = await restTokenSource({ apiKey: "k", apiSecret: SECRET, fetch: fetcher })()
      .catch((error) => error);
    assert.ok(error instanceof KrakenAuthError, String(error));
  }
});

Deno.test("a secret that is not base64 fails the request without quoting it", async () => {
  const error = await restTokenSource({ apiKey: "k", apiSecret: "not base64 %%%" })().catch((
    error,
  ) => error);
  assert.ok(error instanceof KrakenAuthError);
  assert.equal(error.message.includes("%%%"), false);
});

Deno.test("the user's own token source: its failure and an empty token are KrakenAuthErrors", async () => {
  assert.equal(await tokenSource({ token: () => Promise.resolve("mine") })(), "mine");
  const thrown = await tokenSource({ token: () => Promise.reject(new Error("vault down")) })()
    .catch((error) => error);
  assert.ok(thrown instanceof KrakenAuthError);
  assert.match(thrown.message, /vault down/);
  const empty = await tokenSource({ token: () => Promise.resolve("") })().catch((error) => error);
  assert.ok(empty instanceof KrakenAuthError);
});
