"""confluent-kafka (librdkafka) scenario steps; see harness_common.py.

librdkafka's default partitioner is consistent_random (CRC32); murmur2_random is the Java client's
murmur2 (with random partitions for null keys), which Kafka's docs advise for mixed clients."""

import logging
import re
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness_common import BOOTSTRAP, group_run, main, read_until, settled_partitions

BASE = {"bootstrap.servers": BOOTSTRAP}
PRODUCER = {**BASE, "partitioner": "murmur2_random", "acks": "all"}


def partitions_of(topic):
    md = AdminClient(BASE).list_topics(topic, timeout=10)
    t = md.topics[topic]
    if t.error is not None:
        raise KafkaException(t.error)
    return len(t.partitions)


def to_records(messages):
    out = []
    for m in messages:
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(m.error())
        out.append({"key": m.key().decode(), "partition": m.partition(), "offset": m.offset()})
    return out


class Adapter:
    def partitions(self, topic):
        return partitions_of(topic)

    def produce(self, topic, keys):
        p = Producer(PRODUCER)
        out, errors = [], []

        def delivered(err, msg):
            if err:
                errors.append(str(err))
            else:
                out.append({"key": msg.key().decode(), "partition": msg.partition(), "offset": msg.offset()})

        for k in keys:
            p.produce(topic, key=k.encode(), value=f"value-{k}".encode(), on_delivery=delivered)
        left = p.flush(30)
        if errors or left:
            raise RuntimeError(f"delivery failed: {errors[:3]} ({left} undelivered)")
        return out

    def new_member(self, p, index):
        c = Consumer({
            **BASE,
            "group.id": p["group"],
            "group.protocol": p.get("protocol", "classic"),
            "client.id": f"kc-confluent-{index}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        })
        c.subscribe([p["topic"]])
        return MemberConsumer(c)

    def committed(self, group, topic):
        c = Consumer({**BASE, "group.id": group, "enable.auto.commit": False})
        try:
            tps = c.committed([TopicPartition(topic, i) for i in range(partitions_of(topic))], timeout=10)
            return {tp.partition: tp.offset for tp in tps if tp.offset >= 0}
        finally:
            c.close()

    def end_offsets(self, topic):
        c = Consumer({**BASE, "group.id": f"kc-watermarks-{uuid.uuid4().hex[:8]}"})
        try:
            return {i: c.get_watermark_offsets(TopicPartition(topic, i), timeout=10)[1] for i in range(partitions_of(topic))}
        finally:
            c.close()


class MemberConsumer:
    def __init__(self, c):
        self.c = c

    def poll(self):
        return to_records(self.c.consume(num_messages=500, timeout=0.2))

    def assigned(self):
        return [tp.partition for tp in self.c.assignment()]

    def commit(self):
        self.c.commit(asynchronous=False)

    def close(self):
        self.c.close()


def create_topic(p):
    admin = AdminClient(BASE)  # must outlive the futures
    fs = admin.create_topics([NewTopic(p["topic"], num_partitions=p["partitions"], replication_factor=1)])
    for f in fs.values():
        f.result(30)
    return {"partitions": settled_partitions(lambda: partitions_of(p["topic"]), p["partitions"])}


def produce(p):
    return {"records": Adapter().produce(p["topic"], p["keys"])}


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def compressed(p):
    """Each codec: keyed records with compression.type=CODEC and debug=msg; the codec librdkafka's
    log says the batches went out with ("not compressing batch" when it turned it off), and the
    records read back."""
    topic, sent_as = p["topic"], {}
    for z in p["codecs"]:
        capture = LogCapture()
        log = logging.getLogger(f"kc-librdkafka-{z}")
        log.addHandler(capture)
        log.setLevel(logging.DEBUG)
        prod = Producer({**PRODUCER, "compression.type": z, "debug": "msg", "logger": log})
        for i in range(p["perCodec"]):
            prod.produce(topic, key=f"{z}-{i}".encode(), value=b"x" * p["valueBytes"])
        if prod.flush(30):
            raise RuntimeError(f"{z}: records left undelivered")
        prod.poll(0.2)  # serve the remaining log lines
        text = "\n".join(capture.lines)
        used = set(re.findall(r"Produce MessageSet with .*, (\w+)\)", text))
        sent_as[z] = "not compressing batch (librdkafka)" if "not compressing batch" in text else "+".join(sorted(used)) or "no batch logged"

    c = Consumer({**BASE, "group.id": f"kc-confluent-z-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False, "enable.partition.eof": True})
    try:
        n = partitions_of(topic)
        c.assign([TopicPartition(topic, i, -2) for i in range(n)])
        records, eof = [], set()
        deadline = time.time() + 60
        while len(eof) < n and time.time() < deadline:
            for m in c.consume(num_messages=500, timeout=0.2):
                if m.error() and m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                elif m.error():
                    raise KafkaException(m.error())
                else:
                    records.append({"key": m.key().decode(), "partition": m.partition(), "offset": m.offset(), "valueBytes": len(m.value())})
    finally:
        c.close()
    return {"sentAs": sent_as, "records": records}


def txn(p):
    topic = p["topic"]
    prod = Producer({**PRODUCER, "transactional.id": f"kc-confluent-{uuid.uuid4().hex[:8]}"})
    prod.init_transactions(30)
    for t in p["txns"]:
        prod.begin_transaction()
        for k in t["keys"]:
            prod.produce(topic, key=k.encode(), value=f"value-{k}".encode())
        if t["commit"]:
            prod.commit_transaction(30)
        else:
            prod.flush(30)
            prod.abort_transaction(30)

    def read(isolation):
        c = Consumer({
            **BASE,
            "group.id": f"kc-confluent-txn-{uuid.uuid4().hex[:8]}",
            "isolation.level": isolation,
            "enable.auto.commit": False,
        })
        try:
            c.assign([TopicPartition(topic, i, -2) for i in range(partitions_of(topic))])  # -2: beginning
            return read_until(lambda: to_records(c.consume(num_messages=500, timeout=0.2)), p["txns"][-1]["keys"])
        finally:
            c.close()

    return {"readCommitted": read("read_committed"), "readUncommitted": read("read_uncommitted")}


if __name__ == "__main__":
    main({
        "create-topic": create_topic,
        "produce": produce,
        "group": lambda p: group_run(Adapter(), p, produce_first=False),
        "resume": lambda p: group_run(Adapter(), p, produce_first=True),
        "txn": txn,
        "compressed": compressed,
    })
