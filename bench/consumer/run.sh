#!/usr/bin/env bash
# Consumer benchmark: hc --consumer against PostgreSQL's own COPY speed.
#
#   bench/consumer/run.sh [BUILD_DIR] [MESSAGES] [URLS]    (defaults: build, 1000000, 10000)
#   env: PARTITIONS (128), CONNECTIONS (connections_per_database, 2), KEEP_LOGS=DIR (copy the consumer and broker logs there),
#        HC_WRAPPER (e.g. "perf record -g --" to profile the consumer),
#        BROKER=dev|real (default dev: hc-devbroker; real: one Apache Kafka node, scripts/kafka),
#        TIMES=past|now (default past: the rows are of 2026-11-18, in closed hours and the new
#        table's catch-all partition; now: they end at the preload's start, in today's partition
#        and the current or last hour)
#
# 1. starts the broker (topic `bench`, 128 partitions: the dev broker keeps only ~5 MB
#    per partition) and a throwaway PostgreSQL 15 (scripts/pg);
# 2. preloads MESSAGES message-v1 records for URLS sites (hc-bench-preload), which also
#    writes the same rows as COPY text, and checks the low watermarks (nothing dropped);
# 3. reference: psql `\copy` of those rows into an empty table made by `hc migrate`;
# 4. pass 1: hc --consumer (group bench-1) into another empty table, timed from the
#    partition assignment (fetching starts then) to the last offset committed;
# 5. pass 2: a new group (bench-2) replays every message into the same table (all
#    conflicts: every row is overwritten);
# prints rows/s, the hc/COPY ratios and the consumer's peak RSS (VmHWM) per pass, and where
# each pass's write time went: the consumer runs with --log-level debug, and its "write trace"
# lines (one per transaction: store/src/write_trace.h) are summed per statement.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MESSAGES=${2:-1000000}
URLS=${3:-10000}
PARTITIONS=${PARTITIONS:-128}
HC=$BUILD/app/hc
DEVBROKER=$BUILD/tools/hc-devbroker
PRELOAD=$BUILD/bench/consumer/hc-bench-preload

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$HC" "$DEVBROKER" "$PRELOAD"
bench_workdir consumer
BROKER_PID=
CONSUMER_PID=
cleanup() {
  [[ -n $CONSUMER_PID ]] && kill "$CONSUMER_PID" 2>/dev/null && wait "$CONSUMER_PID" 2>/dev/null
  bench_broker_stop "$WORK"
  "$ROOT/scripts/pg" stop "$WORK/pg" >/dev/null 2>&1 || true
  if [[ -n ${KEEP_LOGS:-} ]]; then mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT


bench_broker "${BROKER:-dev}" "$WORK" bench "$PARTITIONS" "$HC" "$DEVBROKER"
echo "broker: $BROKER_NAME"
"$ROOT/scripts/pg" start "$WORK/pg" >/dev/null
URI=$(cat "$WORK/pg/uri")
psql_q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$URI" -c "$1"; }

bench_preload "${TIMES:=past}"

"$HC" migrate -c "$(bench_consumer_config bench-1 healthcheck)" >/dev/null 2>&1
bench_copy_reference reference
copy_seconds=$COPY_SECONDS
copy_rate=$COPY_RATE

echo "pass 1: hc --consumer into an empty table ..."
read -r first_seconds first_rss < <(bench_consumer_pass bench-1 healthcheck)
[[ $(psql_q "SELECT count(*) FROM healthcheck") == "$MESSAGES" ]] || { echo "pass 1 row count wrong" >&2; exit 1; }
first_rate=$(rate "$MESSAGES" "$first_seconds")

echo "pass 2: new group, replaying every message (all conflicts) ..."
read -r second_seconds second_rss < <(bench_consumer_pass bench-2 healthcheck)
[[ $(psql_q "SELECT count(*) FROM healthcheck") == "$MESSAGES" ]] || { echo "pass 2 row count wrong" >&2; exit 1; }
second_rate=$(rate "$MESSAGES" "$second_seconds")

printf '\n%-34s %10s %12s %10s %12s\n' "" "seconds" "rows/s" "vs COPY" "peak RSS"
printf '%-34s %10.2f %12s %10s %12s\n' "psql \\copy (reference)" "$copy_seconds" "$copy_rate" "1.00" "-"
printf '%-34s %10.2f %12s %10.2f %9s MB\n' "hc --consumer, pass 1 (new rows)" "$first_seconds" "$first_rate" \
  "$(echo "$first_rate / $copy_rate" | bc -l)" "$((first_rss / 1024))"
printf '%-34s %10.2f %12s %10.2f %9s MB\n' "hc --consumer, pass 2 (conflicts)" "$second_seconds" "$second_rate" \
  "$(echo "$second_rate / $copy_rate" | bc -l)" "$((second_rss / 1024))"
echo "($MESSAGES messages, $URLS urls, $PARTITIONS partitions, times: $TIMES, broker: $BROKER_NAME; targets: >= 0.9 of COPY, RSS < 96 MB)"

# Sums the "write trace" lines of a pass's log: per statement, the mean ms per transaction and
# its share of the transactions' time (lanes run concurrently, so the sum exceeds wall time).
trace_summary() {
  grep -o 'write trace: .*' "$1" | tr -d '(),:' | awk -v pass="$2" '
    # write trace DB lane 0/2 2500 rows copy in 21.4 ms partitions 0.0 begin 0.1 rows 15.2
    # latest+marks 4.3 1200 sites 1 hours commit 1.5
    { n++; rows += $6; if ($8 == "upsert") upserts++
      for (i = 12; i < NF; i++) {
        if ($i ~ /^(partitions|begin|rows|latest\+marks|commit)$/) t[$i] += $(i + 1)
        if ($i == "sites") sites += $(i - 1)
        if ($i == "hours") hours += $(i - 1)
      } }
    END {
      if (n == 0) { print "  " pass ": no write trace lines"; exit }
      total = 0; for (k in t) total += t[k]
      printf "  %s: %d transactions, %.0f rows each (%d upserted), %.0f sites for the latest table, %.1f hours marked\n", pass, n, rows / n, upserts, sites / n, hours / n
      split("partitions begin rows latest+marks commit", order, " ")
      for (j = 1; j <= 5; j++) printf "    %-12s %8.2f ms per transaction  %5.1f%%\n", order[j], t[order[j]] / n, 100 * t[order[j]] / total
      printf "    %-12s %8.2f ms per transaction\n", "total", total / n
    }'
}
echo
echo "where the write time went (per transaction; store/src/write_trace.h):"
trace_summary "$WORK/bench-1.log" "pass 1"
trace_summary "$WORK/bench-2.log" "pass 2"
