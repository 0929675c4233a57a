#!/usr/bin/env bash
# The names ctest gives the tests of BUILD_DIR are stable and short: no printed parameter
# ("GetParam() = 136-byte object <B0-57 ...>" changes with every build), none over 160
# characters, and the parameterized suites are there under their case names.
#   tests/scripts/ctest_names_test.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: ctest_names_test.sh BUILD_DIR}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

names=$(ctest --test-dir "$build_dir" -N | sed -n 's/^ *Test *#[0-9]*: //p')
[[ $(wc -l <<<"$names") -gt 100 ]] || fail "expected the whole suite, ctest lists: $names"
printed=$(grep -E 'GetParam|TypeParam|byte object' <<<"$names" || true)
[[ -z $printed ]] || fail "names with printed parameters: $(head -n 3 <<<"$printed")"
long=$(awk 'length($0) > 160' <<<"$names")
[[ -z $long ]] || fail "names over 160 characters: $(head -n 3 <<<"$long")"
for expected in 'EveryKind/ConfigErrorTest.ReportsPositionKeyPathAndExpectation/UnknownKeySuggestsClosest' \
  'Table/MessageV1Poison.IsRejectedWithItsReason/MissingUrl'; do
  grep -qxF "$expected" <<<"$names" || fail "no test named $expected"
done

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "OK: $(wc -l <<<"$names") test names"
