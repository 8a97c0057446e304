#!/usr/bin/env bash
# The one test command (`npm test`): type check, unit/snapshot/invariant tests, then every real-tool
# check in scripts/checks/ in name order (kubeconform, promtool, amtool, the API server, the end-to-end
# run). A check is a folder scripts/checks/<NN-name>/: its run.sh is the step, named after the folder,
# and its own helpers lie beside it. Each step runs even when an earlier one failed, so one run shows
# every failure; the last line is the summary: "checks: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
started=$(date +%s)

step() {
  local name=$1
  shift
  local t0=$(date +%s)
  echo
  echo "=== ${name}"
  if "$@"; then
    passed=$((passed + 1))
    echo "--- PASS ${name} ($(( $(date +%s) - t0 ))s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "--- FAIL ${name} ($(( $(date +%s) - t0 ))s)"
  fi
}

step typecheck npx tsc --noEmit
step jest npx jest --ci
for check in scripts/checks/*/run.sh; do
  [ -e "$check" ] || continue
  step "$(basename "$(dirname "$check")")" bash "$check"
done

echo
echo "total $(( $(date +%s) - started ))s"
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "checks: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
