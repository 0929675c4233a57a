#!/usr/bin/env bash
# Scale benchmark: what a config and a producer cost per site, in one run.
#   1. `hc check-config` on a CONFIG_SITES-site config (each site with its own URL and a regex,
#      ~160 bytes of YAML per site): wall time and peak RSS, best of RUNS; reference: Python's
#      libyaml loader (yaml.CSafeLoader) reading the same file, in the same run.
#   2. `hc --producer` with 10k, 50k and 200k sites (SCALE_SITES) at a 3600 s interval
#      against a local page that is hardly ever asked: RSS once loaded (VmRSS after SETTLE_S)
#      and peak while loading (VmHWM); the slope in bytes per site between the smallest and
#      the largest count, and the base (the line's value at 0 sites).
# Targets: check-config < 0.5 s and < 64 MB on 50,000 sites; <= 600 bytes per site beyond
# the base, peak while loading included (1M sites in < 1 GB).
# REF_BUILD=DIR runs every step with DIR's hc too (e.g. a build of main), so a change is
# measured before and after on the same machine in the same run.
#
# Usage: bench/scale/run.sh [BUILD_DIR]     (default: build; needs hc and hc-devbroker)
# Knobs (environment): CONFIG_SITES=50000 RUNS=3 SCALE_SITES="10000 50000 200000"
#   SETTLE_S=10 REF_BUILD=DIR
# Everything runs on 127.0.0.1 and is stopped on exit (trap), including on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
CONFIG_SITES=${CONFIG_SITES:-50000}
RUNS=${RUNS:-3}
SCALE_SITES=${SCALE_SITES:-10000 50000 200000}
SETTLE_S=${SETTLE_S:-10}
DEVBROKER="$BUILD_DIR/tools/hc-devbroker"
declare -A HC_OF=([hc]="$BUILD_DIR/app/hc")
[[ -z ${REF_BUILD:-} ]] || HC_OF[ref]="$(cd "$REF_BUILD" && pwd)/app/hc"
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

PIDS=()
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "${HC_OF[@]}" "$DEVBROKER"
bench_workdir scale
cleanup() {
  bench_broker_stop "$WORK"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The page every site points at: Python's file server on loopback (a directory listing).
PORT=$(free_port)
mkdir -p "$WORK/www"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" "$PORT" >"$WORK/www.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done

bench_broker dev "$WORK" healthcheck 16 "${HC_OF[hc]}" "$DEVBROKER"

write_config() {  # FILE SITES
  python3 - "$1" "$2" "$PORT" "$BOOTSTRAP" <<'PY'
import sys
path, sites, port, bootstrap = sys.argv[1:]
with open(path, "w") as out:
    out.write("healthcheck-producer-config:\n")
    out.write(f"  bootstrap_servers: [\"{bootstrap}\"]\n")
    # Every site is on one server: no per-host limit (default 4) in the way.
    out.write("  defaults:\n    timeout_ms: 5000\n    max_concurrent_per_host: 100000\n")
    out.write("  websites:\n")
    for i in range(int(sites)):
        out.write(f"    - url: http://127.0.0.1:{port}/?site={i:08d}\n"
                  "      regex: \"Directory listing\"\n"
                  "      destination_topic: healthcheck\n"
                  "      polling_interval_in_seconds: 3600\n")
PY
}

# --- 1. check-config -----------------------------------------------------------------------
CONFIG="$WORK/config-$CONFIG_SITES.yaml"
write_config "$CONFIG" "$CONFIG_SITES"
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

# --- 2. producer RSS by site count ----------------------------------------------------------
# Runs NAME's hc --producer on SITES sites until it logs that it checks them, then SETTLE_S
# more; records VmRSS, VmHWM and the seconds to load.
: >"$WORK/producer.txt"
run_producer() {  # NAME SITES
  local name=$1 sites=$2 config="$WORK/producer-$2.yaml" log="$WORK/producer-$1-$2.log"
  [[ -f $config ]] || write_config "$config" "$sites"
  echo "producer $name: $sites sites" >&2
  local started=$SECONDS
  "${HC_OF[$name]}" --producer -c "$config" >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1200); do
    grep -q "restored the state\|state restore INCOMPLETE" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "hc exited:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  local loaded=$((SECONDS - started))
  sleep "$SETTLE_S"
  awk -v name="$name" -v sites="$sites" -v loaded="$loaded" \
    '/VmHWM/ {hwm = $2} /VmRSS/ {rss = $2} END {print name, sites, rss, hwm, loaded}' \
    "/proc/$pid/status" >>"$WORK/producer.txt"
  kill -TERM "$pid"
  wait "$pid" || true
}
for sites in $SCALE_SITES; do
  for name in "${!HC_OF[@]}"; do run_producer "$name" "$sites"; done
done

# --- summary ----------------------------------------------------------------------------------
python3 - "$WORK" "$CONFIG_SITES" "$(stat -c %s "$CONFIG")" <<'PY'
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
    name, sites, rss, hwm, loaded = line.split()
    rows[name].append((int(sites), int(rss) * 1024, int(hwm) * 1024, int(loaded)))
print()
print("hc --producer, interval 3600 s: RSS once loaded, peak while loading")
print(f"  {'build':<5} {'sites':>8} {'RSS MB':>8} {'peak MB':>8} {'load s':>7}")
for name in ["ref", "hc"]:
    for sites, rss, hwm, loaded in sorted(rows.get(name, [])):
        print(f"  {name:<5} {sites:>8,} {rss / 2**20:>8.1f} {hwm / 2**20:>8.1f} {loaded:>7}")
for name in ["ref", "hc"]:
    data = sorted(rows.get(name, []))
    if len(data) < 2: continue
    (n0, r0, h0, _), (n1, r1, h1, _) = data[0], data[-1]
    slope, peak_slope = (r1 - r0) / (n1 - n0), (h1 - h0) / (n1 - n0)
    base = r0 - slope * n0
    print(f"  {name}: {slope:,.0f} bytes per site (base {base / 2**20:.1f} MB), "
          f"peak {peak_slope:,.0f} bytes per site; 1M sites ~ {(base + slope * 1e6) / 2**30:.2f} GiB"
          f" (peak ~ {(h0 - peak_slope * n0 + peak_slope * 1e6) / 2**30:.2f} GiB); target <= 600")
PY
