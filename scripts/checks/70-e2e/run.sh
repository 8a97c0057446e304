#!/usr/bin/env bash
# End to end (docs/e2e.md): the synthesized stack on real servers on 127.0.0.1 (PostgreSQL, Redis,
# the reference backend, the pinned exporters, Prometheus and Alertmanager), every alert scenario
# from fault to notification, and every metric the rules and dashboards read present in the scrapes.
# The runner is e2e/run.ts, outside scripts/ because bench/detection-latency.ts runs it too.
#
# Usage: bash scripts/checks/70-e2e/run.sh [--only <scenario>[,...]] [--keep] [--json <file>]
# Prints PASS/FAIL per scenario and ends with `e2e: N passed, M failed`; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

bash scripts/setup-system.sh
bash scripts/setup-tools.sh prometheus alertmanager node_exporter postgres_exporter redis_exporter blackbox_exporter

# The run and every server it starts share one new process group, killed whole on exit: nothing
# outlives the check, even when the runner itself is killed or times out.
setsid npx ts-node e2e/run.ts "$@" &
run=$!
cleanup() {
  if kill -0 -- -"$run" 2>/dev/null; then
    kill -TERM -- -"$run" 2>/dev/null || true
    sleep 3
    kill -KILL -- -"$run" 2>/dev/null || true
  fi
}
trap cleanup EXIT
rc=0
wait "$run" || rc=$?
exit "$rc"
