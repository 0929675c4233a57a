#!/usr/bin/env bash
# What the number of partitions costs the readers: `hc status` and `hc serve` on one table of
# SITES sites with one check each (the open hour), first with the partitions of a new table (a
# catch-all, today, 3 days ahead), then with one partition per day for the last DAYS days, as
# a year of `partition_interval: day` without retention leaves. Readers that prune partitions
# when the statement is planned cost about the same either way.
#
#   bench/storage/partitions.sh [BUILD_DIR]   env: SITES (100), DAYS (420), CALLS (20)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
HC=$BUILD/app/hc
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
[[ -x $HC ]] || { echo "missing $HC: cmake --build $BUILD --target hc" >&2; exit 1; }
SITES=${SITES:-100}
DAYS=${DAYS:-420}
CALLS=${CALLS:-20}

bench_start partitions checks checks
sql() { psql "$URI" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
"$HC" migrate -c "$CONFIG" >"$WORK/migrate.log" 2>&1
sql <<SQL
INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri, status_code,
  regex_present, healthy)
SELECT sha256(('https://site-' || s || '.test/')::bytea), now() - interval '1 minute', 1000 * s,
       'https://site-' || s || '.test/', 200, false, true
FROM generate_series(1, $SITES) s;
INSERT INTO checks_latest SELECT * FROM checks;
SQL

# CALLS runs of `hc status` (whole processes).
status_times() {
  for _ in $(seq "$CALLS"); do
    start=$(date +%s%N)
    "$HC" status -c "$CONFIG" >/dev/null
    echo "$(($(date +%s%N) - start))" | awk '{ print $1 / 1e9 }'
  done | percentiles "$1" -
}

run() {
  echo "$(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'checks'::regclass") partitions:"
  status_times "  hc status"
  serve_start "$HC" "$CONFIG" "$WORK/serve.log"
  measure "  /api/v1/status (first 100 sites)" /api/v1/status
  measure "  history 30d step=hour (one site)" \
    "/api/v1/sites/https%3A%2F%2Fsite-1.test%2F/history?since=30d&step=hour"
  kill "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=
}

run
# The catch-all shrinks to before DAYS days ago; each day since gets its own partition.
sql <<SQL
CREATE TEMP TABLE kept AS SELECT * FROM checks_before;
ALTER TABLE checks DETACH PARTITION checks_before;
DROP TABLE checks_before;
CREATE TABLE checks_before PARTITION OF checks
  FOR VALUES FROM (MINVALUE) TO (date_trunc('day', now(), 'UTC') - interval '$DAYS days');
DO \$\$ DECLARE d timestamptz := date_trunc('day', now(), 'UTC') - interval '$DAYS days'; BEGIN
  WHILE d < date_trunc('day', now(), 'UTC') LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF checks FOR VALUES FROM (%L) TO (%L)',
                   'checks_x' || to_char(d, 'YYYYMMDD'), d, d + interval '1 day');
    d := d + interval '1 day';
  END LOOP; END \$\$;
INSERT INTO checks SELECT * FROM kept;
ANALYZE;
SQL
run
echo "($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), $HC built from $(git -C "$BUILD/.." rev-parse --short HEAD 2>/dev/null || echo unknown))"
