#!/usr/bin/env bash
# Runs `linkrot check` on data/ (or the folder given) against the linkfarm, a
# simulated web on 127.0.0.1 from ../shared/linkfarm, so the verdicts are real
# without touching any real host. Needs python3 with `cryptography`.
#
#   scripts/demo.sh [ISSUES_DIR] [extra linkrot flags...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
farm=${LINKFARM:-$here/../shared/linkfarm}
issues=${1:-$here/data}
shift || true
[ -f "$farm/farm.py" ] || { echo "no linkfarm at $farm (set LINKFARM)" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $farm_pid 2>/dev/null || true; rm -rf "$work"' EXIT
python3 "$farm/gen.py" --corpus "$issues" --out "$work" >/dev/null
python3 "$farm/farm.py" --scenario "$work/scenario.json" --port-file "$work/port" --ca-file "$work/ca.pem" 2>"$work/farm.log" &
farm_pid=$!
for _ in $(seq 600); do [ -s "$work/port" ] && [ -s "$work/ca.pem" ] && break; sleep 0.1; done
proxy="http://127.0.0.1:$(cat "$work/port")"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
set +e
# Every request goes to the farm: the sample's hosts are real ones.
unset no_proxy NO_PROXY all_proxy ALL_PROXY
http_proxy=$proxy https_proxy=$proxy SSL_CERT_FILE="$work/ca.pem" \
  "$here/target/release/linkrot" check "$issues" --db "$work/demo.db" --show-redirects "$@"
code=$?
echo "exit code $code"
