#!/usr/bin/env bash
# scripts/pg from where a real user runs it:
#   - from a working directory that user postgres cannot enter (a clone under /root), start,
#     stop-server, start-server and stop print nothing on stderr (as root the server runs as
#     postgres, and pg_ctl used to warn "could not change directory to ...");
#   - `scripts/pg start ./pgdata` inside a git clone leaves `git status` clean, and
#     `scripts/pg stop ./pgdata` removes the directory;
#   - a relative and an absolute DIR work for every command.
# As root only (the permission case needs two users); exits 77 (ctest: skipped) otherwise.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pg=$repo/scripts/pg
if [[ $(id -u) -ne 0 ]] || ! id postgres >/dev/null 2>&1; then
  echo "SKIP: needs root and user postgres"
  exit 77
fi
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

base=$(mktemp -d "${TMPDIR:-/tmp}/hc-pg-test-XXXXXX")
chmod 755 "$base"
# shellcheck disable=SC2317  # called through the trap
cleanup() {
  "$pg" stop "$base/clone/pgdata" >/dev/null 2>&1 || true
  rm -rf "$base"
}
trap cleanup EXIT

# A "clone" that user postgres cannot enter, holding a run directory it can: the run
# directory's parents must be searchable (o+x), the clone itself is not readable.
mkdir -p "$base/clone"
git -C "$base/clone" init -q
chmod 711 "$base/clone"
mkdir -m 700 "$base/clone/private"
cd "$base/clone/private"
runuser -u postgres -- test -r "$base/clone/private" &&
  fail "setup: postgres should not be able to enter $base/clone/private"

step() {  # step NAME COMMAND...: the command succeeds and prints nothing on stderr
  local name=$1 errors
  shift
  errors=$("$@" 2>&1 >/dev/null) || fail "$name failed: $errors"
  [[ -z $errors ]] || fail "$name printed on stderr: $errors"
}
step "start" "$pg" start ../pgdata
uri=$("$pg" uri ../pgdata)
[[ $(psql "$uri" -XAtq -c 'select 1') == 1 ]] || fail "the server does not answer at $uri"
step "stop-server" "$pg" stop-server "$base/clone/pgdata"
psql "$uri" -XAtq -c 'select 1' >/dev/null 2>&1 && fail "the server still answers after stop-server"
step "start-server" "$pg" start-server ../pgdata
[[ $(psql "$uri" -XAtq -c 'select 2') == 2 ]] || fail "the server does not answer after start-server"

untracked=$(git -C "$base/clone" status --porcelain --untracked-files=all | grep -c pgdata || true)
[[ $untracked -eq 0 ]] || fail "git status shows $untracked files of the run directory"

step "stop" "$pg" stop "$base/clone/pgdata"
[[ ! -e $base/clone/pgdata ]] || fail "stop left $base/clone/pgdata behind"

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "OK"
