#!/usr/bin/env bash
# packaging/hc-*.service.in as installed: `systemd-analyze verify` reports nothing (unknown
# keys, bad values and a missing binary all count), each unit holds the least-privilege
# settings (no capabilities, restricted socket families and system calls), and systemd's own
# exposure score (`systemd-analyze security --offline=true`) stays at most 2.0 ("OK").
#   tests/scripts/systemd_units_test.sh HC_BINARY
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hc=$(realpath "${1:?usage: systemd_units_test.sh HC_BINARY}")
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

units=$(mktemp -d "${TMPDIR:-/tmp}/hc-units-XXXXXX")
trap 'rm -rf "$units"' EXIT
for template in "$repo"/packaging/hc-*.service.in; do
  unit=$units/$(basename "$template" .in)
  # The values cmake's configure_file puts in, with the binary of this build.
  sed -e "s#@HC_BINARY@#$hc#g" -e "s#@HC_CONFIG_FILE@#/etc/hc/config.yaml#g" \
    -e "s#@HC_CONFIG_DIR@#/etc/hc#g" "$template" >"$unit"
  name=$(basename "$unit")
  grep -q '@[A-Z_]*@' "$unit" && fail "$name: a @VARIABLE@ the test does not fill in"

  output=$(cd "$units" && systemd-analyze verify --man=no "$name" 2>&1) ||
    fail "$name: systemd-analyze verify exited non-zero"
  [[ -z $output ]] || fail "$name: systemd-analyze verify reported: $output"

  for setting in 'CapabilityBoundingSet=' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
    'SystemCallFilter=@system-service' 'SystemCallArchitectures=native' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'DynamicUser=yes' 'MemoryDenyWriteExecute=yes'; do
    grep -qxF -- "$setting" "$unit" || fail "$name: no line '$setting'"
  done

  score=$(cd "$units" && systemd-analyze security --offline=true "$name" 2>&1 |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [[ -z $score ]]; then
    fail "$name: no exposure level from systemd-analyze security"
  elif ! awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    fail "$name: exposure level $score, more than 2.0"
  else
    echo "$name: verified, exposure level $score"
  fi
done
if [[ $failures -eq 0 ]]; then echo "systemd_units_test: all passed"; else exit 1; fi
