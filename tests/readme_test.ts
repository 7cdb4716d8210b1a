import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

Deno.test("readme: every TypeScript example runs as written", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.ok(blocks.length > 0, "the README has a quick start");
  for (const block of blocks) {
    // Relative imports resolve from the project root, as they do for a reader running the block.
    const code = block.replaceAll(
      /from "\.\/([^"]+)"/g,
      (_, path) => `from "${new URL(path, ROOT)}"`,
    );
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, code);
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, `README block failed:\n${block}\n${stderr}`);
      const stdout = new TextDecoder().decode(output.stdout);
      for (const expected of [...block.matchAll(/\/\/ "([^"]+)"/g)].map((match) => match[1])) {
        assert.ok(stdout.includes(expected), `expected ${expected} in the output of:\n${block}`);
      }
    } finally {
      await Deno.remove(file);
    }
  }
});

Deno.test("readme: the state machine table is the one the session runs", async () => {
  const { CONNECTION_TRANSITIONS } = await import("../src/core/connection_machine.ts");
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const rows = [...readme.matchAll(/^\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|$/gm)]
    .map((match) => `${match[1]} ${match[2]} ${match[3]}`)
    .filter((row) => row !== "from trigger to");
  assert.deepEqual(
    rows,
    CONNECTION_TRANSITIONS.map((row) => `${row.from} ${row.trigger} ${row.to}`),
  );
});
