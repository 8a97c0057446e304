#!/usr/bin/env bash
# The generated alertmanager.yml against the pinned Alertmanager (v0.34.0, amtool and server built
# from its Go module by scripts/setup-tools.sh):
#   1. `amtool check-config` on the synthesized config of every environment (each file
#      config/<name>.yaml), and of three variants of production no environment file has (the heartbeat
#      off on purpose; email off; OpsGenie on with email to two addresses), with every receiver secret
#      file pointed at a test file;
#   2. `amtool config routes test` for every route, asserting the receivers amtool prints: warning,
#      critical (email + PagerDuty), notify_sms (SMS without stealing the alert), Watchdog, a label
#      set no route matches, and staging where email, SMS and PagerDuty are disabled;
#   3. live: the real server, with the flags of the synthesized StatefulSet and production's config,
#      sends to a local capture server: the SMS webhook gets its URL and bearer token from the
#      secret files, a critical alert inhibits its warning twin, the Watchdog reaches the heartbeat
#      URL and nobody else, and a test alert is resolved with amtool the way docs/alerting.md says.
#      The gossip flags are kept; only the pod IP and the peers' DNS names (which exist only in the
#      cluster) are replaced by one local member (the three-member cluster runs in 70-e2e).
# Exits non-zero and says what failed. Servers listen on 127.0.0.1 only; every wait is bounded.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

bash scripts/setup-tools.sh alertmanager >/dev/null || { echo "40-amtool: building amtool failed" >&2; exit 1; }
bin="$repo/.tools/alertmanager/bin"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
# KEEP_TMP=1 keeps the work directory (configs, captured notifications, server log) for debugging.
[ -n "${KEEP_TMP:-}" ] && trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; echo "kept $tmp"' EXIT

failures=()
fail() { failures+=("$1"); echo "FAIL: $1" >&2; }

# Copies a config dir and points every *_file at a test file with `content_of <key>`.
content_of() {
  case "$1" in
    *url*) echo "http://127.0.0.1:${capture_port:-9}/$1" ;;
    *) echo "test-$1" ;;
  esac
}
with_test_secrets() {
  local src=$1 dst=$2
  mkdir -p "$dst/secrets"
  cp "$src"/* "$dst/"
  local dir
  dir="$(grep -oE '_file: [^ ]+' "$dst/alertmanager.yml" | head -1 | sed -E 's/^_file: (.*)\/[^/]+$/\1/')"
  [ -n "$dir" ] || { fail "$dst: no *_file setting in alertmanager.yml"; return; }
  for f in $(grep -oE '_file: [^ ]+' "$dst/alertmanager.yml" | sed 's/^_file: //' | sort -u); do
    [ "$(dirname "$f")" = "$dir" ] || fail "$dst: secret file $f is outside the secrets mount $dir"
    content_of "$(basename "$f")" >"$dst/secrets/$(basename "$f")"
  done
  sed -i "s#$dir/#$dst/secrets/#g" "$dst/alertmanager.yml"
}

# Every environment: one file config/<name>.yaml each (the rule of environments() in
# charts/load-config.ts).
envs=()
for f in config/*.yaml; do [ -e "$f" ] && envs+=("$(basename "$f" .yaml)"); done
[ ${#envs[@]} -gt 0 ] || fail "no environment file config/*.yaml"

declare -A configs
for env in "${envs[@]}"; do
  npx ts-node --transpile-only scripts/extract-configs.ts --env "$env" --out "$tmp/extract-$env" >/dev/null ||
    { fail "$env: extracting the ConfigMaps failed"; continue; }
  configs[$env]="$tmp/extract-$env/monitoring/alertmanager-config"
done
variant() {
  local name=$1 overrides=$2
  npx ts-node --transpile-only "$here/write-config.ts" --env production --set "$overrides" --out "$tmp/variant-$name" ||
    { fail "$name: writing the variant failed"; return; }
  configs[$name]="$tmp/variant-$name"
}
variant no-heartbeat '{"alertmanager":{"heartbeat":{"enabled":false,"disabledReason":"a variant that checks the null route"}}}'
variant no-email '{"alertmanager":{"email":{"enabled":false},"sms":{"enabled":false}}}'
# OpsGenie's native receiver (EU API) beside the SMS webhook, and email to a list of addresses.
variant opsgenie '{"alertmanager":{"opsgenie":{"enabled":true,"apiUrl":"https://api.eu.opsgenie.com/"},"email":{"to":["oncall@love-parser.example","backend-leads@love-parser.example"]}}}'

# --- 1. check-config ----------------------------------------------------------------------------
for name in "${envs[@]}" no-heartbeat no-email opsgenie; do
  src="${configs[$name]:-}"
  [ -n "$src" ] && [ -f "$src/alertmanager.yml" ] || { fail "$name: no alertmanager.yml"; continue; }
  with_test_secrets "$src" "$tmp/check-$name"
  echo "--- $name: amtool check-config"
  out="$("$bin/amtool" check-config "$tmp/check-$name/alertmanager.yml" 2>&1)" || { echo "$out" >&2; fail "$name: amtool check-config"; continue; }
  echo "$out" | sed 's/^/    /'
done

# --- 2. routes ----------------------------------------------------------------------------------
# Expectations, so they name their environments: production and staging differ in which receivers
# are enabled; the variants are production with one setting changed.
# route <config> <expected receivers, comma-separated in route order> <labels...>
route() {
  local name=$1 expected=$2
  shift 2
  local got
  got="$("$bin/amtool" config routes test --config.file="$tmp/check-$name/alertmanager.yml" "$@" 2>&1 | head -1)"
  if [ "$got" = "$expected" ]; then
    printf '    ok   %-10s %-60s -> %s\n' "$name" "$*" "$got"
  else
    fail "$name: labels '$*' routed to '$got', expected '$expected'"
  fi
}
echo "--- amtool config routes test"
route production slack-notifications alertname=BackendHighLatency severity=warning service=backend
route production email-critical,pagerduty-critical alertname=BackendHighLatency severity=critical service=backend
route production sms-escalation,email-critical,pagerduty-critical alertname=RedisDown severity=critical service=redis notify_sms=true
route production heartbeat alertname=Watchdog severity=warning service=prometheus
route production slack-notifications alertname=SomethingNew service=backend
route staging slack-notifications alertname=BackendHighLatency severity=warning service=backend
route staging slack-notifications alertname=BackendHighLatency severity=critical service=backend
route staging slack-notifications alertname=RedisDown severity=critical service=redis notify_sms=true
route staging null alertname=Watchdog severity=warning service=prometheus
route no-heartbeat null alertname=Watchdog severity=warning service=prometheus
route no-heartbeat sms-escalation,email-critical,pagerduty-critical alertname=RedisDown severity=critical service=redis notify_sms=true
route no-email pagerduty-critical alertname=BackendDown severity=critical service=backend notify_sms=true
route no-email slack-notifications alertname=NodeMemoryPressure severity=warning service=node
route opsgenie sms-escalation,opsgenie-escalation,email-critical,pagerduty-critical alertname=RedisDown severity=critical service=redis notify_sms=true
route opsgenie email-critical,pagerduty-critical alertname=BackendHighLatency severity=critical service=backend
grep -q '^      - to: oncall@love-parser.example, backend-leads@love-parser.example$' "$tmp/check-opsgenie/alertmanager.yml" ||
  fail "opsgenie: the email receiver's 'to' is not the comma-separated list of both addresses"

receivers_of() { grep -E '^  - name: ' "$tmp/check-$1/alertmanager.yml" | sed -E 's/^  - name: "?([^"]*)"?$/\1/' | sort | tr '\n' ' '; }
[ "$(receivers_of staging)" = "null slack-notifications " ] || fail "staging: receivers are '$(receivers_of staging)', expected only null and slack-notifications"
[ "$(receivers_of production)" = "email-critical heartbeat pagerduty-critical slack-notifications sms-escalation " ] ||
  fail "production: receivers are '$(receivers_of production)'"

# --- 3. live ------------------------------------------------------------------------------------
# Production only, on purpose: it is the environment with every receiver enabled (Slack, email,
# PagerDuty, SMS), so one server covers them all.
echo "--- live: the pinned alertmanager with production's config"
live="$tmp/live"
mkdir -p "$live/data"
capture="$live/captured.jsonl"
: >"$capture"
capture_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 - "$capture_port" "$capture" <<'PY' &
import http.server, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"), "body": body}) + "\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
pids+=($!)
with_test_secrets "${configs[production]}" "$live/config"
# Only timing changes: group_wait 30s would make this check wait 30s for the first notification.
sed -i -E 's/^  group_wait: .*/  group_wait: 1s/' "$live/config/alertmanager.yml"

am_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
args_json="$(jq -c '.[] | select(.kind == "StatefulSet" and .name == "alertmanager") | .containers[0].args' "$tmp/extract-production/workloads.json")"
mapfile -t args < <(echo "${args_json:-[]}" | jq -r '.[]' | sed \
  -e "s#^--config.file=.*#--config.file=$live/config/alertmanager.yml#" \
  -e "s#^--storage.path=.*#--storage.path=$live/data#" \
  -e "s#^--web.listen-address=.*#--web.listen-address=127.0.0.1:$am_port#" \
  -e "s#^--web.external-url=.*#--web.external-url=http://127.0.0.1:$am_port#")
[ ${#args[@]} -gt 0 ] || fail "live: no alertmanager StatefulSet args in the synthesized manifests"
# Here-strings, not `printf | grep -q`: under pipefail, grep -q exiting early can SIGPIPE the writer.
grep -qx -- '--cluster.listen-address=0.0.0.0:9094' <<<"$(printf '%s\n' "${args[@]}")" || fail "live: the StatefulSet does not gossip on 9094"
grep -qx -- '--cluster.advertise-address=$(POD_IP):9094' <<<"$(printf '%s\n' "${args[@]}")" || fail "live: the StatefulSet does not advertise its pod IP"
[ "$(printf '%s\n' "${args[@]}" | grep -c -- '^--cluster.peer=')" = 3 ] || fail "live: the StatefulSet does not name its three peers"
# One local member: the pod IP and the in-cluster peer names exist only in a cluster.
gossip_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mapfile -t args < <(printf '%s\n' "${args[@]}" | grep -v -- '^--cluster.peer=' | sed \
  -e "s#^--cluster.listen-address=.*#--cluster.listen-address=127.0.0.1:$gossip_port#" \
  -e "s#^--cluster.advertise-address=.*#--cluster.advertise-address=127.0.0.1:$gossip_port#")

"$bin/alertmanager" "${args[@]}" >"$live/server.log" 2>&1 &
am_pid=$!
pids+=($am_pid)
api="http://127.0.0.1:$am_port"
amtool() { "$bin/amtool" --alertmanager.url="$api" "$@"; }
ready=""
for _ in $(seq 1 40); do
  if curl -fsS "$api/-/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$am_pid" 2>/dev/null || break
  sleep 0.25
done
if [ -z "$ready" ]; then
  fail "live: alertmanager did not become ready in 10s"
  tail -20 "$live/server.log" >&2
else
  common=(cluster=love-parser-production)
  amtool alert add RedisDown severity=critical service=redis notify_sms=true "${common[@]}" --annotation=summary="Redis is unreachable" >/dev/null
  amtool alert add BackendHighLatency severity=critical service=backend "${common[@]}" >/dev/null
  amtool alert add BackendHighLatency severity=warning service=backend "${common[@]}" >/dev/null
  amtool alert add RedisMemoryHigh severity=warning service=redis "${common[@]}" --annotation=summary="Redis memory high" \
    --annotation=remediation="Clean completed and failed jobs" --annotation=runbook_url="https://example.org/RUNBOOK.md#redismemoryhigh" >/dev/null
  amtool alert add Watchdog severity=warning service=prometheus "${common[@]}" >/dev/null

  got_sms="" got_slack=""
  for _ in $(seq 1 60); do
    grep -q '"path": "/sms-webhook-url"' "$capture" && got_sms=1
    grep -q '"path": "/slack-webhook-url"' "$capture" && got_slack=1
    [ -n "$got_sms" ] && [ -n "$got_slack" ] && break
    sleep 0.25
  done
  if [ -n "$got_sms" ]; then
    if jq -s -e 'any(.path == "/sms-webhook-url" and .auth == "Bearer test-sms-webhook-token" and (.body | contains("RedisDown")))' "$capture" >/dev/null; then
      echo "    ok   SMS webhook: URL from url_file, 'Authorization: Bearer' from credentials_file, RedisDown in the body"
    else
      fail "live: the SMS webhook call lacks the bearer token from sms-webhook-token or the RedisDown alert"
    fi
  else
    fail "live: nothing reached the SMS webhook in 15s"
  fi
  if [ -n "$got_slack" ]; then
    if jq -s -e 'any(.path == "/slack-webhook-url" and (.body | contains("RedisMemoryHigh")))' "$capture" >/dev/null; then
      echo "    ok   Slack: URL from api_url_file, the warning RedisMemoryHigh delivered"
    else
      fail "live: the Slack call does not carry the RedisMemoryHigh warning"
    fi
    # The template file as synthesized: the remediation annotation shows as the first step, before the runbook.
    slack_text="$(jq -r 'select(.path == "/slack-webhook-url") | .body | fromjson | .attachments[0].text' "$capture" | head -20)"
    if grep -q 'First step: Clean completed and failed jobs Runbook: https://example.org/RUNBOOK.md#redismemoryhigh' <<<"$(tr '\n' ' ' <<<"$slack_text")"; then
      echo "    ok   Slack text (love.text): summary, description, 'First step: <remediation>', then the runbook link"
    else
      fail "live: the Slack text does not show the remediation before the runbook link: $slack_text"
    fi
  else
    fail "live: nothing reached the Slack webhook in 15s"
  fi
  if grep -q 'BackendHighLatency' <(jq -r 'select(.path == "/slack-webhook-url") | .body' "$capture"); then
    fail "live: the BackendHighLatency warning reached Slack although its critical twin fires"
  fi
  got_heartbeat=""
  for _ in $(seq 1 40); do
    grep -q '"path": "/heartbeat-url"' "$capture" && { got_heartbeat=1; break; }
    sleep 0.25
  done
  if [ -n "$got_heartbeat" ] && jq -s -e 'any(.path == "/heartbeat-url" and (.body | contains("Watchdog")))' "$capture" >/dev/null; then
    echo "    ok   the Watchdog reached the heartbeat URL (url_file heartbeat-url)"
  else
    fail "live: the Watchdog did not reach the heartbeat URL in 10s"
  fi
  grep -q 'Watchdog' <<<"$(jq -r 'select(.path != "/heartbeat-url") | .body' "$capture")" && fail "live: the Watchdog reached a receiver other than the heartbeat"

  inhibited="$(curl -fsS "$api/api/v2/alerts?filter=alertname%3D%22BackendHighLatency%22&filter=severity%3D%22warning%22" | jq -r '.[0].status.state')"
  if [ "$inhibited" = "suppressed" ]; then
    echo "    ok   the BackendHighLatency warning is suppressed by its critical twin"
  else
    fail "live: the BackendHighLatency warning is '$inhibited', expected suppressed"
  fi

  # docs/alerting.md: send a test notification, then resolve it by re-sending it with an end time.
  amtool alert add TestAlert severity=warning service=test "${common[@]}" --annotation=summary="test notification" >/dev/null
  [ "$(amtool alert query alertname=TestAlert -o json | jq length)" = "1" ] || fail "live: the test alert is not active"
  amtool alert add TestAlert severity=warning service=test "${common[@]}" --annotation=summary="test notification" --end="$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
  cleared=""
  for _ in $(seq 1 20); do
    [ "$(amtool alert query alertname=TestAlert -o json | jq length)" = "0" ] && { cleared=1; break; }
    sleep 0.25
  done
  if [ -n "$cleared" ]; then
    echo "    ok   a test alert resolved with 'amtool alert add ... --end=<now>'"
  else
    fail "live: the test alert was not resolved"
  fi
  kill -0 "$am_pid" 2>/dev/null || fail "live: the server exited"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "40-amtool: ${#failures[@]} failure(s): ${failures[*]}" >&2
  exit 1
fi
echo "40-amtool: OK"
