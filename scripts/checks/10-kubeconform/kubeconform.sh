#!/usr/bin/env bash
# Validate manifests with the pinned kubeconform: strict, offline, once per Kubernetes version of
# tools/kubernetes-versions.json.
#
# Usage: scripts/checks/10-kubeconform/kubeconform.sh [dir-or-file ...]
#   With no argument: every YAML file under dist/, plus argocd/ (the Argo CD Applications) when present.
#   With arguments: exactly those directories and files.
#
# Fails on any invalid resource, any error and any resource without a schema (an unknown kind or
# apiVersion is an error, never skipped). Schemas come only from .tools/schemas (gen-schemas.mjs,
# beside this script): the Kubernetes OpenAPI documents, and the CRDs under tools/kubeconform/crds/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

"$repo/scripts/setup-tools.sh" kubeconform >&2
mkdir -p "$repo/.tools"
(
  # Tests may run this script in parallel: one generates, the others then find the stamp.
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  node "$here/gen-schemas.mjs" >&2
) 9>"$repo/.tools/.gen-schemas.lock"

if [ $# -eq 0 ]; then
  targets=(dist)
  [ -d argocd ] && targets+=(argocd)
else
  targets=("$@")
fi

files=()
for t in "${targets[@]}"; do
  if [ -d "$t" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$t" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
  elif [ -f "$t" ]; then
    files+=("$t")
  else
    echo "kubeconform: $t: no such file or directory" >&2
    exit 1
  fi
done
if [ ${#files[@]} -eq 0 ]; then
  echo "kubeconform: no YAML files in ${targets[*]}" >&2
  exit 1
fi

schemas="$repo/.tools/schemas"
read -r -a versions < <(node -e '
  const v = require(process.argv[1]);
  console.log([...new Set([v.oldest, v.newest])].join(" "));
' "$repo/tools/kubernetes-versions.json")

failed=0
for v in "${versions[@]}"; do
  echo "kubeconform: Kubernetes $v, ${#files[@]} files"
  rc=0
  out="$("$repo/.tools/kubeconform/bin/kubeconform" -strict -summary -output text \
    -kubernetes-version "$v" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "${files[@]}" 2>&1)" || rc=$?
  echo "$out"
  # kubeconform exits 1 on invalid resources and errors; a skipped resource (none should be,
  # without -skip or -ignore-missing-schemas) or no resource at all must fail too.
  summary="$(grep '^Summary:' <<<"$out" || true)"
  if [ "$rc" -ne 0 ] || [ -z "$summary" ] || ! grep -q 'Skipped: 0$' <<<"$summary" ||
    grep -q '^Summary: 0 resource' <<<"$summary"; then
    echo "kubeconform: FAILED for Kubernetes $v" >&2
    failed=1
  fi
done
exit "$failed"
