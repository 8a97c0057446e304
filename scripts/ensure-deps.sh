#!/usr/bin/env bash
# Installs the npm dependencies from the lockfile when node_modules is missing or older than the
# lockfile, so `npm run synth` and `npm test` work on a fresh clone as the first command.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
