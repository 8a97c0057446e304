#!/usr/bin/env bash
# `kubectl apply -f dist/` against real kube-apiservers with Pod Security enforced (see
# apiserver-check.sh, beside this file), for production's dist/ and for staging's dist-staging/:
# staging is the committed environment that turns long-term storage on (Thanos, Loki simple
# scalable on S3), so its objects are not a variant of production's and need the server too.
# About a minute per directory once the tools are built.
set -euo pipefail
cd "$(dirname "$0")/../../.."
status=0
for dir in dist dist-staging; do
  echo "--- apiserver: $dir/"
  bash scripts/checks/80-apiserver/apiserver-check.sh "$dir" || status=1
done
exit $status
