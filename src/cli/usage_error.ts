/**
 * A command-line mistake: the command prints its message and exits with code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * const error = new UsageError("--depth needs a number");
 * console.log(error.message);
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong, for the user.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
