// A group of consumers draining a topic, with Kafka's own Java client: ConsumerPerformance runs
// one consumer, so the group figure comes from here. `members` KafkaConsumers (one thread each)
// subscribe in one group; the rate is the records read from the first record to the last, the
// group forming (first poll to first record) apart. Run by scripts/bench-kafka.mjs.
//
//   java -cp 'jars/*' GroupConsume.java <bootstrap> <topic> <group> <records> <members> <classic|consumer>
// prints one line: RESULT {"records":..,"seconds":..,"perSecond":..,"joinMs":..}
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class GroupConsume {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], group = args[2], protocol = args[5];
    long records = Long.parseLong(args[3]);
    int members = Integer.parseInt(args[4]);
    AtomicLong read = new AtomicLong(), first = new AtomicLong(), last = new AtomicLong();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int m = 0; m < members; m++) {
      Thread t = new Thread(() -> {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("group.protocol", protocol);
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
          c.subscribe(List.of(topic));
          long deadline = System.nanoTime() + 120_000_000_000L;
          while (read.get() < records && System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(100));
            if (batch.isEmpty()) continue;
            first.compareAndSet(0, System.nanoTime());
            if (read.addAndGet(batch.count()) >= records) last.compareAndSet(0, System.nanoTime());
          }
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) t.join();
    double seconds = (last.get() - first.get()) / 1e9;
    System.out.printf("RESULT {\"records\":%d,\"seconds\":%.3f,\"perSecond\":%.0f,\"joinMs\":%.0f}%n",
        read.get(), seconds, last.get() == 0 ? 0 : read.get() / seconds, (first.get() - start) / 1e6);
  }
}
