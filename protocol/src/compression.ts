/**
 * Compressed record batches: the codec registry. A batch's attributes bits 0-2 name the codec of
 * its records section (Kafka: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; 5-7 are not defined). The
 * header stays uncompressed, and the CRC covers the compressed bytes.
 *
 * This module holds no codec: the wire format stays isomorphic and small. Codecs are registered
 * by whoever needs them (the broker, and the SDK in Node): `@brook/protocol/codecs` has Kafka's
 * four in pure JavaScript (`registerKafkaCodecs()`).
 */
import { ProtocolError } from './io.js';

export const COMPRESSION_MASK = 0x07;

/** Kafka's compression codec ids (the batch attributes' low 3 bits). */
export const CompressionCodecId = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * Decompressed records of one batch may not exceed this (a zip bomb must not allocate unbounded
 * memory); the broker raises it to the topic's max.message.bytes if that is larger.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface CompressionCodec {
  /**
   * Decompresses a whole records section. Must throw (and stop working) once the output would
   * exceed maxBytes, and throw on input that does not decompress.
   */
  decompress(data: Uint8Array, maxBytes: number): Uint8Array;
  /** Optional: not every codec can compress here (the cleaner then writes uncompressed). */
  compress?(data: Uint8Array): Uint8Array;
  /**
   * Optional: the size the data says it decompresses to, read from its framing (null if it does
   * not say). Not checked, so only fit to plan work by (the broker's inline or worker check).
   */
  declaredSize?(data: Uint8Array): number | null;
}

/** A batch whose compression codec is undefined (5-7) or has no codec registered here. */
export class UnsupportedCompressionError extends ProtocolError {}

const registry = new Map<number, CompressionCodec>();

/** Registers (or replaces) the codec for a compression id (1-4). */
export function registerCompressionCodec(id: number, codec: CompressionCodec): void {
  if (!Number.isInteger(id) || id < 1 || id >= NAMES.length) throw new RangeError(`no Kafka compression codec has id ${id}`);
  registry.set(id, codec);
}

/** The codec registered for an id, if any. */
export function compressionCodec(id: number): CompressionCodec | undefined {
  return registry.get(id);
}

export function compressionName(id: number): string {
  return NAMES[id] ?? `unknown (${id})`;
}

/**
 * Decompresses a batch's records section with the registered codec. Throws
 * UnsupportedCompressionError for an unknown or unregistered codec, ProtocolError for data that
 * does not decompress or would exceed maxBytes.
 */
export function decompressRecords(id: number, data: Uint8Array, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Uint8Array {
  const codec = registry.get(id);
  if (!codec) {
    throw new UnsupportedCompressionError(
      id < NAMES.length ? `no ${NAMES[id]} codec is registered here` : `unknown compression codec ${id} in the batch attributes`,
    );
  }
  try {
    return codec.decompress(data, maxBytes);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(`${NAMES[id]} records do not decompress: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** What a compressed records section says it decompresses to (CompressionCodec.declaredSize); null if it does not say. */
export function declaredRecordsSize(id: number, data: Uint8Array): number | null {
  try {
    return registry.get(id)?.declaredSize?.(data) ?? null;
  } catch {
    return null;
  }
}

/** Compresses a records section, or returns null if no registered codec of that id can compress. */
export function compressRecords(id: number, data: Uint8Array): Uint8Array | null {
  const compress = registry.get(id)?.compress;
  return compress ? compress(data) : null;
}

/** Decompressed records would pass the bound they were decompressed with. */
export class DecompressedTooLargeError extends ProtocolError {
  constructor(readonly maxBytes: number) {
    super(`decompressed records exceed ${maxBytes} bytes`);
  }
}

/** Thrown by codecs when the output would pass the bound. */
export function tooLarge(maxBytes: number): ProtocolError {
  return new DecompressedTooLargeError(maxBytes);
}
