#!/usr/bin/env bash
# scripts/lint on a small git repository laid out like hc's (the real script, .clang-format
# and .clang-tidy copied in): clean code passes; clang-format drift, a shellcheck warning in
# scripts/, an include edge docs/ARCHITECTURE.md forbids, and a clang-tidy finding in a
# changed .cpp each fail it and are named; a
# clang-tidy finding in a file not changed against the base does not count, --all finds it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
for tool in clang-format clang-tidy shellcheck git; do
  command -v "$tool" >/dev/null || {
    echo "SKIP: $tool not installed"
    exit 77
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p scripts/lib common/src build
cp "$repo/scripts/lint" scripts/
cp "$repo/scripts/lib/deps.sh" "$repo/scripts/lib/include_rules.sh" scripts/lib/
mkdir -p docs serve/src
cat >docs/ARCHITECTURE.md <<'MD'
<!-- include-rules:begin -->
| folder | may use | what |
|---|---|---|
| common | (nothing of hc) | shared parts |
| serve | common | the reader |
<!-- include-rules:end -->
MD
printf '#include "hc/common/config.h"\n' >serve/src/page.cpp
cp "$repo/.clang-format" "$repo/.clang-tidy" .
printf 'build/\n' >.gitignore
cat >common/src/clean.cpp <<'CPP'
int answer() { return 42; }
CPP
# An old finding: a file that stays unchanged after the base commit.
cat >common/src/old.cpp <<'CPP'
int* old_pointer() { return 0; }
CPP
cat >build/compile_commands.json <<JSON
[
  {"directory": "$work", "command": "c++ -std=c++20 -c common/src/clean.cpp", "file": "$work/common/src/clean.cpp"},
  {"directory": "$work", "command": "c++ -std=c++20 -c common/src/old.cpp", "file": "$work/common/src/old.cpp"},
  {"directory": "$work", "command": "c++ -std=c++20 -c common/src/new.cpp", "file": "$work/common/src/new.cpp"}
]
JSON
git init -q -b main .
git -c user.email=t@t -c user.name=t add -A
git -c user.email=t@t -c user.name=t commit -qm base
git checkout -q -b topic

lint() {  # lint EXPECTED_STATUS NAME ARGS...: runs scripts/lint, checks its exit status
  local expected=$1 name=$2 status=0
  shift 2
  ./scripts/lint --no-install "$@" >"$work/out" 2>&1 || status=$?
  [[ $status == "$expected" ]] || {
    fail "$name: exit $status, expected $expected; output:"
    cat "$work/out" >&2
  }
}

lint 0 "clean tree"
grep -q 'clang-tidy: 0 files' "$work/out" || fail "clean tree: tidy should check no file (nothing changed)"

printf 'int  badly_formatted( ){return 1;}\n' >common/src/new.cpp
lint 1 "format drift"
grep -q '^  common/src/new.cpp$' "$work/out" || fail "format drift: common/src/new.cpp not named"

printf 'int* new_pointer() { return 0; }\n' >common/src/new.cpp
lint 1 "tidy finding in a changed file" --only tidy
grep -q 'new.cpp:1:.*modernize-use-nullptr' "$work/out" || fail "tidy: the finding in new.cpp not shown"
git -c user.email=t@t -c user.name=t add -A
git -c user.email=t@t -c user.name=t commit -qm "new.cpp"
lint 1 "tidy finding committed on the branch" --only tidy

printf 'int* new_pointer() { return nullptr; }\n' >common/src/new.cpp
lint 0 "tidy: the old finding in an unchanged file does not count" --only tidy
lint 1 "tidy --all finds the old one" --only tidy --all
grep -q 'old.cpp:1:.*modernize-use-nullptr' "$work/out" || fail "tidy --all: old.cpp not shown"

printf '#include "hc/consumer/consumer.h"\n' >serve/src/page.cpp
lint 1 "an include edge the architecture forbids" --only rules
grep -q 'serve/src/page.cpp:1: serve may not include hc/consumer/' "$work/out" ||
  fail "rules: the forbidden include in serve/src/page.cpp not named"
printf '#include "hc/common/config.h"\n' >serve/src/page.cpp
lint 0 "an allowed include edge" --only rules
printf '#include <mutex>\nstd::mutex page_mutex;\n' >serve/src/page.cpp
lint 1 "a std lock type the thread-safety analysis cannot see" --only rules
grep -q 'serve/src/page.cpp:2: use hc::Mutex' "$work/out" ||
  fail "rules: the std::mutex in serve/src/page.cpp not named"
printf '#include "hc/common/config.h"\n' >serve/src/page.cpp

# A member read without the mutex that guards it: clang's -Wthread-safety through tidy.
cat >common/src/guarded.cpp <<'CPP'
class __attribute__((capability("mutex"))) Lock {
 public:
  void acquire() __attribute__((acquire_capability()));
  void release() __attribute__((release_capability()));
};
class Counter {
 public:
  int read() const { return value_; }

 private:
  Lock lock_;
  int value_ __attribute__((guarded_by(lock_))) = 0;
};
int read_counter(const Counter& counter) { return counter.read(); }
CPP
sed -i 's|^\]$|  ,{"directory": "'"$work"'", "command": "c++ -std=c++20 -c common/src/guarded.cpp", "file": "'"$work"'/common/src/guarded.cpp"}\n]|' build/compile_commands.json
lint 1 "a guarded member read without its mutex" --only tidy
grep -q "guarded.cpp:8:.*requires holding mutex 'lock_'" "$work/out" ||
  fail "tidy: the unguarded read in guarded.cpp not shown"
rm common/src/guarded.cpp

printf '#!/usr/bin/env bash\ncd /tmp\nrm -f x\n' >scripts/tool
lint 1 "shellcheck warning" --only shellcheck
grep -q 'SC2164' "$work/out" || fail "shellcheck: SC2164 in scripts/tool not shown"

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "OK"
