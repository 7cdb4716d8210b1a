/**
 * CRC-32 (IEEE 802.3, the zlib one), table-driven, over bytes or over ASCII text.
 *
 * @module
 */

/**
 * The 256-entry lookup table of the reflected IEEE polynomial 0xEDB88320.
 *
 * @example
 * ```ts
 * import { CRC32_TABLE } from "@kraken-ws/sdk/extended";
 * console.log(CRC32_TABLE[1].toString(16)); // "77073096"
 * ```
 */
export const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Continues a running CRC-32 over more ASCII text, so a checksum can be fed level by level.
 * Start from `0xffffffff` and finish with {@link crc32Finish}.
 *
 * @param state The running state.
 * @param text ASCII text (each char code is taken as one byte).
 * @returns The new running state.
 *
 * @example
 * ```ts
 * import { crc32Finish, crc32Update } from "@kraken-ws/sdk/extended";
 * let state = 0xffffffff;
 * state = crc32Update(state, "1234");
 * state = crc32Update(state, "56789");
 * console.log(crc32Finish(state)); // 3421780262, the CRC-32 of "123456789"
 * ```
 */
export function crc32Update(state: number, text: string): number {
  let crc = state;
  for (let i = 0; i < text.length; i++) {
    crc = CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  }
  return crc;
}

/**
 * Turns a running state into the final unsigned 32-bit CRC.
 *
 * @param state The running state.
 * @returns The CRC-32, in [0, 2^32).
 *
 * @example
 * ```ts
 * import { crc32Finish, crc32Update } from "@kraken-ws/sdk/extended";
 * console.log(crc32Finish(crc32Update(0xffffffff, ""))); // 0
 * ```
 */
export function crc32Finish(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of bytes, or of ASCII text taken one char code per byte.
 *
 * @param input Bytes or ASCII text.
 * @returns The CRC-32 as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import { crc32 } from "@kraken-ws/sdk/extended";
 * console.log(crc32("123456789")); // 3421780262
 * console.log(crc32(new TextEncoder().encode("123456789"))); // 3421780262
 * ```
 */
export function crc32(input: Uint8Array | string): number {
  if (typeof input === "string") return crc32Finish(crc32Update(0xffffffff, input));
  let crc = 0xffffffff;
  for (let i = 0; i < input.length; i++) crc = CRC32_TABLE[(crc ^ input[i]) & 0xff] ^ (crc >>> 8);
  return crc32Finish(crc);
}
