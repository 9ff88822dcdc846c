/**
 * Compressed batches on the broker: Kafka's codecs registered into the protocol's decoder, the
 * bound on decompressed size, and which codec the cleaner writes compacted batches with.
 *
 * Batches are stored and served exactly as produced (no re-compression on the fetch path); they
 * are decompressed only to validate them at produce time, and by the cleaner and the record-exact
 * timestamp lookup.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  COMPRESSION_MASK,
  CompressionCodecId,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  compressionCodec,
  registerCompressionCodec,
  tooLarge,
  type CompressionCodec,
  type DecodeOptions,
} from '@brook/protocol';
import { gzipCodec, registerKafkaCodecs } from '@brook/protocol/codecs';

/**
 * gzip through Node's zlib rather than the protocol's JavaScript one (fflate): Java's gzip
 * producer (1M records of 100 B) cost the broker 3.1-3.3 CPU s instead of 7.3-8.8 s, and went
 * from 92-94k to 136-160k records/s. `maxOutputLength` keeps the bound; zlib also checks the
 * trailer's CRC and length, which fflate does not.
 */
const nodeGzipCodec: CompressionCodec = {
  decompress(data, maxBytes) {
    if (maxBytes <= 0) throw tooLarge(maxBytes);
    try {
      const out = gunzipSync(data, { maxOutputLength: maxBytes });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
      throw e;
    }
  },
  compress: (data) => {
    const out = gzipSync(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
  declaredSize: gzipCodec.declaredSize!,
};

/** Registers gzip (Node's zlib), snappy, lz4 and zstd (idempotent); Storage.open calls it. */
export function useKafkaCodecs(): void {
  registerKafkaCodecs();
  registerCompressionCodec(CompressionCodecId.GZIP, nodeGzipCodec);
}

/**
 * The largest decompressed records section accepted for a topic: 64 MiB, or max.message.bytes if
 * larger. A batch that inflates past it is refused (CORRUPT_MESSAGE) without allocating more.
 */
export function decodeOptions(maxBatchBytes: number): DecodeOptions {
  return { maxDecompressedBytes: Math.max(DEFAULT_MAX_DECOMPRESSED_BYTES, maxBatchBytes) };
}

/**
 * The codec a compacted batch is written with: the batch's own if a compressor is registered for
 * it (gzip, snappy, lz4), else none (zstd: only a decompressor is available here).
 */
export function recompressionCodec(attributes: number): number {
  const id = attributes & COMPRESSION_MASK;
  return id !== 0 && compressionCodec(id)?.compress ? id : 0;
}
