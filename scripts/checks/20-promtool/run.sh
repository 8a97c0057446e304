#!/usr/bin/env bash
# The generated Prometheus configuration against the pinned Prometheus (v3.14.0, built from its Go
# module by scripts/setup-tools.sh), for every environment (each file config/<name>.yaml):
#   1. `promtool check config` on prometheus.yml, with the rule files beside it as they are mounted
#      and the files Kubernetes mounts into the pod (the ServiceAccount's token and ca.crt, which the
#      kubelet scrape jobs read) given as throwaway stand-ins at a local path (promtool checks that
#      they exist);
#   2. `promtool check rules --lint-fatal` on every rule file (duplicate rules fail too);
#   3. live: the real server, started with the flags of the synthesized StatefulSet, picks up a rule
#      change in a ConfigMap-style directory (the kubelet's atomic ..data symlink swap) by itself,
#      with no restart and no reload call: the reload design of docs/prometheus.md, shown working.
# Exits non-zero and says what failed. Servers listen on 127.0.0.1 only; every wait is bounded.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$repo"

bash scripts/setup-tools.sh prometheus >/dev/null || { echo "20-promtool: building promtool failed" >&2; exit 1; }
bin="$repo/.tools/prometheus/bin"
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

failures=()
fail() { failures+=("$1"); echo "FAIL: $1" >&2; }

# Every environment: one file config/<name>.yaml each (the rule of environments() in
# charts/load-config.ts).
envs=()
for f in config/*.yaml; do [ -e "$f" ] && envs+=("$(basename "$f" .yaml)"); done
[ ${#envs[@]} -gt 0 ] || fail "no environment file config/*.yaml"

for env in "${envs[@]}"; do
  out="$tmp/$env"
  if ! npx ts-node --transpile-only scripts/extract-configs.ts --env "$env" --out "$out" >/dev/null; then
    fail "$env: extracting the ConfigMaps failed"
    continue
  fi
  cfg="$out/monitoring/prometheus-config"
  if [ ! -f "$cfg/prometheus.yml" ]; then
    fail "$env: no prometheus.yml in the prometheus-config ConfigMap"
    continue
  fi
  echo "--- $env: promtool check config"
  # The only rewrite: the ServiceAccount mount path, to stand-ins (a token, a self-signed CA).
  sa="$out/serviceaccount"
  mkdir -p "$sa"
  echo "not-a-real-token" >"$sa/token"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=promtool-check-ca \
    -keyout "$sa/ca.key" -out "$sa/ca.crt" >/dev/null 2>&1 || fail "$env: openssl could not make a stand-in CA"
  sed "s#/var/run/secrets/kubernetes.io/serviceaccount#$sa#g" "$cfg/prometheus.yml" >"$cfg/prometheus.local.yml"
  (cd "$cfg" && "$bin/promtool" check config prometheus.local.yml) || fail "$env: promtool check config"
  rm -f "$cfg/prometheus.local.yml"
  shopt -s nullglob
  rules=("$cfg"/*.rules.yml)
  shopt -u nullglob
  if [ ${#rules[@]} -gt 0 ]; then
    echo "--- $env: promtool check rules --lint-fatal (${#rules[@]} files)"
    "$bin/promtool" check rules --lint-fatal "${rules[@]}" || fail "$env: promtool check rules --lint-fatal"
  fi
done

# --- live reload ------------------------------------------------------------------------------
# Production only, on purpose: the reload design (flags, ConfigMap mount) is the same in every
# environment, one server start shows it, and the retention asserted below is production's.
echo "--- live: the pinned prometheus reloads a changed rule file without a restart"
live="$tmp/live"
mkdir -p "$live/config/..v1" "$live/data"
prod="$tmp/production/monitoring/prometheus-config"
# The generated prometheus.yml without its discovery (there is no cluster here): global, storage
# (retention) and rule_files stay exactly as generated.
node -e '
  const YAML = require("yaml"); const fs = require("fs");
  const c = YAML.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete c.scrape_configs; delete c.alerting;
  fs.writeFileSync(process.argv[2], YAML.stringify(c));
' "$prod/prometheus.yml" "$live/config/..v1/prometheus.yml" || fail "live: preparing the config"
cp "$prod"/*.rules.yml "$live/config/..v1/" 2>/dev/null
ln -s ..v1 "$live/config/..data"
for f in "$live/config/..v1"/*; do ln -s "..data/$(basename "$f")" "$live/config/$(basename "$f")"; done

args_json="$(npx ts-node --transpile-only -e '
  import { synthesizeManifests, workloadContainers } from "./scripts/extract-configs";
  const w = workloadContainers(synthesizeManifests("production")).find((x) => x.kind === "StatefulSet" && x.name === "prometheus");
  console.log(JSON.stringify(w ? w.containers[0].args : []));
')"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mapfile -t args < <(echo "$args_json" | jq -r '.[]' | sed \
  -e "s#^--config.file=.*#--config.file=$live/config/prometheus.yml#" \
  -e "s#^--storage.tsdb.path=.*#--storage.tsdb.path=$live/data#" \
  -e "s#^--web.listen-address=.*#--web.listen-address=127.0.0.1:$port#" \
  -e "s#^--config.auto-reload-interval=.*#--config.auto-reload-interval=1s#")
# A here-string, not `printf | grep -q`: under pipefail, grep -q exiting at its match can kill the
# writer with SIGPIPE and fail the pipeline although the flag is there (CI saw exactly that).
grep -qx -- '--config.auto-reload' <<<"$(printf '%s\n' "${args[@]}")" || fail "live: the StatefulSet does not pass --config.auto-reload"

"$bin/prometheus" "${args[@]}" >"$live/server.log" 2>&1 &
server_pid=$!
api="http://127.0.0.1:$port"
ready=""
for _ in $(seq 1 60); do
  if curl -fsS "$api/-/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  fail "live: prometheus did not become ready in 30s"
  tail -20 "$live/server.log" >&2
else
  before="$(curl -fsS "$api/api/v1/rules" | jq '[.data.groups[].rules[]] | length')"
  retention="$(curl -fsS "$api/api/v1/status/runtimeinfo" | jq -r '.data.storageRetention')"
  echo "loaded $before rules; storage retention: $retention"
  # What the generated file asks for (the size follows the claim: charts/prometheus/sizing.ts), in
  # the server's own words: its `12GB` is base 2 and reads back as `12GiB`.
  want_time="$(sed -n 's/^ *time: *\([0-9a-z]*\)$/\1/p' "$prod/prometheus.yml" | head -1)"
  want_size="$(sed -n 's/^ *size: *\([0-9]*\)GB$/\1GiB/p' "$prod/prometheus.yml" | head -1)"
  if [ -z "$want_time" ] || [ -z "$want_size" ]; then
    fail "live: no retention time and whole-GB size in the generated prometheus.yml"
  else
    case "$retention" in *"$want_time"*"$want_size"*|*"$want_size"*"$want_time"*) ;; *) fail "live: retention is '$retention', expected $want_time and $want_size" ;; esac
  fi

  # What the kubelet does when the ConfigMap changes: a new timestamped dir, ..data swapped atomically.
  cp -r "$live/config/..v1" "$live/config/..v2"
  printf 'groups:\n  - name: reload-probe\n    rules:\n      - record: reload_probe:up\n        expr: vector(1)\n' >"$live/config/..v2/reload-probe.rules.yml"
  ln -s ..v2 "$live/config/..data_tmp" && mv -T "$live/config/..data_tmp" "$live/config/..data"
  ln -s ..data/reload-probe.rules.yml "$live/config/reload-probe.rules.yml"
  seen=""
  for _ in $(seq 1 40); do
    if curl -fsS "$api/api/v1/rules" | jq -e '[.data.groups[].name] | index("reload-probe")' >/dev/null; then seen=1; break; fi
    sleep 0.5
  done
  if [ -n "$seen" ]; then
    echo "the new rule group was loaded without a restart (pid $server_pid still serving)"
    kill -0 "$server_pid" || fail "live: the server restarted"
    metrics="$(curl -fsS "$api/metrics")"
    grep -q '^prometheus_config_last_reload_successful 1' <<<"$metrics" || fail "live: last reload not successful"
  else
    fail "live: the changed rule files were not reloaded within 20s"
    tail -20 "$live/server.log" >&2
  fi
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "20-promtool: ${#failures[@]} failure(s): ${failures[*]}" >&2
  exit 1
fi
echo "20-promtool: OK"
