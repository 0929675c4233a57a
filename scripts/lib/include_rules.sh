#!/usr/bin/env bash
# scripts/lib/include_rules.sh [REPO_ROOT]: checks the folder edges that docs/ARCHITECTURE.md
# allows (its table between <!-- include-rules:begin --> and <!-- include-rules:end -->: one
# row per folder, "may use" = the hc folders it may include or link). Fails (exit 1), naming
# file and line, when a file under a folder of the table
#   - includes "hc/OTHER/..." (or <hc/OTHER/...>) for an OTHER its row does not allow,
#   - links hc_OTHER (a CMakeLists.txt under it) for such an OTHER, or
#   - reaches into another folder's private parts ("../OTHER/src/", OTHER/src in CMake), or
#   - uses a std lock type instead of hc::Mutex and its kin (hc/common/mutex.h), which
#     clang's thread-safety analysis cannot see.
# Tests are not checked: they may use their folder's private headers. Used by scripts/lint.
set -euo pipefail

repo_root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
document=$repo_root/docs/ARCHITECTURE.md
[[ -f $document ]] || {
  echo "include rules: $document missing" >&2
  exit 2
}

# "folder allowed allowed ..." per row, from the table's first two columns.
rules=$(sed -n '/<!-- include-rules:begin -->/,/<!-- include-rules:end -->/p' "$document" |
  awk -F'|' 'NF > 3 {
      folder = $2; uses = $3
      gsub(/^ +| +$/, "", folder); gsub(/\([^)]*\)|,/, " ", uses)
      if (folder == "folder" || folder ~ /^-+$/) next
      print folder, uses
    }')
[[ -n $rules ]] || {
  echo "include rules: no table between the include-rules markers of $document" >&2
  exit 2
}
libraries=$(awk '{ print $1 }' <<<"$rules" | paste -sd'|')

violations=0
while read -r folder allowed_list; do
  [[ -d $repo_root/$folder ]] || {
    echo "include rules: $document names folder '$folder', which does not exist" >&2
    violations=$((violations + 1))
    continue
  }
  allowed=" $folder $allowed_list "
  # Includes of another folder's public headers.
  while IFS=: read -r file line text; do
    other=$(sed -E 's/.*#include [<"]hc\/([a-z_]+)\/.*/\1/' <<<"$text")
    if [[ $allowed != *" $other "* ]]; then
      echo "${file#"$repo_root"/}:$line: $folder may not include hc/$other/ (docs/ARCHITECTURE.md)" >&2
      violations=$((violations + 1))
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include [<"]hc/[a-z_]+/' "$repo_root/$folder" \
    --include='*.cpp' --include='*.h' --include='*.hpp' || true)
  # Links of another folder's library, and private parts reached from outside.
  while IFS=: read -r file line text; do
    for other in $(grep -oE "\bhc_($libraries)\b" <<<"$text" | sed 's/^hc_//' | sort -u); do
      if [[ $allowed != *" $other "* ]]; then
        echo "${file#"$repo_root"/}:$line: $folder may not link hc_$other (docs/ARCHITECTURE.md)" >&2
        violations=$((violations + 1))
      fi
    done
  done < <(grep -rnE "\bhc_($libraries)\b" "$repo_root/$folder" --include=CMakeLists.txt || true)
  while IFS=: read -r file line _; do
    echo "${file#"$repo_root"/}:$line: $folder reaches into another folder's src/" >&2
    violations=$((violations + 1))
  done < <(grep -rnE '#[[:space:]]*include "\.\./[^"]*src/|PROJECT_SOURCE_DIR\}/[a-z_]+/src' \
    "$repo_root/$folder" --include='*.cpp' --include='*.h' --include=CMakeLists.txt || true)
  # Locks the thread-safety analysis can see: hc::Mutex and its kin (hc/common/mutex.h);
  # libstdc++'s carry no annotations, so a member guarded by one would go unchecked.
  while IFS=: read -r file line _; do
    [[ $file == "$repo_root/common/include/hc/common/mutex.h" ]] && continue
    echo "${file#"$repo_root"/}:$line: use hc::Mutex / MutexLock / CondVar (hc/common/mutex.h), not std's lock types" >&2
    violations=$((violations + 1))
  done < <(grep -rnE 'std::(mutex|shared_mutex|condition_variable|lock_guard|unique_lock|scoped_lock|shared_lock)\b' \
    "$repo_root/$folder" --include='*.cpp' --include='*.h' || true)
done <<<"$rules"

if [[ $violations -gt 0 ]]; then
  echo "include rules: $violations edge(s) that docs/ARCHITECTURE.md does not allow" >&2
  exit 1
fi
echo "include rules: $(wc -l <<<"$rules") folders, every edge allowed"
