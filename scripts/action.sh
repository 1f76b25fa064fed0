#!/usr/bin/env bash
# The GitHub Action's check step (action.yml runs it; a test runs it
# against a local server): check, then the job summary, the annotations
# and the step's outputs. Inputs come as INPUT_* variables:
#
#   INPUT_ARGS         what to check and how: `linkrot check ARGS`, read as
#                      shell words (quotes kept; nothing is expanded or run)
#   INPUT_DB           the database actions/cache restores and saves
#   INPUT_FAIL         true: the step fails on failing links (exit code 2)
#   INPUT_JOB_SUMMARY  true: the Markdown report in the job summary: what to
#                      do first, the figures, then as many failing links as
#                      fit well under the 1 MiB GitHub takes (--max-items, or
#                      max-items in linkrot.toml, lowers that)
#   INPUT_FULL_REPORT  where the summary says the full report is, when it
#                      leaves links out (default: the html output's path;
#                      a workflow that uploads it names the artifact)
#   LINKROT            the binary (default: linkrot on PATH)
#
# Outputs (GITHUB_OUTPUT): exit_code (linkrot's), failing (failing links),
# report (the JSON report's path), html (the HTML report's path). A
# runtime or usage error (exit 1 or 3) fails the step whatever INPUT_FAIL
# says.
set -uo pipefail
bin=${LINKROT:-linkrot}
db=${INPUT_DB:-.linkrot/links.db}
out=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/linkrot-report
mkdir -p "$out" "$(dirname "$db")"
report=$out/report.json
html=$out/report.html
outputs=${GITHUB_OUTPUT:-/dev/null}

args=()
while IFS= read -r -d '' a; do args+=("$a"); done < <(printf '%s' "${INPUT_ARGS:-.}" | xargs printf '%s\0')

# Annotations on stdout: the runner turns them into marks on the lines.
"$bin" check "${args[@]}" --db "$db" --format github --quiet
code=$?
echo "exit_code=$code" >>"$outputs"
if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
  echo "::error title=linkrot::linkrot check exited with $code (see the log above)"
  exit "$code"
fi

"$bin" report --db "$db" --format json --output "$report"
"$bin" report --db "$db" --format html --output "$html"
# The failing report's summary counts its links.
failing=$("$bin" report --db "$db" --format json --status failing |
  sed -n 's/^ *"urls": \([0-9][0-9]*\),$/\1/p' | head -n 1)
echo "failing=${failing:-0}" >>"$outputs"
echo "report=$report" >>"$outputs"
echo "html=$html" >>"$outputs"
if [ "${INPUT_JOB_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  # Unfiltered: the permanent redirects to update are part of what to do.
  "$bin" report --db "$db" --format markdown \
    --full-report "${INPUT_FULL_REPORT:-$html (the html output)}" >>"$GITHUB_STEP_SUMMARY"
fi
echo "::notice title=linkrot::${failing:-0} failing links; the job summary lists them"

if [ "${INPUT_FAIL:-true}" = true ]; then
  exit "$code"
fi
exit 0
