#!/usr/bin/env bash
# `kubectl apply -f dist/` against real kube-apiservers with Pod Security enforced (see
# apiserver-check.sh, beside this file). Production's dist/ only, on purpose: the other environments
# synthesize the same objects with other values (10-kubeconform validates every directory), and a
# run per environment would add a minute per environment.
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec bash scripts/checks/80-apiserver/apiserver-check.sh dist
