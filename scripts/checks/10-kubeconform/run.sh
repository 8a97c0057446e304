#!/usr/bin/env bash
# Every synthesized manifest (each environment's directory and the Argo CD Applications) is valid in
# kubeconform's strict mode for Kubernetes 1.28 and the newest release; nothing skipped.
# The directories come from config/: production's is dist/, another environment's dist-<name>/
# (charts/synth.ts), so a stale dist-<name>/ of a removed environment is not mistaken for output.
set -euo pipefail
cd "$(dirname "$0")/../../.."
dirs=(argocd)
for f in config/*.yaml; do
  env=$(basename "$f" .yaml)
  if [ "$env" = production ]; then dir=dist; else dir="dist-$env"; fi
  [ -d "$dir" ] || { echo "10-kubeconform: $dir/ is missing for config/$env.yaml; run npm run synth" >&2; exit 1; }
  dirs+=("$dir")
done
exec bash scripts/checks/10-kubeconform/kubeconform.sh "${dirs[@]}"
