#!/usr/bin/env bash
# Fault figures: runs the fault tests (ctest label `faults`: the real hc, hc-devbroker and a
# throwaway PostgreSQL, see tests/faults/) and prints one table row per fault.
#
#   bench/faults/run.sh [BUILD_DIR] [CTEST_ARGS...]      (default: build; e.g. -R Postgres)
#   env: HC_FAULT_KILL_MESSAGES (messages of the SIGKILL test, default 1000000)
#
# Build first: ./scripts/test --no-install -- -L faults (or cmake --build BUILD_DIR). Each
# test appends "fault, recovery s, rows expected, rows written, dead letters, drops" to the
# file named by HC_FAULT_FIGURES; this script collects them. Columns:
#   recovery s     from the end of the fault (server started, lock released, brokers up,
#                  restart) to every row written; for the SIGKILL test the longest restart-to-
#                  first-new-row; for the poison corpus the time to write the whole corpus
#   rows           expected (messages, or measurements published) and found afterwards
#   dead letters   records in the dead-letter topic; drops: measurements the producer dropped
#                  (its queue full while Kafka was away)
# Exit status: ctest's (a failed test still prints the figures it reached).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
shift || true
[[ -f $BUILD/CTestTestfile.cmake ]] || {
  echo "bench/faults/run.sh: no ctest tree in $BUILD (./scripts/test --no-install -- -L faults builds one)" >&2
  exit 1
}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_workdir faults
trap 'rm -rf "$WORK"' EXIT
figures=$WORK/figures.tsv
: >"$figures"

started=$(date +%s)
status=0
HC_FAULT_FIGURES=$figures TMPDIR=$WORK ctest --test-dir "$BUILD" -L faults --timeout 600 \
  --output-on-failure "$@" >"$WORK/ctest.log" 2>&1 || status=$?
elapsed=$(($(date +%s) - started))
grep -E '^[0-9]+/[0-9]+ Test|tests passed|tests failed' "$WORK/ctest.log" || true
[[ $status -eq 0 ]] || tail -n 80 "$WORK/ctest.log"

echo
printf '%-48s %11s %9s %9s %12s %7s\n' fault "recovery s" expected written "dead letters" drops
awk -F'\t' '{ printf "%-48s %11s %9d %9d %12d %7d\n", $1, ($2 < 0 ? "-" : sprintf("%.1f", $2)), $3, $4, $5, $6 }' "$figures"
echo
echo "ctest -L faults: ${elapsed} s, exit $status ($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ))"
exit "$status"
