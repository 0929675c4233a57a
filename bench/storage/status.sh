#!/usr/bin/env bash
# `hc status` on 10M rows: the rollups against the view-based query they replace.
#
#   bench/storage/status.sh [BUILD_DIR] [ROWS] [SITES] [DAYS]   (defaults: build, 10000000, 10000, 30)
#   env: CALLS (hc status calls, 20), REFERENCE_CALLS (old query calls, 5), REFERENCE_HC (another
#        build's hc: its `hc status` is timed on the same windows, call by call in turn)
#        BENCH_KEEP=1 (keep the loaded database for bench/storage/compare.sh), PARTITION_DAYS
#        (365: daily partitions of the raw table before today; 0: the catch-all `hc migrate` makes)
#
# 1. a throwaway PostgreSQL 15 (scripts/pg), `hc migrate` (table `bench`) and a daily partition
#    for each of the last PARTITION_DAYS days;
# 2. loads ROWS rows for SITES sites spread evenly over the last DAYS days with one
#    INSERT .. SELECT over generate_series (not through Kafka), in time order as a consumer
#    writes them, ~1 in 37 a timeout; then does what the consumer does in the transaction of
#    its rows: the newest row per site into bench_latest, a pending marker per hour;
# 3. closes the rollups (`hc maintain`: partitions ahead, then the rollups' close) and times it;
# 4. times CALLS runs of `hc status` on an empty table (the floor: process, config, connect),
#    then CALLS runs of `hc status -c config --since` 1h (the open hour and the part of the
#    previous hour come from raw rows), 24h (closed hours from the hourly rollup), 7d and 30d
#    (whole days from the daily rollup, the edges from hours and raw rows): p50 and max, each
#    a whole process (start, config, connect, query, print), and REFERENCE_HC's the same way;
# 5. reference: the query `hc status` ran before the rollups (newest row per site by DISTINCT ON
#    over the raw rows, window aggregate over the raw rows, as the `_latest` view did), through
#    psql, REFERENCE_CALLS times, with the same BRIN index on measurement_time available;
# 6. hc serve on the same data: CALLS calls each of the first page as JSON and HTML, the last
#    page, one site's 30-day history per day and per hour, its page with a 90-day chart, two
#    badges, the month report (curl, p50 and p90); the first page's size gzip-compressed;
#    `hc report --month` this month and last month (JSON, each call a process), with
#    REFERENCE_HC's call by call in turn and whether both gave the same report;
# 7. prints bytes per row of the raw table and of the rollups (heap and with indexes).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ROWS=${2:-10000000}
SITES=${3:-10000}
DAYS=${4:-30}
CALLS=${CALLS:-20}
REFERENCE_CALLS=${REFERENCE_CALLS:-5}
PARTITION_DAYS=${PARTITION_DAYS:-365}
HC=$BUILD/app/hc
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
[[ -x $HC ]] || { echo "missing $HC: cmake --build $BUILD --target hc" >&2; exit 1; }

bench_start storage bench bench
sql() { psql "$URI" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
now_ms() { date +%s%3N; }
# p50 and max of the numbers on stdin (milliseconds).
summary() { sort -n | awk '{ v[NR] = $1 } END { printf "p50 %d ms, max %d ms (%d calls)", v[int((NR + 1) / 2)], v[NR], NR }'; }

"$HC" migrate -c "$CONFIG" >"$WORK/migrate.log" 2>&1
# The floor of one call: the same process on an empty table of the same database.
EMPTY_CONFIG=$WORK/empty.yaml
sed 's/table_name: bench/table_name: empty/' "$CONFIG" >"$EMPTY_CONFIG"
"$HC" migrate -c "$EMPTY_CONFIG" >>"$WORK/migrate.log" 2>&1

# A year of daily partitions, as `partition_interval: day` leaves after a year without
# retention (issue 28's benchmark): the catch-all `bench_before` that `hc migrate` made (empty
# here) is replaced by one partition per UTC day of the last PARTITION_DAYS days and a
# catch-all before them, named and bounded as hc names and bounds its own.
if ((PARTITION_DAYS > 0)); then
  sql <<EOF
BEGIN;
ALTER TABLE bench DETACH PARTITION bench_before;
DROP TABLE bench_before;
DO \$\$
DECLARE
  today timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  day timestamptz;
BEGIN
  EXECUTE format('CREATE TABLE bench_before PARTITION OF bench FOR VALUES FROM (MINVALUE) TO (%L)',
                 today - interval '$PARTITION_DAYS days');
  FOR i IN 1..$PARTITION_DAYS LOOP
    day := today - i * interval '1 day';
    EXECUTE format('CREATE TABLE %I PARTITION OF bench FOR VALUES FROM (%L) TO (%L)',
                   'bench_p' || to_char(day AT TIME ZONE 'UTC', 'YYYYMMDD'), day,
                   day + interval '1 day');
  END LOOP;
END
\$\$;
COMMIT;
EOF
fi
echo "table bench: $(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'bench'::regclass") partitions"

PER_SITE=$((ROWS / SITES))
STEP_S=$((DAYS * 86400 / PER_SITE))
echo "loading $ROWS rows: $SITES sites x $PER_SITE checks, one per site every $STEP_S s over $DAYS days"
start=$(now_ms)
sql <<EOF
INSERT INTO bench (url_digest, measurement_time, response_time_microseconds, uri, status_code,
  regex_present, regex_match, error, body_bytes, healthy, failed_conditions, body_truncated, attempts)
SELECT sha256(('https://site-' || s || '.test/')::bytea),
       date_trunc('hour', now()) - interval '$DAYS days'
         + (i * $STEP_S + (s * 7919) % $STEP_S) * interval '1 second',
       (1000 * exp(random() * 6))::bigint,
       'https://site-' || s || '.test/',
       CASE WHEN (i + s) % 37 = 0 THEN NULL ELSE 200 END, false, NULL,
       CASE WHEN (i + s) % 37 = 0 THEN 'timeout' END, 1000, (i + s) % 37 <> 0, '{}', false, 1
FROM generate_series(0, $PER_SITE - 1) i, generate_series(1, $SITES) s;
INSERT INTO bench_latest SELECT DISTINCT ON (url_digest) * FROM bench
  ORDER BY url_digest, measurement_time DESC;
INSERT INTO hc_rollup_pending (table_name, hour)
  SELECT DISTINCT 'bench', date_bin('1 hour', measurement_time, timestamptz '2000-01-01 00:00+00')
  FROM bench;
VACUUM ANALYZE;
EOF
echo "  load: $(($(now_ms) - start)) ms"

start=$(now_ms)
"$HC" maintain -c "$CONFIG" >"$WORK/close.log" 2>&1
close_ms=$(($(now_ms) - start))
echo "close the rollups: $close_ms ms ($(grep -o '([0-9]* hours recomputed[^)]*)' "$WORK/close.log"))"
sql -c "VACUUM ANALYZE bench_hourly_rollup" -c "VACUUM ANALYZE bench_daily_rollup" \
  -c "VACUUM ANALYZE bench_window_sums"
# Before each timed series: the close the consumer runs within 30 s of each hour (a quiet no-op
# within the hour), so a series that starts after an hour turned reads that hour's window sums
# as a live deployment's readers would.
close_hours() { "$HC" maintain -c "$CONFIG" >>"$WORK/close.log" 2>&1; }

: >"$WORK/empty.ms"
for _ in $(seq "$CALLS"); do
  start=$(now_ms)
  "$HC" status -c "$EMPTY_CONFIG" >/dev/null
  echo $(($(now_ms) - start)) >>"$WORK/empty.ms"
done
echo "hc status on an empty table (process start, config, connect): $(summary <"$WORK/empty.ms")"
# Each window with this build and, when REFERENCE_HC names another build's hc, with that one,
# call by call in turn (both see the same load): p50 and max of each, and their ratio.
p50_of() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for window in 1h 24h 7d 30d; do
  close_hours
  : >"$WORK/status-$window.ms"
  : >"$WORK/reference-$window.ms"
  for _ in $(seq "$CALLS"); do
    start=$(now_ms)
    "$HC" status -c "$CONFIG" --since "$window" >"$WORK/status.out"
    echo $(($(now_ms) - start)) >>"$WORK/status-$window.ms"
    if [[ -n ${REFERENCE_HC:-} ]]; then
      start=$(now_ms)
      "$REFERENCE_HC" status -c "$CONFIG" --since "$window" >"$WORK/reference.out"
      echo $(($(now_ms) - start)) >>"$WORK/reference-$window.ms"
    fi
  done
  echo "hc status --since $window: $(summary <"$WORK/status-$window.ms"), $(($(wc -l <"$WORK/status.out") - 1)) sites"
  if [[ -n ${REFERENCE_HC:-} ]]; then
    echo "  reference $REFERENCE_HC: $(summary <"$WORK/reference-$window.ms");" \
      "ratio reference / this build (p50): $(awk -v r="$(p50_of "$WORK/reference-$window.ms")" \
        -v h="$(p50_of "$WORK/status-$window.ms")" 'BEGIN { printf "%.1fx", r / h }');" \
      "output $(cmp -s "$WORK/status.out" "$WORK/reference.out" && echo identical || echo DIFFERENT)"
  fi
done

# The month report of this month and of the last one, timed the same way.
this_month=$(date -u +%Y-%m)
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
for month in "$this_month" "$last_month"; do
  close_hours
  : >"$WORK/report-$month.ms"
  : >"$WORK/reference-report-$month.ms"
  for _ in $(seq "$CALLS"); do
    start=$(now_ms)
    "$HC" report -c "$CONFIG" --month "$month" --format json >"$WORK/report.json"
    echo $(($(now_ms) - start)) >>"$WORK/report-$month.ms"
    if [[ -n ${REFERENCE_HC:-} ]]; then
      start=$(now_ms)
      "$REFERENCE_HC" report -c "$CONFIG" --month "$month" --format json >"$WORK/reference-report.json"
      echo $(($(now_ms) - start)) >>"$WORK/reference-report-$month.ms"
    fi
  done
  echo "hc report --month $month (json): $(summary <"$WORK/report-$month.ms")"
  if [[ -n ${REFERENCE_HC:-} ]]; then
    # The same report from both builds, but for `until` (the clock).
    same=$(cmp -s <(sed 's/"until":"[^"]*"//' "$WORK/report.json") \
      <(sed 's/"until":"[^"]*"//' "$WORK/reference-report.json") && echo identical || echo DIFFERENT)
    echo "  reference $REFERENCE_HC: $(summary <"$WORK/reference-report-$month.ms");" \
      "ratio reference / this build (p50): $(awk -v r="$(p50_of "$WORK/reference-report-$month.ms")" \
        -v h="$(p50_of "$WORK/report-$month.ms")" 'BEGIN { printf "%.1fx", r / h }'); JSON $same"
  fi
done

: >"$WORK/reference.ms"
for _ in $(seq "$REFERENCE_CALLS"); do
  start=$(now_ms)
  sql >/dev/null <<'EOF'
SELECT l.uri, l.status_code, l.measurement_time, l.error, l.cert_expires_at,
       coalesce(w.checks, 0), coalesce(w.up, 0), w.p50::bigint, w.p95::bigint,
       array_to_json(l.failed_conditions)::text
FROM (SELECT DISTINCT ON (url_digest) * FROM bench ORDER BY url_digest, measurement_time DESC) l
LEFT JOIN (
  SELECT url_digest, count(*) AS checks,
         count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_microseconds) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_microseconds) AS p95
  FROM bench WHERE measurement_time >= now() - interval '1 hour'
  GROUP BY url_digest) w USING (url_digest)
ORDER BY l.uri
EOF
  echo $(($(now_ms) - start)) >>"$WORK/reference.ms"
done
echo "reference (the query before the rollups, window 1h, psql): $(summary <"$WORK/reference.ms")"
hc_p50=$(sort -n "$WORK/status-1h.ms" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
ref_p50=$(sort -n "$WORK/reference.ms" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "ratio reference / hc status (p50, window 1h): $(awk -v r="$ref_p50" -v h="$hc_p50" 'BEGIN { printf "%.1fx", r / h }')"

# hc serve on the same data: the first page (100 sites) as HTML and JSON, one site's 30 days.
serve_start "$HC" "$CONFIG" "$WORK/serve.log"
measure "404 (no query: the HTTP floor)" /nothing
measure "/api/v1/status (first 100 sites)" /api/v1/status
measure "/ (HTML, first 100 sites)" /
measure "/?offset=9900 (the last page)" "/?offset=9900"
measure "history 30d step=day (one site)" "/api/v1/sites/https%3A%2F%2Fsite-1.test%2F/history?since=30d&step=day"
measure "history 30d step=hour (one site)" "/api/v1/sites/https%3A%2F%2Fsite-1.test%2F/history?since=30d&step=hour"
measure "/sites/{url}?since=90d (chart, incidents)" "/sites/https%3A%2F%2Fsite-1.test%2F?since=90d"
measure "badge uptime 30d" "/badges/https%3A%2F%2Fsite-1.test%2F/uptime/30d.svg"
measure "badge response-time 7d" "/badges/https%3A%2F%2Fsite-1.test%2F/response-time/7d.svg"
measure "/api/v1/report?month= (this month)" "/api/v1/report?month=$(date -u +%Y-%m)"
measure "/api/v1/report?month= (last month)" "/api/v1/report?month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)"
# What a browser gets: the first page gzip-compressed (bytes on the wire).
echo "/ (HTML, first 100 sites) gzip: $(curl -s -H 'Accept-Encoding: gzip' "$base/" | wc -c) bytes on the wire"

sql <<'EOF'
SELECT format('raw table: %s rows, %s B/row heap, %s B/row with indexes',
  count(*),
  -- the table is partitioned: its parent holds nothing, its partitions hold the rows
  (SELECT sum(pg_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'bench'::regclass)
    / count(*),
  (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
    WHERE inhparent = 'bench'::regclass) / count(*))
FROM bench;
SELECT format('rollup: %s rows (site-hours), %s B/row heap, %s B/row with indexes; %s raw rows per rollup row',
  count(*), pg_relation_size('bench_hourly_rollup') / count(*),
  pg_total_relation_size('bench_hourly_rollup') / count(*),
  round((SELECT count(*) FROM bench)::numeric / count(*), 2))
FROM bench_hourly_rollup;
SELECT format('daily rollup: %s rows (site-days), %s B/row heap, %s B/row with indexes',
  count(*), pg_relation_size('bench_daily_rollup') / count(*),
  pg_total_relation_size('bench_daily_rollup') / count(*))
FROM bench_daily_rollup;
SELECT format('window sums: %s rows (site-ranges) in %s ranges, %s B/row heap, %s B/row with indexes',
  count(*), (SELECT count(*) FROM hc_window_ranges WHERE table_name = 'bench'),
  pg_relation_size('bench_window_sums') / greatest(count(*), 1),
  pg_total_relation_size('bench_window_sums') / greatest(count(*), 1))
FROM bench_window_sums;
EOF
