#!/usr/bin/env bash
# `npm run preflight` against a real kube-apiserver. The unit tests (test/preflight/) run the checks
# against fake clusters and a stand-in kubectl; this check proves the rest against the API server
# as it answers: the kubectl reads, what an empty cluster lacks, the fixes the checklist prints
# (followed here as a new user would), the exit codes, and that no Secret value is ever printed.
#
#   1. a bad command line (an unknown argument, a missing --config directory) exits 2; an unknown
#      --context is one failed line, exit 1;
#   2. an empty cluster (--argocd): exit 1, every Secret of the templates of `npm run
#      secrets-template` named as absent, no default StorageClass, no Argo CD namespace or CRD, and
#      the stack's namespaces fine because dist/ creates them;
#   3. after following the fixes (the namespace file the checklist names, the Secrets created from
#      filled-in templates with generated dummy values, a default StorageClass, the committed Argo CD
#      CRDs, Argo CD's namespace), with one Secret lacking a key and a foreign node exporter on the
#      host network: exit 1, exactly those two failures, naming the key and the pod;
#   4. the Secret replaced and the foreign pod gone: exit 0;
#   5. dist/ applied and a pod of the stack's own node exporter DaemonSet bound to a node: still
#      exit 0 (its own pods do not count as holding the port).
#
# One release, 1.28: the oldest the stack supports, the floor preflight checks; preflight reads only
# Namespaces, Secrets, StorageClasses, Pods and CRDs, which answer the same on the newest release,
# so a second server would add about 15 s and prove nothing more. Production only, for the same
# reason as the API server check (scripts/checks/80-apiserver/run.sh). The control plane is
# scripts/kube-cluster.sh's, on ports picked in 38000-38999 (PREFLIGHT_CHECK_KEEP=1 keeps its directory).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
started=$SECONDS
release=kube-1.28
env=production

cluster_name=preflight-check cluster_port_base=38000 cluster_port_span=1000
cluster_keep=${PREFLIGHT_CHECK_KEEP:-}
# shellcheck source=../../kube-cluster.sh
source "$root/scripts/kube-cluster.sh"
"$root/scripts/setup-tools.sh" "$release" etcd || { echo "preflight-check: scripts/setup-tools.sh failed" >&2; exit 2; }
find_etcd || exit 2
# The AppProject CRD of the committed Application CRD's Argo CD release (scripts/argocd-crds.mjs).
project_crd=$(node scripts/argocd-crds.mjs | grep appproject) || { echo "preflight-check: no AppProject CRD (scripts/argocd-crds.mjs)" >&2; exit 2; }
app_crd=$root/tools/kubeconform/crds/argocd-application-crd.yaml
trap 'stop_all' EXIT
trap 'stop_all; exit 130' INT TERM

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() {
  stop_all
  echo "preflight-check: wall time $((SECONDS - started)) s"
  echo "preflight-check: $passed passed, $failed failed"
  ((failed == 0))
  exit
}

# preflight ARGS...: runs it as `npm run preflight` does, minus ensure-deps (the test command has
# installed the dependencies); leaves the output in $out and the exit code in $rc.
preflight() {
  KUBECTL=$kubectl npx ts-node scripts/preflight.ts "$@" >"$tmp/preflight.out" 2>&1
  rc=$?
  out=$(<"$tmp/preflight.out")
}
show() { indent <<<"$out"; }
has_line() { grep -qxF -- "$1" <<<"$out"; }

if ! start_cluster "$release"; then fail "cluster start: nothing checked"; finish; fi
echo "preflight-check: $("$kubectl" version -o json | node -pe 'JSON.parse(require("fs").readFileSync(0)).serverVersion.gitVersion') up in $((SECONDS - started)) s"

# ---------------------------------------------------------------- 1. usage, context
preflight --env "$env" --bogus
if ((rc == 2)) && grep -q "unknown argument '--bogus'" <<<"$out"; then pass "1 a bad argument exits 2"; else fail "1 a bad argument: exit $rc (want 2)"; show; fi
preflight --env "$env" --config "$tmp/no-such-dir"
if ((rc == 2)) && grep -q "no-such-dir: no such directory" <<<"$out"; then pass "1 a missing --config directory exits 2"; else fail "1 a missing --config directory: exit $rc (want 2)"; show; fi
preflight --env "$env" --context no-such-context
if ((rc == 1)) && [[ $(grep -c '✗' <<<"$out") == 1 ]] && grep -q '✗ API server: cannot read the server version: .*no-such-context' <<<"$out"; then
  pass "1 an unknown context is one failed line, exit 1"
else fail "1 an unknown context: exit $rc"; show; fi

# ---------------------------------------------------------------- 2. an empty cluster
# The Secrets a new user is told to create: the templates' headers, each with its kubectl command.
npx ts-node scripts/secrets-template.ts --env "$env" --out "$tmp/secrets" >"$tmp/templates.out" 2>&1 || { fail "2 npm run secrets-template"; indent <"$tmp/templates.out"; finish; }
mapfile -t templates < <(ls "$tmp/secrets"/*.env.example)
((${#templates[@]} > 0)) || { fail "2 no template written"; finish; }

preflight --env "$env" --argocd --context "$cluster_name"
ok=1
((rc == 1)) || { ok=; echo "    exit $rc, want 1"; }
version=$(sed -n 's/^KUBE_VERSION=//p' "tools/$release/build.env")
has_line "  ✓ Kubernetes $version (at least 1.28)" || { ok=; echo "    no passing version line for $version"; }
for t in "${templates[@]}"; do
  read -r ns name < <(sed -n 's/^#   kubectl -n \([^ ]*\) create secret generic \([^ ]*\) .*/\1 \2/p' "$t")
  grep -q "^  ✗ Secret $ns/$name: " <<<"$out" || { ok=; echo "    Secret $ns/$name of $(basename "$t") not reported"; }
  grep -qF -- "kubectl -n $ns create secret generic $name --from-env-file=secrets/$env/" <<<"$out" || { ok=; echo "    no create command for $ns/$name"; }
done
grep -q '^  ✗ no default StorageClass' <<<"$out" || { ok=; echo "    the missing default StorageClass not reported"; }
grep -q '^  ✗ CRD applications.argoproj.io does not exist' <<<"$out" || { ok=; echo "    the missing Application CRD not reported"; }
grep -q '^  ✓ namespace monitoring: absent, dist/.* creates it' <<<"$out" || { ok=; echo "    absent namespaces not said to be created by dist/"; }
if [[ -n $ok ]]; then pass "2 empty cluster: exit 1, ${#templates[@]} Secrets, the default StorageClass and Argo CD reported ($(grep -c '✗' <<<"$out") failures)"; else fail "2 empty cluster"; show; fi

# ---------------------------------------------------------------- 3. follow the fixes
setup_log=$tmp/setup.log
# established CRD: waits (30 s at most) until the CRD is served. Not `kubectl wait`: kubectl 1.28's
# wait errors out instead of waiting while a new CRD has no status conditions yet.
established() {
  local i
  for ((i = 0; i < 60; i++)); do
    [[ $("$kubectl" get crd "$1" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}' 2>/dev/null) == True ]] && return 0
    sleep 0.5
  done
  echo "the CRD $1 did not become Established within 30 s"
  return 1
}
{
  # The file that creates the namespaces, as the checklist names it.
  nsfile=$(sed -n 's/^ *fix: kubectl apply -f \(dist[^ ]*\.k8s\.yaml\) .*/\1/p' <<<"$out" | sort -u)
  [[ $(wc -w <<<"$nsfile") == 1 ]] || { echo "want one namespace file in the fixes, got '$nsfile'"; false; } &&
    "$kubectl" apply -f "$nsfile" &&
    # Argo CD's namespace, as the checklist names it.
    for ns in $(sed -n "s/^  ✗ namespace \([^ ]*\) (Argo CD's, .*/\1/p" <<<"$out"); do "$kubectl" create namespace "$ns"; done &&
    "$kubectl" apply --server-side -f "$app_crd" -f "$project_crd" &&
    established applications.argoproj.io && established appprojects.argoproj.io &&
    "$kubectl" apply -f - <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: preflight-default
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
EOF
} >"$setup_log" 2>&1 || { fail "3 following the fixes"; indent <"$setup_log"; finish; }

# Dummy values, random per run: the output is searched for every one of them.
fill() { # template -> filled env file (every key, the optional ones too), its path on stdout
  local t=$1 f=${1%.example} key
  : >"$f"
  while IFS= read -r key; do
    printf '%s=dummy-%s\n' "$key" "$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')" >>"$f"
  done < <(grep -E '^#? ?[A-Za-z_.-][-._A-Za-z0-9]*=$' "$t" | sed -E 's/^# ?//; s/=$//')
  echo "$f"
}
create_cmd() { sed -n 's/^#   kubectl \(-n .* create secret generic [^ ]*\) --from-env-file=.*/\1/p' "$1"; }

last=${templates[-1]}
for t in "${templates[@]}"; do
  f=$(fill "$t")
  if [[ $t == "$last" ]]; then
    # The last Secret lacks its last key.
    dropped=$(tail -n 1 "$f" | cut -d= -f1)
    sed -i '$d' "$f"
  fi
  # shellcheck disable=SC2046
  "$kubectl" $(create_cmd "$t") --from-env-file="$f" >>"$setup_log" 2>&1 || { fail "3 creating the Secret of $(basename "$t")"; indent <"$setup_log"; finish; }
done
read -r last_ns last_name < <(create_cmd "$last" | awk '{print $2, $6}')

# A foreign node exporter: another DaemonSet's pod on the host network, bound to a node, on the port
# the stack's node exporter serves (read from dist/, not from preflight).
read -r ds_ns ds_name ds_port < <("$kubectl" label --local -f dist preflight-check=1 \
  -o 'jsonpath={.kind} {.metadata.namespace} {.metadata.name} {.spec.template.spec.hostNetwork} {.spec.template.spec.containers[0].ports[0].containerPort}{"\n"}' 2>/dev/null |
  awk '$1 == "DaemonSet" && $4 == "true" {print $2, $3, $5}')
[[ -n ${ds_port:-} ]] || { fail "3 no host-network DaemonSet in dist/"; finish; }
"$kubectl" apply -f - >>"$setup_log" 2>&1 <<EOF || { fail "3 creating the foreign pod"; indent <"$setup_log"; finish; }
apiVersion: v1
kind: Pod
metadata:
  name: other-node-exporter
  namespace: kube-system
  labels: {app.kubernetes.io/name: prometheus-node-exporter}
spec:
  nodeName: worker-1
  hostNetwork: true
  containers:
    - name: node-exporter
      image: quay.io/prometheus/node-exporter:v1.8.0
      ports: [{containerPort: $ds_port}]
EOF

preflight --env "$env" --argocd
ok=1
((rc == 1)) || { ok=; echo "    exit $rc, want 1"; }
fails=$(grep '✗' <<<"$out")
[[ $(grep -c . <<<"$fails") == 2 ]] || { ok=; echo "    want exactly 2 failures, got:"; indent <<<"$fails"; }
has_line "  ✗ Secret $last_ns/$last_name: lacks key $dropped" || { ok=; echo "    Secret $last_ns/$last_name lacking $dropped not reported"; }
grep -q "^  ✗ host port $ds_port/TCP (DaemonSet $ds_ns/$ds_name): held by 1 other pod" <<<"$out" &&
  has_line "      kube-system/other-node-exporter on worker-1 (host network)" || { ok=; echo "    the foreign pod on port $ds_port not reported"; }
mapfile -t values < <(cut -d= -f2- "$tmp"/secrets/*.env)
for v in "${values[@]}"; do
  if grep -qF -- "$v" "$tmp/preflight.out"; then ok=; echo "    a Secret value was printed"; break; fi
done
if [[ -n $ok ]]; then pass "3 after the fixes: exit 1, only the Secret lacking '$dropped' and the foreign pod on port $ds_port (${#values[@]} values never printed)"; else fail "3 after the fixes"; show; fi

# ---------------------------------------------------------------- 4. complete
{
  f=$(fill "$last")
  # The checklist's fix for a Secret lacking keys: replace it from the filled-in file.
  # shellcheck disable=SC2046
  "$kubectl" $(create_cmd "$last") --from-env-file="$f" --dry-run=client -o yaml | "$kubectl" apply -f - &&
    # No kubelet confirms a graceful deletion here: force it.
    "$kubectl" -n kube-system delete pod other-node-exporter --grace-period=0 --force
} >>"$setup_log" 2>&1 || { fail "4 replacing the Secret, deleting the foreign pod"; indent <"$setup_log"; finish; }
preflight --env "$env" --argocd
if ((rc == 0)) && ! grep -q '✗' <<<"$out" && grep -q '^preflight: [0-9]* passed, 0 failed$' <<<"$out" && grep -q '^ready: kubectl apply -f dist/' <<<"$out"; then
  pass "4 complete setup: exit 0, $(grep -c '✓' <<<"$out") checks passed"
else fail "4 complete setup: exit $rc"; show; fi

# ---------------------------------------------------------------- 5. deployed, its own pod on the port
{
  "$kubectl" apply -f dist/ >/dev/null &&
    # What the DaemonSet controller (not running here) would create: a pod of its template, bound to a node.
    "$kubectl" -n "$ds_ns" get daemonset "$ds_name" -o json | node -e '
      const ds = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const t = ds.spec.template;
      console.log(JSON.stringify({ apiVersion: "v1", kind: "Pod",
        metadata: { name: `${ds.metadata.name}-worker-1`, namespace: ds.metadata.namespace, labels: t.metadata.labels },
        spec: { ...t.spec, nodeName: "worker-1" } }));' | "$kubectl" create -f -
} >>"$setup_log" 2>&1 || { fail "5 applying dist/ and creating the DaemonSet's pod"; indent <"$setup_log"; finish; }
preflight --env "$env" --argocd
if ((rc == 0)) && grep -q "^  ✓ host port $ds_port/TCP (DaemonSet $ds_ns/$ds_name): no other pod holds it" <<<"$out" && has_line "  ✓ namespace $ds_ns exists"; then
  pass "5 deployed: exit 0, the stack's own node exporter pod on port $ds_port not counted"
else fail "5 deployed: exit $rc"; show; fi

finish
