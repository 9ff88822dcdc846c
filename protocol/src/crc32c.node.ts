/**
 * CRC-32C in Node: the SSE4.2/ARMv8 CRC instructions through `@node-rs/crc32` (prebuilt N-API
 * binaries from the npm registry), chosen by the `node` condition of the package's `#crc32c`
 * import. Without a binary for the platform (or an install without optional dependencies) it
 * falls back to the JavaScript slicing-by-16 of crc32c.ts, which browsers always use.
 */
import { createRequire } from 'node:module';
import { crc32c as crc32cJs } from './crc32c.js';

type NativeCrc = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc | null {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc }).crc32c;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Whether the native implementation is in use (for tests and benchmarks). */
export const crc32cIsNative: boolean = native !== null;

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  // From 64 bytes native wins (scripts/bench/crc32c-micro.mjs); below, it is a draw, and a batch CRC covers at least 40 bytes.
  if (native === null) return crc32cJs(buf, start, end);
  return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;
}
