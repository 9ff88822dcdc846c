/**
 * Compressed batches in the SDK: in Node, Kafka's codecs (gzip, snappy, lz4, zstd) are registered
 * into the protocol's decoder before the first connection, so the consumer reads batches that
 * Kafka clients produced compressed. Browsers skip it (a variable specifier keeps bundlers from
 * pulling the codecs in); there a compressed batch fails to decode with UnsupportedCompressionError
 * unless the application registers codecs itself (`registerKafkaCodecs` from
 * `@brook/protocol/codecs`).
 */
let loaded: Promise<void> | null = null;

export function loadNodeCodecs(): Promise<void> {
  loaded ??= (async () => {
    const mod = '@brook/protocol/codecs';
    const m = (await import(/* @vite-ignore */ mod)) as { registerKafkaCodecs(): void };
    m.registerKafkaCodecs();
  })();
  return loaded;
}
