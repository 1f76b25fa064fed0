#!/usr/bin/env bash
# Times `linkrot check` on synthetic archives of several shapes (scripts/shapes.py:
# one capped host holding half of the URLs, one uncapped host with hangs, both,
# a long tail, a blend, 100k links...), each replayed against the linkfarm
# (../shared/linkfarm/score.py, everything on 127.0.0.1), and prints one line
# per shape: wall time, the farm's lower bound for a polite checker, their
# ratio, dead-link F1, redirect accuracy, MB the farm sent, 429s for going
# over a host's cap, peak RSS and requests. A shape folder that is missing is
# generated first (python3 scripts/shapes.py --out "$SHAPES_DIR" SHAPE).
#
#   scripts/shapes-bench.sh [SHAPE...]      # default: every folder in $SHAPES_DIR
#
# Environment:
#   LINKROT     the binary to run (default target/release/linkrot; not rebuilt)
#   SHAPES_DIR  where the shape folders are (default /tmp/shapes)
#   OUT         where <shape>.json (score summary), <shape>.log (score output)
#               and <shape>.work (scenario, report, db; remade each run) go
#               (default /tmp/shapes-bench)
#   SHARED      the shared folder with linkfarm/ (default ../shared)
#   SEED        the linkfarm's seed (default 1);  TIMEOUT  kill linkrot after (default 600 s)
# Exits non-zero if any shape failed to run or score (the others still run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
linkrot=${LINKROT:-target/release/linkrot}
shapes_dir=${SHAPES_DIR:-/tmp/shapes}
out=${OUT:-/tmp/shapes-bench}
shared=${SHARED:-../shared}
seed=${SEED:-1}
timeout=${TIMEOUT:-600}
score=$shared/linkfarm/score.py

case $linkrot in */*) ;; *) linkrot=$(command -v "$linkrot" || echo "$linkrot") ;; esac
[ -x "$linkrot" ] || { echo "no linkrot binary at $linkrot (build it, or set LINKROT)" >&2; exit 2; }
[ -f "$score" ] || { echo "no linkfarm at $shared/linkfarm (set SHARED)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
linkrot=$(cd "$(dirname "$linkrot")" && pwd)/$(basename "$linkrot")   # absolute: score.py runs it as given
mkdir -p "$out"

shapes=("$@")
if [ ${#shapes[@]} -eq 0 ]; then
  [ -d "$shapes_dir" ] || { echo "no shapes in $shapes_dir: name some, or run scripts/shapes.py --out $shapes_dir" >&2; exit 2; }
  mapfile -t shapes < <(find "$shapes_dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  [ ${#shapes[@]} -gt 0 ] || { echo "no shape folders in $shapes_dir" >&2; exit 2; }
fi

printf '%-9s %8s %13s %6s %7s %12s %13s %13s %11s %8s\n' shape time_s lower_bound_s ratio dead_f1 \
  redirect_acc bytes_sent_mb over_cap_429s peak_rss_mb requests
failed=0
for shape in "${shapes[@]}"; do
  dir=$shapes_dir/$shape
  if [ ! -d "$dir" ]; then
    if ! python3 scripts/shapes.py --out "$shapes_dir" "$shape" >"$out/$shape.gen.log" 2>&1; then
      printf '%-9s could not generate it; see %s\n' "$shape" "$out/$shape.gen.log"
      failed=1
      continue
    fi
  fi
  rm -rf "$out/$shape.work" "$out/$shape.json"     # a fresh database each run: no cache carried over
  if ! python3 "$score" --corpus "$dir" --seed "$seed" --timeout "$timeout" --json "$out/$shape.json" \
       --keep "$out/$shape.work" -- \
       "$linkrot" check {corpus} --format json --output {out} --db {db} >"$out/$shape.log" 2>&1 \
     || [ ! -s "$out/$shape.json" ]; then
    printf '%-9s failed; see %s\n' "$shape" "$out/$shape.log"
    failed=1
    continue
  fi
  python3 - "$shape" "$out/$shape.json" <<'PY'
import json, sys
shape, path = sys.argv[1], sys.argv[2]
s = json.load(open(path))
def f(k, spec):
    v = s.get(k)
    return "-" if v is None else format(v, spec)
ratio = s["time_s"] / s["lower_bound_s"] if s.get("lower_bound_s") else None
print(f"{shape:<9} {f('time_s', '8.2f')} {f('lower_bound_s', '13.2f')} "
      f"{'-' if ratio is None else format(ratio, '6.2f'):>6} {f('dead_f1', '7.4f')} {f('redirect_acc', '12.4f')} "
      f"{f('bytes_sent_mb', '13.1f')} {f('over_cap_429s', '13d')} {f('peak_rss_mb', '11.1f')} {f('requests', '8d')}"
      + (f"   (linkrot exit {s['checker_exit']}, {s['missing']} URLs missing)" if s.get("checker_exit") not in (0, 2) or s.get("missing") else ""))
PY
done
exit "$failed"
