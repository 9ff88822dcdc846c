// End-to-end latency at a fixed rate, with Kafka's own Java client (kafka-clients from Maven),
// run by scripts/bench-kafka.mjs as a single-file program against Brook and against Kafka.
//
// Kafka's EndToEndLatency sends one record and waits for it before the next, so it measures one
// round trip at a time; a paced run shows what a steady stream sees, batching and fsync cadence
// included. One producer (linger.ms=0, the given acks) sends `rate` records a second on a fixed
// schedule; one consumer with every partition assigned (no group) reads from the end. A record
// carries System.nanoTime() of its send() call, so latency is send() to poll() in one JVM, at
// nanosecond resolution (record timestamps have milliseconds only). The first second is warm-up.
//
//   java -cp 'jars/*' PacedLatency.java <bootstrap> <topic> <rate> <seconds> <size> <acks>
// prints one line: RESULT {"sent":..,"received":..,"p50":..,"p99":..,"p999":..,"max":..} (ms)
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class PacedLatency {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], acks = args[5];
    int rate = Integer.parseInt(args[2]), seconds = Integer.parseInt(args[3]), size = Integer.parseInt(args[4]);
    long total = (long) rate * seconds, warmup = rate; // the first second is not counted

    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("enable.auto.commit", "false");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, p.partition()));
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    for (TopicPartition tp : parts) consumer.position(tp); // resolve the end now, before sending

    long[] latencies = new long[(int) total];
    java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean(false);
    Thread reader = new Thread(() -> {
      while (!stop.get() && received.get() < total) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          ByteBuffer v = ByteBuffer.wrap(r.value());
          long seq = v.getLong(0), sentAt = v.getLong(8);
          if (seq < total) latencies[(int) seq] = now - sentAt;
          received.incrementAndGet();
        }
      }
    });
    reader.start();

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", acks);
    pp.put("linger.ms", "0");
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
    producer.partitionsFor(topic); // metadata before the clock starts

    long interval = 1_000_000_000L / rate, start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      byte[] value = new byte[Math.max(size, 16)];
      ByteBuffer.wrap(value).putLong(0, i).putLong(8, System.nanoTime());
      producer.send(new ProducerRecord<>(topic, value));
    }
    producer.flush();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (received.get() < total && System.nanoTime() < deadline) Thread.sleep(10);
    stop.set(true);
    reader.join();
    producer.close();
    consumer.close();

    long[] counted = Arrays.stream(Arrays.copyOfRange(latencies, (int) warmup, (int) total)).filter(x -> x > 0).sorted().toArray();
    System.out.printf("RESULT {\"sent\":%d,\"received\":%d,\"counted\":%d,\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}%n",
        total, received.get(), counted.length, pct(counted, 0.50), pct(counted, 0.99), pct(counted, 0.999),
        counted.length == 0 ? 0.0 : counted[counted.length - 1] / 1e6);
  }

  static double pct(long[] sorted, double q) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
