#!/usr/bin/env bash
# The missing-package check and the install step of scripts/test and scripts/demo, run under
# `set -euo pipefail` as their callers run them, on a machine where packages are absent.
#   - against the real dpkg-query: a package that is not installed and a name that does not
#     exist are both reported missing, an installed one is not;
#   - with stub dpkg-query/apt-get/sudo first on PATH (a "fresh machine" where nothing is
#     installed): each command's --deps-only asks apt-get for exactly its own set, in one
#     install after one update; as non-root it goes through sudo; nothing to install touches
#     no apt-get at all.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# shellcheck source=scripts/lib/deps.sh
source "$repo/scripts/lib/deps.sh"

# --- the real dpkg-query ------------------------------------------------------------------
if command -v dpkg-query >/dev/null; then
  absent=hc-no-such-package-$$
  mapfile -t missing < <(hc_missing_packages bash "$absent" sl)
  installed_sl=$(dpkg-query -W -f='${db:Status-Status}' sl 2>/dev/null || true)
  expected=("$absent")
  [[ $installed_sl == installed ]] || expected+=(sl)
  [[ "${missing[*]}" == "${expected[*]}" ]] ||
    fail "real dpkg-query: missing '${missing[*]}', expected '${expected[*]}'"
  # Without arguments: every package of every command, the absent one included.
  HC_DEBIAN_PACKAGES+=("$absent")
  mapfile -t missing < <(hc_missing_packages)
  [[ " ${missing[*]} " == *" $absent "* ]] || fail "no-argument form misses '$absent'"
fi

# --- a fresh machine, through the scripts' own install step --------------------------------
stubs=$(mktemp -d)
trap 'rm -rf "$stubs"' EXIT
log=$stubs/calls.log
# dpkg-query as on a machine where only "bash" is installed; like the real one it exits 1
# when any named package is unknown and prints the rest.
cat >"$stubs/dpkg-query" <<'STUB'
#!/usr/bin/env bash
status=0
for arg in "$@"; do
  case $arg in -*) continue ;; esac
  if [[ $arg == bash ]]; then echo "bash installed"; else
    echo "dpkg-query: no packages found matching $arg" >&2; status=1; fi
done
exit $status
STUB
cat >"$stubs/apt-get" <<STUB
#!/usr/bin/env bash
echo "apt-get \$*" >>"$log"
STUB
cat >"$stubs/sudo" <<STUB
#!/usr/bin/env bash
echo "sudo" >>"$log"
exec "\$@"
STUB
cat >"$stubs/id" <<'STUB'
#!/usr/bin/env bash
[[ ${1:-} == -u ]] && { echo "${STUB_UID:-0}"; exit 0; }
exec /usr/bin/id "$@"
STUB
chmod +x "$stubs"/*

# install_log SCRIPT [UID]: runs SCRIPT --deps-only on the stub machine; prints the calls made.
install_log() {
  : >"$log"
  PATH="$stubs:$PATH" STUB_UID=${2:-0} "$repo/scripts/$1" --deps-only >/dev/null 2>&1 ||
    fail "scripts/$1 --deps-only exited non-zero"
  cat "$log"
}
# expect_installs SCRIPT PACKAGES... : exactly these, in one install after one update.
expect_installs() {
  local script=$1 calls installed
  shift
  calls=$(install_log "$script")
  [[ $(grep -c '^apt-get update' <<<"$calls") == 1 ]] || fail "$script: not one apt-get update: $calls"
  installed=$(grep '^apt-get install' <<<"$calls" | tr ' ' '\n' | grep -v '^-' | tail -n +3 | sort)
  [[ $installed == "$(printf '%s\n' "$@" | sort)" ]] ||
    fail "$script installs: $(echo "$installed" | paste -sd' '), expected: $*"
}
expect_installs demo "${HC_BUILD_PACKAGES[@]}" "${HC_RUN_PACKAGES[@]}"
expect_installs test "${HC_BUILD_PACKAGES[@]}" "${HC_RUN_PACKAGES[@]}" "${HC_TEST_PACKAGES[@]}" \
  "${HC_KAFKA_PACKAGES[@]}" "${HC_LINT_PACKAGES[@]}"
for bench_only in wrk nginx-light libbenchmark-dev; do
  install_log test | grep -qw -- "$bench_only" && fail "scripts/test installs $bench_only"
  install_log demo | grep -qw -- "$bench_only" && fail "scripts/demo installs $bench_only"
done
grep -qx sudo <<<"$(install_log demo 1000)" || fail "as non-root, the install does not use sudo"

# Nothing missing: no apt-get at all.
cat >"$stubs/dpkg-query" <<'STUB'
#!/usr/bin/env bash
for arg in "$@"; do case $arg in -*) ;; *) echo "$arg installed" ;; esac; done
STUB
[[ -z $(install_log test) ]] || fail "with every package installed, apt-get still ran"

if [[ $failures -eq 0 ]]; then echo "deps_test: all passed"; else exit 1; fi
