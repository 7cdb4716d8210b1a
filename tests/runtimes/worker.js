// @ts-check
/**
 * workerd: a module worker whose `test` handler runs the program (`workerd test` runs it and
 * exits, 0 when it passed). The simulator's URL comes in the text binding `SIM_URL`; the summary
 * goes out as one JSON line on the console.
 *
 * @module
 */
import { exercise } from "./program.js";

export default {
  /**
   * @param {unknown} _controller
   * @param {{ SIM_URL: string }} env
   * @returns {Promise<void>}
   */
  async test(_controller, env) {
    const summary = await exercise(env.SIM_URL);
    // deno-lint-ignore no-console
    console.log(JSON.stringify({ ...summary, runtime: `workerd ${navigator.userAgent}` }));
  },
};
