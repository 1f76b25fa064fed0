#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml): lints the staged issues
# (placeholders, empty and malformed links), then checks their links
# against the database, offline: no request, a link the database knows
# to be broken fails the commit. `--online` checks them for real; other
# flags before the files go to `linkrot check` (write them --flag=value).
#
#   scripts/pre-commit.sh [--online] [--db=PATH] FILE...
#
# linkrot comes from $LINKROT, else PATH, else `cargo install --locked`
# of this repository into it (pre-commit keeps a clone of it).
set -uo pipefail
bin=${LINKROT:-}
if [ -z "$bin" ]; then
  if command -v linkrot >/dev/null 2>&1; then
    bin=linkrot
  else
    here=$(cd "$(dirname "$0")/.." && pwd)
    bin=$here/.hook-bin/bin/linkrot
    [ -x "$bin" ] || cargo install --locked --quiet --path "$here" --root "$here/.hook-bin" || exit 1
  fi
fi
offline=--offline
flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --online) offline= ;;
    --) shift; break ;;
    -*) flags+=("$1") ;;
    *) break ;;
  esac
  shift
done
[ $# -eq 0 ] && exit 0

# Lint: the findings only, not the listing of every link.
"$bin" links --lint errors "$@" | grep -E '^.+:[0-9]+:[0-9]+: error\['
lint=${PIPESTATUS[0]}
"$bin" check --quiet $offline ${flags[@]+"${flags[@]}"} "$@"
check=$?
exit $((lint > check ? lint : check))
