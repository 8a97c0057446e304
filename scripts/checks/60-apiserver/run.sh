#!/usr/bin/env bash
# `kubectl apply -f dist/` against real kube-apiservers with Pod Security enforced (see the script).
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec bash scripts/checks/60-apiserver/apiserver-check.sh dist
