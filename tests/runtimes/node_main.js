// @ts-check
/**
 * Node, Bun and Deno: `node node_main.js URL`. It prints one JSON line and never calls
 * `process.exit`: the process must end by itself, with no socket or timer of the client left.
 *
 * @module
 */
import process from "node:process";
import { exercise } from "./program.js";

const url = process.argv[process.argv.length - 1];
try {
  const summary = await exercise(url);
  const runtime = process.versions.bun !== undefined
    ? `bun ${process.versions.bun}`
    : process.versions.deno !== undefined
    ? `deno ${process.versions.deno}`
    : `node ${process.versions.node}`;
  process.stdout.write(JSON.stringify({ ...summary, runtime }) + "\n");
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exitCode = 1;
}
