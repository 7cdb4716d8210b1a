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

Deno.test("a key's token requests reach Kraken in nonce order, across every client of the process", async () => {
  const seen: { key: string; nonce: number }[] = [];
  const recording: typeof fetch = (_input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      key: headers.get("API-Key")!,
      nonce: Number(/^nonce=(\d+)$/.exec(String(init?.body))![1]),
    });
    return Promise.resolve(Response.json({ error: [], result: { token: "t", expires: 900 } }));
  };
  // Two clients sharing a key, and a third with another, all asking at once.
  const first = restTokenSource({ apiKey: "shared", apiSecret: SECRET, fetch: recording });
  const second = restTokenSource({ apiKey: "shared", apiSecret: SECRET, fetch: recording });
  const other = restTokenSource({ apiKey: "other", apiSecret: SECRET, fetch: recording });
  await Promise.all([first(), second(), other(), first(), second(), other()]);
  const shared = seen.filter((request) => request.key === "shared").map((request) => request.nonce);
  assert.equal(shared.length, 4);
  for (let i = 1; i < shared.length; i++) assert.ok(shared[i] > shared[i - 1], String(shared));
  const all = seen.map((request) => request.nonce);
  assert.equal(new Set(all).size, all.length, "no nonce is drawn twice");
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
