# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run): a work directory with a throwaway
# PostgreSQL, hc serve started in the background, and timing of HTTP calls. Loopback only.
# REQUIRES: ROOT (the repository) is set.

# Sets WORK to a new directory, /tmp/hc-bench-$1.XXXXXX (under TMPDIR when set), readable by
# all: a throwaway PostgreSQL in it runs as user postgres when we are root. The caller removes
# it on exit.
bench_workdir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/hc-bench-$1.XXXXXX")
  chmod 755 "$WORK"
}

# Creates WORK (bench_workdir), starts a throwaway PostgreSQL 15 in it (scripts/pg,
# URI set to its URI) and writes $WORK/config.yaml (CONFIG) with one consumer route, topic $2
# into table $3. Everything is stopped and removed on exit.
bench_start() {
  bench_workdir "$1"
  serve_pid=
  trap bench_cleanup EXIT
  URI=$("$ROOT/scripts/pg" start "$WORK/pg")
  CONFIG=$WORK/config.yaml
  cat >"$CONFIG" <<YAML
healthcheck-consumer-config:
  bootstrap_servers: ["127.0.0.1:9"]
  topics:
    - source_topic: $2
      connection_uri: "$URI"
      table_name: $3
YAML
}

# bench_require FILE...: exits with how to build them unless every FILE is an executable (the
# build targets are the files' names: hc, hc-devbroker, hc-bench-preload).
bench_require() {
  local file missing=() targets=()
  for file in "$@"; do
    [[ -x $file ]] || missing+=("$file")
    targets+=("$(basename "$file")")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "missing ${missing[*]}: build first (cmake --build BUILD_DIR --target ${targets[*]})" >&2
  exit 1
}

# Seconds since the epoch, and arithmetic on them for the reports.
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }       # elapsed START END: seconds
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }   # rate COUNT SECONDS
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }  # ratio A B

# BENCH_KEEP=1 leaves the database running and WORK in place (for bench/storage/compare.sh
# and profiling on the same data), and says how to stop it.
bench_cleanup() {
  [[ -z ${serve_pid:-} ]] || { kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; } || true
  if [[ ${BENCH_KEEP:-} == 1 ]]; then
    echo "kept (BENCH_KEEP=1): config $CONFIG; stop with: scripts/pg stop $WORK/pg && rm -rf $WORK" >&2
    return 0
  fi
  "$ROOT/scripts/pg" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

# Starts `hc serve` (binary $1) with config $2 on a free loopback port, its log in $3; sets
# serve_pid and base (http://127.0.0.1:PORT). The caller kills serve_pid on exit.
serve_start() {
  local hc=$1 config=$2 log=$3
  "$hc" serve -c "$config" --listen 127.0.0.1:0 >"$log" 2>&1 &
  # shellcheck disable=SC2034 # read by the caller
  serve_pid=$!
  base=
  for _ in $(seq 100); do
    base=$(grep -o 'status page on http://[0-9.:]*' "$log" | sed 's/.* on //') || true
    [[ -z $base ]] || return 0
    sleep 0.1
  done
  echo "hc serve did not start:" >&2
  cat "$log" >&2
  return 1
}

# p50 and p90 in ms of a list of times in seconds, one per line; $1 names them, $2 the bytes.
percentiles() {
  sort -n | awk -v name="$1" -v bytes="$2" '{ t[NR] = $1 * 1000 }
    END { printf "%-38s p50 %8.1f ms   p90 %8.1f ms   %9s bytes\n", name, t[int((NR + 1) / 2)], t[int(NR * 0.9)], bytes }'
}

# $CALLS sequential calls (curl's time_total: connect to last byte) of $base$2, named $1.
measure() {
  local name=$1 target=$2 bytes
  bytes=$(curl -s "$base$target" | wc -c)
  for _ in $(seq "$CALLS"); do curl -s -o /dev/null -w '%{time_total}\n' "$base$target"; done |
    percentiles "$name" "$bytes"
}

# bench_broker KIND DIR TOPIC PARTITIONS HC DEVBROKER: starts the broker a benchmark measures
# against, in DIR, with TOPIC created with PARTITIONS partitions, and sets
#   BOOTSTRAP     its bootstrap list (PLAINTEXT, loopback)
#   BROKER_NAME   what the figures were measured on, for the report
#   BROKER_PID    hc-devbroker's pid (KIND dev), else empty
# KIND: dev  = hc-devbroker (librdkafka's mock cluster; keeps ~5 MB per partition),
#       real = one Apache Kafka node from scripts/kafka (stopped when this shell ends, by
#              --owner; bench_broker_stop stops it sooner), the topic made by `hc topics create`.
# shellcheck disable=SC2034  # BOOTSTRAP and BROKER_NAME are read by the caller
bench_broker() {
  local kind=$1 dir=$2 topic=$3 partitions=$4 hc=$5 devbroker=$6
  BROKER_PID=
  case $kind in
    dev)
      "$devbroker" --topic "$topic:$partitions" --bootstrap-file "$dir/bootstrap" \
        >"$dir/broker.log" 2>&1 &
      BROKER_PID=$!
      for _ in $(seq 100); do [[ -s $dir/bootstrap ]] && break; sleep 0.1; done
      [[ -s $dir/bootstrap ]] || { echo "hc-devbroker did not start:" >&2; cat "$dir/broker.log" >&2; return 1; }
      BOOTSTRAP=$(cat "$dir/bootstrap")
      BROKER_NAME="hc-devbroker (librdkafka $(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null) mock cluster)"
      ;;
    real)
      "$ROOT/scripts/kafka" start "$dir/kafka" --owner $$ >"$dir/kafka.env" 2>"$dir/broker.log" ||
        { echo "scripts/kafka start failed:" >&2; cat "$dir/broker.log" >&2; return 1; }
      BOOTSTRAP=$(sed -n 's/^KAFKA_PLAINTEXT=//p' "$dir/kafka.env")
      BROKER_NAME="Apache Kafka $(sed -n 's/^KAFKA_VERSION=//p' "$dir/kafka.env") (1 node, KRaft)"
      cat >"$dir/topics.yaml" <<YAML
healthcheck-producer-config:
  bootstrap_servers: ["$BOOTSTRAP"]
  defaults: {destination_topic: $topic}
  websites:
    - url: http://127.0.0.1:9/
YAML
      "$hc" topics create -c "$dir/topics.yaml" --partitions "$partitions" --replication-factor 1 \
        --timeout-ms 60000 >"$dir/topics.log" 2>&1 ||
        { echo "hc topics create failed:" >&2; cat "$dir/topics.log" >&2; return 1; }
      ;;
    *)
      echo "BROKER must be dev or real, not '$kind'" >&2
      return 2
      ;;
  esac
}

# Stops what bench_broker started in DIR (safe to call twice).
bench_broker_stop() {
  local dir=$1
  if [[ -n ${BROKER_PID:-} ]]; then kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null || true; fi
  BROKER_PID=
  if [[ -d $dir/kafka ]]; then "$ROOT/scripts/kafka" stop "$dir/kafka" >/dev/null 2>&1 || true; fi
}

# bench_nginx_start DIR: nginx (one worker) on a free loopback port, its prefix, config, pid
# file and page under DIR, serving a ~600-byte page with "Example Domain" in it and closing the
# connection after every response (keepalive_timeout 0: each request is a new connection, for
# wrk and hc alike). Sets NGINX_PORT. bench_nginx_stop DIR stops it.
bench_nginx_start() {
  local dir=$1 user=""
  NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir/www" "$dir/tmp"
  python3 - "$dir/www/index.html" <<'PY'
import sys
body = "<!doctype html><html><head><title>Example Domain</title></head><body>" \
       "<h1>Example Domain</h1><p>" + "This domain is for use in benchmarks. " * 12 + \
       "</p></body></html>\n"
open(sys.argv[1], "w").write(body)
PY
  [[ $(id -u) -ne 0 ]] || user="user root;"
  cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 16000; multi_accept on; }
http {
  access_log off;
  # Close after every response, for wrk and hc alike: each request is a new connection.
  keepalive_timeout 0;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    root $dir/www;
    location / { index index.html; }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf"
  for _ in $(seq 50); do [[ -s $dir/nginx.pid ]] && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$NGINX_PORT/?i=1" | grep -q "Example Domain" ||
    { echo "nginx did not come up" >&2; return 1; }
}

bench_nginx_stop() {
  if [[ -f $1/nginx.pid ]]; then kill "$(cat "$1/nginx.pid")" 2>/dev/null || true; fi
}

# bench_producer_config FILE SITES INTERVAL_S QUERY_NAME PORT BOOTSTRAP MAX_IN_FLIGHT
#   [CHECK_THREADS]: an hc producer config of SITES sites, all on the nginx of
# bench_nginx_start (http://127.0.0.1:PORT/?QUERY_NAME=i), each with the regex
# "Example Domain", publishing to topic healthcheck.
bench_producer_config() {
  python3 - "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}" <<'PY'
import sys
path, sites, interval, query, port, bootstrap, max_in_flight, check_threads = sys.argv[1:]
with open(path, "w") as out:
    out.write("healthcheck-producer-config:\n")
    out.write(f"  bootstrap_servers: [\"{bootstrap}\"]\n")
    out.write(f"  max_in_flight: {max_in_flight}\n")
    if check_threads:
        out.write(f"  check_threads: {check_threads}\n")
    out.write("  defaults:\n")
    out.write(f"    polling_interval_in_seconds: {interval}\n")
    out.write("    timeout_ms: 5000\n    destination_topic: healthcheck\n")
    # Every site is on one nginx: the per-host limit (default 4) would be the bottleneck.
    out.write("    max_concurrent_per_host: 100000\n")
    out.write("  websites:\n")
    for i in range(int(sites)):
        out.write(f"    - url: http://127.0.0.1:{port}/?{query}={i}\n      regex: \"Example Domain\"\n")
PY
}

# --- the consumer benchmarks (bench/consumer/run.sh, bench/peers/consumer.sh) ------------
# They share these globals: WORK, HC, PRELOAD (hc-bench-preload), BOOTSTRAP, PARTITIONS,
# MESSAGES, URLS, URI (the throwaway PostgreSQL), and CONSUMER_PID (the running consumer,
# for the caller's cleanup). The topic is `bench`.

# The columns of a measurements table, in the order of hc-bench-preload's COPY file.
BENCH_COLUMNS="url_digest, measurement_time, response_time_microseconds, uri, status_code, regex_present, regex_match, error, error_detail, dns_us, connect_us, tls_us, ttfb_us, body_bytes, cert_expires_at, healthy, failed_conditions, body_truncated, attempts"

# bench_consumer_config GROUP TABLE: writes $WORK/GROUP.yaml (a consumer of topic bench into
# TABLE, connections_per_database CONNECTIONS, default 2, and batch_max_rows BATCH_MAX_ROWS,
# default hc's) and prints its path.
bench_consumer_config() {
  cat >"$WORK/$1.yaml" <<YAML
healthcheck-consumer-config:
  bootstrap_servers: ["$BOOTSTRAP"]
  group_id: $1
  auto_offset_reset: earliest
  connections_per_database: ${CONNECTIONS:-2}
${BATCH_MAX_ROWS:+  batch_max_rows: $BATCH_MAX_ROWS}
  topics:
    - source_topic: bench
      connection_uri: "$URI"
      table_name: $2
YAML
  echo "$WORK/$1.yaml"
}

# bench_preload TIMES: MESSAGES message-v1 records for URLS sites into topic bench, and the
# same rows as COPY text in $WORK/rows.copy. TIMES past: the rows are of 2026-11-18 (closed
# hours, the catch-all partition); now: they end at the preload's start.
bench_preload() {
  local first_time_us
  case $1 in
    past) first_time_us=1795000000000000 ;;
    now) first_time_us=$(($(date +%s) * 1000000 - MESSAGES / URLS * 30000000)) ;;
    *) echo "TIMES must be past or now, not '$1'" >&2; return 2 ;;
  esac
  echo "preloading $MESSAGES messages for $URLS urls (times: $1) ..."
  "$PRELOAD" --bootstrap "$BOOTSTRAP" --topic bench --partitions "$PARTITIONS" \
    --messages "$MESSAGES" --urls "$URLS" --copy-file "$WORK/rows.copy" --first-time-us "$first_time_us"
}

# bench_copy_reference TABLE: psql \copy of $WORK/rows.copy into TABLE (made empty by
# `hc migrate`); checks the row count and sets COPY_SECONDS and COPY_RATE (rows/s).
bench_copy_reference() {
  local start
  "$HC" migrate -c "$(bench_consumer_config "$1" "$1")" >/dev/null 2>&1
  echo "reference: psql \\copy into an empty table ..."
  start=$(now)
  psql -XAtq -v ON_ERROR_STOP=1 -d "$URI" -c "\\copy $1 ($BENCH_COLUMNS) FROM '$WORK/rows.copy'"
  COPY_SECONDS=$(elapsed "$start" "$(now)")
  [[ $(psql -XAtq -d "$URI" -c "SELECT count(*) FROM $1") == "$MESSAGES" ]] ||
    { echo "reference row count wrong" >&2; return 1; }
  # shellcheck disable=SC2034  # read by the caller
  COPY_RATE=$(rate "$MESSAGES" "$COPY_SECONDS")
}

# bench_wait_committed GROUP: waits until GROUP committed every message of topic bench;
# prints the time it did (seconds since the epoch).
bench_wait_committed() {
  "$PRELOAD" --bootstrap "$BOOTSTRAP" --topic bench --partitions "$PARTITIONS" \
    --messages "$MESSAGES" --wait-committed "$1"
}

# bench_consumer_pass GROUP TABLE: runs hc --consumer (through HC_WRAPPER, with HC_ARGS)
# until GROUP committed every message into TABLE; its log is $WORK/GROUP.log. Prints
# "seconds rss_kb", timed from the partition assignment (fetching starts then) to the last
# commit (the consumer commits only after its rows are in PostgreSQL).
bench_consumer_pass() {
  local group=$1 log=$WORK/$1.log end_time rss cpu assigned_at
  # shellcheck disable=SC2086  # HC_WRAPPER is a command prefix, HC_ARGS a list of options
  ${HC_WRAPPER:-} "$HC" --log-level debug --consumer -c "$(bench_consumer_config "$group" "$2")" ${HC_ARGS:-} >"$log" 2>&1 &
  CONSUMER_PID=$!
  end_time=$(bench_wait_committed "$group")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$CONSUMER_PID/status")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$CONSUMER_PID/stat")
  echo "  $group: consumer CPU time ${cpu} s (user+system, from its start)" >&2
  kill -TERM "$CONSUMER_PID"
  wait "$CONSUMER_PID" || { echo "consumer exited with an error" >&2; cat "$log" >&2; return 1; }
  CONSUMER_PID=
  assigned_at=$(date -u -d "$(grep -m1 'assigned' "$log" | cut -c1-23)" +%s.%N)
  echo "$(elapsed "$assigned_at" "$end_time") $rss"
}
