#!/usr/bin/env bash
# Producer against its peers (issue 23), in one run on the same loopback nginx and broker:
#   1. wrk with a new connection per request (Connection: close): requests/s;
#   2. prometheus-blackbox-exporter's http_2xx module probing the nginx page (the body must
#      match "Example Domain", as hc's regex), driven by wrk against
#      /probe?module=http_2xx&target=... at BB_CONCURRENCY connections each: the best
#      successful probes/s (a probe whose answer lacks `probe_success 1` is not counted);
#   3. bench/peers/python_producer.py (asyncio + aiohttp, a new connection per check, one JSON
#      message per check to the broker with confluent_kafka) at PY_SITES sites @1 s: checks/s
#      actually achieved after a 10 s warm-up;
#   4. hc --producer at saturation (SAT_SITES sites @1 s, as bench/producer/run.sh): checks/s,
#      the mean of its 10 s summary lines after the first;
# and prints each as checks/s with the ratios hc/wrk, hc/blackbox, hc/python.
# Targets (issue 23): hc >= 0.8x wrk, >= 6x blackbox_exporter, >= 8x the Python producer.
#
# Usage: bench/peers/producer.sh [BUILD_DIR]    (default: build; needs hc and hc-devbroker)
# Knobs (environment): WRK_SECONDS=10 WRK_CONNECTIONS=100 BB_SECONDS=10
#   BB_CONCURRENCY="4 16 64 256" PY_SITES=5000 PY_SECONDS=30 SAT_SITES=50000 SAT_SECONDS=30
#   MAX_IN_FLIGHT=500 (hc's max_in_flight and the Python producer's connection limit)
# Everything runs on 127.0.0.1 and is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
HC="$BUILD_DIR/app/hc"
DEVBROKER="$BUILD_DIR/tools/hc-devbroker"
WRK_SECONDS=${WRK_SECONDS:-10}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-100}
BB_SECONDS=${BB_SECONDS:-10}
BB_CONCURRENCY=${BB_CONCURRENCY:-4 16 64 256}
PY_SITES=${PY_SITES:-5000}
PY_SECONDS=${PY_SECONDS:-30}
SAT_SITES=${SAT_SITES:-50000}
SAT_SECONDS=${SAT_SECONDS:-30}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-500}

# shellcheck source=scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"
hc_install_packages "${HC_BENCH_PACKAGES[@]}" "${HC_PEER_BENCH_PACKAGES[@]}" python3
ulimit -n "$(ulimit -Hn)"

PIDS=()
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$HC" "$DEVBROKER"
bench_workdir peers-producer
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  bench_broker_stop "$WORK"
  bench_nginx_stop "$WORK"
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
load1() { cut -d' ' -f1 /proc/loadavg; }  # at the end of each phase, for the table

bench_nginx_start "$WORK"
PAGE="http://127.0.0.1:$NGINX_PORT/"
echo "load average at the start: $(load)" >&2

# --- 1. wrk, new connection per request -------------------------------------------------
echo "wrk: -t2 -c$WRK_CONNECTIONS -d${WRK_SECONDS}s -H 'Connection: close' $PAGE" >&2
wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" -H 'Connection: close' "$PAGE" >"$WORK/wrk.txt"
WRK_RPS=$(awk '/Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
WRK_LOAD=$(load1)
sleep 2  # let TIME_WAIT sockets of wrk drain a little

# --- 2. blackbox_exporter ------------------------------------------------------------------
BB_PORT=$(free_port)
cat >"$WORK/blackbox.yml" <<'YAML'
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ["Example Domain"]
YAML
prometheus-blackbox-exporter --config.file="$WORK/blackbox.yml" \
  --web.listen-address="127.0.0.1:$BB_PORT" --log.level=warn >"$WORK/blackbox.log" 2>&1 &
PIDS+=($!)
PROBE="http://127.0.0.1:$BB_PORT/probe?module=http_2xx&target=$PAGE"
for _ in $(seq 100); do curl -sf "$PROBE" 2>/dev/null | grep -q '^probe_success 1' && break; sleep 0.1; done
curl -sf "$PROBE" | grep -q '^probe_success 1' ||
  { echo "blackbox_exporter does not probe successfully:" >&2; cat "$WORK/blackbox.log" >&2; exit 1; }
# Counts the answers without `probe_success 1` (a failed probe still answers 200).
cat >"$WORK/probe.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "\nprobe_success 1", 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local f = 0
  for _, t in ipairs(threads) do f = f + t:get("failed") end
  io.write(string.format("probes %d seconds %.3f failed %d\n", summary.requests, summary.duration / 1e6, f))
end
LUA
BB_BEST=0
BB_BEST_C=
BB_LOAD=-
BB_ROWS=""
for c in $BB_CONCURRENCY; do
  threads=$((c < 2 ? c : 2))
  echo "blackbox_exporter: wrk -t$threads -c$c -d${BB_SECONDS}s $PROBE" >&2
  wrk -t"$threads" -c"$c" -d"${BB_SECONDS}s" -s "$WORK/probe.lua" "$PROBE" >"$WORK/bb-$c.txt"
  read -r probes seconds failed < <(awk '/^probes / {print $2, $4, $6}' "$WORK/bb-$c.txt")
  ok_rate=$(rate "$((probes - failed))" "$seconds")
  BB_ROWS+="  blackbox_exporter, $c concurrent probes: ${ok_rate} probes/s ok, $failed failed of $probes"$'\n'
  if ((ok_rate > BB_BEST)); then BB_BEST=$ok_rate; BB_BEST_C=$c; BB_LOAD=$(load1); fi
  sleep 2
done
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
unset 'PIDS[-1]'

# --- the broker -----------------------------------------------------------------------------
bench_broker dev "$WORK" healthcheck 16 "$HC" "$DEVBROKER"

# --- 3. the Python producer ---------------------------------------------------------------
echo "python producer: $PY_SITES sites @1s for ${PY_SECONDS}s" >&2
/usr/bin/python3 "$ROOT/bench/peers/python_producer.py" --bootstrap "$BOOTSTRAP" --port "$NGINX_PORT" \
  --sites "$PY_SITES" --interval 1 --seconds "$PY_SECONDS" --warmup 10 \
  --max-in-flight "$MAX_IN_FLIGHT" >"$WORK/python.txt" 2>"$WORK/python.log" ||
  { echo "python producer failed:" >&2; cat "$WORK/python.log" >&2; exit 1; }
py_value() { awk -v k="$1" '$1 == k {print $2}' "$WORK/python.txt"; }
PY_RATE=$(py_value checks_per_second)
PY_LOAD=$(load1)
sleep 2

# --- 4. hc --producer at saturation -------------------------------------------------------
bench_producer_config "$WORK/saturation.yaml" "$SAT_SITES" 1 i "$NGINX_PORT" "$BOOTSTRAP" "$MAX_IN_FLIGHT"
echo "hc: $HC --producer ($SAT_SITES sites @1s for ${SAT_SECONDS}s)" >&2
"$HC" --producer -c "$WORK/saturation.yaml" >"$WORK/hc.log" 2>&1 &
hc_pid=$!
PIDS+=("$hc_pid")
sleep "$SAT_SECONDS"
HC_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$hc_pid/status")
HC_LOAD=$(load1)
kill -TERM "$hc_pid"
wait "$hc_pid" || { echo "hc exited with an error:" >&2; tail -20 "$WORK/hc.log" >&2; exit 1; }
unset 'PIDS[-1]'
# The mean of the 10 s summary lines after the first (warm-up), as bench/producer/run.sh.
HC_RATE=$(awk 'match($0, /checks [0-9]+\/s, late/) { split(substr($0, RSTART), f, " ");
    sub("/s,", "", f[2]); if (n++ > 0) { sum += f[2]; m++ } }
  END { printf "%d\n", m ? sum / m : 0 }' "$WORK/hc.log")
((HC_RATE > 0)) || { echo "no summary line after the warm-up in hc's log:" >&2; tail -20 "$WORK/hc.log" >&2; exit 1; }

# --- summary --------------------------------------------------------------------------------
row() { printf '%-58s %10s %9s %9s %6s\n' "$@"; }
echo
row "measure (one run)" "checks/s" "hc / it" "target" "load"
row "wrk, Connection: close ($WRK_CONNECTIONS connections)" "$(rate "$WRK_RPS" 1)" "$(ratio "$HC_RATE" "$WRK_RPS")" ">= 0.8" "$WRK_LOAD"
row "blackbox_exporter http_2xx, best ($BB_BEST_C concurrent)" "$BB_BEST" "$(ratio "$HC_RATE" "$BB_BEST")" ">= 6" "$BB_LOAD"
row "python producer, $PY_SITES sites @1s" "$PY_RATE" "$(ratio "$HC_RATE" "$PY_RATE")" ">= 8" "$PY_LOAD"
row "hc --producer, $SAT_SITES sites @1s (saturation)" "$HC_RATE" "1.00" "" "$HC_LOAD"
echo "(load: the 1-minute load average at the end of each phase)"
echo
printf '%s' "$BB_ROWS"
echo "  python producer: CPU $(py_value cpu_percent)% of one core, errors $(py_value errors) ($(py_value error_kinds)), skipped $(py_value skipped), start lateness p50 $(py_value late_p50_ms) ms p99 $(py_value late_p99_ms) ms"
echo "  hc: peak RSS $((HC_RSS / 1024)) MB; $(grep -o 'producer totals.*' "$WORK/hc.log" | cut -c1-160)"
echo "broker: $BROKER_NAME; load average at the end: $(load) on $(nproc) CPUs"
