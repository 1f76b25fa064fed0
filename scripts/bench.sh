#!/usr/bin/env bash
# Benchmarks linkrot on the Devops Weekly replay (../shared/linkfarm/score.py),
# three runs, and lychee the same way when it is installed (LYCHEE=path, or
# `cargo install lychee --locked --root /tmp/lychee-bin`), then extraction alone
# and `cargo bench`. Prints the figures side by side; nothing leaves 127.0.0.1.
#
#   scripts/bench.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
corpus=$shared/corpus/devopsweekly/_posts
runs=${1:-3}
lychee=${LYCHEE:-$(command -v lychee || echo /tmp/lychee-bin/bin/lychee)}
out=$(mktemp -d)
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
score() { # name, then the checker command
  local name=$1; shift
  for i in $(seq "$runs"); do
    python3 "$shared/linkfarm/score.py" --corpus "$corpus" --json "$out/$name-$i.json" "$@" >/dev/null
  done
}
score linkrot -- "$here/target/release/linkrot" check {corpus} --format json --output {out} --db {db} -q
if [ -x "$lychee" ]; then
  # lychee with linkrot's defaults: 256 in flight, 10 s timeout, 2 retries.
  score lychee --adapter lychee -- "$lychee" --max-concurrency 256 --timeout 10 --max-retries 2 \
    --format json --output {out} --no-progress {corpus}
fi
python3 - "$out" <<'PY'
import glob, json, statistics, sys
rows = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    name = f.rsplit("/", 1)[1].rsplit("-", 1)[0]
    rows.setdefault(name, []).append(json.load(open(f)))
keys = ["time_s", "lower_bound_s", "dead_f1", "false_dead", "missing", "over_cap_429s", "requests", "bytes_sent_mb", "peak_rss_mb", "cpu_s"]
print("median of", {k: len(v) for k, v in rows.items()}, "runs")
print(f"{'':>14}" + "".join(f"{k:>15}" for k in rows))
for k in keys:
    print(f"{k:>14}" + "".join(f"{statistics.median(r[k] for r in v):>15}" for v in rows.values()))
PY
echo
echo "extraction alone (581 issues), 3 runs each:"
for i in 1 2 3; do /usr/bin/time -f "  linkrot links: %e s, %M KB" "$here/target/release/linkrot" links "$corpus" >/dev/null; done
if [ -x "$lychee" ]; then
  for i in 1 2 3; do /usr/bin/time -f "  lychee --dump: %e s, %M KB" "$lychee" --dump "$corpus" >/dev/null; done
fi
echo
(cd "$here" && cargo bench --quiet --bench pipeline)
rm -rf "$out"
