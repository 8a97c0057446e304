#!/usr/bin/env bash
# Installs the npm dependencies from the lockfile when node_modules is missing or older than the
# lockfile, so `npm run synth` and `npm test` work on a fresh clone as the first command.
set -euo pipefail
cd "$(dirname "$0")/.."
# A node_modules that is a symlink belongs to another checkout (a git worktree sharing it):
# reinstalling through it would empty that checkout's install, so leave it to its owner.
if [ -L node_modules ]; then exit 0; fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
