#!/usr/bin/env bash
# Fleet benchmark (issue 22): SITES sites at INTERVAL_S on a compacted sites topic, shared by
# three `hc --producer` in fleet mode; every check is timed where it lands, at a local target
# server (one path per site). Then
#   1. failover: one producer is SIGKILLed; for each site it checked (a site silent for more
#      than 1.5 intervals after the kill), the time from the kill to its next check;
#   2. rebalance: a fourth producer joins: the time from its start to its share planned (its
#      log), and the longest gap between two checks of any site after the join (the pause
#      of the sites that moved).
# Both are stated with the group's session timeout (SESSION_MS) as their reference: failover
# cannot be quicker than the broker noticing the missing heartbeats. Also counted: checks of a
# site less than half an interval apart (a double check: must be 0).
#
# Usage: bench/fleet/run.sh [BUILD_DIR]      (default: build; needs hc, and hc-devbroker for
#   BROKER=dev)
# Knobs (environment): SITES=60 INTERVAL_S=1 SESSION_MS=6000 PARTITIONS=12 SETTLE_S=15
#   BROKER=real|dev: one Apache Kafka node from scripts/kafka (default; the group protocol as
#   it is in production) or hc-devbroker (librdkafka's mock cluster).
# Everything runs on 127.0.0.1 and is stopped on exit (trap), including on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
HC="$BUILD_DIR/app/hc"
DEVBROKER="$BUILD_DIR/tools/hc-devbroker"
SITES=${SITES:-60}
INTERVAL_S=${INTERVAL_S:-1}
SESSION_MS=${SESSION_MS:-6000}
PARTITIONS=${PARTITIONS:-12}
SETTLE_S=${SETTLE_S:-15}
BROKER=${BROKER:-real}

[[ -x $HC ]] || { echo "missing $HC: build it first (cmake --build $BUILD_DIR --target hc hc-devbroker)" >&2; exit 1; }

PIDS=()
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_workdir fleet
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  bench_broker_stop "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }

# The target: one thread per request, each request's arrival time and path on one line.
python3 - "$WORK/requests.log" "$WORK/target.port" <<'PY' &
import http.server, socketserver, sys, threading, time
log = open(sys.argv[1], "a", buffering=1)
lock = threading.Lock()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with lock:
            log.write(f"{time.time():.6f} {self.path}\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
PIDS+=($!)
for _ in $(seq 100); do [[ -s $WORK/target.port ]] && break; sleep 0.1; done
PORT=$(cat "$WORK/target.port")

case $BROKER in
  real)
    bench_broker real "$WORK" checks 4 "$HC" "$DEVBROKER"
    ;;
  dev)
    "$DEVBROKER" --topic "checks:4" --topic "checks.events:4" --topic "hc.sites:$PARTITIONS" \
      --bootstrap-file "$WORK/bootstrap" >"$WORK/broker.log" 2>&1 &
    BROKER_PID=$!
    for _ in $(seq 100); do [[ -s $WORK/bootstrap ]] && break; sleep 0.1; done
    BOOTSTRAP=$(cat "$WORK/bootstrap")
    BROKER_NAME="hc-devbroker (librdkafka mock cluster)"
    ;;
  *)
    echo "BROKER must be real or dev, not '$BROKER'" >&2
    exit 2
    ;;
esac

CONFIG=$WORK/fleet.yaml
cat >"$CONFIG" <<YAML
healthcheck-producer-config:
  bootstrap_servers: ["$BOOTSTRAP"]
  sites_topic: hc.sites
  session_timeout_ms: $SESSION_MS
  check_threads: 1
  defaults: {destination_topic: checks, polling_interval_in_seconds: $INTERVAL_S, timeout_ms: 1000, max_concurrent_per_host: 100000}
YAML
if [[ $BROKER == real ]]; then
  "$HC" topics create -c "$CONFIG" --partitions "$PARTITIONS" --replication-factor 1 \
    --timeout-ms 60000 >"$WORK/topics-fleet.log" 2>&1 ||
    { echo "hc topics create failed:" >&2; cat "$WORK/topics-fleet.log" >&2; exit 1; }
fi
{  # a file-mode config whose websites `hc sites import` publishes
  echo "healthcheck-producer-config:"
  echo "  bootstrap_servers: [\"$BOOTSTRAP\"]"
  echo "  defaults: {destination_topic: checks, polling_interval_in_seconds: $INTERVAL_S, timeout_ms: 1000, max_concurrent_per_host: 100000}"
  echo "  websites:"
  for i in $(seq "$SITES"); do echo "    - url: http://127.0.0.1:$PORT/site/$i"; done
} >"$WORK/sites.yaml"
"$HC" sites import -c "$CONFIG" "$WORK/sites.yaml" >"$WORK/import.log" 2>&1 ||
  { echo "hc sites import failed:" >&2; cat "$WORK/import.log" >&2; exit 1; }

start_producer() {
  "$HC" --producer -c "$CONFIG" >"$WORK/producer-$1.out" 2>"$WORK/producer-$1.log" &
  PIDS+=($!)
  eval "PRODUCER_$1=$!"
}
for n in 1 2 3; do start_producer "$n"; done

# Every site checked in the last 2 intervals (the three producers share them all).
all_checked_since() {
  awk -v since="$1" '$1 >= since { seen[$2] = 1 } END { n = 0; for (p in seen) n++; print n }' \
    "$WORK/requests.log"
}
for _ in $(seq 600); do
  [[ $(all_checked_since "$(echo "$(now) - 2 * $INTERVAL_S" | bc)") -ge $SITES ]] && break
  sleep 0.1
done
sleep "$SETTLE_S"  # the group settled: three members, sticky assignment
[[ $(all_checked_since "$(echo "$(now) - 2 * $INTERVAL_S" | bc)") -ge $SITES ]] ||
  { echo "not every site is checked after ${SETTLE_S} s:" >&2; tail -n 20 "$WORK"/producer-*.log >&2; exit 1; }

killed_at=$(now)
kill -KILL "$PRODUCER_1"
{ wait "$PRODUCER_1"; } 2>/dev/null || true  # reaped here: no "Killed" line from the shell
sleep "$(echo "($SESSION_MS / 1000) + 10 * $INTERVAL_S" | bc)"

joined_at=$(now)
start_producer 4
sleep "$(echo "$SETTLE_S + 5 * $INTERVAL_S" | bc)"
ended_at=$(now)

# Failover, at the target: the sites silent for more than 1.5 intervals after the kill (the
# killed producer's), each with the time from the kill to its next check. Rebalance: the
# target cannot tell which producer checks a site, and a moved site's pause can be shorter than
# an interval; so the time from the join to the new producer's log line "checking N sites"
# (its last: its share assigned, read and planned), and at the target the longest gap between two
# checks of any site after the join (the pause of the moved sites).
python3 - "$WORK" "$killed_at" "$joined_at" "$ended_at" "$INTERVAL_S" "$SESSION_MS" \
  "$SITES" <<'PY'
import collections, datetime, re, statistics, sys
work, killed, joined, ended, interval, session_ms, sites = sys.argv[1:]
killed, joined, ended, interval = float(killed), float(joined), float(ended), float(interval)
times = collections.defaultdict(list)
for line in open(f"{work}/requests.log"):
    at, site = line.split()
    times[site].append(float(at))
reference = f"(session_timeout_ms = {session_ms}, interval {interval:g} s)"
delays = []
for site, at in times.items():
    before = [t for t in at if t < killed]
    after = [t for t in at if killed <= t < joined]
    first = after[0] if after else joined
    if before and first - before[-1] > 1.5 * interval:
        delays.append(first - killed)
if delays:
    print(f"{'failover (SIGKILL 1 of 3)':<27} {len(delays):3d} sites moved; kill to next check: "
          f"median {statistics.median(delays):5.2f} s, max {max(delays):5.2f} s {reference}")
else:
    print("failover: no site was silent after the kill")
# The new producer's share arrives in steps (its partitions are read one poll at a time): the
# last "checking N sites" line is when its share was complete.
planned, taken = None, 0
for line in open(f"{work}/producer-4.log"):
    match = re.match(r"([0-9-]+ [0-9:.]+) .*checking ([0-9]+) sites", line)  # UTC time first
    if match and int(match.group(2)) > 0:
        planned = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        taken = int(match.group(2))
if planned is None:
    print("rebalance: the 4th producer was given no sites")
else:
    print(f"{'rebalance (4th joins)':<27} {taken:3d} sites taken; start to its share planned: "
          f"{planned - joined:5.2f} s {reference}")
gap = max((b - a for at in times.values() for a, b in zip(at, at[1:]) if a >= joined), default=0)
print(f"{'':<27} longest gap between two checks of a site after the join: {gap:5.2f} s")
# What a move costs the new owner before its first check: the state restore of its new sites.
restores = []
for n in (2, 3, 4):
    for line in open(f"{work}/producer-{n}.log"):
        match = re.search(r"newly assigned sites .* in ([0-9]+) ms", line)
        if match:
            restores.append(int(match.group(1)))
if restores:
    print(f"{'state restores on a move':<27} {len(restores)}, longest {max(restores)} ms "
          f"(median {statistics.median(restores):.0f} ms)")
double = sum(1 for at in times.values() for a, b in zip(at, at[1:])
             if b - a < 0.5 * interval and a >= killed - 60)
print(f"{'double checks':<27} {double} (checks of a site < half an interval apart)")
print(f"{'sites checked':<27} {len(times)} of {sites}")
PY
echo "(broker: $BROKER_NAME; $SITES sites at ${INTERVAL_S} s on $PARTITIONS partitions;" \
  "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ))"
