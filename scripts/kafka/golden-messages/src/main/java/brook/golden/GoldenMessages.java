package brook.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Serializes the requests and responses listed in cases.json with Kafka's own generated message
 * classes: each case's values are read by Kafka's generated JSON converter for that version,
 * written by Kafka's serializer, and the bytes (header and body, hex) are stored beside the values
 * as Kafka's converter writes them back. "@batch" stands for one record batch made by MemoryRecords.
 */
public final class GoldenMessages {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CORRELATION_ID = 0x1234;
    static final String CLIENT_ID = "golden-client";

    public static void main(String[] args) throws Exception {
        Path cases = Path.of(args[0]);
        // A directory gets one file per message; a .json path gets them all in one array.
        Path out = Path.of(args[1]);
        boolean oneFile = out.toString().endsWith(".json");
        if (!oneFile) Files.createDirectories(out);
        var collected = JSON.createArrayNode();
        String batch = Base64.getEncoder().encodeToString(recordBatch());
        JsonNode all = JSON.readTree(Files.readString(cases).replace("\"@batch\"", '"' + batch + '"'));
        int n = 0;
        for (JsonNode c : all) {
            String api = c.get("api").asText();
            short version = (short) c.get("version").asInt();
            for (String side : new String[] {"request", "response"}) {
                if (!c.has(side)) continue;
                String name = api + "-v" + version + "-" + side;
                ObjectNode result;
                try {
                    result = serialize(api, side, version, c.get(side));
                } catch (Exception e) {
                    throw new RuntimeException(name + ": " + (e.getCause() != null ? e.getCause() : e), e);
                }
                if (oneFile) collected.add(result);
                else Files.writeString(out.resolve(name + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
                n++;
            }
        }
        if (oneFile) Files.writeString(out, JSON.writer().writeValueAsString(collected) + "\n");
        System.out.println("wrote " + n + " golden messages to " + out);
    }

    static ObjectNode serialize(String api, String side, short version, JsonNode values) throws Exception {
        String dataClass = "org.apache.kafka.common.message." + api + (side.equals("request") ? "Request" : "Response") + "Data";
        Class<?> data = Class.forName(dataClass);
        Class<?> converter = Class.forName(dataClass + "JsonConverter");
        // Writing records consumes their buffer: the values are read twice, once for the bytes
        // and once for the JSON written back.
        var read = converter.getMethod("read", JsonNode.class, short.class);
        // "@defaults": a freshly constructed message, every field at Kafka's default.
        boolean defaults = values.isTextual() && values.asText().equals("@defaults");
        ApiMessage msg = (ApiMessage) (defaults ? data.getConstructor().newInstance() : read.invoke(null, values, version));
        ApiMessage forJson = (ApiMessage) (defaults ? data.getConstructor().newInstance() : read.invoke(null, values, version));
        ApiKeys key = ApiKeys.forId(msg.apiKey());
        ObjectNode result = JSON.createObjectNode();
        result.put("api", api);
        result.put("apiKey", key.id);
        result.put("side", side);
        result.put("version", version);
        result.put("correlationId", CORRELATION_ID);
        if (defaults) result.put("defaults", true);
        Message header;
        short headerVersion;
        if (side.equals("request")) {
            headerVersion = key.requestHeaderVersion(version);
            header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
            result.put("clientId", CLIENT_ID);
        } else {
            headerVersion = key.responseHeaderVersion(version);
            header = new ResponseHeaderData().setCorrelationId(CORRELATION_ID);
        }
        result.put("headerVersion", headerVersion);
        result.put("header", HexFormat.of().formatHex(bytes(header, headerVersion)));
        result.put("body", HexFormat.of().formatHex(bytes(msg, version)));
        JsonNode written = (JsonNode) converter.getMethod("write", data, short.class, boolean.class).invoke(null, forJson, version, true);
        if (!defaults) copyRecords(values, written);
        result.set("value", written);
        return result;
    }

    /** Kafka's converter writes records as an empty string whatever they hold: put the input's back. */
    static void copyRecords(JsonNode in, JsonNode out) {
        if (in.isArray()) {
            for (int i = 0; i < in.size() && i < out.size(); i++) copyRecords(in.get(i), out.get(i));
        } else if (in.isObject() && out.isObject()) {
            in.fieldNames().forEachRemaining(k -> {
                if (k.equals("records")) ((ObjectNode) out).set(k, in.get(k));
                else if (out.has(k)) copyRecords(in.get(k), out.get(k));
            });
        }
    }

    static byte[] bytes(Message m, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buf = ByteBuffer.allocate(m.size(cache, version));
        m.write(new ByteBufferAccessor(buf), cache, version);
        return buf.array();
    }

    static byte[] recordBatch() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(1_700_000_000_000L, "key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer b = records.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
