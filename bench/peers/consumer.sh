#!/usr/bin/env bash
# Consumer against its peers (issue 23), in one run on the same broker and PostgreSQL:
#   1. psql \copy of the preloaded rows into an empty table made by `hc migrate` (PostgreSQL's
#      own single-stream limit);
#   2. bench/peers/python_consumer.py (confluent_kafka + psycopg2, 1,000 rows per transaction
#      of INSERT ... ON CONFLICT DO UPDATE, offsets committed after the database commit) into
#      another such table;
#   3. hc --consumer into a third (bench/consumer/run.sh's pass 1);
# each timed from its partition assignment to its last offset commit (\copy: the command), on
# the same MESSAGES message-v1 records of URLS sites (hc-bench-preload, bench/consumer/run.sh's
# preload). Prints rows/s and the ratios hc/python, hc/\copy, python/\copy.
# Targets (issue 23): hc >= 3x the Python consumer, >= 0.9x \copy.
#
# Usage: bench/peers/consumer.sh [BUILD_DIR] [MESSAGES] [URLS]   (defaults: build, 1000000, 10000)
#   env: PARTITIONS (128), CONNECTIONS (hc's connections_per_database, 2), TIMES=past|now
#   (as bench/consumer/run.sh), PY_BATCH (rows per transaction of the Python consumer, 1000).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MESSAGES=${2:-1000000}
URLS=${3:-10000}
PARTITIONS=${PARTITIONS:-128}
PY_BATCH=${PY_BATCH:-1000}
HC=$BUILD/app/hc
DEVBROKER=$BUILD/tools/hc-devbroker
PRELOAD=$BUILD/bench/consumer/hc-bench-preload
# shellcheck source=scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"
hc_install_packages "${HC_PEER_BENCH_PACKAGES[@]}"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$HC" "$DEVBROKER" "$PRELOAD"
bench_workdir peers-consumer
BROKER_PID=
CONSUMER_PID=
cleanup() {
  if [[ -n $CONSUMER_PID ]]; then kill "$CONSUMER_PID" 2>/dev/null && wait "$CONSUMER_PID" 2>/dev/null; fi
  bench_broker_stop "$WORK"
  "$ROOT/scripts/pg" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at the start: $(load)"

bench_broker dev "$WORK" bench "$PARTITIONS" "$HC" "$DEVBROKER"
"$ROOT/scripts/pg" start "$WORK/pg" >/dev/null
URI=$(cat "$WORK/pg/uri")
count() { psql -XAtq -v ON_ERROR_STOP=1 -d "$URI" -c "SELECT count(*) FROM $1"; }
bench_preload "${TIMES:=past}"

# 1. psql \copy
bench_copy_reference reference

# 2. the Python consumer, into a table made the same way
"$HC" migrate -c "$(bench_consumer_config python python)" >/dev/null 2>&1
echo "python consumer: $PY_BATCH rows per transaction ..."
# Debian's python3, where the packages above are.
/usr/bin/python3 "$ROOT/bench/peers/python_consumer.py" --bootstrap "$BOOTSTRAP" --topic bench \
  --group python --dsn "$URI" --table python --batch "$PY_BATCH" 2>"$WORK/python.log" &
CONSUMER_PID=$!
py_end=$(bench_wait_committed python)
py_rss=$(awk '/VmHWM/ {print $2}' "/proc/$CONSUMER_PID/status")
py_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$CONSUMER_PID/stat")
kill -TERM "$CONSUMER_PID"
wait "$CONSUMER_PID" || { echo "python consumer failed:" >&2; cat "$WORK/python.log" >&2; exit 1; }
CONSUMER_PID=
py_start=$(awk '$1 == "assigned" {print $2; exit}' "$WORK/python.log")
py_seconds=$(elapsed "$py_start" "$py_end")
[[ $(count python) == "$MESSAGES" ]] || { echo "python consumer: row count wrong" >&2; exit 1; }
py_rate=$(rate "$MESSAGES" "$py_seconds")

# 3. hc --consumer
"$HC" migrate -c "$(bench_consumer_config bench-1 healthcheck)" >/dev/null 2>&1
echo "hc --consumer ..."
read -r hc_seconds hc_rss < <(bench_consumer_pass bench-1 healthcheck)
[[ $(count healthcheck) == "$MESSAGES" ]] || { echo "hc: row count wrong" >&2; exit 1; }
hc_rate=$(rate "$MESSAGES" "$hc_seconds")

printf '\n%-48s %8s %9s %9s %8s %9s\n' "rows into an empty table (one run)" seconds rows/s "hc / it" target "peak RSS"
printf '%-48s %8.2f %9s %9s %8s %9s\n' "psql \\copy (reference)" "$COPY_SECONDS" "$COPY_RATE" \
  "$(ratio "$hc_rate" "$COPY_RATE")" ">= 0.9" "-"
printf '%-48s %8.2f %9s %9s %8s %6s MB\n' "python consumer, $PY_BATCH rows per transaction" "$py_seconds" "$py_rate" \
  "$(ratio "$hc_rate" "$py_rate")" ">= 3" "$((py_rss / 1024))"
printf '%-48s %8.2f %9s %9s %8s %6s MB\n' "hc --consumer" "$hc_seconds" "$hc_rate" "1.00" "" "$((hc_rss / 1024))"
echo "python consumer / \\copy: $(ratio "$py_rate" "$COPY_RATE"); python consumer CPU time $py_cpu s"
echo "python consumer: $(grep "^rows " "$WORK/python.log")"
echo "($MESSAGES messages, $URLS urls, $PARTITIONS partitions, times: $TIMES, broker: $BROKER_NAME)"
echo "load average at the end: $(load) on $(nproc) CPUs"
