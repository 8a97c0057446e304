#!/usr/bin/env bash
# Installs the Debian packages the end-to-end run needs (e2e/, scripts/checks/70-e2e/run.sh):
#   postgresql  PostgreSQL 15 with pg_stat_statements (the e2e initdb's its own cluster in a temp dir)
#   redis-server  Redis 7.0 (the e2e starts its own instance in a temp dir)
#   openssl     the throwaway CA and certificate of the SMTP sink's STARTTLS
#   util-linux  runuser: PostgreSQL refuses to run as root, the e2e runs it as the `postgres` user
#
# Idempotent and quiet when everything is there; `apt-get update` runs only when a package is
# missing. Non-interactive. No service is enabled or started: the e2e starts what it needs itself.
# Usage: bash scripts/setup-system.sh
set -euo pipefail

# package -> a file it installs, to tell present from missing without dpkg-query's slow path.
declare -A probe=(
  [postgresql]=/usr/lib/postgresql/15/bin/postgres
  [postgresql-contrib]=/usr/lib/postgresql/15/lib/pg_stat_statements.so
  [redis-server]=/usr/bin/redis-server
  [openssl]=/usr/bin/openssl
  [util-linux]=/usr/sbin/runuser
)

# One at a time: the end-to-end run (in the background) and the exporter check may both get here
# on a new machine, and a second apt-get would fail on dpkg's lock instead of waiting.
if command -v flock >/dev/null 2>&1; then
  exec 9>/tmp/love-parser-setup-system.lock
  flock 9
fi

missing=()
for pkg in "${!probe[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: postgresql, redis-server, openssl, util-linux present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for pkg in "${missing[@]}"; do
  if [ ! -e "${probe[$pkg]}" ]; then
    echo "setup-system: $pkg installed but ${probe[$pkg]} is missing" >&2
    exit 1
  fi
done
echo "setup-system: installed ${missing[*]}"
