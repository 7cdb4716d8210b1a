// @ts-check
/**
 * Chromium: the page's module script. It takes the simulator's URL from the page's query
 * (`?sim=`), runs the program, POSTs the outcome to the test server (`/result`) and closes its
 * window, the last one, so the browser ends by itself.
 *
 * @module
 */
import { exercise } from "./program.js";

/** @type {Record<string, unknown>} */
let outcome;
try {
  const url = new URL(location.href).searchParams.get("sim") ?? "";
  const summary = await exercise(url);
  outcome = { ok: true, summary: { ...summary, runtime: navigator.userAgent } };
} catch (error) {
  outcome = { ok: false, error: error instanceof Error ? `${error.stack}` : String(error) };
}
await fetch("/result", { method: "POST", body: JSON.stringify(outcome) });
self.close();
