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

/** The `| from | trigger | to |` rows of the README section `heading`, up to the next heading. */
function transitionRows(readme: string, heading: string): string[] {
  const start = readme.search(new RegExp(`^#+ ${heading}$`, "m"));
  assert.ok(start >= 0, `the README has a section "${heading}"`);
  const rest = readme.slice(start);
  const end = rest.search(/\n#+ /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|$/gm)]
    .map((match) => `${match[1]} ${match[2]} ${match[3]}`)
    .filter((row) => row !== "from trigger to");
}

Deno.test("readme: the state machine table is the one the session runs", async () => {
  const { CONNECTION_TRANSITIONS } = await import("../src/core/connection_machine.ts");
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  assert.deepEqual(
    transitionRows(readme, "The connection state machine"),
    CONNECTION_TRANSITIONS.map((row) => `${row.from} ${row.trigger} ${row.to}`),
  );
});

Deno.test("readme: the subscription transition table is the one the session runs", async () => {
  const { SUBSCRIPTION_TRANSITIONS } = await import("../src/core/subscription_machine.ts");
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  assert.deepEqual(
    transitionRows(readme, "The subscription state machine"),
    SUBSCRIPTION_TRANSITIONS.map((row) => `${row.from} ${row.trigger} ${row.to}`),
  );
});
