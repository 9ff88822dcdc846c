package brook.golden;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Writes golden RecordBatch v2 fixtures with Apache Kafka's own kafka-clients code, from fixed
 * inputs, so Brook's encoder and decoder can be checked against bytes Brook did not make.
 *
 * Each fixture holds: the inputs (what was handed to Kafka's builder), the bytes Kafka wrote
 * (hex), and what Kafka's own DefaultRecordBatch reads back from those bytes ("kafkaRead").
 *
 * Also writes compressed batches (gzip, snappy, lz4, zstd, as Kafka's producer compresses them)
 * to COMPRESSED.json: Brook cannot match compressed bytes exactly (its compressors differ), so
 * those fixtures are checked one way, Kafka's bytes decoded to the inputs.
 *
 * Usage: GoldenBatches OUTPUT.json COMPRESSED.json
 */
public final class GoldenBatches {
    private static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    /** One record as handed to Kafka: its absolute offset, timestamp, key, value, headers. */
    private record In(long offset, long timestamp, byte[] key, byte[] value, Header[] headers) {}

    /** Inputs of one data batch. */
    private record DataBatch(String name, String description, long baseOffset, int partitionLeaderEpoch,
                             long producerId, short producerEpoch, int baseSequence, boolean transactional,
                             List<In> records) {}

    /** Inputs of one transaction marker (control batch). */
    private record ControlBatch(String name, String description, long baseOffset, int partitionLeaderEpoch,
                                long producerId, short producerEpoch, long timestamp, ControlRecordType type,
                                int coordinatorEpoch) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: GoldenBatches OUTPUT.json COMPRESSED.json");
        List<String> fixtures = new ArrayList<>();
        for (DataBatch b : dataBatches()) fixtures.add(dataFixture(b, "none", Compression.NONE));
        for (ControlBatch c : controlBatches()) fixtures.add(controlFixture(c));
        write(args[0], fixtures);
        List<String> compressed = new ArrayList<>();
        for (DataBatch b : compressibleBatches()) {
            compressed.add(dataFixture(b, "gzip", Compression.gzip().build()));
            compressed.add(dataFixture(b, "snappy", Compression.snappy().build()));
            compressed.add(dataFixture(b, "lz4", Compression.lz4().build()));
            compressed.add(dataFixture(b, "zstd", Compression.zstd().build()));
        }
        write(args[1], compressed);
    }

    private static void write(String path, List<String> fixtures) throws IOException {
        String json = "{\n"
            + "  \"generator\": \"scripts/kafka/golden/GoldenBatches.java with org.apache.kafka:kafka-clients "
            + kafkaVersion() + "\",\n"
            + "  \"fixtures\": [\n" + String.join(",\n", fixtures) + "\n  ]\n}\n";
        Files.writeString(Path.of(path), json, StandardCharsets.UTF_8);
        System.out.println("wrote " + fixtures.size() + " fixtures to " + path);
    }

    /**
     * Inputs for the compressed fixtures: a small batch with headers and nulls, and a big one
     * (about 150 KB of records) that spans several snappy (32 KiB) and lz4 (64 KiB) blocks.
     */
    private static List<DataBatch> compressibleBatches() {
        List<DataBatch> out = new ArrayList<>();
        out.add(new DataBatch("small", "three records: headers, a null key, a tombstone",
            10, 0, 9_001L, (short) 3, 17, false, List.of(
                new In(10, T0, utf8("k1"), utf8("hello, compressed world"), new Header[] {
                    new RecordHeader("trace-id", utf8("abc123")), new RecordHeader("nothing", (byte[]) null)}),
                rec(11, T0 + 1, null, utf8("no key")),
                rec(12, T0 + 2, utf8("k3"), null))));
        List<In> many = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String v = "{\"id\": " + i + ", \"name\": \"customer-" + (i % 37) + "\", \"note\": \""
                + "lorem ipsum dolor sit amet ".repeat(1 + i % 7) + "\"}";
            many.add(rec(i, T0 + i, utf8("key-" + (i % 101)), utf8(v)));
        }
        // Listed in the fixture as a formula, not record by record (the file would be megabytes):
        // protocol/test/compression.test.ts builds the same records.
        out.add(new DataBatch("big", "1,000 records: key 'key-' + (i % 101), value '{\"id\": ' + i + ', \"name\": "
                + "\"customer-' + (i % 37) + '\", \"note\": \"' + 'lorem ipsum dolor sit amet ' x (1 + i % 7) + '\"}', "
                + "offset i, timestamp T0 + i; about 150 KB before compression", 0, 0,
            RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, many));
        return out;
    }

    private static List<DataBatch> dataBatches() {
        List<DataBatch> out = new ArrayList<>();
        byte[] big = new byte[200]; // a length whose varint takes two bytes
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
        out.add(new DataBatch("plain", "five records: utf-8 key and value, null key, null value (tombstone), "
                + "empty key and value, binary key with a 200-byte value; timestamps out of order after the first",
            1_234_567_890_123L, 0, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
            RecordBatch.NO_SEQUENCE, false, List.of(
                rec(1_234_567_890_123L, T0, utf8("k1"), utf8("hello")),
                rec(1_234_567_890_124L, T0 + 5, null, utf8("no key")),
                rec(1_234_567_890_125L, T0 + 10, utf8("k3"), null),
                rec(1_234_567_890_126L, T0 + 300, new byte[0], new byte[0]),
                rec(1_234_567_890_127L, T0 + 20, new byte[] {0x00, (byte) 0xff, (byte) 0x80}, big))));
        out.add(new DataBatch("headers", "records with headers: several, a repeated key, a null and an empty "
                + "header value, a non-ASCII key; then a record with none",
            42, 0, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false,
            List.of(
                new In(42, T0, utf8("order-1"), utf8("{\"qty\":3}"), new Header[] {
                    new RecordHeader("trace-id", utf8("abc123")),
                    new RecordHeader("retry", new byte[] {0, 0, 0, 2}),
                    new RecordHeader("retry", new byte[] {0, 0, 0, 3})}),
                new In(43, T0 + 1, null, utf8("v"), new Header[] {
                    new RecordHeader("nothing", (byte[]) null),
                    new RecordHeader("empty", new byte[0]),
                    new RecordHeader("clé-ключ-鍵", utf8("ü"))}),
                rec(44, T0 + 2, utf8("k"), utf8("no headers")))));
        out.add(new DataBatch("transactional", "a transactional producer's batch (producer id, epoch, base sequence)",
            5_000, 0, 123_456_789_012L, (short) 7, 42, true, List.of(
                rec(5_000, T0 + 1_000, utf8("a"), utf8("one")),
                rec(5_001, T0 + 1_001, utf8("b"), utf8("two")),
                rec(5_002, T0 + 1_002, utf8("c"), utf8("three")))));
        out.add(new DataBatch("idempotent", "an idempotent, non-transactional producer's batch",
            77, 0, 9_001L, (short) 3, 17, false, List.of(
                rec(77, T0 + 2_000, utf8("x"), utf8("first")),
                rec(78, T0 + 2_000, utf8("y"), utf8("second")))));
        out.add(new DataBatch("idempotent-as-sent", "the idempotent batch as a producer sends it: base offset 0 "
                + "and partition leader epoch -1 (NO_PARTITION_LEADER_EPOCH); the broker stamps both",
            0, RecordBatch.NO_PARTITION_LEADER_EPOCH, 9_001L, (short) 3, 17, false, List.of(
                rec(0, T0 + 2_000, utf8("x"), utf8("first")),
                rec(1, T0 + 2_000, utf8("y"), utf8("second")))));
        out.add(new DataBatch("offset-gaps", "offsets with gaps, as compaction leaves them (deltas 0, 3, 7)",
            100, 0, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false,
            List.of(
                rec(100, T0, utf8("a"), utf8("1")),
                rec(103, T0 + 3, utf8("b"), utf8("2")),
                rec(107, T0 + 7, utf8("c"), utf8("3")))));
        out.add(new DataBatch("first-timestamp-not-smallest", "the first record is not the earliest: Kafka's "
                + "baseTimestamp is the first record's timestamp, later deltas are negative",
            0, 0, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false,
            List.of(
                rec(0, T0 + 500, utf8("late"), utf8("1")),
                rec(1, T0, utf8("early"), utf8("2")),
                rec(2, T0 + 1_000, utf8("latest"), utf8("3")))));
        return out;
    }

    private static List<ControlBatch> controlBatches() {
        return List.of(
            new ControlBatch("control-commit", "COMMIT marker ending producer 123456789012's transaction",
                5_003, 0, 123_456_789_012L, (short) 7, T0 + 1_100, ControlRecordType.COMMIT, 0),
            new ControlBatch("control-abort", "ABORT marker ending producer 123456789012's transaction",
                5_003, 0, 123_456_789_012L, (short) 7, T0 + 1_100, ControlRecordType.ABORT, 0),
            new ControlBatch("control-commit-coordinator-epoch", "COMMIT marker written by a coordinator "
                    + "in epoch 5 (the value's coordinatorEpoch)",
                9, 2, 555L, (short) 1, T0 + 3_000, ControlRecordType.COMMIT, 5));
    }

    private static String dataFixture(DataBatch b, String compressionName, Compression compression) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buf, RecordBatch.MAGIC_VALUE_V2, compression,
            TimestampType.CREATE_TIME, b.baseOffset, RecordBatch.NO_TIMESTAMP, b.producerId, b.producerEpoch,
            b.baseSequence, b.transactional, b.partitionLeaderEpoch);
        for (In r : b.records) builder.appendWithOffset(r.offset, r.timestamp, r.key, r.value, r.headers);
        MemoryRecords built = builder.build();
        StringBuilder input = new StringBuilder();
        input.append("{\"baseOffset\": ").append(b.baseOffset)
            .append(", \"partitionLeaderEpoch\": ").append(b.partitionLeaderEpoch)
            .append(", \"producerId\": ").append(b.producerId)
            .append(", \"producerEpoch\": ").append(b.producerEpoch)
            .append(", \"baseSequence\": ").append(b.baseSequence)
            .append(", \"transactional\": ").append(b.transactional)
            .append(",\n        \"records\": [\n");
        boolean listed = b.records.size() <= 100;
        List<String> recs = new ArrayList<>();
        if (listed) for (In r : b.records) recs.add("          " + recordJson(r.offset, r.timestamp, r.key, r.value, r.headers));
        input.append(String.join(",\n", recs)).append("]}");
        String name = compressionName.equals("none") ? b.name : compressionName + "-" + b.name;
        return fixture(name, b.description, "data", input.toString(), built, listed);
    }

    private static String controlFixture(ControlBatch c) {
        MemoryRecords built = MemoryRecords.withEndTransactionMarker(c.baseOffset, c.timestamp,
            c.partitionLeaderEpoch, c.producerId, c.producerEpoch, new EndTransactionMarker(c.type, c.coordinatorEpoch));
        String input = "{\"baseOffset\": " + c.baseOffset + ", \"partitionLeaderEpoch\": " + c.partitionLeaderEpoch
            + ", \"producerId\": " + c.producerId + ", \"producerEpoch\": " + c.producerEpoch
            + ", \"timestamp\": " + c.timestamp + ", \"controlType\": " + str(c.type.name())
            + ", \"coordinatorEpoch\": " + c.coordinatorEpoch + "}";
        return fixture(c.name, c.description, "control", input, built, true);
    }

    /**
     * The fixture's JSON: inputs, Kafka's bytes, and what Kafka itself reads back from them (its
     * records only if `listed`; the count always).
     */
    private static String fixture(String name, String description, String kind, String input, MemoryRecords built,
                                  boolean listed) {
        ByteBuffer bytes = built.buffer();
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        List<MutableRecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(ByteBuffer.wrap(raw)).batches().forEach(batches::add);
        if (batches.size() != 1) throw new IllegalStateException(name + ": expected one batch, got " + batches.size());
        DefaultRecordBatch batch = (DefaultRecordBatch) batches.get(0);
        batch.ensureValid(); // Kafka's own CRC and size check
        List<String> recs = new ArrayList<>();
        for (Record r : batch) {
            if (listed) recs.add("          " + recordJson(r.offset(), r.timestamp(), bytesOrNull(r.key()), bytesOrNull(r.value()),
                r.headers()));
        }
        String read = "{\"baseOffset\": " + batch.baseOffset() + ", \"lastOffset\": " + batch.lastOffset()
            + ", \"partitionLeaderEpoch\": " + batch.partitionLeaderEpoch() + ", \"magic\": " + batch.magic()
            + ", \"crc\": " + batch.checksum() + ", \"sizeInBytes\": " + batch.sizeInBytes()
            + ",\n        \"isTransactional\": " + batch.isTransactional()
            + ", \"isControlBatch\": " + batch.isControlBatch()
            + ", \"timestampType\": " + str(batch.timestampType().name())
            + ", \"compressionType\": " + str(batch.compressionType().name)
            + ",\n        \"baseTimestamp\": " + batch.baseTimestamp() + ", \"maxTimestamp\": " + batch.maxTimestamp()
            + ", \"producerId\": " + batch.producerId() + ", \"producerEpoch\": " + batch.producerEpoch()
            + ", \"baseSequence\": " + batch.baseSequence() + ", \"count\": " + batch.countOrNull()
            + ",\n        \"records\": [\n" + String.join(",\n", recs) + "]}";
        return "    {\"name\": " + str(name) + ", \"kind\": " + str(kind) + ",\n"
            + "      \"description\": " + str(description) + ",\n"
            + "      \"input\": " + input + ",\n"
            + "      \"kafkaRead\": " + read + ",\n"
            + "      \"hex\": " + str(hex(raw)) + "}";
    }

    private static In rec(long offset, long timestamp, byte[] key, byte[] value) {
        return new In(offset, timestamp, key, value, Record.EMPTY_HEADERS);
    }

    private static String recordJson(long offset, long timestamp, byte[] key, byte[] value, Header[] headers) {
        List<String> hs = new ArrayList<>();
        for (Header h : headers) hs.add("{\"key\": " + str(h.key()) + ", \"value\": " + hexOrNull(h.value()) + "}");
        return "{\"offset\": " + offset + ", \"timestamp\": " + timestamp + ", \"key\": " + hexOrNull(key)
            + ", \"value\": " + hexOrNull(value) + ", \"headers\": [" + String.join(", ", hs) + "]}";
    }

    private static byte[] bytesOrNull(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hexOrNull(byte[] b) {
        return b == null ? "null" : str(hex(b));
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) sb.append(String.format("%02x", x & 0xff));
        return sb.toString();
    }

    /** A JSON string literal; non-ASCII is escaped so the file stays plain ASCII. */
    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') sb.append('\\').append(ch);
            else if (ch < 0x20 || ch > 0x7e) sb.append(String.format("\\u%04x", (int) ch));
            else sb.append(ch);
        }
        return sb.append('"').toString();
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
    }

    private GoldenBatches() {}
}
