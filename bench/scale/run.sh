#!/usr/bin/env bash
# Scale benchmark: what a config and a producer cost per site, in one run.
#   1. `hc check-config` on a CONFIG_SITES-site config (each site with its own URL and a regex,
#      ~160 bytes of YAML per site): wall time and peak RSS, best of RUNS; reference: Python's
#      libyaml loader (yaml.CSafeLoader) reading the same file, in the same run.
#   2. `hc --producer` with 10k, 50k and 200k sites (SCALE_SITES) at a SCALE_INTERVAL_S interval
#      against nginx on loopback (a small page, "Example Domain" in it): every site is checked.
#      Read twice: once loaded (VmRSS SETTLE_S after the state restore, and VmHWM then: the peak
#      while loading), and once every site has been checked (the first stats line at least one
#      interval after the load whose check total reaches the site count: VmRSS, and VmHWM, the
#      peak over the run). A site's first check falls within one interval of the load, so by
#      then each has been checked (the skipped count is reported beside it: 0 means none was
#      jumped over). The slopes in bytes per site between the smallest and the largest count,
#      and the base (the line's value at 0 sites).
# Targets: check-config < 0.5 s and < 64 MB on 50,000 sites; <= 600 bytes per site beyond
# the base with every site checked, peak included (1M sites in < 1 GB).
# REF_BUILD=DIR runs every step with DIR's hc too (e.g. a build of main), so a change is
# measured before and after on the same machine in the same run.
#
# Usage: bench/scale/run.sh [BUILD_DIR]     (default: build; needs hc and hc-devbroker)
# Knobs (environment): CONFIG_SITES=50000 RUNS=3 SCALE_SITES="10000 50000 200000"
#   SCALE_INTERVAL_S=60 SETTLE_S=1 REF_BUILD=DIR
# 200,000 sites at 60 s are 3,333 checks/s: ~0.3 cores of hc and ~0.1 of nginx on this 2-core
# machine; each producer run takes its load time, one interval and up to 10 s more.
# Everything runs on 127.0.0.1 and is stopped on exit (trap), including on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
CONFIG_SITES=${CONFIG_SITES:-50000}
RUNS=${RUNS:-3}
SCALE_SITES=${SCALE_SITES:-10000 50000 200000}
SCALE_INTERVAL_S=${SCALE_INTERVAL_S:-60}
SETTLE_S=${SETTLE_S:-1}
DEVBROKER="$BUILD_DIR/tools/hc-devbroker"
declare -A HC_OF=([hc]="$BUILD_DIR/app/hc")
[[ -z ${REF_BUILD:-} ]] || HC_OF[ref]="$(cd "$REF_BUILD" && pwd)/app/hc"
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# The page (nginx) is installed here, never by scripts/test or scripts/demo: nginx-light's
# package starts a server on :80.
# shellcheck source=scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"
hc_install_packages nginx-light python3
ulimit -n "$(ulimit -Hn)"

PIDS=()
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "${HC_OF[@]}" "$DEVBROKER"
bench_workdir scale
cleanup() {
  bench_broker_stop "$WORK"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  bench_nginx_stop "$WORK"
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

# The page every producer site points at: nginx on loopback, closing each connection after its
# response (bench/lib.sh), so the TIME_WAIT sockets of 3,333 connections a second are nginx's.
bench_nginx_start "$WORK"

bench_broker dev "$WORK" healthcheck 16 "${HC_OF[hc]}" "$DEVBROKER"

write_config() {  # FILE SITES INTERVAL_S REGEX
  python3 - "$1" "$2" "$3" "$4" "$NGINX_PORT" "$BOOTSTRAP" <<'PY'
import sys
path, sites, interval, regex, port, bootstrap = sys.argv[1:]
with open(path, "w") as out:
    out.write("healthcheck-producer-config:\n")
    out.write(f"  bootstrap_servers: [\"{bootstrap}\"]\n")
    # Every site is on one server: no per-host limit (default 4) in the way.
    out.write("  defaults:\n    timeout_ms: 5000\n    max_concurrent_per_host: 100000\n")
    out.write("  websites:\n")
    for i in range(int(sites)):
        out.write(f"    - url: http://127.0.0.1:{port}/?site={i:08d}\n"
                  f"      regex: \"{regex}\"\n"
                  "      destination_topic: healthcheck\n"
                  f"      polling_interval_in_seconds: {interval}\n")
PY
}

# --- 1. check-config -----------------------------------------------------------------------
# The same file as before the producer step checked its sites (3600 s, the old regex): the
# figures stay comparable with earlier runs.
CONFIG="$WORK/config-$CONFIG_SITES.yaml"
write_config "$CONFIG" "$CONFIG_SITES" 3600 "Directory listing"
: >"$WORK/check-config.txt"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f 'libyaml %e %M' python3 -c \
    'import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)' "$CONFIG" \
    2>>"$WORK/check-config.txt"
  for name in "${!HC_OF[@]}"; do
    /usr/bin/time -f "$name %e %M" "${HC_OF[$name]}" check-config -c "$CONFIG" \
      >"$WORK/check-config-$name.out" 2>>"$WORK/check-config.txt"
  done
done

# --- 2. producer RSS by site count, loaded and with every site checked ----------------------
# The check total and skipped count of the last stats line of LOG (every 10 s; stats_log.cpp).
last_totals() {  # LOG
  sed -n 's/.*totals: checks \([0-9]*\), .*skipped \([0-9]*\) .*/\1 \2/p' "$1" | tail -1
}
# VmRSS and VmHWM of PID, in kB.
memory_of() {  # PID
  awk '/VmRSS/ {rss = $2} /VmHWM/ {hwm = $2} END {print rss, hwm}' "/proc/$1/status"
}
# Runs NAME's hc --producer on SITES sites until it logs that it checks them, reads its memory
# SETTLE_S later, then again once every site has been checked (see the header).
: >"$WORK/producer.txt"
run_producer() {  # NAME SITES
  local name=$1 sites=$2 config="$WORK/producer-$2.yaml" log="$WORK/producer-$1-$2.log"
  [[ -f $config ]] || write_config "$config" "$sites" "$SCALE_INTERVAL_S" "Example Domain"
  echo "producer $name: $sites sites at ${SCALE_INTERVAL_S} s" >&2
  local started=$SECONDS
  "${HC_OF[$name]}" --producer -c "$config" >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1200); do
    grep -q "restored the state\|state restore INCOMPLETE" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "hc exited:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  local loaded_at=$SECONDS
  sleep "$SETTLE_S"
  local loaded_memory totals checks=0 skipped=0
  loaded_memory=$(memory_of "$pid")
  until ((SECONDS - loaded_at >= SCALE_INTERVAL_S && checks >= sites)); do
    ((SECONDS - loaded_at < 3 * SCALE_INTERVAL_S + 60)) ||
      { echo "$name: $checks of $sites checks after $((SECONDS - loaded_at)) s" >&2; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "hc exited:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 1
    totals=$(last_totals "$log")
    [[ -z $totals ]] || read -r checks skipped <<<"$totals"
  done
  echo "$name $sites $loaded_memory $(memory_of "$pid") $checks $skipped" \
    "$((loaded_at - started)) $((SECONDS - loaded_at))" >>"$WORK/producer.txt"
  kill -TERM "$pid"
  wait "$pid" || true
}
for sites in $SCALE_SITES; do
  for name in "${!HC_OF[@]}"; do run_producer "$name" "$sites"; done
done

# --- summary ----------------------------------------------------------------------------------
python3 - "$WORK" "$CONFIG_SITES" "$(stat -c %s "$CONFIG")" "$SCALE_INTERVAL_S" <<'PY'
import collections, sys
work, config_sites, config_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
best = collections.defaultdict(lambda: [float("inf"), 0])
for line in open(f"{work}/check-config.txt"):
    parts = line.split()
    if len(parts) != 3: continue
    name, seconds, kb = parts[0], float(parts[1]), int(parts[2])
    best[name][0] = min(best[name][0], seconds)
    best[name][1] = max(best[name][1], kb)
print(f"check-config on {config_sites:,} sites ({config_bytes / 1e6:.1f} MB of YAML), best wall time, peak RSS:")
print(f"  {'reader':<28} {'seconds':>8} {'peak MB':>8} {'time / libyaml':>15}")
ref_s = best["libyaml"][0]
for name in ["libyaml", "ref", "hc"]:
    if name not in best: continue
    s, kb = best[name]
    label = {"libyaml": "python yaml.CSafeLoader", "ref": "hc check-config (REF_BUILD)",
             "hc": "hc check-config"}[name]
    print(f"  {label:<28} {s:>8.2f} {kb / 1024:>8.1f} {s / ref_s:>15.2f}")
print(f"  targets: hc < 0.5 s and < 64 MB")

rows = collections.defaultdict(list)
for line in open(f"{work}/producer.txt"):
    name, *numbers = line.split()
    rows[name].append(tuple(int(n) for n in numbers))
interval = int(sys.argv[4])
print()
print(f"hc --producer, interval {interval} s, every site checked: RSS once loaded and peak then,")
print("RSS once every site was checked and peak over the run (MB)")
print(f"  {'build':<5} {'sites':>8} {'loaded':>8} {'peak':>8} {'checked':>8} {'peak':>8}"
      f" {'checks':>8} {'skipped':>8} {'load s':>7} {'wait s':>7}")
for name in ["ref", "hc"]:
    for sites, rss, hwm, rss_c, hwm_c, checks, skipped, load_s, wait_s in sorted(rows.get(name, [])):
        print(f"  {name:<5} {sites:>8,} {rss / 1024:>8.1f} {hwm / 1024:>8.1f} {rss_c / 1024:>8.1f}"
              f" {hwm_c / 1024:>8.1f} {checks:>8,} {skipped:>8,} {load_s:>7} {wait_s:>7}")
print("  per site beyond the base (bytes; base = the line's value at 0 sites); 1M sites extrapolated;"
      " target <= 600 with every site checked, peak included")
for name in ["ref", "hc"]:
    data = sorted(rows.get(name, []))
    if len(data) < 2: continue
    first, last = data[0], data[-1]
    n0, n1 = first[0], last[0]
    for label, column in [("loaded", 1), ("peak while loading", 2), ("checked", 3),
                          ("peak over the run", 4)]:
        v0, v1 = first[column] * 1024, last[column] * 1024
        slope = (v1 - v0) / (n1 - n0)
        base = v0 - slope * n0
        print(f"  {name:<5} {label:<19} {slope:>7,.0f} bytes per site (base {base / 2**20:5.1f} MB);"
              f" 1M sites ~ {(base + slope * 1e6) / 2**30:.2f} GiB")
PY
