#!/usr/bin/env bash
# `npm run plan` against a real API server: what the plan flags is exactly what the server refuses
# (or ignores), and the steps the plan prints make the server hold the new manifests.
#
#   scripts/checks/86-plan/plan-check.sh
#
# The cases are the fixtures of the plan's unit tests, test/plan/fixtures/<case>/{before,after}.yaml:
# a StatefulSet's claim template, selector, serviceName and revisionHistoryLimit, a Deployment's and
# a DaemonSet's selector, a shrinking claim, an immutable ConfigMap and Secret, a Service made
# headless and one no longer headless, a RoleBinding's roleRef, a PriorityClass's value; and
# `in-place`, changes apply makes by itself (an image, replicas, data, an object added).
#   1. Every before.yaml applies into an empty namespace.
#   2. Per case, `kubectl apply -f after.yaml`: the objects the server refuses ("The <Kind> "<name>"
#      is invalid") or ignores (a Service whose manifest drops clusterIP but stays headless) are
#      exactly those the plan (scripts/plan/diff.ts, through plan-cases.ts) flags; in-place: none, no
#      error, and `kubectl diff -f after.yaml` is empty.
#   3. Per flagged case, the plan's commands run as printed (with after.yaml as what `kubectl
#      apply -f` is given): each succeeds, and then `kubectl diff -f after.yaml` is empty and no
#      Service is left headless against its manifest.
#
# One release, Kubernetes 1.28 (PLAN_CHECK_RELEASE to choose another tools/kube-<minor>): it is the
# oldest the stack supports and the strictest here. It refuses every StatefulSet spec change outside
# replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and
# minReadySeconds; 1.37's validation (pkg/apis/apps/validation) refuses only the selector, claim
# templates, serviceName and podManagementPolicy among those, and the plan says so for the others.
# Every other rule reads the same in both releases' validation code. Run against 1.37
# (PLAN_CHECK_RELEASE=kube-1.37), every case passes but statefulset-revision-history, which 1.37
# applies in place, as the plan's reason says; some messages are worded differently there.
#
# Why the garbage collector runs beside kube-controller-manager's default three (kube-cluster.sh):
# `kubectl delete --cascade=orphan` leaves the "orphan" finalizer on the StatefulSet, and only the
# garbage collector removes it; without it the StatefulSet never goes and the re-apply finds it.
#
# Prints one PASS/FAIL line per case and step, then "plan-check: N passed, M failed".
set -uo pipefail

started=$SECONDS
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
release_dir=${PLAN_CHECK_RELEASE:-kube-1.28}
fixtures="$root/test/plan/fixtures"
ns=plan-check

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

"$root/scripts/setup-tools.sh" "$release_dir" etcd || { echo "plan-check: scripts/setup-tools.sh failed" >&2; exit 2; }

# Ports from the range the project's checks that start servers use.
cluster_name=plan-check cluster_port_base=38000 cluster_port_span=1000
cluster_controllers=namespace,serviceaccount,pvc-protection,garbagecollector
cluster_keep=${PLAN_CHECK_KEEP:-}
# shellcheck source=../../kube-cluster.sh
source "$root/scripts/kube-cluster.sh"
trap 'stop_all' EXIT
trap 'stop_all; exit 130' INT TERM
find_etcd || exit 2

# The plan of every case, from the same module `npm run plan` runs.
plans=$(cd "$root" && node_modules/.bin/ts-node --transpile-only "$here/plan-cases.ts") ||
  { echo "plan-check: plan-cases.ts failed" >&2; exit 2; }
mapfile -t cases < <(awk -F'\t' '$1 == "CASE" {print $2}' <<<"$plans")
((${#cases[@]} > 1)) || { echo "plan-check: no cases in $fixtures" >&2; exit 2; }
flagged_by_plan() { awk -F'\t' -v c="$1" '$1 == "FLAG" && $2 == c {print $3 " " $4}' <<<"$plans" | sort; }

t0=$SECONDS
start_cluster "$release_dir" || { fail "cluster start for $release_dir"; echo "plan-check: $passed passed, $failed failed"; exit 1; }
k=$kubectl
echo "plan-check: kube-apiserver $("$k" version -o json 2>/dev/null | sed -n '/serverVersion/,/}/s/.*"gitVersion": "\(.*\)".*/\1/p') up in $((SECONDS - t0)) s; ${#cases[@]} cases"

# run NAME CMD...: keeps stdout/stderr/exit code in $out/$err/$rc.
run() {
  local name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  out=$(<"$tmp/$name.out") err=$(<"$tmp/$name.err")
}
show() {
  [[ -n $out ]] && { echo "    stdout:"; indent <<<"$out"; }
  [[ -n $err ]] && { echo "    stderr:"; indent <<<"$err"; }
  return 0
}

# Services of a file whose manifest sets no clusterIP but that the server keeps headless: what an
# apply of that file left undone. "Kind name" lines.
kept_headless() {
  local name
  while read -r name; do
    [[ -z $name ]] && continue
    [[ $("$k" -n "$ns" get service "$name" -o 'jsonpath={.spec.clusterIP}' 2>/dev/null) == None ]] && echo "Service $name"
  done < <("$k" label --local -f "$1" plan-check=1 -o 'jsonpath={.kind} {.metadata.name} {.spec.clusterIP}{"\n"}' 2>/dev/null |
    awk '$1 == "Service" && $3 == "" {print $2}')
}

# ---------------------------------------------------------------- 1. before
befores=()
for c in "${cases[@]}"; do befores+=(-f "$fixtures/$c/before.yaml"); done
run ns "$k" create namespace "$ns"
run before "$k" apply "${befores[@]}"
if ((rc != 0)) || [[ -n $err ]]; then
  fail "1 applying every before.yaml (exit $rc)"; show
  echo "plan-check: $passed passed, $failed failed"; exit 1
fi
pass "1 every before.yaml applied: $(grep -c . <<<"$out") objects"

# ---------------------------------------------------------------- 2. after, as kubectl apply does it
for c in "${cases[@]}"; do
  after="$fixtures/$c/after.yaml"
  run "apply-$c" "$k" apply -f "$after"
  refused=$(grep -o 'The [A-Za-z]* "[^"]*" is invalid' <<<"$err" | sed 's/^The \([A-Za-z]*\) "\([^"]*\)" is invalid$/\1 \2/')
  ignored=$( ((rc == 0)) && kept_headless "$after")
  server=$(printf '%s\n%s\n' "$refused" "$ignored" | grep . | sort)
  plan=$(flagged_by_plan "$c")
  if [[ $server != "$plan" ]]; then
    fail "2 $c: the server refused or ignored [$(tr '\n' ';' <<<"$server")], the plan flags [$(tr '\n' ';' <<<"$plan")]"; show
  elif [[ -z $plan ]]; then
    run "diff-$c" "$k" diff -f "$after"
    if ((rc != 0)) || [[ -n $err ]]; then fail "2 $c: nothing flagged, but the server does not hold after.yaml (kubectl diff exit $rc)"; show
    else pass "2 $c: nothing flagged, and kubectl apply alone brought the server to after.yaml"; fi
  elif [[ -n $refused ]]; then
    # The server's reasons: the "is invalid" line and, when there are several, each "* field: ..." line,
    # without the object dump some of them carry.
    pass "2 $c: flagged $(tr '\n' ' ' <<<"$plan")and refused: $(grep -e 'is invalid' -e '^\* ' <<<"$err" | cut -c1-200 | tr '\n' ' ' | sed 's/ *$//')"
  else
    pass "2 $c: flagged $(tr '\n' ' ' <<<"$plan")and ignored: apply said \"$(tr '\n' ' ' <<<"$out" | sed 's/ $//')\" and the Service stays headless"
  fi
done

# ---------------------------------------------------------------- 3. the plan's steps
for c in "${cases[@]}"; do
  after="$fixtures/$c/after.yaml"
  [[ -z $(flagged_by_plan "$c") ]] && continue
  ok=1 n=0 done_steps=()
  while IFS=$'\t' read -r -a argv; do
    n=$((n + 1))
    [[ ${argv[0]} == kubectl ]] || { ok=; echo "    step $n is not a kubectl command: ${argv[*]}"; break; }
    run "step-$c-$n" "$k" "${argv[@]:1}"
    if ((rc != 0)); then ok=; echo "    step $n failed (exit $rc): ${argv[*]}"; show; break; fi
    done_steps+=("${argv[*]/#"$fixtures/"/}")
  done < <(awk -F'\t' -v c="$c" 'BEGIN {OFS = "\t"} $1 == "STEP" && $2 == c {$1 = ""; $2 = ""; sub(/^\t\t/, ""); print}' <<<"$plans")
  ((n > 0)) || { ok=; echo "    the plan has no command for $c"; }
  if [[ -n $ok ]]; then
    run "diff-after-$c" "$k" diff -f "$after"
    left=$(kept_headless "$after")
    if ((rc != 0)) || [[ -n $err ]]; then ok=; echo "    after the steps, kubectl diff -f after.yaml exit $rc:"; show; fi
    if [[ -n $left ]]; then ok=; echo "    after the steps, still headless: $left"; fi
  fi
  if [[ -n $ok ]]; then
    pass "3 $c: the plan's steps succeeded and the server holds after.yaml: $(printf '%s; ' "${done_steps[@]}" | sed 's/; $//')"
  else
    fail "3 $c: the plan's steps"
  fi
done

stop_all
echo "plan-check: wall time $((SECONDS - started)) s"
echo "plan-check: $passed passed, $failed failed"
((failed == 0))
