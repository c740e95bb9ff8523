#!/usr/bin/env bash
# Validates the Debian-built SWE-bench environments on local mirrors of the real repositories:
# for every repository of the dataset that has a mirror, `agent swebench eval --gold` (the gold
# patch must resolve) and `--empty` (FAIL_TO_PASS must fail, PASS_TO_PASS pass), then writes the
# table — repository x version -> valid / total, and the reason for each invalid instance — into
# swebench/README.md between its validation-table markers.
#
# Usage: scripts/validate-swebench-envs.sh MIRRORS_DIR [REPO...]
#   MIRRORS_DIR  one git repository (bare or not) per OWNER/NAME, as `--repos-dir` takes them
#   REPO         only these repositories (default: every repository of the dataset with a mirror)
# Environment: DATASET (default lite: ../shared-style file swe-bench-lite.test.jsonl in
#   SWEBENCH_DATASETS), WORKERS (default 2), TIMEOUT (seconds per instance, default 1800),
#   OUT (where the eval logs and JSON go, default /tmp/swebench-validation), REDO=1 to evaluate again,
#   EVAL_ARGS (more options for both eval runs, e.g. "--slice 0:30" or "--instance-ids A,B"; a run
#   stopped half-way resumes: instances with a report are judged from it, not evaluated again).
# Needs Docker and a build (npm run build). Nothing here needs the network but the apt mirror
# the environment images are built from.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mirrors=${1:-}
if [ -z "$mirrors" ] || [ ! -d "$mirrors" ]; then
  echo "validate-swebench-envs: give the directory of the mirrors (OWNER/NAME git repositories) as the first argument; '${mirrors}' is not a directory." >&2
  exit 2
fi
shift
mirrors=$(cd "$mirrors" && pwd)
dataset=${DATASET:-lite}
datasets_dir=${SWEBENCH_DATASETS:-}
case "$dataset" in
  lite) file=swe-bench-lite.test.jsonl ;;
  lite-dev) file=swe-bench-lite.dev.jsonl ;;
  verified) file=swe-bench-verified.test.jsonl ;;
  *) file="" ;;
esac
if [ -n "$file" ]; then
  if [ -z "$datasets_dir" ]; then
    echo "validate-swebench-envs: set SWEBENCH_DATASETS to the directory holding $file, or DATASET to a .jsonl file." >&2
    exit 2
  fi
  dataset_file="$datasets_dir/$file"
else
  dataset_file=$dataset
fi
[ -f "$dataset_file" ] || { echo "validate-swebench-envs: no dataset file at $dataset_file" >&2; exit 2; }
[ -f "$here/dist/swebench/validation-report.js" ] || { echo "validate-swebench-envs: run npm run build first" >&2; exit 2; }

out=${OUT:-/tmp/swebench-validation}
mkdir -p "$out"
agent=(node "$here/bin/agent.js")

if [ $# -gt 0 ]; then
  repos=("$@")
else
  mapfile -t repos < <(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    console.log([...new Set(lines.map((line) => JSON.parse(line).repo))].sort().join("\n"));' "$dataset_file")
fi

present=()
for repo in "${repos[@]}"; do
  owner=${repo%%/*}
  name=${repo#*/}
  if [ -e "$mirrors/$owner/$name" ] || [ -e "$mirrors/$owner/$name.git" ] || [ -e "$mirrors/${owner}__$name" ]; then
    present+=("$repo")
  else
    echo "validate-swebench-envs: no mirror of $repo in $mirrors: skipped" >&2
  fi
done
if [ ${#present[@]} -eq 0 ]; then
  echo "validate-swebench-envs: none of the repositories has a mirror in $mirrors; nothing validated." >&2
  exit 1
fi

for repo in "${present[@]}"; do
  slug=${repo//\//__}
  for check in gold empty; do
    json="$out/verdicts.$check.$slug.json"
    echo "validate-swebench-envs: $check on $repo ($(date +%T))" >&2
    status=0
    "${agent[@]}" --json swebench eval "--$check" --dataset "$dataset_file" --repo "$repo" --repos-dir "$mirrors" \
      --environment debian --workers "${WORKERS:-2}" --timeout "${TIMEOUT:-1800}" --run-id "validate-$check-$slug" \
      --log-dir "$out" --report-dir "$out" ${REDO:+--redo} ${EVAL_ARGS:-} >"$json" 2>"$out/$check.$slug.log" || status=$?
    # Exit 1 says some environment is not valid; anything else is a failure of the run itself.
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
      echo "validate-swebench-envs: the $check run on $repo failed (exit $status); see $out/$check.$slug.log" >&2
      tail -n 5 "$out/$check.$slug.log" >&2
      exit "$status"
    fi
  done
done

# The table covers every repository validated into $out so far, not only this call's: a later
# call for one repository updates its rows and keeps the others.
shopt -s nullglob
node "$here/dist/swebench/validation-report.js" "$dataset_file" "$here/swebench/README.md" "$out"/verdicts.gold.*.json -- "$out"/verdicts.empty.*.json
