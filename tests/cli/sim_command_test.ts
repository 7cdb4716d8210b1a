import assert from "node:assert/strict";
import { KrakenWs } from "../../src/client/kraken_ws.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

Deno.test("sim: the simulator alone serves a client until Ctrl+C", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "sim", "--port", "0", "--seed", "3"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!printed.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    printed += value;
  }
  const url = printed.trim();
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/v2$/);
  {
    await using kraken = new KrakenWs({ url, reconnect: { seed: 1 } });
    for await (const event of kraken.book("ETH/USD", { depth: 25 })) {
      // The stream also hears its subscription's states; the first book is the snapshot.
      if (event.type === "state") continue;
      assert.equal(event.type, "book");
      assert.ok(event.type === "book" && event.bids.length === 25 && event.snapshot);
      break;
    }
  }
  child.kill("SIGINT");
  assert.equal((await child.status).code, 0);
  await lines.cancel();
  assert.match(await stderr, /sim: 1 connections, \d+ frames sent/);
});

Deno.test("sim: a replay file that cannot be read is a usage error", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "sim", "--replay", "/nonexistent/recording.ndjson"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 2);
  assert.match(new TextDecoder().decode(output.stderr), /^sim: cannot read \/nonexistent/);
});
