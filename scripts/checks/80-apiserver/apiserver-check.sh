#!/usr/bin/env bash
# Apply the synthesized manifests to real Kubernetes API servers.
#
#   scripts/checks/80-apiserver/apiserver-check.sh [dist-dir]        (default: dist/)
#
# For every tools/kube-<minor>/ release (built from its Go modules by
# scripts/setup-tools.sh), start etcd, kube-apiserver and kube-controller-manager
# on 127.0.0.1 in a throwaway directory, then check:
#   1. `kubectl apply -f dist/` into the empty server: no error, no warning
#      (Pod Security "would violate" warnings included).
#   2. Re-apply stores nothing new (resourceVersions unchanged), `kubectl diff`
#      is empty, server-side apply succeeds without field-manager conflicts.
#      Exception, on releases that store claim templates with
#      `creationTimestamp: null` (1.28): the client-side manager's atomic
#      .spec.volumeClaimTemplates conflicts once; it must be the only conflict
#      and --force-conflicts must take it over without changing anything else.
#   3. The Argo CD Application and AppProject (argocd/) are accepted once the
#      Application CRD (tools/kubeconform/crds/, Argo CD v3.4.4's) and the
#      AppProject CRD (from Argo CD's Go module, scripts/argocd-crds.mjs) are installed;
#      the Namespaces and claims of dist/ carry Argo CD's Prune=false,Delete=false.
#   4. Namespaces labelled pod-security.kubernetes.io/enforce=restricted refuse
#      a privileged pod and accept a restricted-compliant one.
#   5. `kubectl delete -f dist/` removes everything (namespaces included) and
#      applying again works.
#   6. RBAC as the API server evaluates it (`kubectl auth can-i --as=<ServiceAccount>`):
#      kube-state-metrics may list/watch exactly the resources it enables in the
#      stack's namespaces and nothing cluster-wide; Prometheus may list/watch pods
#      in them, list/watch nodes and get nodes/metrics (the kubelet scrape), but
#      not nodes/proxy; both are denied Secrets everywhere.
#
# Why kube-controller-manager: kube-apiserver alone has no namespace controller,
# so a deleted Namespace keeps its "kubernetes" finalizer and stays Terminating
# forever, and re-applying into it fails. Forcing the finalizer off through the
# /finalize subresource would leave the namespaced objects orphaned in etcd,
# and the re-apply would then find them instead of creating them. Running the
# real namespace controller is what a cluster does. Two more run beside it:
# serviceaccount (creates the "default" ServiceAccount every pod needs) and
# pvc-protection (removes the kubernetes.io/pvc-protection finalizer that
# admission puts on every PersistentVolumeClaim). No kubelet, no scheduler.
#
# Environment:
#   APISERVER_CHECK_RELEASES  tools/kube-* directory names to test
#                             (default: every tools/kube-<minor>/ directory)
#   APISERVER_CHECK_KEEP=1    keep the temporary directory (logs, kubeconfig)
#   APISERVER_CHECK_ARGOCD_DIR  where the Application manifests are (default: argocd/)
#
# Prints one PASS/FAIL/SKIP line per check and release, then
# "apiserver: N passed, M failed[, K skipped]"; exits non-zero if any failed.
set -uo pipefail

started=$SECONDS
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
dist=${1:-$root/dist}
dist=$(cd "$dist" 2>/dev/null && pwd) || { echo "apiserver-check: no such directory: ${1:-$root/dist}" >&2; exit 2; }
# The committed Argo CD v3.4.4 Application CRD (its upstream URL is in cdk8s.yaml),
# the same file kubeconform's schema is generated from.
crd="$root/tools/kubeconform/crds/argocd-application-crd.yaml"
# The AppProject CRD of the same Argo CD release, hash-pinned, copied out of its Go module.
project_crd=$(node "$root/scripts/argocd-crds.mjs" | grep appproject) || { echo "apiserver-check: no AppProject CRD (scripts/argocd-crds.mjs)" >&2; exit 2; }
argocd_dir=${APISERVER_CHECK_ARGOCD_DIR:-$root/argocd}
# The pods of check 4, beside this script.
testdata="$here"

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS [$release] $*"; }
fail() { failed=$((failed + 1)); echo "FAIL [$release] $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP [$release] $*"; }
log()  { echo "apiserver-check: $*"; }

# ---------------------------------------------------------------- build
if [[ -n ${APISERVER_CHECK_RELEASES:-} ]]; then
  read -r -a releases <<<"$APISERVER_CHECK_RELEASES"
else
  releases=()
  for d in "$root"/tools/kube-1.*/; do [[ -f $d/go.mod ]] && releases+=("$(basename "$d")"); done
  # numeric order: kube-1.28 before kube-1.37
  mapfile -t releases < <(printf '%s\n' "${releases[@]}" | sort -t. -k2,2n)
fi
(( ${#releases[@]} )) || { echo "apiserver-check: no tools/kube-<minor>/ directory" >&2; exit 2; }

build_started=$SECONDS
# Cached by a stamp: a no-op once .tools/<name>/ matches tools/<name>/.
"$root/scripts/setup-tools.sh" "${releases[@]}" etcd || { echo "apiserver-check: scripts/setup-tools.sh failed" >&2; exit 2; }
build_secs=$((SECONDS - build_started))

# ---------------------------------------------------------------- processes
# etcd, kube-apiserver and kube-controller-manager: start_cluster/stop_all, shared with 86-plan.
cluster_name=apiserver-check cluster_keep=${APISERVER_CHECK_KEEP:-}
# shellcheck source=../../kube-cluster.sh
source "$root/scripts/kube-cluster.sh"
trap 'stop_all' EXIT
trap 'stop_all; exit 130' INT TERM
find_etcd || exit 2

# run NAME CMD...: runs a command, keeps its stdout/stderr/exit code in $out/$err/$rc.
run() {
  local name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  out=$(<"$tmp/$name.out") err=$(<"$tmp/$name.err")
}
show() { # prints what a failed command said
  [[ -n $out ]] && { echo "    stdout:"; indent <<<"$out"; }
  [[ -n $err ]] && { echo "    stderr:"; indent <<<"$err"; }
  return 0
}

# ---------------------------------------------------------------- checks
check_apply_clean() { # 1
  run apply1 "$kubectl" apply -f "$dist"
  if ((rc == 0)) && [[ -z $err ]]; then
    pass "1 apply into an empty server: $(grep -c . <<<"$out") objects, no error, no warning"
  else
    fail "1 apply into an empty server: exit $rc, $(grep -c '^Warning:' <<<"$err") warning line(s)"
    show
  fi
}

# kind/namespace/name=resourceVersion of every object of dist/, from the server.
snapshot() {
  "$kubectl" get -f "$dist" --no-headers \
    -o custom-columns=K:.kind,N:.metadata.namespace,M:.metadata.name,RV:.metadata.resourceVersion 2>&1 |
    awk '{print $1 "/" $2 "/" $3 "=" $4}'
}

# True when the server stores a StatefulSet claim template with a creationTimestamp key.
stored_null_claim_timestamps() {
  "$kubectl" get statefulsets -A -o json 2>/dev/null | node -e '
    const items = JSON.parse(require("fs").readFileSync(0, "utf8")).items;
    const has = items.some((s) => (s.spec.volumeClaimTemplates ?? []).some((t) => "creationTimestamp" in (t.metadata ?? {})));
    process.exit(has ? 0 : 1);'
}

check_idempotent() { # 2
  local ok=1 before after changed written taken_over=
  before=$(snapshot)
  run apply2 "$kubectl" apply -f "$dist"
  after=$(snapshot)
  changed=$(grep -v ' unchanged$' <<<"$out" | grep .)
  written=$(diff <(echo "$before") <(echo "$after") | sed -n 's/^> //p')
  if ((rc != 0)) || [[ -n $err ]]; then
    ok=; echo "    second apply exit $rc:"; show
  fi
  if [[ -n $written ]]; then
    ok=; echo "    second apply wrote to the server (resourceVersion changed):"; indent <<<"$written"
  fi
  if [[ -n $changed ]]; then
    # "configured" with an unchanged resourceVersion means kubectl sent a patch
    # that changed nothing stored: a PodDisruptionBudget's selector has
    # patchStrategy "replace", so client-side apply always sends it; on 1.28 the
    # StatefulSets' claim templates are stored with `creationTimestamp: null`
    # (see stored_null_claim_timestamps). The resourceVersion check above and
    # `kubectl diff` below are what prove nothing changed; the wording is noted.
    if [[ -z $written ]]; then
      echo "    note: kubectl printed \"configured\" but the server stored nothing new (resourceVersion unchanged):"
      indent <<<"$changed"
    fi
  fi
  run diff "$kubectl" diff -f "$dist"
  if ((rc != 0)) || [[ -n $out || -n $err ]]; then
    ok=; echo "    kubectl diff exit $rc (want 0 and no output):"; show
  fi
  run ssa "$kubectl" apply --server-side --force-conflicts=false -f "$dist"
  if ((rc != 0)) || [[ -n $err ]]; then
    local conflicts others
    # Only the errors, without kubectl's advice text repeated per conflict.
    conflicts=$(grep -v -e '^Please review' -e '^are the ways' -e '^\*' -e '^  ' -e '^See https' <<<"$err")
    others=$(grep -v '^Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.volumeClaimTemplates$' <<<"$conflicts")
    if [[ -z $others ]] && stored_null_claim_timestamps; then
      # Kubernetes releases that store `creationTimestamp: null` in claim
      # templates (1.28 does; 1.37 does not) make the stored value differ from
      # the manifest, and the client-side manager's atomic ownership of
      # .spec.volumeClaimTemplates then conflicts on the first server-side
      # apply. No manifest avoids it on both releases (writing the null breaks
      # the newer one and strict schemas). Proven harmless instead: taking the
      # field over with --force-conflicts must succeed and change nothing.
      before=$(snapshot)
      run ssa_force "$kubectl" apply --server-side --force-conflicts=true -f "$dist"
      after=$(snapshot)
      if ((rc != 0)) || [[ -n $err ]] || [[ "$(diff <(echo "$before" | grep -v '^StatefulSet/') <(echo "$after" | grep -v '^StatefulSet/'))" != "" ]]; then
        ok=; echo "    server-side apply with --force-conflicts exit $rc:"; show
      else
        taken_over=1
        echo "    note: this release stores claim templates with creationTimestamp: null; the only conflicts were the"
        echo "    client-side manager's .spec.volumeClaimTemplates, taken over cleanly with --force-conflicts:"
        indent <<<"$conflicts"
      fi
    else
      ok=; echo "    server-side apply exit $rc, $(grep -c ' serverside-applied$' <<<"$out") objects applied; errors:"
      indent <<<"$conflicts"
    fi
  fi
  if [[ -n $ok && -n $taken_over ]]; then
    pass "2 re-apply changes nothing, diff empty, server-side apply clean but for the release's claim-template conflict (see note)"
  elif [[ -n $ok ]]; then
    pass "2 re-apply changes nothing, diff empty, server-side apply without conflicts"
  else
    fail "2 re-apply / diff / server-side apply"
  fi
}

check_argocd() { # 3
  if [[ ! -f $crd ]]; then fail "3 Argo CD CRD not found at $crd"; return; fi
  if ! compgen -G "$argocd_dir/*.yaml" >/dev/null && ! compgen -G "$argocd_dir/*.yml" >/dev/null &&
    ! compgen -G "$argocd_dir/*.json" >/dev/null; then
    skip "3 *** no Argo CD Application manifest under argocd/ yet: check 3 NOT RUN ***"
    return
  fi
  # The CRD is ~400 kB: too big for client-side apply's last-applied annotation.
  run crd "$kubectl" apply --server-side -f "$crd" -f "$project_crd"
  if ((rc != 0)) || [[ -n $err ]]; then fail "3 installing the Application and AppProject CRDs"; show; return; fi
  local ns i established= name
  for name in applications.argoproj.io appprojects.argoproj.io; do
    for ((i = 0; i < 60; i++)); do
      established=$("$kubectl" get crd "$name" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)
      [[ $established == True ]] && break
      sleep 0.5
    done
    [[ $established == True ]] || { fail "3 the CRD $name did not become Established within 30 s"; return; }
  done
  # What Argo CD reads from the stored objects: the sync options that keep Namespaces and claims.
  local unkept
  unkept=$("$kubectl" get namespaces,persistentvolumeclaims -A -l app.kubernetes.io/managed-by=cdk8s \
    -o 'jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.annotations.argocd\.argoproj\.io/sync-options}{"\n"}{end}' 2>&1 |
    awk '$2 != "Prune=false,Delete=false"')
  if [[ -n $unkept ]]; then fail "3 stored Namespaces or claims without Prune=false,Delete=false:"; indent <<<"$unkept"; return; fi
  # Argo CD's own install creates its namespace (argocd); do the same for every
  # namespace the manifests name that does not exist yet.
  run nsof "$kubectl" label --local -f "$argocd_dir" apiserver-check=1 -o 'jsonpath={.metadata.namespace}{"\n"}'
  while read -r ns; do
    [[ -z $ns ]] && continue
    "$kubectl" get namespace "$ns" >/dev/null 2>&1 || "$kubectl" create namespace "$ns" >/dev/null
  done < <(sort -u <<<"$out")
  run argo1 "$kubectl" apply -f "$argocd_dir"
  if ((rc != 0)) || [[ -n $err ]]; then fail "3 applying argocd/: exit $rc, $(grep -c "^Warning:" <<<"$err") warning line(s)"; show; return; fi
  local first=$out
  run argo2 "$kubectl" apply -f "$argocd_dir"
  if ((rc != 0)) || [[ -n $err ]] || [[ -n $(grep -v ' unchanged$' <<<"$out") ]]; then
    fail "3 re-applying argocd/ changed something (exit $rc)"; show; return
  fi
  pass "3 Argo CD AppProject and Application accepted with their CRDs, namespaces and claims kept: $(tr '\n' ';' <<<"$first" | sed 's/;$//')"
}

check_pod_security() { # 4
  local namespaces ns ok=1 i
  # Read from the files (no server): Namespaces whose enforce label is restricted.
  namespaces=$("$kubectl" label --local -f "$dist" apiserver-check=1 \
    -o 'jsonpath={.kind} {.metadata.name} {.metadata.labels.pod-security\.kubernetes\.io/enforce}{"\n"}' 2>/dev/null |
    awk '$1 == "Namespace" && $3 == "restricted" {print $2}')
  if [[ -z $namespaces ]]; then
    fail "4 no Namespace in $dist has pod-security.kubernetes.io/enforce=restricted"
    return
  fi
  for ns in $namespaces; do
    run priv "$kubectl" -n "$ns" create -f "$testdata/privileged-pod.yaml"
    if ((rc == 0)); then
      ok=; echo "    namespace $ns ACCEPTED a privileged pod:"; show
      "$kubectl" -n "$ns" delete pod apiserver-check-privileged --wait=false >/dev/null 2>&1
    elif ! grep -q 'violates PodSecurity "restricted' <<<"$err"; then
      ok=; echo "    namespace $ns refused the privileged pod, but not through Pod Security:"; show
    else
      echo "    $ns refused privileged pod: $(grep -o 'violates PodSecurity "[^"]*"' <<<"$err" | head -1)"
    fi
    # The control pod needs the "default" ServiceAccount that the serviceaccount
    # controller creates in each new namespace.
    for ((i = 0; i < 30; i++)); do "$kubectl" -n "$ns" get serviceaccount default >/dev/null 2>&1 && break; sleep 0.5; done
    run restricted "$kubectl" -n "$ns" create -f "$testdata/restricted-pod.yaml"
    if ((rc != 0)) || [[ -n $err ]]; then
      ok=; echo "    namespace $ns did not cleanly accept a restricted-compliant pod (exit $rc):"; show
    else
      "$kubectl" -n "$ns" delete pod apiserver-check-restricted --wait=true --timeout 30s >/dev/null 2>&1
    fi
  done
  if [[ -n $ok ]]; then
    pass "4 Pod Security enforced in $(tr '\n' ' ' <<<"$namespaces" | sed 's/ $//'): privileged pod refused, restricted pod accepted"
  else
    fail "4 Pod Security enforcement"
  fi
}

check_delete_reapply() { # 5
  local i left t0=$SECONDS
  run delete "$kubectl" delete -f "$dist" --wait=false
  if ((rc != 0)) || [[ -n $err ]]; then fail "5 kubectl delete -f (exit $rc)"; show; return; fi
  # Bounded wait until every object of dist/ is gone; namespaces go once the
  # namespace controller has emptied them and removed their finalizer.
  for ((i = 0; i < 240; i++)); do
    left=$("$kubectl" get -f "$dist" --ignore-not-found -o name 2>&1)
    [[ -z $left ]] && break
    sleep 0.5
  done
  if [[ -n $left ]]; then
    fail "5 objects still present 120 s after kubectl delete:"; indent <<<"$left"
    "$kubectl" get namespaces -o wide 2>&1 | indent
    return
  fi
  local gone=$((SECONDS - t0))
  run apply3 "$kubectl" apply -f "$dist"
  if ((rc != 0)) || [[ -n $err ]]; then fail "5 apply after delete (exit $rc)"; show; return; fi
  local notcreated
  notcreated=$(grep -v ' created$' <<<"$out" | grep .)
  if [[ -n $notcreated ]]; then fail "5 apply after delete found leftovers:"; indent <<<"$notcreated"; return; fi
  pass "5 delete removed everything in ${gone} s, apply again created $(grep -c . <<<"$out") objects"
}

check_rbac() { # 6
  local ok=1 checked=0 ns sa verb resource want got
  # ServiceAccount (namespace/name), verb, resource[ in namespace], expected answer. Namespaces and
  # names are the production defaults dist/ is synthesized with.
  while read -r sa verb resource ns want; do
    [[ -z $sa || $sa == \#* ]] && continue
    # `nodes/metrics` would be read by kubectl as resource/name: a subresource is a flag of its own.
    local args=("$verb" "${resource%%/*}")
    [[ $resource == */* ]] && args+=("--subresource=${resource#*/}")
    args+=("--as=system:serviceaccount:${sa%%/*}:${sa##*/}")
    if [[ $ns == - ]]; then args+=(--all-namespaces); else args+=(-n "$ns"); fi
    got=$("$kubectl" auth can-i "${args[@]}" 2>/dev/null)
    checked=$((checked + 1))
    if [[ $got != "$want" ]]; then ok=; echo "    can-i ${args[*]}: $got, want $want"; fi
  done <<'EOF_RBAC'
# kube-state-metrics: list/watch its five resources in each stack namespace; no get, no Secrets, nothing else
monitoring/kube-state-metrics list pods love-parser yes
monitoring/kube-state-metrics watch pods monitoring yes
monitoring/kube-state-metrics list deployments.apps love-parser yes
monitoring/kube-state-metrics watch statefulsets.apps monitoring yes
monitoring/kube-state-metrics list daemonsets.apps monitoring-agents yes
monitoring/kube-state-metrics watch endpoints love-parser yes
monitoring/kube-state-metrics get pods love-parser no
monitoring/kube-state-metrics list secrets love-parser no
monitoring/kube-state-metrics list secrets monitoring no
monitoring/kube-state-metrics list configmaps monitoring no
monitoring/kube-state-metrics list pods default no
monitoring/kube-state-metrics list pods - no
monitoring/kube-state-metrics list nodes - no
monitoring/kube-state-metrics list replicasets.apps love-parser no
# Prometheus: pod discovery in the stack namespaces, the kubelets through nodes/metrics only
monitoring/prometheus list pods love-parser yes
monitoring/prometheus watch pods monitoring-agents yes
monitoring/prometheus list nodes - yes
monitoring/prometheus watch nodes - yes
monitoring/prometheus get nodes/metrics - yes
monitoring/prometheus get nodes/proxy - no
monitoring/prometheus create pods/exec love-parser no
monitoring/prometheus list secrets monitoring no
monitoring/prometheus get secrets love-parser no
monitoring/prometheus list secrets - no
monitoring/prometheus list pods default no
EOF_RBAC
  if [[ -n $ok ]]; then pass "6 RBAC: $checked can-i answers as intended (kube-state-metrics namespaced and no Secrets; Prometheus nodes/metrics, not nodes/proxy)"; else fail "6 RBAC as the API server evaluates it"; fi
}

# ---------------------------------------------------------------- main
log "dist: $dist; releases: ${releases[*]}; etcd: $("$etcd_bin" --version 2>/dev/null | head -1)"
times=""
for rel in "${releases[@]}"; do
  t0=$SECONDS
  version=$(sed -n 's/^KUBE_VERSION=//p' "$root/tools/$rel/build.env" 2>/dev/null)
  release=${version:-$rel}
  if ! start_cluster "$rel"; then
    fail "cluster start for $rel: checks 1-6 not run"
    failed=$((failed + 5))
    stop_all
    continue
  fi
  server=$("$kubectl" version -o json 2>/dev/null | sed -n '/serverVersion/,/}/s/.*"gitVersion": "\(.*\)".*/\1/p')
  log "[$release] kube-apiserver $server up in $((SECONDS - t0)) s on 127.0.0.1 (Pod Security admission on)"
  check_apply_clean
  check_idempotent
  check_argocd
  check_pod_security
  check_rbac
  check_delete_reapply
  stop_all
  times+=", $release $((SECONDS - t0)) s"
done
unset KUBECONFIG

log "wall time $((SECONDS - started)) s (tool build/check ${build_secs} s${times})"
if ((skipped)); then
  echo "apiserver: $passed passed, $failed failed, $skipped skipped"
else
  echo "apiserver: $passed passed, $failed failed"
fi
((failed == 0))
