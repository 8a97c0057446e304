#!/usr/bin/env bash
# `npm run plan`'s refusals and steps against a real kube-apiserver (see plan-check.sh, beside this file).
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec bash scripts/checks/86-plan/plan-check.sh
