#!/usr/bin/env bash
# Storage benchmark: partitioned tables against the unpartitioned heap, in one run.
#
#   bench/storage/run.sh [BUILD_DIR] [MESSAGES] [BIG_ROWS]   (defaults: build, 1000000, 10000000)
#
# 1. write path: MESSAGES message-v1 records (10,000 sites) preloaded into hc-devbroker, then
#    hc --consumer writes them into a partitioned table (`hc migrate`) and, with a new group,
#    into an unpartitioned heap of the same columns (migrations marked applied by hand, so hc
#    writes it as it is): rows/s and partitioned/unpartitioned;
# 2. migration 5 on a BIG_ROWS-row unpartitioned table (10,000 sites over 30 days, loaded with
#    generate_series): seconds, relfilenode before/after (unchanged = no row rewritten), rows;
# 3. one day's rows gone: DROP of the day's partition against DELETE of the same rows from the
#    heap (rolled back);
# 4. bytes per row on disk (table + indexes) of both tables of step 1.
# BROKER=dev|real: hc-devbroker (default) or one Apache Kafka node (scripts/kafka), as in the
# other benchmarks (bench/lib.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MESSAGES=${2:-1000000}
BIG_ROWS=${3:-10000000}
PARTITIONS=128
HC=$BUILD/app/hc
DEVBROKER=$BUILD/tools/hc-devbroker
PRELOAD=$BUILD/bench/consumer/hc-bench-preload

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$HC" "$DEVBROKER" "$PRELOAD"
bench_workdir storage
CONSUMER_PID=
cleanup() {
  if [[ -n $CONSUMER_PID ]]; then
    kill "$CONSUMER_PID" 2>/dev/null || true
    wait "$CONSUMER_PID" 2>/dev/null || true
  fi
  bench_broker_stop "$WORK"
  "$ROOT/scripts/pg" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT


bench_broker "${BROKER:-dev}" "$WORK" bench "$PARTITIONS" "$HC" "$DEVBROKER"
echo "broker: $BROKER_NAME"
"$ROOT/scripts/pg" start "$WORK/pg" >/dev/null
URI=$(cat "$WORK/pg/uri")
psql_q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$URI" -c "$1"; }

# A heap with the columns and primary key of `partitioned`, marked current so hc writes it.
make_heap() {  # make_heap NAME
  psql_q "CREATE TABLE $1 (LIKE partitioned INCLUDING DEFAULTS);
          ALTER TABLE $1 ADD PRIMARY KEY (url_digest, measurement_time);
          INSERT INTO hc_schema_migrations (table_name, version)
            SELECT '$1', v FROM generate_series(1, 5) v;"
}

echo "== write path: $MESSAGES messages, partitioned vs unpartitioned"
"$PRELOAD" --bootstrap "$BOOTSTRAP" --topic bench --partitions "$PARTITIONS" \
  --messages "$MESSAGES" --urls 10000 --copy-file "$WORK/rows.copy"
"$HC" migrate -c "$(bench_consumer_config bench-p partitioned)" >/dev/null 2>&1
make_heap unpartitioned

run_pass() {  # run_pass GROUP TABLE: prints seconds from assignment to the last commit
  local log=$WORK/$1.log
  "$HC" --consumer -c "$(bench_consumer_config "$1" "$2")" >"$log" 2>&1 &
  CONSUMER_PID=$!
  local end_time
  end_time=$(timeout 900 "$PRELOAD" --bootstrap "$BOOTSTRAP" --topic bench \
    --partitions "$PARTITIONS" --messages "$MESSAGES" --wait-committed "$1") ||
    { echo "not every message committed within 900 s" >&2; cat "$log" >&2; exit 1; }
  kill -TERM "$CONSUMER_PID"
  wait "$CONSUMER_PID" || { echo "consumer exited with an error" >&2; cat "$log" >&2; exit 1; }
  CONSUMER_PID=
  local assigned_at
  assigned_at=$(date -u -d "$(grep -m1 'assigned' "$log" | cut -c1-23)" +%s.%N)
  elapsed "$assigned_at" "$end_time"
}
unpartitioned_seconds=$(run_pass bench-u unpartitioned)
partitioned_seconds=$(run_pass bench-p partitioned)
for table in partitioned unpartitioned; do
  [[ $(psql_q "SELECT count(*) FROM $table") == "$MESSAGES" ]] || { echo "$table row count wrong" >&2; exit 1; }
done
p_rate=$(rate "$MESSAGES" "$partitioned_seconds")
u_rate=$(rate "$MESSAGES" "$unpartitioned_seconds")
printf '%-28s %10s %12s\n' "" "seconds" "rows/s"
printf '%-28s %10.2f %12s\n' "unpartitioned heap" "$unpartitioned_seconds" "$u_rate"
printf '%-28s %10.2f %12s\n' "partitioned (day)" "$partitioned_seconds" "$p_rate"
echo "partitioned / unpartitioned rows/s: $(ratio "$p_rate" "$u_rate")"

echo
echo "== bytes per row on disk (table + indexes, $MESSAGES rows)"
p_bytes=$(psql_q "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'partitioned'::regclass")
u_bytes=$(psql_q "SELECT pg_total_relation_size('unpartitioned')")
echo "unpartitioned: $((u_bytes / MESSAGES)) B/row; partitioned: $((p_bytes / MESSAGES)) B/row; ratio $(ratio "$p_bytes" "$u_bytes")"

echo
echo "== migration 5 of a $BIG_ROWS-row unpartitioned table (10,000 sites, 30 days)"
make_heap big
psql_q "DELETE FROM hc_schema_migrations WHERE table_name = 'big' AND version = 5;
        INSERT INTO big (url_digest, measurement_time, response_time_microseconds, uri,
          status_code, regex_present, body_bytes, healthy, failed_conditions, body_truncated, attempts)
        SELECT sha256((i % 10000)::text::bytea),
               date_trunc('day', now(), 'UTC') - interval '30 days'
                 + (i / 10000) * (interval '30 days' / ($BIG_ROWS / 10000)) + (i % 10000) * interval '1 ms',
               50000 + i % 1000, 'https://site' || (i % 10000) || '.test/', 200, false,
               1000, true, '{}', false, 1
        FROM generate_series(0, $BIG_ROWS - 1) i"
psql_q "VACUUM ANALYZE big"
before=$(psql_q "SELECT relfilenode FROM pg_class WHERE relname = 'big'")
rows_before=$(psql_q "SELECT count(*) FROM big")
echo "one day's rows deleted from the heap (DELETE, rolled back) ..."
start=$(now)
psql_q "BEGIN; DELETE FROM big WHERE measurement_time >= date_trunc('day', now(), 'UTC') - interval '10 days'
        AND measurement_time < date_trunc('day', now(), 'UTC') - interval '9 days'; ROLLBACK;"
delete_seconds=$(elapsed "$start" "$(now)")
start=$(now)
"$HC" migrate -c "$(bench_consumer_config big big)" >/dev/null 2>&1
migrate_seconds=$(elapsed "$start" "$(now)")
after=$(psql_q "SELECT relfilenode FROM pg_class WHERE relname = 'big_before'")
rows_after=$(psql_q "SELECT count(*) FROM big")
printf 'hc migrate: %.2f s; relfilenode %s -> %s (%s); rows %s -> %s\n' "$migrate_seconds" \
  "$before" "$after" "$([[ $before == "$after" ]] && echo unchanged || echo REWRITTEN)" "$rows_before" "$rows_after"

echo
echo "== one day's rows gone: DROP of a day's partition vs DELETE from the heap"
day_rows=$((BIG_ROWS / 30))
psql_q "INSERT INTO big (url_digest, measurement_time, response_time_microseconds, uri, status_code, regex_present)
        SELECT sha256((i % 10000)::text::bytea),
               date_trunc('day', now(), 'UTC') + interval '1 day' + i * (interval '1 day' / $day_rows),
               50000, 'https://site' || (i % 10000) || '.test/', 200, false
        FROM generate_series(0, $day_rows - 1) i"
day=big_p$(date -u -d tomorrow +%Y%m%d)
start=$(now)
psql_q "DROP TABLE $day"
drop_seconds=$(elapsed "$start" "$(now)")
printf 'DELETE of %s rows: %.3f s; DROP TABLE %s (%s rows): %.3f s; DELETE/DROP %.0fx\n' \
  "$day_rows" "$delete_seconds" "$day" "$day_rows" "$drop_seconds" "$(echo "$delete_seconds / $drop_seconds" | bc -l)"
