/**
 * A zstd stream's frames and block headers, walked without decompressing: what the decompressors
 * (fzstd in codecs.ts, libzstd in zstd.node.ts) may be handed, and the most it can inflate to.
 */
import { tooLarge } from './compression.js';
import { ProtocolError } from './io.js';

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** RFC 8878 3.1.1.2.3: no block decompresses to more than min(window, 128 KiB). */
const BLOCK_MAX = 128 << 10;
/**
 * Windows up to this are let through whatever the bound: a decoder allocates its window, so a huge
 * one is refused first, but zstd's levels up to 19 use up to 8 MiB (Kafka's default level 3:
 * 2 MiB), and the bound may be the broker's small per-turn budget rather than the batch's limit.
 */
const WINDOW_ALWAYS_ALLOWED = 8 << 20;

export interface ZstdFrames {
  /** The content size all frames declare, or null if one does not (Java's zstd-jni stream does not). */
  readonly declared: number | null;
  /**
   * The most the stream can decompress to: declared content sizes where present, else the block
   * headers' sizes (raw and RLE blocks say theirs; a compressed one is at most min(window, 128 KiB)).
   */
  readonly bound: number;
}

/**
 * Walks the frames and refuses a declared content size above maxBytes, a window above it (and
 * above 8 MiB: decoders allocate the window up front), a truncated stream, bytes after the last
 * frame and reserved block types.
 */
export function zstdFrames(data: Uint8Array, maxBytes: number): ZstdFrames {
  let declared: number | null = 0;
  let bound = 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > data.length) throw new ProtocolError('zstd frame is truncated');
  };
  for (let at = 0; at < data.length; ) {
    need(at, 4);
    const magic = view.getUint32(at, true);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(at, 8);
      at += 8 + view.getUint32(at + 4, true);
      need(at, 0);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new ProtocolError('not a zstd frame');
    need(at, 5);
    const fhd = data[at + 4]!;
    const singleSegment = (fhd >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsCode = fhd >> 6;
    const fcsBytes = fcsCode === 0 ? singleSegment : 1 << fcsCode;
    let p = at + 5;
    let window = 0;
    if (!singleSegment) {
      need(p, 1);
      const wd = data[p++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    p += dictBytes;
    need(p, fcsBytes);
    let contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + data[p + i]!;
    if (fcsBytes === 2) contentSize += 256;
    p += fcsBytes;
    if (singleSegment) window = contentSize;
    if (window > Math.max(maxBytes, WINDOW_ALWAYS_ALLOWED) || contentSize > maxBytes) throw tooLarge(maxBytes);
    const blockMax = Math.min(window, BLOCK_MAX);
    let blocks = 0;
    for (let last = false; !last; ) {
      need(p, 3);
      const bh = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
      last = (bh & 1) === 1;
      const type = (bh >> 1) & 3;
      const size = bh >>> 3;
      if (type === 3) throw new ProtocolError('reserved zstd block type');
      blocks += type === 2 ? blockMax : size;
      p += 3 + (type === 1 ? 1 : size);
    }
    if (fhd & 0x04) p += 4; // content checksum
    need(p, 0);
    at = p;
    declared = fcsBytes === 0 || declared === null ? null : declared + contentSize;
    bound += fcsBytes === 0 ? blocks : contentSize;
  }
  return { declared, bound };
}
