#!/usr/bin/env bash
# Consumer benchmark: hc --consumer against PostgreSQL's own COPY speed, the two measured
# in turn on the same database so that each ratio has a reference of the same minute.
#
#   bench/consumer/run.sh [BUILD_DIR] [MESSAGES] [URLS]    (defaults: build, 1000000, 10000)
#   env: REPEATS (pass 1 runs, 3), PARTITIONS (128), CONNECTIONS (connections_per_database, 2),
#        BATCH_MAX_ROWS (the consumer's batch_max_rows; default hc's),
#        KEEP_LOGS=DIR (copy the consumer and broker logs there),
#        HC_WRAPPER (e.g. "perf record -g --" to profile the consumer),
#        BROKER=dev|real (default dev: hc-devbroker; real: one Apache Kafka node, scripts/kafka),
#        TIMES=past|now (default past: the rows are of 2026-11-18, in closed hours and the new
#        table's catch-all partition; now: they end at the preload's start, in today's partition
#        and the current or last hour)
#
# 1. starts the broker (topic `bench`, 128 partitions: the dev broker keeps only ~5 MB
#    per partition) and a throwaway PostgreSQL 15 (scripts/pg: fsync, synchronous_commit and
#    full_page_writes off, for both sides alike);
# 2. preloads MESSAGES message-v1 records for URLS sites (hc-bench-preload), which also
#    writes the same rows as COPY text, and checks the low watermarks (nothing dropped);
# 3. measures, interleaved: copy 0, pass 1 run 1, copy 1, pass 1 run 2, ..., copy REPEATS,
#    pass 2, copy REPEATS+1. Every table is made empty by `hc migrate` (the same shape for
#    both sides: the measurements table partitioned by day with its catch-all partition, its
#    indexes the primary key (url_digest, measurement_time) and a BRIN index on
#    measurement_time; the latest and rollup tables beside it and the marks in
#    hc_rollup_pending, which only hc writes), and a CHECKPOINT runs before each timed
#    step, so no step pays for the writes of the one before; a finished table is dropped.
#    - copy k: psql `\copy` of those rows into its table: one session, one transaction, one
#      COPY of all rows through the partitioned parent (PostgreSQL's single-stream limit;
#      nothing else written), timed around the psql command;
#    - pass 1 run k: hc --consumer (group bench-k) into its table: CONNECTIONS sessions, one
#      transaction per lane and batch with the rows' COPY through the parent, the latest table's
#      upsert and the rollup marks; timed from the partition assignment (fetching starts then)
#      to the last offset committed (the consumer commits only after its rows are in PostgreSQL);
#    - pass 2: a new group (bench-replay) replays every message into the last pass 1 table
#      (all conflicts: every row goes through the upsert);
# prints each pass's rows/s and its ratio to the mean rate of the two copies beside it, the
# median ratio of pass 1, the consumer's peak RSS (VmHWM) per pass, and where the write time
# went: the consumer runs with --log-level debug, and its "write trace" lines (one per
# transaction: store/src/write_trace.h) are summed per statement.
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

REPEATS=${REPEATS:-3}
checkpoint() { psql_q "CHECKPOINT"; }
drop_table() { psql_q "DROP TABLE $1, ${1}_latest CASCADE"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# copy K: \copy into table copy_K; sets copy_rate[K].
declare -a copy_rate copy_seconds
copy_step() {
  "$HC" migrate -c "$(bench_consumer_config "copy_$1" "copy_$1")" >/dev/null 2>&1
  checkpoint
  bench_copy_reference "copy_$1"
  copy_seconds[$1]=$COPY_SECONDS
  copy_rate[$1]=$COPY_RATE
  drop_table "copy_$1"
  echo "  copy $1: $COPY_RATE rows/s"
}

# pass GROUP TABLE: hc --consumer; prints "seconds rate rss_kb".
pass_step() {
  local seconds rss
  "$HC" migrate -c "$(bench_consumer_config "$1" "$2")" >/dev/null 2>&1
  checkpoint
  read -r seconds rss < <(bench_consumer_pass "$1" "$2")
  [[ $(psql_q "SELECT count(*) FROM $2") == "$MESSAGES" ]] || { echo "$1: row count wrong" >&2; exit 1; }
  echo "$seconds $(rate "$MESSAGES" "$seconds") $rss"
}

declare -a pass_seconds pass_rate pass_rss
copy_step 0
for ((k = 1; k <= REPEATS; k++)); do
  echo "pass 1 run $k: hc --consumer into an empty table ..."
  read -r "pass_seconds[$k]" "pass_rate[$k]" "pass_rss[$k]" < <(pass_step "bench-$k" "hc_$k")
  echo "  pass 1 run $k: ${pass_rate[$k]} rows/s"
  ((k == REPEATS)) || drop_table "hc_$k"
  copy_step "$k"
done
echo "pass 2: new group, replaying every message into hc_$REPEATS (all conflicts) ..."
read -r replay_seconds rss < <(bench_consumer_pass bench-replay "hc_$REPEATS")
[[ $(psql_q "SELECT count(*) FROM hc_$REPEATS") == "$MESSAGES" ]] || { echo "pass 2 row count wrong" >&2; exit 1; }
replay_rate=$(rate "$MESSAGES" "$replay_seconds")
replay_rss=$rss
copy_step $((REPEATS + 1))

# Each pass against the mean rate of the copies just before and just after it.
neighbours() { echo "(${copy_rate[$1]} + ${copy_rate[$1 - 1]}) / 2" | bc -l; }
printf '\n%-34s %10s %12s %16s %10s %12s\n' "" "seconds" "rows/s" "copies beside" "vs copy" "peak RSS"
for ((k = 0; k <= REPEATS + 1; k++)); do
  printf '%-34s %10.2f %12s\n' "psql \\copy $k (reference)" "${copy_seconds[$k]}" "${copy_rate[$k]}"
done
ratios=()
for ((k = 1; k <= REPEATS; k++)); do
  ratios+=("$(ratio "${pass_rate[$k]}" "$(neighbours "$k")")")
  printf '%-34s %10.2f %12s %16s %10s %9s MB\n' "hc --consumer, pass 1 run $k" "${pass_seconds[$k]}" \
    "${pass_rate[$k]}" "copies $((k - 1)), $k" "${ratios[-1]}" "$((pass_rss[k] / 1024))"
done
printf '%-34s %10.2f %12s %16s %10s %9s MB\n' "hc --consumer, pass 2 (conflicts)" "$replay_seconds" \
  "$replay_rate" "copies $REPEATS, $((REPEATS + 1))" "$(ratio "$replay_rate" "$(neighbours $((REPEATS + 1)))")" \
  "$((replay_rss / 1024))"
sorted=$(printf '%s\n' "${ratios[@]}" | sort -n | tr '\n' ' ')
echo "pass 1 vs copy: median $(printf '%s\n' "${ratios[@]}" | median), all: $sorted"
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
cat "$WORK"/bench-[0-9]*.log >"$WORK/pass1-all.log"
trace_summary "$WORK/pass1-all.log" "pass 1 (all runs)"
trace_summary "$WORK/bench-replay.log" "pass 2"
