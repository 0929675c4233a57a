#!/usr/bin/env bash
# hc serve latency: p50 (and p90) of 20 calls each to /api/v1/status, / and one site's 30-day
# history, against a throwaway PostgreSQL loaded with SITES sites checked every INTERVAL
# minutes for DAYS days (rows generated in SQL, with digests as the producer makes them).
#
#   bench/serve/run.sh [BUILD_DIR]        (default: build; needs BUILD_DIR/app/hc)
#   env: SITES (default 100), DAYS (30), INTERVAL_MIN (10), CALLS (20)
#
# Prints the row count, the table's size and one line per endpoint. Loopback only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
HC=$BUILD/app/hc
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
[[ -x $HC ]] || { echo "bench/serve/run.sh: no $HC (cmake --build $BUILD first)" >&2; exit 1; }
SITES=${SITES:-100}
DAYS=${DAYS:-30}
INTERVAL_MIN=${INTERVAL_MIN:-10}
CALLS=${CALLS:-20}

bench_start serve healthcheck healthcheck
"$HC" migrate -c "$CONFIG" >/dev/null 2>&1
# Every site up except one check in 50; response times 1..100 ms.
psql -q "$URI" -c "
INSERT INTO healthcheck (url_digest, measurement_time, response_time_microseconds, uri,
                         status_code, regex_present, error, healthy)
SELECT sha256(convert_to(u, 'UTF8')), t, 1000 + (hashint8(extract(epoch FROM t)::bigint + s) & 65535) * 1.5,
       u, 200, false, NULL, (hashint8(extract(epoch FROM t)::bigint * 7 + s) % 50) <> 0
FROM generate_series(1, $SITES) s,
     LATERAL (SELECT 'https://site-' || s || '.example/' AS u) n,
     generate_series(date_trunc('minute', now()) - interval '$DAYS days', now(),
                     interval '$INTERVAL_MIN minutes') t;"
# What the consumer does in the transaction of its rows (the newest row per site into the
# latest table, the rows' hours marked), then the table upkeep that closes the rollups.
psql -q "$URI" -c "
INSERT INTO healthcheck_latest SELECT DISTINCT ON (url_digest) * FROM healthcheck
  ORDER BY url_digest, measurement_time DESC;
INSERT INTO hc_rollup_pending (table_name, hour)
  SELECT DISTINCT 'healthcheck', date_bin('1 hour', measurement_time,
                                          timestamptz '2000-01-01 00:00+00')
  FROM healthcheck;"
"$HC" maintain -c "$CONFIG" >/dev/null 2>&1
psql -q "$URI" -c "VACUUM ANALYZE"
rows=$(psql -tA "$URI" -c "SELECT count(*) FROM healthcheck")
# The table is partitioned (its parent holds no data): the size of all its partitions.
size=$(psql -tA "$URI" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid)))
  FROM pg_inherits WHERE inhparent = 'healthcheck'::regclass")

serve_start "$HC" "$CONFIG" "$WORK/serve.log"

# The reference: the whole <table>_hourly relation read by psql (what every overview reads).
hourly_reference() {
  for _ in $(seq "$CALLS"); do
    psql -tA "$URI" -c '\timing on' \
      -c 'SELECT sum(checks), sum(up_checks), max(p95_response_us) FROM healthcheck_hourly' |
      awk '/^Time:/ { print $2 / 1000 }'
  done | percentiles "reference: psql sums of _hourly" "-"
}
echo "$rows rows ($SITES sites, $DAYS days, every $INTERVAL_MIN min), table $size; $CALLS calls each"
hourly_reference
measure "404 (no query: the HTTP floor)" /nothing
measure "/api/v1/status" /api/v1/status
measure "/ (HTML)" /
measure "history 30d step=day (one site)" "/api/v1/sites/https%3A%2F%2Fsite-1.example%2F/history?since=30d&step=day"
measure "history 7d step=hour (one site)" "/api/v1/sites/https%3A%2F%2Fsite-1.example%2F/history?since=7d&step=hour"
echo "($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD))"
