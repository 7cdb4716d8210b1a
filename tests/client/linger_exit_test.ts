import assert from "node:assert/strict";
import { tradeFrame } from "../core/server_book.ts";
import { type Received, ScriptedServer } from "./scripted_server.ts";

const CLIENT = new URL("../../mod.ts", import.meta.url).href;

Deno.test("client: a program whose streams all ended exits by itself, without close()", async () => {
  const server = ScriptedServer.start();
  const dir = await Deno.makeTempDir();
  try {
    const program = `${dir}/program.ts`;
    await Deno.writeTextFile(
      program,
      `import { KrakenWs } from ${JSON.stringify(CLIENT)};
const kraken = new KrakenWs({ url: ${JSON.stringify(server.url)}, lingerMs: 200 });
for await (const event of kraken.trades("BTC/USD")) {
  if (event.type === "trade") {
    console.log("trade", event.tradeId);
    break; // the only stream ends: nothing is subscribed any more
  }
}
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", program],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const connection = await server.connection(0);
    await connection.waitFor((message: Received) => message.method === "subscribe");
    connection.send(tradeFrame("BTC/USD", 7));
    // A process kept alive by a forgotten timer or socket would hang here: kill it, and fail.
    let killed = false;
    const watchdog = setTimeout(() => {
      killed = true;
      child.kill();
    }, 20_000);
    const output = await child.output();
    clearTimeout(watchdog);
    assert.equal(killed, false, "the program did not exit by itself");
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.equal(new TextDecoder().decode(output.stdout).trim(), "trade 7");
    await connection.waitFor((message: Received) => message.method === "unsubscribe");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.close();
  }
});
