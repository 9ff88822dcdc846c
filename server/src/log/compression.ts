/**
 * Compressed batches on the broker: Kafka's codecs registered into the protocol's decoder, the
 * bound on decompressed size, and which codec the cleaner writes compacted batches with.
 *
 * Batches are stored and served exactly as produced (no re-compression on the fetch path); they
 * are decompressed only to validate them at produce time, and by the cleaner and the record-exact
 * timestamp lookup.
 */
import { COMPRESSION_MASK, DEFAULT_MAX_DECOMPRESSED_BYTES, compressionCodec, type DecodeOptions } from '@brook/protocol';
import { registerKafkaCodecs } from '@brook/protocol/codecs';

/** Registers gzip (zlib in Node), snappy, lz4 and zstd (libzstd in Node) (idempotent); Storage.open calls it. */
export function useKafkaCodecs(): void {
  registerKafkaCodecs();
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
 * it (all four in Node; zstd only where libzstd's binary loaded), else none.
 */
export function recompressionCodec(attributes: number): number {
  const id = attributes & COMPRESSION_MASK;
  return id !== 0 && compressionCodec(id)?.compress ? id : 0;
}
