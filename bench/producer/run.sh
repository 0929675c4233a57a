#!/usr/bin/env bash
# Producer benchmark: nginx on loopback serving a small page, then in one run
#   1. reference: wrk requests/s with a new connection per request (Connection: close);
#   2. saturation: hc --producer with more sites than it can serve (SAT_SITES at 1 s),
#      publishing to the broker (BROKER): checks completed/s and the ratio hc/wrk;
#   3. steady load: STEADY_SITES at STEADY_INTERVAL s: p50/p99 schedule lateness, skipped
#      checks, peak RSS of the producer;
#   4. timing fidelity (issue 23 item 6): hc at half of the saturation rate measured in 2
#      (sites @1 s) for FIDELITY_SECONDS; the p50/p99 of the connect and ttfb times its
#      messages carry (read back from the broker, the first 10 s left out) against those of
#      FIDELITY_CURLS sequential idle `curl -w` of the same page, and how many slow timings
#      the message's loop_lag_us does not account for; the same curls again while hc runs
#      show the page's own latency under that load. FIDELITY_PIN=1 gives the page a core of
#      its own (nginx on the last CPU, hc and the broker on the others; taskset) and takes
#      half of hc's saturation on its cores, measured then.
# Targets: ratio >= 0.5, p99 lateness < 20 ms, 0 skipped, peak RSS < 64 MB; connect and ttfb
# p99 within 1 ms of idle curl's.
#
# Usage: bench/producer/run.sh [BUILD_DIR]      (default: build; needs hc and hc-devbroker)
# Knobs (environment): SAT_SITES=50000 SAT_SECONDS=30 STEADY_SITES=10000 STEADY_SECONDS=40
#   STEADY_INTERVAL=5 (seconds; e.g. STEADY_SITES=200000 STEADY_INTERVAL=60 STEADY_SECONDS=150)
#   MAX_IN_FLIGHT=500 WRK_SECONDS=10 WRK_CONNECTIONS=100 FIDELITY_SECONDS=40 (0: no phase 4)
#   FIDELITY_CURLS=300 FIDELITY_SITES=N (phase 4 with N sites @1 s instead of half of the
#   saturation measured: the same load for two builds compared)
#   CHECK_THREADS=N: the producer's check_threads (default: unset, hc's own choice)
#   PERF_DATA=FILE: record a perf profile of hc during the saturation run into FILE
#   (PERF_ARGS, default "-F 999 -g", are passed to perf record).
#   BROKER=dev|real: hc-devbroker (default) or one Apache Kafka node (scripts/kafka), so the
#   figures say which broker they were measured on.
#   FLOOR_TRANSFERS=200000 (0: none): hc-bench-curl-floor (bench/producer/curl_floor.cpp, built
#   with the bench targets) makes that many GETs of the page right after wrk: libcurl alone
#   with hc's options, concurrency and threads; its CPU per transfer is the floor under hc's
#   CPU per check (wrk's CPU per request is reported beside it).
#   REF_BUILD=DIR PAIRS=2: the saturation phase runs PAIRS times with DIR's hc and this
#   build's in turn (reference first), and the CPU per check of each pair is compared; the
#   last run of this build is the one the later phases use.
#   HC_WRAPPER="env VAR=..." runs hc through a command that execs it (its pid stays hc's),
#   e.g. to try another allocator with LD_PRELOAD on hc alone.
# Everything runs on 127.0.0.1 and is stopped on exit (trap), including on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
HC="$BUILD_DIR/app/hc"
DEVBROKER="$BUILD_DIR/tools/hc-devbroker"
SAT_SITES=${SAT_SITES:-50000}
SAT_SECONDS=${SAT_SECONDS:-30}
STEADY_SITES=${STEADY_SITES:-10000}
STEADY_SECONDS=${STEADY_SECONDS:-40}
STEADY_INTERVAL=${STEADY_INTERVAL:-5}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-500}
CHECK_THREADS=${CHECK_THREADS:-}
WRK_SECONDS=${WRK_SECONDS:-10}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-100}
FIDELITY_SECONDS=${FIDELITY_SECONDS:-40}
FIDELITY_CURLS=${FIDELITY_CURLS:-300}
FLOOR_TRANSFERS=${FLOOR_TRANSFERS:-200000}
FLOOR="$BUILD_DIR/bench/producer/hc-bench-curl-floor"
REF_HC=
[[ -z ${REF_BUILD:-} ]] || REF_HC="$(cd "$REF_BUILD" && pwd)/app/hc"
PAIRS=${PAIRS:-2}

# The references (nginx serving the page, wrk measuring it) are installed here, never by
# scripts/test or scripts/demo: nginx-light's package starts a server on :80.
# shellcheck source=scripts/lib/deps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/deps.sh"
hc_install_packages "${HC_BENCH_PACKAGES[@]}" python3
ulimit -n "$(ulimit -Hn)"

PIDS=()
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$HC" "$DEVBROKER" ${REF_HC:+"$REF_HC"}
((FLOOR_TRANSFERS == 0)) || bench_require "$FLOOR"
bench_workdir producer
cleanup() {
  bench_broker_stop "$WORK"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  bench_nginx_stop "$WORK"
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- nginx on loopback: own prefix, config and pid file under $WORK --------------------
bench_nginx_start "$WORK"
PORT=$NGINX_PORT

# nginx's CPU ticks (user + system, its workers): what the page costs per request.
nginx_ticks() {
  local pid
  for pid in $(pgrep -P "$(cat "$WORK/nginx.pid")"); do cat "/proc/$pid/stat"; done |
    awk '{ sum += $14 + $15 } END { printf "%d\n", sum }'
}
CLK_TCK=$(getconf CLK_TCK)

# --- 1. reference: wrk, new connection per request -------------------------------------
WRK_CMD=(wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" -H 'Connection: close' "http://127.0.0.1:$PORT/")
echo "reference: ${WRK_CMD[*]}" >&2
# Its CPU (user + system, seconds) beside its requests: wrk's CPU per request.
nginx_before=$(nginx_ticks)
/usr/bin/time -f '%U %S' -o "$WORK/wrk.cpu" "${WRK_CMD[@]}" > "$WORK/wrk.txt"
nginx_after=$(nginx_ticks)
WRK_RPS=$(awk '/Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
WRK_REQUESTS=$(awk '/ requests in / {print $1}' "$WORK/wrk.txt")
WRK_CPU_US=$(awk -v n="$WRK_REQUESTS" 'NF == 2 {printf "%.1f\n", ($1 + $2) / n * 1e6}' "$WORK/wrk.cpu")
NGINX_WRK_US=$(awk -v t=$((nginx_after - nginx_before)) -v n="$WRK_REQUESTS" -v hz="$CLK_TCK" \
  'BEGIN {printf "%.1f\n", t / hz / n * 1e6}')
sleep 2  # let TIME_WAIT sockets of wrk drain a little

# --- 1b. the floor of libcurl: hc's options, concurrency and threads, nothing else -------
if ((FLOOR_TRANSFERS > 0)); then
  FLOOR_CMD=("$FLOOR" --url "http://127.0.0.1:$PORT/?f=1" --transfers "$FLOOR_TRANSFERS"
             --concurrency "$MAX_IN_FLIGHT" --threads "${CHECK_THREADS:-$(nproc)}")
  echo "libcurl floor: ${FLOOR_CMD[*]}" >&2
  nginx_before=$(nginx_ticks)
  "${FLOOR_CMD[@]}" > "$WORK/floor.txt"
  echo "nginx_ticks $(($(nginx_ticks) - nginx_before))" >> "$WORK/floor.txt"
  sleep 2
fi

# --- the broker -----------------------------------------------------------------------
bench_broker "${BROKER:-dev}" "$WORK" healthcheck 16 "$HC" "$DEVBROKER"

write_config() {  # FILE SITES INTERVAL_S [QUERY_NAME: the sites' URLs end in ?NAME=i]
  bench_producer_config "$1" "$2" "$3" "${4:-i}" "$PORT" "$BOOTSTRAP" "$MAX_IN_FLIGHT" "$CHECK_THREADS"
}

# Sums FIELDS of /proc/PID/task/*/FILE over hc's check threads (named hc-check-N), e.g.
#   check_threads_sum PID stat '$14 + $15'   (user + system CPU ticks)
check_threads_sum() {  # PID FILE AWK_EXPR
  local task
  for task in /proc/"$1"/task/*; do
    [[ $(cat "$task/comm" 2>/dev/null) == hc-check-* ]] && cat "$task/$2"
  done | awk "{ sum += $3 } END { printf \"%d\\n\", sum }"
}
check_thread_count() { grep -l '^hc-check-' /proc/"$1"/task/*/comm 2>/dev/null | wc -l; }

# Runs hc --producer for SECONDS; leaves its log in $WORK/NAME.log and its peak/final RSS
# (kB, from /proc just before SIGTERM) in $WORK/NAME.rss.
run_hc() {  # NAME CONFIG SECONDS [HC_BINARY]
  local name=$1 config=$2 seconds=$3 hc=${4:-$HC}
  echo "$name: $hc --producer -c $config  (for ${seconds}s)" >&2
  # shellcheck disable=SC2086  # HC_WRAPPER is a command prefix
  ${HC_WRAPPER:-} "$hc" --producer -c "$config" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  local perf_pid=""
  if [[ -n ${PERF_DATA:-} && $name == saturation ]]; then
    # shellcheck disable=SC2086  # PERF_ARGS is a list of options
    perf record ${PERF_ARGS:--F 999 -g} -p "$pid" -o "$PERF_DATA" -- sleep "$seconds" 2>"$WORK/perf.log" &
    perf_pid=$!
  fi
  # The first 10 s (config parse, first summary line) are warm-up, as in the summary below:
  # the check threads' CPU after them is what a check costs at full speed.
  local warmup=$(( seconds > 10 ? 10 : 0 ))
  sleep "$warmup"
  {
    echo "loop_cpu_ticks_warm $(check_threads_sum "$pid" stat '$14 + $15')"
    awk '{print "cpu_ticks_warm", $14 + $15}' "/proc/$pid/stat"
  } > "$WORK/$name.warm"
  sleep $(( seconds - warmup ))
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || { echo "perf record failed:" >&2; cat "$WORK/perf.log" >&2; }
  fi
  {
    awk '/VmHWM|VmRSS/ {print $1, $2}' "/proc/$pid/status"
    cat "$WORK/$name.warm"
    printf 'warmup_seconds %s\nrun_seconds %s\n' "$warmup" "$seconds"
    awk '{print "cpu_ticks", $14 + $15}' "/proc/$pid/stat"
    # CPU of the check threads, apart from the coordinator's and librdkafka's threads.
    echo "check_threads $(check_thread_count "$pid")"
    echo "loop_cpu_ticks $(check_threads_sum "$pid" stat '$14 + $15')"
    # Time the check threads were runnable but waiting for a CPU (a busy machine shows here).
    echo "loop_runqueue_ns $(check_threads_sum "$pid" schedstat '$2')"
  } > "$WORK/$name.rss"
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  [[ $rc -eq 0 ]] || { echo "$name: hc exited with $rc" >&2; tail -20 "$WORK/$name.log" >&2; exit 1; }
}

# --- 2. saturation ---------------------------------------------------------------------
write_config "$WORK/saturation.yaml" "$SAT_SITES" 1
SAT_RUNS=()
if [[ -n $REF_HC ]]; then
  for round in $(seq "$PAIRS"); do
    run_hc "saturation-ref-$round" "$WORK/saturation.yaml" "$SAT_SECONDS" "$REF_HC"
    sleep 2
    this=saturation-this-$round
    ((round < PAIRS)) || this=saturation
    run_hc "$this" "$WORK/saturation.yaml" "$SAT_SECONDS"
    SAT_RUNS+=("saturation-ref-$round" "$this")
    sleep 2
  done
else
  run_hc saturation "$WORK/saturation.yaml" "$SAT_SECONDS"
fi

# --- 3. steady load --------------------------------------------------------------------
write_config "$WORK/steady.yaml" "$STEADY_SITES" "$STEADY_INTERVAL"
run_hc steady "$WORK/steady.yaml" "$STEADY_SECONDS"

# --- 4. timing fidelity ------------------------------------------------------------------
FIDELITY_REPORT=""
if ((FIDELITY_SECONDS > 0)); then
  # Saturation's checks/s: the mean of its 10 s summary lines after the first (warm-up).
  # With a single summary line (SAT_SECONDS < 30), that line.
  half_of_saturation() {  # LOG
    awk 'match($0, /checks [0-9]+\/s, late/) { split(substr($0, RSTART), f, " ");
        sub("/s,", "", f[2]); all += f[2]; if (n++ > 0) { sum += f[2]; m++ } }
      END { if (!n) { print "no summary line in the saturation log" > "/dev/stderr"; exit 1 }
            printf "%d\n", (m ? sum / m : all / n) / 2 }' "$1"
  }
  HALF_SITES=${FIDELITY_SITES:-$(half_of_saturation "$WORK/saturation.log")}
  if [[ ${FIDELITY_PIN:-0} == 1 ]]; then
    # The page on a core of its own: nginx on the last CPU, hc and the broker on the others,
    # so that what hc measures is not the page slowed down by hc's own CPU use. Half of hc's
    # saturation on the cores it has, measured here.
    last_cpu=$(($(nproc) - 1))
    for pid in $(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")"); do
      taskset -a -p -c "$last_cpu" "$pid" >/dev/null
    done
    [[ -z ${BROKER_PID:-} ]] || taskset -a -p -c "0-$((last_cpu - 1))" "$BROKER_PID" >/dev/null
    HC_WRAPPER="taskset -c 0-$((last_cpu - 1)) ${HC_WRAPPER:-}"
    run_hc saturation-pinned "$WORK/saturation.yaml" 30
    HALF_SITES=${FIDELITY_SITES:-$(half_of_saturation "$WORK/saturation-pinned.log")}
  fi
  echo "fidelity: idle curl x $FIDELITY_CURLS, then hc with $HALF_SITES sites @1s" >&2
  for _ in $(seq "$FIDELITY_CURLS"); do
    curl -s -o /dev/null -w '%{time_connect} %{time_starttransfer}\n' "http://127.0.0.1:$PORT/?c=1"
  done >"$WORK/curl-idle.txt"
  write_config "$WORK/half.yaml" "$HALF_SITES" 1 h
  FIDELITY_START=$(date -u +%Y-%m-%dT%H:%M:%S)
  # The same curls while hc runs (after its warm-up): what the page's own latency is under
  # this load, apart from hc's measuring.
  (sleep 10
   for _ in $(seq "$FIDELITY_CURLS"); do
     curl -s -o /dev/null -w '%{time_connect} %{time_starttransfer}\n' "http://127.0.0.1:$PORT/?c=2"
   done >"$WORK/curl-busy.txt") &
  busy_curls=$!
  run_hc half "$WORK/half.yaml" "$FIDELITY_SECONDS"
  wait "$busy_curls"
  kcat -C -b "$BOOTSTRAP" -t healthcheck -e -q -f '%s\n' >"$WORK/messages.jsonl"
  FIDELITY_REPORT=$(python3 - "$WORK" "$FIDELITY_START" "$HALF_SITES" <<'PY'
import json, sys
from datetime import datetime, timedelta
work, start, sites = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3])
warm_end = (start + timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%S")

def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

def curl_timings(name):
    connect, ttfb = [], []
    for line in open(f"{work}/{name}"):
        c, t = (float(x) * 1000 for x in line.split())
        connect.append(c)
        ttfb.append(t)
    return connect, ttfb

curl_connect, curl_ttfb = curl_timings("curl-idle.txt")
busy_connect, busy_ttfb = curl_timings("curl-busy.txt")
hc = []
for line in open(f"{work}/messages.jsonl"):
    if '?h=' not in line:
        continue
    m = json.loads(line)
    if m["measured_at"] < warm_end or m.get("error"):
        continue
    t = m["timings_us"]
    hc.append((t["connect"] / 1000, t["ttfb"] / 1000, m.get("loop_lag_us", 0) / 1000))
rows = []
for name, index, ref, busy in (("connect", 0, curl_connect, busy_connect), ("ttfb", 1, curl_ttfb, busy_ttfb)):
    ours = [h[index] for h in hc]
    p99_gap = quantile(ours, 0.99) - quantile(ref, 0.99)
    rows.append((f"  {name} ms: idle curl p50 / p99", f"{quantile(ref, .5):.3f} / {quantile(ref, .99):.3f}", "", ""))
    rows.append((f"  {name} ms: curl while hc runs p50 / p99", f"{quantile(busy, .5):.3f} / {quantile(busy, .99):.3f}", "", ""))
    rows.append((f"  {name} ms: hc at half saturation p50 / p99", f"{quantile(ours, .5):.3f} / {quantile(ours, .99):.3f}", "", ""))
    rows.append((f"  {name} p99: hc - idle curl (ms)", f"{p99_gap:.3f}", "<= 1", "ok" if p99_gap <= 1 else "MISSED"))
    # A timing beyond idle curl's p99 + 1 ms that the message's loop lag does not cover.
    unflagged = sum(1 for h in hc if h[index] - quantile(ref, .99) > 1 and h[2] < h[index] - quantile(ref, .99))
    rows.append((f"  {name}: slow timings not covered by loop_lag_us", f"{unflagged} of {len(hc)}", "0", "ok" if unflagged == 0 else "MISSED"))
lags = [h[2] for h in hc]
rows.append(("  loop_lag_us p50 / p99 (ms)", f"{quantile(lags, .5):.3f} / {quantile(lags, .99):.3f}", "", ""))
print(f"fidelity, {sites:,} sites @1s (half of saturation), {len(hc):,} checks after warm-up")
for row in rows:
    print("\t".join(row))
PY
)
fi

# --- summary ---------------------------------------------------------------------------
BROKER_NAME=$BROKER_NAME FIDELITY_REPORT=$FIDELITY_REPORT WRK_CPU_US=$WRK_CPU_US NGINX_WRK_US=$NGINX_WRK_US \
  SAT_RUNS="${SAT_RUNS[*]}" python3 - "$WORK" "$WRK_RPS" "$SAT_SITES" "$STEADY_SITES" "$STEADY_SECONDS" "$(getconf CLK_TCK)" "$STEADY_INTERVAL" <<'PY'
import os, re, sys
work, wrk_rps, sat_sites, steady_sites, steady_seconds, clk_tck, steady_interval = sys.argv[1:]
wrk_rps = float(wrk_rps)

def periodic(name):
    """(checks/s, p50, p99) of every 10 s summary line after the first (warm-up)."""
    rows = []
    for line in open(f"{work}/{name}.log"):
        m = re.search(r"checks (\d+)/s, late p50 ([\d.]+) ms p99 ([\d.]+) ms", line)
        if m: rows.append(tuple(float(x) for x in m.groups()))
    return rows[1:] if len(rows) > 1 else rows

def totals(name):
    for line in open(f"{work}/{name}.log"):
        m = re.search(r"producer totals over ([\d.]+) s: checks (\d+) \((\d+)/s\), late p50 ([\d.]+) ms "
                      r"p99 ([\d.]+) ms, errors (\d+).*?skipped (\d+).*?dropped (\d+).*?delivery failures (\d+)", line)
        if m:
            keys = ["seconds", "checks", "rate", "p50", "p99", "errors", "skipped", "dropped", "delivery_failures"]
            return dict(zip(keys, (float(x) for x in m.groups())))
    raise SystemExit(f"no totals line in {name}.log")

def rss(name):
    values = dict(line.split() for line in open(f"{work}/{name}.rss"))
    return {k.rstrip(":"): int(v) for k, v in values.items()}

sat_rows = periodic("saturation")
sat = totals("saturation")
# Past the warm-up line when the run had one; a short run has only its totals.
sat_rate = sum(r[0] for r in sat_rows) / len(sat_rows) if sat_rows else sat["rate"]
steady = totals("steady")
steady_rows = periodic("steady")
steady_p99_windows = max(r[2] for r in steady_rows) if steady_rows else float("nan")
steady_rss = rss("steady")
sat_rss = rss("saturation")
cpu = steady_rss["cpu_ticks"] / float(clk_tck) / float(steady_seconds) * 100
loop_cpu = steady_rss["loop_cpu_ticks"] / float(clk_tck) / float(steady_seconds) * 100
loop_waiting = steady_rss["loop_runqueue_ns"] / 1e9 / float(steady_seconds) * 100
sat_cpu_per_check_us = sat_rss["cpu_ticks"] / float(clk_tck) / max(1.0, sat["checks"]) * 1e6
# Loop thread after warm-up: share of one core, and CPU per check at the measured rate.
sat_measured_s = sat_rss["run_seconds"] - sat_rss["warmup_seconds"]
sat_loop_busy = (sat_rss["loop_cpu_ticks"] - sat_rss["loop_cpu_ticks_warm"]) / float(clk_tck) / max(1.0, sat_measured_s)

def warm_rate_and_cpu(name):
    """A saturation run after its warm-up: (checks/s, hc's CPU per check in us, all threads)."""
    rows, usage = periodic(name), rss(name)
    rate = sum(r[0] for r in rows) / len(rows) if rows else totals(name)["rate"]
    seconds = usage["run_seconds"] - usage["warmup_seconds"]
    cpu_s = (usage["cpu_ticks"] - usage["cpu_ticks_warm"]) / float(clk_tck)
    return rate, cpu_s / max(1.0, rate * seconds) * 1e6

sat_warm_cpu_us = warm_rate_and_cpu("saturation")[1]
floor = {}
if os.path.exists(f"{work}/floor.txt"):
    floor = {k: float(v) for k, v in (line.split() for line in open(f"{work}/floor.txt"))}
wrk_cpu_us = float(os.environ.get("WRK_CPU_US") or "nan")
nginx_wrk_us = float(os.environ.get("NGINX_WRK_US") or "nan")

def cpu_bound_ratio(client_us):
    """The share of wrk's rate a client costing client_us per request gets where the page and
    the client share the cores and CPU is all that bounds them: (nginx + wrk) / (nginx + it)."""
    return (nginx_wrk_us + wrk_cpu_us) / (nginx_wrk_us + client_us)

def verdict(ok): return "ok" if ok else "MISSED"
ratio = sat_rate / wrk_rps
rows = [
    ("wrk, Connection: close (req/s)", f"{wrk_rps:,.0f}", "", ""),
    (f"hc saturation, {int(sat_sites):,} sites @1s (checks/s)", f"{sat_rate:,.0f}", "", ""),
    ("ratio hc / wrk", f"{ratio:.2f}", ">= 0.5", verdict(ratio >= 0.5)),
    ("  saturation: errors / dropped / delivery failures",
     f"{sat['errors']:.0f} / {sat['dropped']:.0f} / {sat['delivery_failures']:.0f}", "", ""),
    ("  saturation: peak RSS (MB)", f"{sat_rss['VmHWM'] / 1024:.1f}", "", ""),
    ("  saturation: hc CPU per check (us, all threads)", f"{sat_cpu_per_check_us:.0f}", "", ""),
    ("  saturation after warm-up: hc CPU per check (us, all threads)", f"{sat_warm_cpu_us:.1f}", "", ""),
    ("wrk: CPU per request (us, its two threads)", f"{wrk_cpu_us:.1f}", "", ""),
    ("nginx: CPU per request under wrk (us)", f"{nginx_wrk_us:.1f}", "", ""),
    ("  CPU-bound share of wrk's rate at hc's CPU per check", f"{cpu_bound_ratio(sat_warm_cpu_us):.2f}", ">= 0.8", verdict(cpu_bound_ratio(sat_warm_cpu_us) >= 0.8)),
] + ([
    ("libcurl floor (hc-bench-curl-floor): transfers/s", f"{floor['transfers_per_second']:,.0f}", "", ""),
    ("  libcurl floor: CPU per transfer (us, all threads)", f"{floor['cpu_us_per_transfer']:.1f}", "", ""),
    ("  hc CPU per check after warm-up / floor's", f"{sat_warm_cpu_us / floor['cpu_us_per_transfer']:.2f}", "", ""),
    ("  floor's CPU per transfer / wrk's per request", f"{floor['cpu_us_per_transfer'] / wrk_cpu_us:.2f}", "", ""),
    ("  nginx: CPU per request under the floor (us)", f"{floor['nginx_ticks'] / float(clk_tck) / floor['transfers'] * 1e6:.1f}", "", ""),
    ("  CPU-bound share of wrk's rate at the floor's CPU", f"{cpu_bound_ratio(floor['cpu_us_per_transfer']):.2f}", ">= 0.8", verdict(cpu_bound_ratio(floor['cpu_us_per_transfer']) >= 0.8)),
] if floor else []) + [
    ("  saturation: check threads", f"{sat_rss['check_threads']}", "", ""),
    ("  saturation after warm-up: check threads busy (% of one core, summed)", f"{sat_loop_busy * 100:.0f}", "", ""),
    ("  saturation after warm-up: check threads' CPU per check (us)", f"{sat_loop_busy / sat_rate * 1e6:.0f}", "", ""),
    (f"steady, {int(steady_sites):,} sites @{steady_interval}s: checks/s", f"{steady['rate']:,.0f}", "", ""),
    ("  lateness p50 (ms, whole run)", f"{steady['p50']:.2f}", "", ""),
    ("  lateness p99 (ms, whole run)", f"{steady['p99']:.2f}", "< 20", verdict(steady['p99'] < 20)),
    ("  lateness p99 (ms, worst 10 s window)", f"{steady_p99_windows:.2f}", "", ""),
    ("  skipped checks", f"{steady['skipped']:.0f}", "0", verdict(steady['skipped'] == 0)),
    ("  errors", f"{steady['errors']:.0f}", "", ""),
    # The 64 MB target is the 10,000-site default's; larger runs report RSS per site instead.
    ("  peak RSS VmHWM (MB)", f"{steady_rss['VmHWM'] / 1024:.1f}",
     "< 64" if int(steady_sites) <= 10000 else "",
     verdict(steady_rss['VmHWM'] < 64 * 1024) if int(steady_sites) <= 10000 else ""),
    ("  peak RSS per site (bytes)", f"{steady_rss['VmHWM'] * 1024 / int(steady_sites):,.0f}", "", ""),
    ("  RSS at end VmRSS (MB)", f"{steady_rss['VmRSS'] / 1024:.1f}", "", ""),
    ("  CPU of hc, all threads (% of one core)", f"{cpu:.0f}", "", ""),
    ("  CPU of hc, check threads only (% of one core, summed)", f"{loop_cpu:.0f}", "", ""),
    ("  check threads runnable but waiting for a CPU (% of run, summed)", f"{loop_waiting:.0f}", "", ""),
]
width = max(len(r[0]) for r in rows)
print(f"{'measure':<{width}}  {'value':>12}  {'target':>7}  verdict")
for name, value, target, ok in rows:
    print(f"{name:<{width}}  {value:>12}  {target:>7}  {ok}")
print("(lateness quantiles are bucket upper bounds: within 25%)")
fidelity = os.environ.get("FIDELITY_REPORT", "")
if fidelity:
    lines = fidelity.splitlines()
    print(lines[0])
    for line in lines[1:]:
        name, value, target, ok = line.split("\t")
        print(f"{name:<{width}}  {value:>12}  {target:>7}  {ok}")
runs = os.environ.get("SAT_RUNS", "").split()
if runs:
    print("saturation pairs (reference build first), after warm-up: checks/s and hc CPU per check (us, all threads)")
    for i in range(0, len(runs), 2):
        ref_rate, ref_cpu = warm_rate_and_cpu(runs[i])
        this_rate, this_cpu = warm_rate_and_cpu(runs[i + 1])
        print(f"  pair {i // 2 + 1}: reference {ref_rate:,.0f}/s {ref_cpu:.1f} us; this build "
              f"{this_rate:,.0f}/s {this_cpu:.1f} us; CPU this / reference {this_cpu / ref_cpu:.3f}, "
              f"checks/s {this_rate / ref_rate:.3f}")
print(f"broker: {os.environ['BROKER_NAME']}")
with open("/proc/loadavg") as load:
    print(f"load average at the end: {' '.join(load.read().split()[:3])} on {__import__('os').cpu_count()} CPUs")
PY
