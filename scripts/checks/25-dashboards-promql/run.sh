#!/usr/bin/env bash
# Dashboards against the pinned promtool (versions.ts: Prometheus v3.14.0, built from its Go module):
#   1. every PromQL query of every provisioned dashboard (dashboards/custom/ included), as Grafana
#      sends it, parses: `promtool check rules` on the queries wrapped as recording rules;
#   2. the recording rules the dashboards read compute what the panels claim: `promtool test rules`.
# Exits non-zero and prints the failing dashboard, panel and query on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

bash scripts/setup-tools.sh prometheus >/dev/null
promtool=.tools/prometheus/bin/promtool

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npx ts-node test/dashboards/promtool-files.ts "$work"

echo "dashboard queries: $(grep -c '^ *- record:' "$work/dashboards.rules.yaml") PromQL expressions"
if ! "$promtool" check rules --lint=none "$work/dashboards.rules.yaml"; then
  echo "FAIL: a dashboard query does not parse; the rule name and its labels (panel, path) say which" >&2
  exit 1
fi

if ! "$promtool" check rules --lint-fatal "$work/recording.rules.yaml"; then
  echo "FAIL: the recording rules the dashboards read are not valid" >&2
  exit 1
fi

if ! (cd "$work" && "$OLDPWD/$promtool" test rules recording.test.yaml); then
  echo "FAIL: a recording rule does not compute what its dashboard panel shows (test/dashboards/promtool-files.ts)" >&2
  exit 1
fi
