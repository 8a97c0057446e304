#!/usr/bin/env bash
# Every exporter metric the stack reads is one the real exporter serves: the exporters built from
# their Go modules (scripts/setup-tools.sh) run with the exact flags of the synthesized manifests
# against a real PostgreSQL 15 (pg_stat_statements loaded, a pg_monitor role) and a real Redis 7.0
# (Debian packages, scripts/setup-system.sh), and node_exporter against this machine; each scrape is
# compared with its metrics contract (charts/<exporter>/metrics.ts) by compare-scrape.ts, beside this
# script.
#
# Version note: the binaries checked here are the releases the images run (versions.ts;
# test/versions.test.ts holds image tags and tools/*/go.mod together): postgres_exporter v0.19.1,
# redis_exporter v1.88.0, node_exporter v1.12.1. The first two are one release behind upstream because
# the module proxy does not serve v0.20.1 nor v1.89.0; docs/metrics.md lists what the 0.20 bump changes.
#
# Servers listen on 127.0.0.1 only, in a temp dir; every wait is bounded; all are stopped on exit.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

bash scripts/setup-tools.sh node_exporter postgres_exporter redis_exporter >/dev/null ||
  { echo "25-exporter-metrics: building the exporters failed" >&2; exit 1; }
if [ ! -x /usr/lib/postgresql/15/bin/postgres ] || [ ! -x /usr/bin/redis-server ] || [ ! -e /usr/lib/postgresql/15/lib/pg_stat_statements.so ]; then
  if [ -f scripts/setup-system.sh ]; then bash scripts/setup-system.sh >/dev/null; fi
fi
for f in /usr/lib/postgresql/15/bin/postgres /usr/lib/postgresql/15/lib/pg_stat_statements.so /usr/bin/redis-server; do
  [ -e "$f" ] || { echo "25-exporter-metrics: $f missing (apt-get install postgresql postgresql-contrib redis-server)" >&2; exit 1; }
done

tools="$repo/.tools"
pgbin=/usr/lib/postgresql/15/bin
tmp="$(mktemp -d)"
chmod 755 "$tmp"
pids=()
pg_started=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -n "$pg_started" ] && as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # url, seconds
  for _ in $(seq 1 $(($2 * 4))); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}

failures=()
fail() { failures+=("$1"); echo "FAIL: $1" >&2; }

# Production only, on purpose: an exporter's flags come from its chart, not from the environment
# file (only the listen port, which args_of replaces), so one environment covers them all.
npx ts-node --transpile-only scripts/extract-configs.ts --env production --out "$tmp/cfg" >/dev/null || { echo "extract-configs failed" >&2; exit 1; }
# The args a workload's first container gets, one per line, with the listen address moved to loopback.
args_of() { # workload name, port
  jq -r --arg n "$1" '.[] | select(.name == $n) | .containers[0].args[]' "$tmp/cfg/workloads.json" |
    sed -e "s#^--web.listen-address=.*#--web.listen-address=127.0.0.1:$2#"
}

# --- PostgreSQL 15 + postgres_exporter -----------------------------------------------------------
pg_port="$(free_port)"
mkdir -p "$tmp/pg" && chown postgres "$tmp/pg" 2>/dev/null
if as_pg "$pgbin/initdb" -D "$tmp/pg" -A trust -U postgres >"$tmp/initdb.log" 2>&1; then
  cat >>"$tmp/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$tmp/pg'
shared_preload_libraries = 'pg_stat_statements'
EOF
  if as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -w -t 30 -l "$tmp/pg/server.log" start >/dev/null; then
    pg_started=1
    # What docs/metrics.md tells the DBA to do, then some traffic for pg_stat_statements.
    as_pg "$pgbin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' >/dev/null || fail "postgres: setup SQL"
CREATE EXTENSION pg_stat_statements;
CREATE ROLE monitor LOGIN PASSWORD 'monitor-test-only' IN ROLE pg_monitor;
CREATE TABLE parsing_jobs (id serial PRIMARY KEY, payload text);
INSERT INTO parsing_jobs (payload) SELECT md5(g::text) FROM generate_series(1, 1000) g;
SELECT count(*) FROM parsing_jobs WHERE payload LIKE 'a%';
SQL
    ex_port="$(free_port)"
    mapfile -t pargs < <(args_of postgres-exporter "$ex_port")
    DATA_SOURCE_NAME="postgresql://monitor:monitor-test-only@127.0.0.1:$pg_port/postgres?sslmode=disable" \
      "$tools/postgres_exporter/bin/postgres_exporter" "${pargs[@]}" >"$tmp/pgx.log" 2>&1 &
    pids+=($!)
    if wait_http "http://127.0.0.1:$ex_port/" 15; then
      curl -fsS "http://127.0.0.1:$ex_port/metrics" >"$tmp/postgres.prom"
      echo "postgres_exporter $("$tools/postgres_exporter/bin/postgres_exporter" --version 2>&1 | head -1 | awk '{print $3}') with: ${pargs[*]}"
      npx ts-node --transpile-only "$here/compare-scrape.ts" postgres "$tmp/postgres.prom" || fail "postgres: contract vs real exporter"
    else
      fail "postgres_exporter did not serve within 15s"; tail -5 "$tmp/pgx.log" >&2
    fi
  else
    fail "postgres did not start"; tail -5 "$tmp/pg/server.log" >&2
  fi
else
  fail "initdb failed"; tail -5 "$tmp/initdb.log" >&2
fi

# --- Redis 7.0 + redis_exporter ------------------------------------------------------------------
rd_port="$(free_port)"
mkdir -p "$tmp/redis"
redis-server --bind 127.0.0.1 --port "$rd_port" --requirepass redis-test-only --save '' --appendonly no \
  --dir "$tmp/redis" --maxmemory 64mb --maxmemory-policy noeviction >"$tmp/redis.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 1 40); do
  [ "$(redis-cli -p "$rd_port" -a redis-test-only --no-auth-warning ping 2>/dev/null)" = PONG ] && { ready=1; break; }
  sleep 0.25
done
if [ -n "$ready" ]; then
  for i in $(seq 1 50); do echo "SET bull:parsing:$i x"; echo "GET bull:parsing:$i"; echo "GET missing:$i"; done |
    redis-cli -p "$rd_port" -a redis-test-only --no-auth-warning >/dev/null
  redis-cli -p "$rd_port" -a redis-test-only --no-auth-warning SET session:1 x EX 600 >/dev/null
  ex_port="$(free_port)"
  mapfile -t rargs < <(args_of redis-exporter "$ex_port")
  REDIS_ADDR="redis://127.0.0.1:$rd_port" REDIS_PASSWORD=redis-test-only \
    "$tools/redis_exporter/bin/redis_exporter" "${rargs[@]}" >"$tmp/rdx.log" 2>&1 &
  pids+=($!)
  if wait_http "http://127.0.0.1:$ex_port/health" 15; then
    curl -fsS "http://127.0.0.1:$ex_port/metrics" >"$tmp/redis.prom"
    echo "redis_exporter with: ${rargs[*]}"
    npx ts-node --transpile-only "$here/compare-scrape.ts" redis "$tmp/redis.prom" || fail "redis: contract vs real exporter"
  else
    fail "redis_exporter did not serve within 15s"; tail -5 "$tmp/rdx.log" >&2
  fi
else
  fail "redis-server did not start"; tail -5 "$tmp/redis.log" >&2
fi

# --- node_exporter on this machine ---------------------------------------------------------------
ex_port="$(free_port)"
# This machine's root is the host root: the chart's /host becomes /.
mapfile -t nargs < <(args_of node-exporter "$ex_port" | sed -e 's#^--path.rootfs=.*#--path.rootfs=/#')
"$tools/node_exporter/bin/node_exporter" "${nargs[@]}" >"$tmp/nx.log" 2>&1 &
pids+=($!)
if wait_http "http://127.0.0.1:$ex_port/" 15; then
  curl -fsS "http://127.0.0.1:$ex_port/metrics" >"$tmp/node.prom"
  echo "node_exporter with: ${nargs[*]}"
  npx ts-node --transpile-only "$here/compare-scrape.ts" node "$tmp/node.prom" || fail "node: contract vs real exporter"
else
  fail "node_exporter did not serve within 15s"; tail -5 "$tmp/nx.log" >&2
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "25-exporter-metrics: ${#failures[@]} failure(s): ${failures[*]}" >&2
  exit 1
fi
echo "25-exporter-metrics: OK"
