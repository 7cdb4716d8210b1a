/**
 * The connection state machine as data: every legal transition, and nothing else.
 *
 * @module
 */

import type { ConnectionState } from "./events.ts";

/**
 * What can move the connection.
 *
 * - `start`: the first subscription asks for a connection.
 * - `opened`: the socket opened.
 * - `frame`: a frame arrived (the first one makes the connection live).
 * - `closed`: the socket closed with any code but 1008.
 * - `rejected`: the socket closed with 1008 (policy violation): final, as in Kraken's own SDK.
 * - `timeout`: opening took too long, or a live link went silent (`stale`).
 * - `retry`: the backoff delay is over.
 * - `stop`: the user closed the client.
 * - `close_timeout`: a closing socket never reported its close.
 *
 * @example
 * ```ts
 * import type { ConnectionTrigger } from "@kraken-ws/sdk/extended";
 * const trigger: ConnectionTrigger = "retry";
 * console.log(trigger);
 * ```
 */
export type ConnectionTrigger =
  | "start"
  | "opened"
  | "frame"
  | "closed"
  | "rejected"
  | "timeout"
  | "retry"
  | "stop"
  | "close_timeout"
  | "linger";

/**
 * One row of the transition table.
 *
 * @example
 * ```ts
 * import type { ConnectionTransition } from "@kraken-ws/sdk/extended";
 * const row: ConnectionTransition = { from: "backoff", trigger: "retry", to: "connecting" };
 * console.log(row.to);
 * ```
 */
export interface ConnectionTransition {
  /** State before. */
  readonly from: ConnectionState;
  /** What happened. */
  readonly trigger: ConnectionTrigger;
  /** State after. */
  readonly to: ConnectionState;
}

/**
 * Every legal transition of the connection. Anything not here is an {@link IllegalInputError}.
 *
 * @example
 * ```ts
 * import { CONNECTION_TRANSITIONS } from "@kraken-ws/sdk/extended";
 * console.log(CONNECTION_TRANSITIONS.filter((row) => row.from === "live").map((row) => row.trigger));
 * ```
 */
export const CONNECTION_TRANSITIONS: readonly ConnectionTransition[] = [
  { from: "idle", trigger: "start", to: "connecting" },
  { from: "idle", trigger: "stop", to: "closed" },
  { from: "connecting", trigger: "opened", to: "open" },
  { from: "connecting", trigger: "closed", to: "backoff" },
  { from: "connecting", trigger: "rejected", to: "closed" },
  { from: "connecting", trigger: "timeout", to: "backoff" },
  { from: "connecting", trigger: "stop", to: "closing" },
  { from: "connecting", trigger: "linger", to: "idle" },
  { from: "open", trigger: "frame", to: "live" },
  { from: "open", trigger: "closed", to: "backoff" },
  { from: "open", trigger: "rejected", to: "closed" },
  { from: "open", trigger: "timeout", to: "backoff" },
  { from: "open", trigger: "stop", to: "closing" },
  { from: "open", trigger: "linger", to: "idle" },
  { from: "live", trigger: "frame", to: "live" },
  { from: "live", trigger: "closed", to: "backoff" },
  { from: "live", trigger: "rejected", to: "closed" },
  { from: "live", trigger: "timeout", to: "backoff" },
  { from: "live", trigger: "stop", to: "closing" },
  { from: "live", trigger: "linger", to: "idle" },
  { from: "backoff", trigger: "retry", to: "connecting" },
  { from: "backoff", trigger: "stop", to: "closed" },
  { from: "backoff", trigger: "linger", to: "idle" },
  { from: "closing", trigger: "closed", to: "closed" },
  { from: "closing", trigger: "rejected", to: "closed" },
  { from: "closing", trigger: "close_timeout", to: "closed" },
];

const TABLE = new Map<string, ConnectionState>(
  CONNECTION_TRANSITIONS.map((row) => [`${row.from}|${row.trigger}`, row.to]),
);

/**
 * An input that is not legal in the current state: a defect in whoever drives the session.
 *
 * @example
 * ```ts
 * import { IllegalInputError } from "@kraken-ws/sdk/extended";
 * const error = new IllegalInputError("idle", "opened");
 * console.log(error.message); // "input opened is illegal in state idle"
 * ```
 */
export class IllegalInputError extends Error {
  /** The state the session was in. */
  readonly state: ConnectionState;
  /** The input it refused. */
  readonly input: string;

  /**
   * Creates the error.
   *
   * @param state The session's state.
   * @param input The refused input or trigger.
   */
  constructor(state: ConnectionState, input: string) {
    super(`input ${input} is illegal in state ${state}`);
    this.name = "IllegalInputError";
    this.state = state;
    this.input = input;
  }
}

/**
 * The state `trigger` leads to from `from`.
 *
 * @param from The current state.
 * @param trigger What happened.
 * @returns The next state.
 * @throws {IllegalInputError} When the table has no such transition.
 *
 * @example
 * ```ts
 * import { nextConnectionState } from "@kraken-ws/sdk/extended";
 * console.log(nextConnectionState("live", "closed")); // "backoff"
 * ```
 */
export function nextConnectionState(
  from: ConnectionState,
  trigger: ConnectionTrigger,
): ConnectionState {
  const to = TABLE.get(`${from}|${trigger}`);
  if (to === undefined) throw new IllegalInputError(from, trigger);
  return to;
}
