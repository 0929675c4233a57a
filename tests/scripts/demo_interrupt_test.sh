#!/usr/bin/env bash
# Ctrl-C in ./scripts/demo: the terminal sends SIGINT to the whole foreground process group.
# The demo runs here in a process group of its own (as in a terminal) with the binaries of BUILD_DIR;
# once every site has rows in PostgreSQL the test sends SIGINT to that group, as a terminal would, and
# expects: exit 0, the rows table and the summary printed, the demo's own "no process left
# behind", the path of hc at the end, and no process anywhere that carries this run's marker
# in its environment (hc, hc-devbroker, hc-demo-sites and postgres inherit it, whatever
# session they run in).
#   tests/scripts/demo_interrupt_test.sh BUILD_DIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:?usage: demo_interrupt_test.sh BUILD_DIR}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/hc-demo-int-XXXXXX")
chmod 755 "$work"
marker=HC_DEMO_INTERRUPT_TEST=$$-$RANDOM
marked_processes() {  # pids whose environment holds the marker (not this script's)
  grep -lz -- "^$marker\$" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true
}
demo_pid=
# shellcheck disable=SC2317  # called through the trap
cleanup() {
  if [[ -n $demo_pid ]] && kill -0 "$demo_pid" 2>/dev/null; then kill -KILL -- "-$demo_pid" || true; fi
  local pids
  pids=$(marked_processes)
  # shellcheck disable=SC2086
  [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

out=$work/demo.out
# Job control puts the demo in a process group of its own (pgid = its pid), like a shell
# running it in a terminal; without it a background command would start with SIGINT ignored.
set -m
env "$marker" TMPDIR="$work" "$repo/scripts/demo" --no-install --build-dir "$build_dir" \
  --duration 60 >"$out" 2>&1 &
demo_pid=$!
set +m

# Every site measured: the demo spreads first checks over each site's interval (5 s at most)
# and /slow takes its 1 s timeout, so by the progress line at 12 s (one every 3 s) each of the
# six sites has been published. SIGINT earlier would rightly print fewer than 6 latest rows.
ready='^ +(1[2-9]|[2-9][0-9]) s +checks published to Kafka: +[0-9]+ +rows in PostgreSQL: +[1-9]'
for _ in $(seq 1 600); do
  grep -Eq "$ready" "$out" && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -Eq "$ready" "$out"; then
  fail "no progress line at 12 s or later with rows within 60 s; the demo's output:"
  cat "$out" >&2
  exit 1
fi

kill -INT -- "-$demo_pid"
status=
for _ in $(seq 1 600); do  # 60 s for stop, rows and cleanup
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    status=0
    wait "$demo_pid" || status=$?
    break
  fi
  sleep 0.1
done
[[ -n $status ]] || fail "the demo still runs 60 s after SIGINT"
[[ $status == 0 ]] || fail "the demo exited $status after SIGINT, expected 0"
for expected in 'checks published: [1-9][0-9]* +rows written: [1-9]' \
  '== latest measurement per site' '/fast +\| +http +\| +t +\| +\{\} +\| +200' \
  'tcp://127\.0\.0\.1:[0-9]+ +\| +tcp +\| +t ' 'status\.demo\.test\?type=A +\| +dns +\| +t ' '\(6 rows\)' '== all measurements per site' \
  'no process left behind'; do
  grep -Eq -- "$expected" "$out" || fail "output lacks /$expected/"
done
grep -q 'exited early' "$out" && fail "a process of the demo died from the terminal's SIGINT"
# At the very end: where the hc it ran is (here the given build's).
grep -v '^ *$' "$out" | tail -n 3 | grep -qxF "== hc is $build_dir/app/hc" ||
  fail "the demo does not end with '== hc is $build_dir/app/hc'"
leftovers=$(marked_processes)
if [[ -n $leftovers ]]; then
  fail "processes left behind: $(ps -o pid=,args= -p "$(echo "$leftovers" | paste -sd,)")"
fi

if [[ $failures -gt 0 ]]; then
  echo "--- the demo's output:" >&2
  cat "$out" >&2
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "OK: SIGINT to the demo's process group printed the rows and cleaned up"
