# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run): a work directory with a throwaway
# PostgreSQL, hc serve started in the background, and timing of HTTP calls. Loopback only.
# REQUIRES: ROOT (the repository) is set.

# Creates WORK (/tmp/hc-bench-$1.XXXXXX), starts a throwaway PostgreSQL 15 in it (scripts/pg,
# URI set to its URI) and writes $WORK/config.yaml (CONFIG) with one consumer route, topic $2
# into table $3. Everything is stopped and removed on exit.
bench_start() {
  WORK=$(mktemp -d "/tmp/hc-bench-$1.XXXXXX")
  chmod 755 "$WORK"  # the throwaway PostgreSQL runs as user postgres when we are root
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
