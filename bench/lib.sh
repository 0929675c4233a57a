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

# Seconds since the epoch, and arithmetic on them for the reports.
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }       # elapsed START END: seconds
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }   # rate COUNT SECONDS
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }  # ratio A B

bench_cleanup() {
  [[ -z ${serve_pid:-} ]] || { kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; } || true
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
