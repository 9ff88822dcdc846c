"""What the Python clients' scenario scripts share: argument and result handling, the two-member
group run and the transactional read, each written once over a small adapter per client library.

A step is run as `python SCRIPT STEP 'JSON'` with the bootstrap address in $BOOTSTRAP; it prints
`RESULT {json}` on success (see scripts/kafka/lib/clients.mjs)."""

import json
import os
import sys
import threading
import time
import traceback

BOOTSTRAP = os.environ.get("BOOTSTRAP", "127.0.0.1:9092")
WAIT_S = 60


def wait_until(check, timeout_s, what):
    deadline = time.time() + timeout_s
    while not check():
        if time.time() > deadline:
            raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.1)


def settled_partitions(read, want, timeout_s=30):
    """The partition count `read()` gives once it equals `want`, or the last one after timeout_s.
    Kafka answers CreateTopics before every broker's metadata has the topic (a describe at once
    can see none of it); Brook answers at once. Errors while it settles (unknown topic) are retried."""
    deadline, last = time.time() + timeout_s, None
    while True:
        try:
            last = read()
        except Exception as e:  # unknown topic while the metadata settles
            last = e
        if last == want or time.time() > deadline:
            break
        time.sleep(0.1)
    if isinstance(last, Exception):
        raise last
    return last


class Member(threading.Thread):
    """One group member on its own thread: poll, remember records, commit after every batch
    (so a rebalance never hands a processed record to the other member), close on stop."""

    def __init__(self, adapter, params, index):
        super().__init__(daemon=True)
        self.adapter, self.params, self.index = adapter, params, index
        self.records, self.assigned, self.error = [], [], None
        self.stopping = threading.Event()
        self.closed = threading.Event()

    def run(self):
        consumer = None
        try:
            consumer = self.adapter.new_member(self.params, self.index)
            while not self.stopping.is_set():
                batch = consumer.poll()
                self.assigned = sorted(consumer.assigned())
                if batch:
                    self.records.extend(batch)
                    consumer.commit()
        except Exception as e:  # reported by the main thread
            self.error = f"member {self.index}: {type(e).__name__}: {e}"
            traceback.print_exc()
        finally:
            try:
                if consumer is not None:
                    consumer.close()
            finally:
                self.closed.set()


def group_run(adapter, p, produce_first):
    """Two members of p['group'] on p['topic']. `produce_first` (resume after a restart): the
    records exist before the members join; otherwise they are produced once both members hold
    partitions. Waits for every key in p['expect'] (or p['keys'])."""
    topic, expect = p["topic"], p.get("expect", p["keys"])
    if produce_first:
        adapter.produce(topic, p["keys"])
    members = [Member(adapter, p, i) for i in range(2)]
    for m in members:
        m.start()

    def failed():
        errors = [m.error for m in members if m.error]
        if errors:
            raise RuntimeError("; ".join(errors))

    def seen():
        failed()
        return {r["key"] for m in members for r in m.records}

    assigned = None
    try:
        if not produce_first:
            n = adapter.partitions(topic)

            def both_assigned():
                failed()
                parts = [set(m.assigned) for m in members]
                # disjoint and covering all: the rebalance that let the second member in is over
                return all(parts) and not (parts[0] & parts[1]) and len(parts[0] | parts[1]) == n
            wait_until(both_assigned, WAIT_S, "both members to hold partitions")
            assigned = [list(m.assigned) for m in members]
            adapter.produce(topic, p["keys"])
        wait_until(lambda: set(expect) <= seen(), WAIT_S, f"all {len(expect)} records to be consumed")
    finally:
        for m in members:
            m.stopping.set()
        for m in members:
            m.closed.wait(30)
    failed()
    return {
        "members": [
            {"assigned": assigned[i] if assigned else m.assigned, "records": m.records}
            for i, m in enumerate(members)
        ],
        "committed": {str(k): v for k, v in adapter.committed(p["group"], topic).items()},
        "end": {str(k): v for k, v in adapter.end_offsets(topic).items()},
    }


def read_until(poll, until_keys):
    """Polls (poll() -> records) until every key of `until_keys` was read; returns all records."""
    records, want = [], set(until_keys)

    def done():
        records.extend(poll())
        return want <= {r["key"] for r in records}

    wait_until(done, WAIT_S, f"the last transaction's {len(want)} records")
    return records


def main(steps):
    step, params = sys.argv[1], json.loads(sys.argv[2])
    if step not in steps:
        print(f"step {step} is not supported by this client", file=sys.stderr)
        sys.exit(3)
    result = steps[step](params)
    print("RESULT " + json.dumps(result), flush=True)
    # client libraries may leave non-daemon threads behind; the step is done
    os._exit(0)
