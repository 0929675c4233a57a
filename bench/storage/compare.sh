#!/usr/bin/env bash
# `hc status` windows and `hc report --month` of two builds on an existing database, call by
# call in turn (both see the same load): p50 of CALLS calls each and the ratio. For iterating on
# the readers without reloading 10M rows: keep a database that bench/storage/status.sh loaded
# (e.g. stop it before its cleanup) and point CONFIG at its config.
#
#   bench/storage/compare.sh CONFIG THIS_HC REFERENCE_HC      env: CALLS (11)
#
# Prints the floor (this build's `hc status` on an empty table of the same database, migrated
# here as table `empty`), then one line per reader.
set -euo pipefail
CONFIG=$1
NEW=$2
OLD=$3
CALLS=${CALLS:-11}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require "$NEW" "$OLD"
EMPTY_CONFIG=$(mktemp)
trap 'rm -f "$EMPTY_CONFIG" "$EMPTY_CONFIG".new "$EMPTY_CONFIG".old' EXIT
sed 's/table_name: .*/table_name: empty/' "$CONFIG" >"$EMPTY_CONFIG"
"$NEW" migrate -c "$EMPTY_CONFIG" >/dev/null 2>&1
ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
p50() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# The close the consumer runs within 30 s of each hour: this hour's window sums exist.
"$NEW" maintain -c "$CONFIG" >/dev/null 2>&1
for _ in $(seq "$CALLS"); do ms "$NEW" status -c "$EMPTY_CONFIG"; done | p50 |
  sed 's/^/floor (hc status on an empty table) p50 ms: /'
compare() {
  local label=$1 new old
  shift
  : >"$EMPTY_CONFIG".new
  : >"$EMPTY_CONFIG".old
  for _ in $(seq "$CALLS"); do
    ms "$NEW" "$@" >>"$EMPTY_CONFIG".new
    ms "$OLD" "$@" >>"$EMPTY_CONFIG".old
  done
  new=$(p50 <"$EMPTY_CONFIG".new)
  old=$(p50 <"$EMPTY_CONFIG".old)
  echo "$label: this build p50 $new ms, reference p50 $old ms," \
    "ratio $(awk -v a="$new" -v b="$old" 'BEGIN { printf "%.1f", b / a }')x"
}
for window in 1h 24h 7d 30d; do
  compare "hc status --since $window" status -c "$CONFIG" --since "$window"
done
this_month=$(date -u +%Y-%m)
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
for month in "$this_month" "$last_month"; do
  compare "hc report --month $month (json)" report -c "$CONFIG" --month "$month" --format json
done
