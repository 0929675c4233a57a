#!/usr/bin/python3
"""A health-check consumer written the way hc's original Python designs were (the seed
projects: a Kafka consumer writing each message to PostgreSQL with INSERT ... ON CONFLICT DO
UPDATE, key (url_digest, measurement_time), offsets committed after the rows are in the
database), as a reference for bench/peers/consumer.sh.

It reads message-v1 JSON records (hc's message format) with confluent_kafka, batches BATCH
rows (default 1,000) into one transaction of psycopg2's execute_values (one multi-row INSERT
per page: the fastest plain-SQL way psycopg2 offers), commits the transaction, then commits
the batch's offsets synchronously. It runs until it is stopped (SIGTERM) and logs
`assigned EPOCH` when it gets its partitions, so the benchmark times it from there to its last
offset commit, as it times hc --consumer.
"""

import argparse
import json
import signal
import sys
import time

import psycopg2
from psycopg2.extras import execute_values
from confluent_kafka import Consumer, KafkaError

COLUMNS = ("url_digest", "measurement_time", "response_time_microseconds", "uri", "status_code",
           "regex_present", "regex_match", "error", "error_detail", "dns_us", "connect_us",
           "tls_us", "ttfb_us", "body_bytes", "cert_expires_at", "healthy", "failed_conditions",
           "body_truncated", "attempts")


def row(value):
    m = json.loads(value)
    t = m.get("timings_us") or {}
    return (bytes.fromhex(m["url_digest"]), m["measured_at"], m.get("response_time_us"),
            m["url"], m.get("status_code"), m.get("regex") is not None, m.get("regex_match"),
            m.get("error"), m.get("error_detail"), t.get("dns"), t.get("connect"), t.get("tls"),
            t.get("ttfb"), m.get("body_bytes"), m.get("cert_expires_at"), m.get("healthy"),
            m.get("failed_conditions") or [], m.get("body_truncated", False), m.get("attempts"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", default="bench")
    parser.add_argument("--group", required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    db = psycopg2.connect(args.dsn)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[2:])
    sql = (f"INSERT INTO {args.table} ({', '.join(COLUMNS)}) VALUES %s "
           f"ON CONFLICT (url_digest, measurement_time) DO UPDATE SET {updates}")
    template = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"

    def on_assign(consumer, partitions):
        print(f"assigned {time.time():.3f} {len(partitions)} partitions", file=sys.stderr,
              flush=True)

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([args.topic], on_assign=on_assign)
    rows = 0
    transactions = 0
    spent = {"consume": 0.0, "decode": 0.0, "insert": 0.0, "db_commit": 0.0, "offset_commit": 0.0}
    while not stop:
        t0 = time.perf_counter()
        messages = consumer.consume(args.batch, timeout=0.5)
        t1 = time.perf_counter()
        spent["consume"] += t1 - t0
        batch = []
        for message in messages:
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"consume error: {message.error()}", file=sys.stderr)
                continue
            batch.append(row(message.value()))
        if not batch:
            continue
        t2 = time.perf_counter()
        with db.cursor() as cursor:
            execute_values(cursor, sql, batch, template=template, page_size=args.batch)
        t3 = time.perf_counter()
        db.commit()
        t4 = time.perf_counter()
        consumer.commit(asynchronous=False)  # the offsets, only once the rows are in
        t5 = time.perf_counter()
        for key, seconds in (("decode", t2 - t1), ("insert", t3 - t2), ("db_commit", t4 - t3),
                             ("offset_commit", t5 - t4)):
            spent[key] += seconds
        rows += len(batch)
        transactions += 1
    consumer.close()
    db.close()
    print(f"rows {rows} transactions {transactions} seconds "
          + " ".join(f"{k} {v:.2f}" for k, v in spent.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
