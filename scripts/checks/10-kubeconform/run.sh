#!/usr/bin/env bash
# Every synthesized manifest (each environment's directory and the Argo CD Applications) is valid in
# kubeconform's strict mode for Kubernetes 1.28 and the newest release; nothing skipped.
set -euo pipefail
cd "$(dirname "$0")/../../.."
dirs=(argocd)
for d in dist dist-*/; do [ -d "$d" ] && dirs+=("${d%/}"); done
exec bash scripts/checks/10-kubeconform/kubeconform.sh "${dirs[@]}"
