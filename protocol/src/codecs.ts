/**
 * Kafka's four compression codecs in pure JavaScript (no Node built-ins: `@brook/protocol/codecs`
 * stays isomorphic, but is its own entry so browser bundles that do not ask for it stay small),
 * except that Node registers zlib's gzip (gzip.node.ts, through the `#gzip` import) and libzstd
 * (zstd.node.ts, `#zstd`).
 *
 * - gzip (1): fflate, streamed in small chunks so a zip bomb stops at the bound; zlib in Node.
 * - snappy (2): snappyjs, raw or in xerial framing (what Kafka's Java client writes; KafkaJS's
 *   codec reads both). Written xerial-framed, as Java does.
 * - lz4 (3): the LZ4 frame format (Kafka's KafkaLZ4BlockOutputStream), frame parsed here, blocks
 *   decompressed by lz4js; written by lz4js.
 * - zstd (4): fzstd (decompression only); the frame headers are checked first so a huge declared
 *   window is refused before anything is allocated. In Node, libzstd instead (zstd.node.ts, through
 *   the `#zstd` import), which compresses too.
 *
 * Every decompressor stops once the output would pass `maxBytes` (see compression.ts).
 */
import { Gunzip, gzipSync } from 'fflate';
import { Decompress as ZstdDecompress } from 'fzstd';
import { compress as lz4Compress, decompressBlock as lz4DecompressBlock } from 'lz4js';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappyjs';
import { CompressionCodecId, registerCompressionCodec, tooLarge, type CompressionCodec } from './compression.js';
import { ProtocolError } from './io.js';
// zlib in Node, none elsewhere: the `#gzip` import's conditions (package.json) choose.
import { nativeGzip } from '#gzip';
import { gzipDeclaredSize } from './gzipTrailer.js';
// libzstd in Node (when its prebuilt binary loads), none elsewhere: the `#zstd` import's conditions.
import { nativeZstd } from '#zstd';
import type { NativeZstd } from './zstd.js';
import { zstdFrames } from './zstdFrames.js';

/** Collects output chunks and refuses to pass the bound. */
class BoundedOutput {
  private readonly chunks: Uint8Array[] = [];
  size = 0;
  constructor(private readonly maxBytes: number) {}

  add(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw tooLarge(this.maxBytes);
    this.chunks.push(chunk);
  }

  result(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Input pushed per step: gzip expands at most ~1032x, so one step yields at most ~4 MiB. */
const GZIP_STEP = 4096;

export const gzipCodec: CompressionCodec = {
  decompress(data, maxBytes) {
    const out = new BoundedOutput(maxBytes);
    let ended = false;
    const g = new Gunzip((chunk, final) => {
      out.add(chunk);
      if (final) ended = true;
    });
    for (let at = 0; at < data.length; at += GZIP_STEP) g.push(data.subarray(at, at + GZIP_STEP), at + GZIP_STEP >= data.length);
    if (!ended) throw new ProtocolError('gzip stream is truncated');
    return out.result();
  },
  compress: (data) => gzipSync(data),
  declaredSize: gzipDeclaredSize,
};

// xerial snappy-java framing: magic, version and compatible version, then (length, raw block)*.
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER = 16;
const XERIAL_BLOCK = 32 * 1024;

function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** The uncompressed length a raw snappy block's preamble (a varint) declares. */
function snappyLength(block: Uint8Array): number {
  let length = 0;
  for (let i = 0, shift = 1; ; i++, shift *= 128) {
    if (i >= 5 || i >= block.length) throw new ProtocolError('bad snappy length preamble');
    length += (block[i]! & 0x7f) * shift;
    if (block[i]! < 0x80) break;
  }
  return length;
}

/** A raw snappy block, whose preamble declares its uncompressed length: checked first. */
function unsnappy(block: Uint8Array, room: number, maxBytes = room): Uint8Array {
  const length = snappyLength(block);
  if (length > room) throw tooLarge(maxBytes);
  return snappyUncompress(block, room);
}

/** Each xerial block's [start, length] (lengths checked against the data). */
function* xerialBlocks(data: Uint8Array): Generator<[number, number]> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = XERIAL_HEADER; at < data.length; ) {
    if (at + 4 > data.length) throw new ProtocolError('xerial snappy block length is truncated');
    const len = view.getInt32(at);
    at += 4;
    if (len < 0 || at + len > data.length) throw new ProtocolError('xerial snappy block is truncated');
    yield [at, len];
    at += len;
  }
}

export const snappyCodec: CompressionCodec = {
  declaredSize(data) {
    if (!isXerial(data)) return snappyLength(data);
    let size = 0;
    for (const [at, len] of xerialBlocks(data)) size += snappyLength(data.subarray(at, at + len));
    return size;
  },
  decompress(data, maxBytes) {
    if (!isXerial(data)) return unsnappy(data, maxBytes);
    const out = new BoundedOutput(maxBytes);
    for (const [at, len] of xerialBlocks(data)) out.add(unsnappy(data.subarray(at, at + len), maxBytes - out.size, maxBytes));
    return out.result();
  },
  compress(data) {
    const blocks: Uint8Array[] = [];
    let size = XERIAL_HEADER;
    for (let at = 0; at < data.length; at += XERIAL_BLOCK) {
      const b = snappyCompress(data.subarray(at, at + XERIAL_BLOCK));
      blocks.push(b);
      size += 4 + b.length;
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out.set(XERIAL_MAGIC, 0);
    view.setInt32(8, 1); // version
    view.setInt32(12, 1); // compatible version
    let at = XERIAL_HEADER;
    for (const b of blocks) {
      view.setInt32(at, b.length);
      out.set(b, at + 4);
      at += 4 + b.length;
    }
    return out;
  },
};

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** An LZ4 frame's header: the largest block it allows, whether blocks carry checksums, where they start. */
function lz4Frame(data: Uint8Array): { view: DataView; blockMax: number; blockChecksum: boolean; at: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 7 || view.getUint32(0, true) !== LZ4_MAGIC) throw new ProtocolError('not an LZ4 frame');
  const flg = data[4]!;
  if (flg >> 6 !== 1) throw new ProtocolError('unsupported LZ4 frame version');
  const blockMax = LZ4_BLOCK_MAX[(data[5]! >> 4) & 7]!;
  if (blockMax === 0) throw new ProtocolError('invalid LZ4 block size');
  const at = 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1; // content size, dict id, header checksum
  return { view, blockMax, blockChecksum: (flg & 0x10) !== 0, at };
}

/** Each block of an LZ4 frame: its start, size and whether it is stored uncompressed. */
function* lz4Blocks(data: Uint8Array): Generator<{ at: number; size: number; stored: boolean; blockMax: number }> {
  const frame = lz4Frame(data);
  const { view, blockMax } = frame;
  for (let at = frame.at; ; ) {
    if (at + 4 > data.length) throw new ProtocolError('LZ4 frame is truncated');
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) return;
    const size = word & 0x7fffffff;
    if (size > blockMax || at + size > data.length) throw new ProtocolError('LZ4 block is larger than its frame allows');
    yield { at, size, stored: (word & 0x80000000) !== 0, blockMax };
    at += size + (frame.blockChecksum ? 4 : 0);
  }
}

export const lz4Codec: CompressionCodec = {
  decompress(data, maxBytes) {
    const out = new BoundedOutput(maxBytes);
    for (const { at, size, stored, blockMax } of lz4Blocks(data)) {
      if (stored) {
        out.add(data.slice(at, at + size));
      } else {
        const block = new Uint8Array(blockMax);
        const end = lz4DecompressBlock(data, block, at, size, 0);
        if (end > blockMax) throw new ProtocolError('LZ4 block decompresses past its maximum size');
        out.add(block.subarray(0, end));
      }
    }
    return out.result();
  },
  compress: (data) => lz4Compress(data),
  // At most the frame's block size per compressed block (Kafka's frames do not declare a content size).
  declaredSize(data) {
    let size = 0;
    for (const b of lz4Blocks(data)) size += b.stored ? b.size : b.blockMax;
    return size;
  },
};

export const zstdCodec: CompressionCodec = {
  decompress(data, maxBytes) {
    zstdFrames(data, maxBytes);
    const out = new BoundedOutput(maxBytes);
    // fzstd hands over one block (at most 128 KiB) at a time, so the bound stops it early.
    const z = new ZstdDecompress((chunk) => out.add(chunk));
    z.push(data, true);
    return out.result();
  },
  declaredSize: (data) => zstdFrames(data, Infinity).bound,
};

/**
 * libzstd where the frames bound the output within maxBytes (their declared sizes, or their blocks:
 * libzstd refuses a block that inflates past its maximum); fzstd's stream, which stops at
 * maxBytes, where they do not.
 */
function boundedNativeZstd(native: NativeZstd): CompressionCodec {
  return {
    decompress(data, maxBytes) {
      const { bound } = zstdFrames(data, maxBytes);
      if (bound > maxBytes) return zstdCodec.decompress(data, maxBytes);
      const out = native.decompress(data);
      if (out.length > bound) throw new ProtocolError('zstd records inflate past what their frames allow');
      return out;
    },
    compress: (data) => native.compress(data),
    declaredSize: zstdCodec.declaredSize,
  };
}

let registered = false;

/**
 * Registers gzip (zlib in Node), snappy, lz4 and zstd (libzstd in Node; elsewhere fzstd, which only
 * decompresses) for record batches. Idempotent.
 */
export function registerKafkaCodecs(): void {
  if (registered) return;
  registered = true;
  registerCompressionCodec(CompressionCodecId.GZIP, nativeGzip ?? gzipCodec);
  registerCompressionCodec(CompressionCodecId.Snappy, snappyCodec);
  registerCompressionCodec(CompressionCodecId.LZ4, lz4Codec);
  registerCompressionCodec(CompressionCodecId.ZSTD, nativeZstd ? boundedNativeZstd(nativeZstd) : zstdCodec);
}
