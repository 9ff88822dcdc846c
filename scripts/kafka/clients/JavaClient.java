// Apache Kafka's Java client (kafka-clients 4.4) where the console tools have no equivalent, run by
// java-tools.mjs as a single-file program: java -cp 'jars/*' JavaClient.java MODE BOOTSTRAP JSON
//  - txn {"topic": T, "txns": [{"keys": [...], "commit": true|false}, ...]}: runs each transaction
//    (commit or abort), then reads the topic from the beginning with isolation.level
//    read_committed and read_uncommitted until every key of the last transaction was read;
//    prints RESULT {"readCommitted": [{key, partition, offset}], "readUncommitted": [...]}.
//  - read {"topic": T, "keys": [...]}: reads every partition from the beginning (assigned, no
//    group) until all keys were read; prints RESULT {"records": [...]}.
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

public class JavaClient {
  public static void main(String[] args) throws Exception {
    String mode = args[0], bootstrap = args[1];
    ObjectMapper json = new ObjectMapper();
    JsonNode p = json.readTree(args[2]);
    String topic = p.get("topic").asText();
    Object result;
    if (mode.equals("read")) {
      result = Map.of("records", read(bootstrap, topic, "read_uncommitted", keySet(p.get("keys"))));
    } else if (mode.equals("txn")) {
      runTransactions(bootstrap, topic, p.get("txns"));
      JsonNode txns = p.get("txns");
      Set<String> until = keySet(txns.get(txns.size() - 1).get("keys"));
      result = Map.of(
          "readCommitted", read(bootstrap, topic, "read_committed", until),
          "readUncommitted", read(bootstrap, topic, "read_uncommitted", until));
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
    System.out.println("RESULT " + json.writeValueAsString(result));
  }

  static Set<String> keySet(JsonNode keys) {
    Set<String> set = new HashSet<>();
    for (JsonNode k : keys) set.add(k.asText());
    return set;
  }

  static void runTransactions(String bootstrap, String topic, JsonNode txns) {
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("transactional.id", "kc-java-" + UUID.randomUUID().toString().substring(0, 8));
    pp.put("key.serializer", StringSerializer.class.getName());
    pp.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
      producer.initTransactions();
      for (JsonNode t : txns) {
        producer.beginTransaction();
        for (JsonNode k : t.get("keys")) producer.send(new ProducerRecord<>(topic, k.asText(), "value-" + k.asText()));
        if (t.get("commit").asBoolean()) producer.commitTransaction();
        else {
          producer.flush();
          producer.abortTransaction();
        }
      }
    }
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
