/**
 * The frames of Kraken's authenticated side: trading replies and errors in the documented
 * envelope (`method`, `req_id` echoed, `result` or `error`, `success`, `time_in`, `time_out`), and
 * the `executions` and `balances` frames with their `sequence`. Numbers go out as the exact text
 * the account made (a price at the pair's decimals, trailing zeros kept), never through a float.
 *
 * @module
 */

import { krakenTime } from "./frames.ts";
import { NumberText } from "./private_requests.ts";

/**
 * A value of a private frame: text, a boolean, a number as its text, or a list of objects.
 *
 * @example
 * ```ts
 * import type { WireValue } from "./private_frames.ts";
 * const value: WireValue = "buy";
 * console.log(value);
 * ```
 */
export type WireValue = string | boolean | NumberText | readonly WireObject[];

/**
 * An object of a private frame; its keys go out in their order, undefined ones left out.
 *
 * @example
 * ```ts
 * import type { WireObject } from "./private_frames.ts";
 * import { NumberText } from "./private_requests.ts";
 * const item: WireObject = { asset: "USD", qty: new NumberText("0.3458") };
 * console.log(item.asset);
 * ```
 */
export type WireObject = { readonly [key: string]: WireValue | undefined };

/**
 * A number for a frame, from its text.
 *
 * @param text The number's exact text.
 * @returns It, for a {@link WireObject}.
 *
 * @example
 * ```ts
 * import { wireNumber, wireJson } from "./private_frames.ts";
 * console.log(wireJson({ qty: wireNumber("0.10000000") })); // '{"qty":0.10000000}'
 * ```
 */
export function wireNumber(text: string | number): NumberText {
  return new NumberText(String(text));
}

/**
 * Writes a {@link WireObject} as JSON, numbers as their text.
 *
 * @param object The object.
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import { wireJson, wireNumber } from "./private_frames.ts";
 * console.log(wireJson({ a: "x", b: undefined, c: [{ d: wireNumber("1.0") }], e: true })); // '{"a":"x","c":[{"d":1.0}],"e":true}'
 * ```
 */
export function wireJson(object: WireObject): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${wireValue(value)}`);
  }
  return `{${parts.join(",")}}`;
}

function wireValue(value: WireValue): string {
  if (value instanceof NumberText) return value.text;
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  return `[${value.map(wireJson).join(",")}]`;
}

/**
 * A successful reply to a private request, in the documented key order.
 *
 * @param now Server time in ms.
 * @param method The request's method.
 * @param result The result: an object, or an array (`batch_add`).
 * @param reqId The request's `req_id`, echoed when it had one.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { privateReplyFrame } from "./private_frames.ts";
 * console.log(privateReplyFrame(0, "cancel_all", { count: 1 }, 7));
 * // {"method":"cancel_all","req_id":7,"result":{"count":1},"success":true,"time_in":"1970-01-01T00:00:00.000000Z","time_out":"1970-01-01T00:00:00.000000Z"}
 * ```
 */
export function privateReplyFrame(
  now: number,
  method: string,
  result: unknown,
  reqId: number | undefined,
): string {
  const time = JSON.stringify(krakenTime(now));
  const id = reqId === undefined ? "" : `"req_id":${reqId},`;
  return `{"method":${JSON.stringify(method)},${id}"result":${
    JSON.stringify(result)
  },"success":true,"time_in":${time},"time_out":${time}}`;
}

/**
 * An error reply to a private request: `error` is one string, there is no `result`.
 *
 * @param now Server time in ms.
 * @param method The request's method.
 * @param error Kraken's string, like `EOrder:Insufficient funds`.
 * @param reqId The request's `req_id`, echoed when it had one.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { privateErrorFrame } from "./private_frames.ts";
 * console.log(privateErrorFrame(0, "add_order", "EOrder:Insufficient funds", 3));
 * // {"error":"EOrder:Insufficient funds","method":"add_order","req_id":3,"success":false,"time_in":"1970-01-01T00:00:00.000000Z","time_out":"1970-01-01T00:00:00.000000Z"}
 * ```
 */
export function privateErrorFrame(
  now: number,
  method: string,
  error: string,
  reqId: number | undefined,
): string {
  const time = JSON.stringify(krakenTime(now));
  const id = reqId === undefined ? "" : `"req_id":${reqId},`;
  return `{"error":${JSON.stringify(error)},"method":${
    JSON.stringify(method)
  },${id}"success":false,"time_in":${time},"time_out":${time}}`;
}

/**
 * An `executions` or `balances` frame.
 *
 * @param channel The channel.
 * @param type Snapshot or update.
 * @param items The data items.
 * @param sequence The subscription's sequence number of this frame.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { privateDataFrame } from "./private_frames.ts";
 * console.log(privateDataFrame("balances", "snapshot", [], 1)); // '{"channel":"balances","type":"snapshot","data":[],"sequence":1}'
 * ```
 */
export function privateDataFrame(
  channel: "executions" | "balances",
  type: "snapshot" | "update",
  items: readonly WireObject[],
  sequence: number,
): string {
  return `{"channel":"${channel}","type":"${type}","data":[${
    items.map(wireJson).join(",")
  }],"sequence":${sequence}}`;
}
