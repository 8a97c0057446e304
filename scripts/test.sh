#!/usr/bin/env bash
# The one test command (`npm test`): type check, unit/snapshot/invariant tests, then every real-tool
# check in scripts/checks/ in name order (kubeconform, promtool, amtool, the API server), with the
# end-to-end run in the background beside them (below). A check is a folder scripts/checks/<NN-name>/: its run.sh is the step, named after the folder,
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

# Cold machines: every pinned Go tool starts building now, in the background at low priority, in
# the order the checks need them. The API server check's Kubernetes and etcd builds, most of a cold
# run, come last and overlap with the end-to-end run, which mostly waits on alert timers. Each check
# still asks setup-tools.sh for its tools, and gets each one as soon as it is built (warm: at once).
prebuild_log=.tools/prebuild.log
prebuild=""
if [ "${TEST_PREBUILD:-1}" = 1 ]; then
  mkdir -p .tools
  early=(kubeconform prometheus node_exporter postgres_exporter redis_exporter alertmanager blackbox_exporter)
  rest=()
  for mod in tools/*/go.mod; do
    name=$(basename "$(dirname "$mod")")
    case " ${early[*]} " in *" $name "*) ;; *) rest+=("$name") ;; esac
  done
  # kube-* and etcd (only the API server check needs them) after every other tool.
  late=()
  others=()
  for name in "${rest[@]}"; do
    case "$name" in kube-* | etcd) late+=("$name") ;; *) others+=("$name") ;; esac
  done
  nice -n 10 bash scripts/setup-tools.sh "${early[@]}" "${others[@]}" "${late[@]}" >"$prebuild_log" 2>&1 &
  prebuild=$!
  echo "building the pinned Go tools in the background (log: $prebuild_log)"
fi

# The end-to-end run spends its minutes waiting on alert timers, with its servers using about one
# core: it starts first, in the background, and every other step runs beside it at a lower
# priority (nice 10), so the e2e's servers keep their CPU and its clocks stay honest. Its output
# and verdict come in its place in the order. TEST_E2E_BACKGROUND=0 runs it in turn instead.
background_check=scripts/checks/70-e2e/run.sh
background_log=.tools/70-e2e.log
background=""
background_started=0
fg=()
if [ "${TEST_E2E_BACKGROUND:-1}" = 1 ] && [ -e "$background_check" ]; then
  mkdir -p .tools
  background_started=$(date +%s)
  rm -f "$background_log.end"
  { bash "$background_check"; rc=$?; date +%s >"$background_log.end"; exit "$rc"; } >"$background_log" 2>&1 &
  background=$!
  fg=(nice -n 10)
  echo "end-to-end run started in the background (log: $background_log)"
fi

# Waits for the background run, prints its output, and returns its status.
background_result() {
  local rc=0
  wait "$background" || rc=$?
  cat "$background_log"
  echo "(ran in the background for $(( $(cat "$background_log.end" 2>/dev/null || date +%s) - background_started ))s, beside the other steps)"
  return "$rc"
}

step typecheck "${fg[@]}" npx tsc --noEmit
step jest "${fg[@]}" npx jest --ci
for check in scripts/checks/*/run.sh; do
  [ -e "$check" ] || continue
  [ -n "$background" ] && [ "$check" = "$background_check" ] && continue
  step "$(basename "$(dirname "$check")")" "${fg[@]}" bash "$check"
done
if [ -n "$background" ]; then
  step "$(basename "$(dirname "$background_check")")" background_result
fi

if [ -n "$prebuild" ] && ! wait "$prebuild"; then
  # Each check built what it needed itself; this only says the background pass failed somewhere.
  echo "note: the background tool build failed (see $prebuild_log)"
fi

echo
echo "total $(( $(date +%s) - started ))s"
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "checks: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
