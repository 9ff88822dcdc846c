"""kafka-python (pure Python, classic group protocol) scenario steps; see harness_common.py."""

import uuid

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from harness_common import BOOTSTRAP, group_run, main, read_until, settled_partitions


def admin():
    return KafkaAdminClient(bootstrap_servers=BOOTSTRAP, client_id="kc-kafka-python")


def partitions_of(topic):
    a = admin()
    try:
        (t,) = a.describe_topics([topic])
        return len(t["partitions"])
    finally:
        a.close()


def to_records(messages):
    return [{"key": m.key.decode(), "partition": m.partition, "offset": m.offset} for m in messages]


class Adapter:
    def partitions(self, topic):
        return partitions_of(topic)

    def produce(self, topic, keys):
        p = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
        futures = [(k, p.send(topic, key=k.encode(), value=f"value-{k}".encode())) for k in keys]
        p.flush()
        out = []
        for k, f in futures:
            md = f.get(timeout=30)
            out.append({"key": k, "partition": md.partition, "offset": md.offset})
        p.close()
        return out

    def new_member(self, p, index):
        c = KafkaConsumer(
            bootstrap_servers=BOOTSTRAP,
            group_id=p["group"],
            client_id=f"kc-kafka-python-{index}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        c.subscribe([p["topic"]])
        return MemberConsumer(c)

    def committed(self, group, topic):
        a = admin()
        try:
            offsets = a.list_group_offsets({group: None})[group]
            return {tp.partition: om.offset for tp, om in offsets.items() if tp.topic == topic}
        finally:
            a.close()

    def end_offsets(self, topic):
        c = KafkaConsumer(bootstrap_servers=BOOTSTRAP)
        try:
            tps = [TopicPartition(topic, i) for i in range(partitions_of(topic))]
            return {tp.partition: o for tp, o in c.end_offsets(tps).items()}
        finally:
            c.close()


class MemberConsumer:
    def __init__(self, c):
        self.c = c

    def poll(self):
        got = self.c.poll(timeout_ms=200)
        return [r for msgs in got.values() for r in to_records(msgs)]

    def assigned(self):
        return [tp.partition for tp in self.c.assignment()]

    def commit(self):
        self.c.commit()

    def close(self):
        self.c.close(autocommit=False)


def create_topic(p):
    a = admin()
    try:
        a.create_topics({p["topic"]: {"num_partitions": p["partitions"], "replication_factor": 1}})
    finally:
        a.close()
    return {"partitions": settled_partitions(lambda: partitions_of(p["topic"]), p["partitions"])}


def produce(p):
    return {"records": Adapter().produce(p["topic"], p["keys"])}


def txn(p):
    topic = p["topic"]
    prod = KafkaProducer(bootstrap_servers=BOOTSTRAP, transactional_id=f"kc-kafka-python-{uuid.uuid4().hex[:8]}")
    prod.init_transactions()
    for t in p["txns"]:
        prod.begin_transaction()
        for k in t["keys"]:
            prod.send(topic, key=k.encode(), value=f"value-{k}".encode())
        if t["commit"]:
            prod.commit_transaction()
        else:
            prod.flush()
            prod.abort_transaction()
    prod.close()

    def read(isolation):
        c = KafkaConsumer(bootstrap_servers=BOOTSTRAP, isolation_level=isolation, enable_auto_commit=False)
        try:
            c.assign([TopicPartition(topic, i) for i in range(partitions_of(topic))])
            c.seek_to_beginning()
            return read_until(
                lambda: [r for msgs in c.poll(timeout_ms=200).values() for r in to_records(msgs)],
                p["txns"][-1]["keys"],
            )
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
        # for kcat, which cannot read a group's committed offsets itself
        "offsets": lambda p: {
            "committed": {str(k): v for k, v in Adapter().committed(p["group"], p["topic"]).items()},
            "end": {str(k): v for k, v in Adapter().end_offsets(p["topic"]).items()},
        },
    })
