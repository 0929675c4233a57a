#!/usr/bin/python3
"""A health-check producer written the way hc's original Python designs were (the seed
projects: asyncio + aiohttp fetching, one JSON message per check to Kafka), as a reference
for bench/peers/producer.sh.

Each of SITES sites (http://127.0.0.1:PORT/?p=i) is checked every INTERVAL seconds by its own
asyncio task: a GET on a new connection (the connector closes every connection, as hc makes a
fresh one per check so that connect time is measured), the regex searched in the body, and one
JSON message (keyed by URL) produced with confluent_kafka (librdkafka, the fastest Kafka client
Debian has for Python; the seeds used aiokafka). A check that would start more than one
interval late is skipped, not queued. At most MAX_IN_FLIGHT requests run at once.

Prints, after SECONDS: the checks completed per second after the first WARMUP seconds,
its CPU time then (% of one core), the errors, skipped checks and the p50/p99 of the start lateness, as `key value` lines.
"""

import argparse
import asyncio
import hashlib
import json
import re
import time
from datetime import datetime, timezone

import aiohttp
from confluent_kafka import Producer


class Stats:
    def __init__(self):
        self.checks = 0
        self.errors = 0
        self.skipped = 0
        self.error_kinds = {}
        self.late_ms = []
        self.counting = False


async def check_site(url, regex, session, producer, topic, interval, stats, start):
    digest = hashlib.sha256(url.encode()).hexdigest()
    # Spread the first checks over the first interval, as a scheduler would.
    due = start + interval * (hash(url) % 1000) / 1000
    while True:
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        now = time.monotonic()
        while now - due > interval:  # more than one interval late: skip, do not queue
            due += interval
            if stats.counting:
                stats.skipped += 1
        if stats.counting:
            stats.late_ms.append((now - due) * 1000)
        measured_at = datetime.now(timezone.utc).isoformat()
        began = time.perf_counter()
        message = {"url": url, "url_digest": digest, "measured_at": measured_at}
        try:
            async with session.get(url) as response:
                body = await response.text()
                message["status_code"] = response.status
                message["regex_present"] = True
                message["regex_match"] = regex.search(body) is not None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            message["error"] = type(error).__name__
            if stats.counting:
                stats.errors += 1
                stats.error_kinds[message["error"]] = stats.error_kinds.get(message["error"], 0) + 1
        message["response_time_us"] = int((time.perf_counter() - began) * 1e6)
        while True:
            try:
                producer.produce(topic, key=url, value=json.dumps(message))
                break
            except BufferError:  # the local queue is full: let librdkafka deliver
                producer.poll(0.01)
        producer.poll(0)
        if stats.counting:
            stats.checks += 1
        due += interval


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", default="healthcheck")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--max-in-flight", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()

    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 20,
                         "queue.buffering.max.messages": 1000000})
    regex = re.compile("Example Domain")
    stats = Stats()
    # force_close: a new TCP connection per request, as hc does.
    connector = aiohttp.TCPConnector(limit=args.max_in_flight, force_close=True)
    # The timeout bounds the connect and each read, as hc's timeout_ms bounds an attempt; the
    # time a request waits for a free slot of the connector's limit is not counted.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=args.timeout, sock_read=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.monotonic()
        tasks = [asyncio.create_task(
            check_site(f"http://127.0.0.1:{args.port}/?p={i}", regex, session, producer,
                       args.topic, args.interval, stats, start)) for i in range(args.sites)]
        await asyncio.sleep(args.warmup)
        stats.counting = True
        counted_from = time.monotonic()
        cpu_from = time.process_time()
        await asyncio.sleep(args.seconds - args.warmup)
        counted = time.monotonic() - counted_from
        cpu = time.process_time() - cpu_from
        stats.counting = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    producer.flush(30)
    late = sorted(stats.late_ms) or [float("nan")]
    print(f"checks_per_second {stats.checks / counted:.0f}")
    print(f"checks {stats.checks}")
    print(f"cpu_percent {cpu / counted * 100:.0f}")  # of one core, while counted
    print(f"errors {stats.errors}")
    print("error_kinds " + (",".join(f"{k}:{v}" for k, v in sorted(stats.error_kinds.items())) or "-"))
    print(f"skipped {stats.skipped}")
    print(f"late_p50_ms {late[len(late) // 2]:.1f}")
    print(f"late_p99_ms {late[min(len(late) - 1, int(len(late) * 0.99))]:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
