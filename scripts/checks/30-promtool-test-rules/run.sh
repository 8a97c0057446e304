#!/usr/bin/env bash
# Every alert's unit tests, with the pinned promtool (Prometheus v3.14.0, built by
# scripts/setup-tools.sh), against the rule files exactly as synthesized: the prometheus-config
# ConfigMap of the production stack is written out by scripts/extract-configs.ts, the test files are
# generated from test/alerts/cases (series named from the metric modules), and `promtool test rules`
# runs them. Each alert has a case where it fires (exact labels and rendered annotations) and one
# where it stays quiet; test/alerts/coverage.test.ts fails when an alert lacks either. Production
# only, on purpose: the cases are written against production's configuration (thresholds, labels,
# routes; CASES_ENVIRONMENT in test/alerts/promtool-tests.ts), except the cases of alerts whose
# switch is off in production (Thanos, Loki in simple-scalable mode), which run against
# staging's rules.
# Exits non-zero and names the failing cases.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$repo"

bash scripts/setup-tools.sh prometheus >/dev/null || { echo "30-promtool-test-rules: building promtool failed" >&2; exit 1; }
promtool="$repo/.tools/prometheus/bin/promtool"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npx ts-node --transpile-only scripts/extract-configs.ts --env production --out "$tmp/cfg" >/dev/null ||
  { echo "30-promtool-test-rules: extracting the production ConfigMaps failed" >&2; exit 1; }
rules="$tmp/cfg/monitoring/prometheus-config"
# Alerts behind a switch that is off in production (Thanos) are tested against staging's rules,
# where it is on (SWITCHED_CASES in test/alerts/cases/index.ts).
npx ts-node --transpile-only scripts/extract-configs.ts --env staging --out "$tmp/cfg-staging" >/dev/null ||
  { echo "30-promtool-test-rules: extracting the staging ConfigMaps failed" >&2; exit 1; }
npx ts-node --transpile-only test/alerts/promtool-tests.ts --rules "$rules" --rules-of "staging=$tmp/cfg-staging/monitoring/prometheus-config" --out "$tmp/tests" >/dev/null ||
  { echo "30-promtool-test-rules: generating the promtool test files failed" >&2; exit 1; }

shopt -s nullglob
files=("$tmp"/tests/*.test.yml)
shopt -u nullglob
[ ${#files[@]} -gt 0 ] || { echo "30-promtool-test-rules: no test files were generated" >&2; exit 1; }

groups="$(cat "${files[@]}" | grep -c '^  - name: ')"
echo "--- promtool test rules: ${#files[@]} files, $groups cases, against $(ls "$rules"/*.rules.yml | wc -l) rule files of production (and staging's for the switched alerts)"
failed=()
for f in "${files[@]}"; do
  if out="$("$promtool" test rules "$f" 2>&1)"; then
    echo "ok   $(basename "$f" .test.yml)"
  else
    failed+=("$(basename "$f" .test.yml)")
    echo "FAIL $(basename "$f" .test.yml)"
    echo "$out" >&2
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "30-promtool-test-rules: failing alert tests of: ${failed[*]}" >&2
  exit 1
fi
echo "30-promtool-test-rules: OK"
