// The transaction scenario with Apache Kafka's Java client (kafka-clients 4.4), run by
// java-tools.mjs as a single-file program: java -cp 'jars/*' JavaTransactions.java BOOTSTRAP JSON
// JSON: {"topic": T, "txns": [{"keys": [...], "commit": true|false}, ...]}. Runs each transaction
// (commit or abort), then reads the topic from the beginning with isolation.level read_committed
// and read_uncommitted until every key of the last transaction was read, and prints
// RESULT {"readCommitted": [{key, partition, offset}], "readUncommitted": [...]}.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class JavaTransactions {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    ObjectMapper json = new ObjectMapper();
    JsonNode p = json.readTree(args[1]);
    String topic = p.get("topic").asText();

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("transactional.id", "kc-java-" + UUID.randomUUID().toString().substring(0, 8));
    pp.put("key.serializer", StringSerializer.class.getName());
    pp.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
      producer.initTransactions();
      for (JsonNode t : p.get("txns")) {
        producer.beginTransaction();
        for (JsonNode k : t.get("keys")) producer.send(new ProducerRecord<>(topic, k.asText(), "value-" + k.asText()));
        if (t.get("commit").asBoolean()) producer.commitTransaction();
        else {
          producer.flush();
          producer.abortTransaction();
        }
      }
    }

    JsonNode txns = p.get("txns");
    Set<String> until = new HashSet<>();
    for (JsonNode k : txns.get(txns.size() - 1).get("keys")) until.add(k.asText());
    Map<String, Object> result = Map.of(
        "readCommitted", read(bootstrap, topic, "read_committed", until),
        "readUncommitted", read(bootstrap, topic, "read_uncommitted", until));
    System.out.println("RESULT " + json.writeValueAsString(result));
  }

  static List<Map<String, Object>> read(String bootstrap, String topic, String isolation, Set<String> until) {
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("isolation.level", isolation);
    cp.put("enable.auto.commit", "false");
    cp.put("key.deserializer", StringDeserializer.class.getName());
    cp.put("value.deserializer", StringDeserializer.class.getName());
    List<Map<String, Object>> records = new ArrayList<>();
    Set<String> left = new HashSet<>(until);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.currentTimeMillis() + 60_000;
      while (!left.isEmpty()) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException(isolation + ": timed out; still waiting for " + left);
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          records.add(Map.of("key", r.key(), "partition", r.partition(), "offset", r.offset()));
          left.remove(r.key());
        }
      }
    }
    return records;
  }
}
