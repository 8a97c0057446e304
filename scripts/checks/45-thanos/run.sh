#!/usr/bin/env bash
# Thanos as synthesized, for real, on 127.0.0.1, against a real S3-compatible server (Thanos
# v0.42.4, Prometheus v3.14.0 and versitygw v1.8.0, built from their Go modules by
# scripts/setup-tools.sh):
#   0. versitygw (its posix backend in a temp dir, root credentials from environment variables as
#      the pods get theirs from the Secret) listens on 127.0.0.1, and the bucket of staging's
#      objstore file is created with a signed S3 CreateBucket request;
#   1. the object-store files: staging's S3 file as committed in dist-staging/, with only its
#      endpoint rewritten to the loopback server and `insecure: true` (that server speaks plain
#      HTTP: no certificate exists here), is what every Thanos component below runs with, its
#      credentials from the same `$(VARIABLE)` expansion of the same variables the synthesized
#      containers set from the Secret. `thanos tools bucket ls` with it is answered by the server:
#      "no such bucket" before the bucket exists, success after; with `insecure: false` as
#      synthesized it speaks HTTPS, which the plain-HTTP server refuses; a wrong secret is refused
#      by the server's signature check, a missing credential variable and a misspelt field by
#      Thanos (the check can fail). The GCS and Azure options are parsed and get as far as a
#      request to the configured bucket, which fails only because no such store is reachable here;
#   2. two Prometheus replicas with the synthesized flags (2h min and max block duration) and
#      external labels (`replica` from POD_NAME), each with a sidecar run with the synthesized flags,
#      upload to the S3 bucket. The blocks (four days, 2h each) are written into each replica's TSDB
#      by `promtool tsdb create-blocks-from openmetrics`, the same data for both but for an hour
#      missing from prometheus-0's (its replica down then), because Prometheus cuts its first
#      block only after 3h of samples: what is real is the sidecar's shipper finding and uploading
#      level-1 blocks with the replica's external labels, which is what it does with the blocks
#      Prometheus cuts. A control Prometheus without the max block duration shows why the flags are
#      there: its sidecar never becomes ready and uploads nothing;
#   3. the store gateway, two Thanos Query (one over everything as synthesized, one over the
#      store gateway alone) and the compactor, each with the synthesized flags: Query returns one
#      series per metric deduplicated on `replica` and two without deduplication, both for the
#      uploaded blocks (through the store gateway alone too: the bucket serves them) and for live
#      `up{job="prometheus"}` (through the sidecars); over prometheus-0's missing hour the
#      deduplicated answer has every sample, from prometheus-1 (no gap); the compactor, with the
#      synthesized flags and a consistency delay of 0s (a test clock: the blocks are minutes old),
#      compacts the 2h blocks, downsamples the 2d blocks it made to 5m and does not halt;
#      `thanos tools bucket inspect` and `verify`
#      see the uploaded blocks with their external labels, and the blocks are in the server's
#      storage directory;
#   4. every metric of charts/thanos/metrics.ts is served by the running components.
# Not proven here: AWS S3 itself and TLS to it (versitygw is another implementation of the same
# API, over plain HTTP), GCS and Azure themselves, DNS SRV discovery (the endpoint file's SRV names
# are replaced by the loopback addresses they would resolve to), Query reading the 5m blocks (it
# does over 30 days in `npm run bench:thanos`), retention deleting anything.
# Exits non-zero and says what failed. Servers listen on 127.0.0.1 only, are killed on exit, and
# every wait is bounded.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

bash scripts/setup-tools.sh prometheus thanos versitygw >/dev/null || { echo "45-thanos: building Prometheus, Thanos or versitygw failed" >&2; exit 1; }
thanos="$repo/.tools/thanos/bin/thanos"
versitygw="$repo/.tools/versitygw/bin/versitygw"
prometheus="$repo/.tools/prometheus/bin/prometheus"
promtool="$repo/.tools/prometheus/bin/promtool"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

failures=()
fail() { failures+=("$1"); echo "FAIL: $1" >&2; }
ok() { echo "ok   $1"; }

# 17 free ports in a row from 28400-28999 (prepare.ts uses the first 13, the control below 3, the
# S3 server the last). Below Linux's ephemeral range (32768-60999 by default): the end-to-end run
# beside this check takes ports the kernel hands out for port 0, and outgoing connections take
# theirs there too; a port chosen free in that range was once taken between the check and the bind.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=""
for b in $(seq 28400 20 28980); do
  free=1
  for i in $(seq 0 16); do port_free $((b + i)) || { free=0; break; }; done
  [ $free = 1 ] && { base=$b; break; }
done
[ -n "$base" ] || { echo "45-thanos: no 17 free ports in 28400-28999" >&2; exit 1; }
s3_port=$((base + 16))

npx ts-node --transpile-only "$here/prepare.ts" --out "$tmp" --base-port "$base" --s3-endpoint "127.0.0.1:$s3_port" >/dev/null ||
  { echo "45-thanos: preparing the synthesized configuration failed" >&2; exit 1; }
port() { jq -r "$1" "$tmp/ports.json"; }
cmd() { jq -r "$1 | .[]" "$tmp/commands.json"; }

start() { # name, command...
  local name=$1; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=($!)
}
wait_until() { # seconds, description, command...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then fail "$what (waited $1 s)"; return 1; fi
    sleep 1
  done
}

# ---- 0. the S3 server and the bucket ------------------------------------------------------------
echo "--- 0. versitygw (S3 API, posix backend) on 127.0.0.1:$s3_port, and the bucket"
s3="$tmp/objstore-s3-local.yml"
field() { sed -nE "s/^ +$1: \"?([^\"]*)\"?\$/\1/p" "$s3"; }
bucket="$(field bucket)"
region="$(field region)"
[ -n "$bucket" ] && [ -n "$region" ] || { echo "45-thanos: no bucket or region in $s3" >&2; exit 1; }
# What the operator puts into the Secret (thanos-objstore: access-key, secret-key), here random.
# The server's root user gets the same values, from its environment as the pods get theirs.
declare -A secret_value
access_var="$(field access_key | sed -E 's/^\$\((.*)\)$/\1/')"
secret_var="$(field secret_key | sed -E 's/^\$\((.*)\)$/\1/')"
access_key="$(jq -r --arg v "$access_var" '.sidecar.env[$v] // empty' "$tmp/objstore-env.json")"
secret_key="$(jq -r --arg v "$secret_var" '.sidecar.env[$v] // empty' "$tmp/objstore-env.json")"
[ -n "$access_key" ] && [ -n "$secret_key" ] ||
  { echo "45-thanos: the sidecar does not set $access_var and $secret_var, which the objstore file names, from its Secret" >&2; exit 1; }
secret_value[$access_key]="check-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
secret_value[$secret_key]="$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
# The variables a component's synthesized container sets from the Secret, with the values above.
secret_env() { # component -> VARIABLE=value lines
  local var key
  while IFS=$'\t' read -r var key; do echo "$var=${secret_value[$key]:-}"; done < <(jq -r --arg c "$1" '.[$c].env | to_entries[] | "\(.key)\t\(.value)"' "$tmp/objstore-env.json")
}
mapfile -t sidecar_env < <(secret_env sidecar)
mapfile -t store_env < <(secret_env store)
mapfile -t compactor_env < <(secret_env compactor)

mkdir -p "$tmp/s3-root"
start versitygw env ROOT_ACCESS_KEY="${secret_value[$access_key]}" ROOT_SECRET_KEY="${secret_value[$secret_key]}" \
  "$versitygw" --port "127.0.0.1:$s3_port" --region "$region" --health /health --quiet posix "$tmp/s3-root"
s3_up() { curl -fsS -o /dev/null "http://127.0.0.1:$s3_port/health" 2>/dev/null; }
wait_until 30 "versitygw answering on 127.0.0.1:$s3_port" s3_up || { tail -20 "$tmp/versitygw.log" >&2; exit 1; }
bucket_ls() { # objstore file, env... -> thanos tools bucket ls output
  local file=$1; shift
  env "$@" timeout 30 "$thanos" tools bucket ls --objstore.config-file="$file" 2>&1
}
out="$(bucket_ls "$s3" "${sidecar_env[@]}")"
grep -q 'The specified bucket does not exist' <<<"$out" && ok "before the bucket exists, the server answers the loopback S3 file with: no such bucket ($bucket)" ||
  fail "bucket ls before the bucket exists: expected the server's 'The specified bucket does not exist': $(tail -c 300 <<<"$out")"
# CreateBucket, signed (SigV4) with the root credentials; S3 requires the payload hash header.
code="$(curl -sS -o "$tmp/create-bucket.xml" -w '%{http_code}' --max-time 10 -X PUT \
  --aws-sigv4 "aws:amz:$region:s3" --user "${secret_value[$access_key]}:${secret_value[$secret_key]}" \
  -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" "http://127.0.0.1:$s3_port/$bucket")"
[ "$code" = 200 ] && ok "bucket $bucket created (S3 CreateBucket, region $region)" ||
  { echo "45-thanos: CreateBucket $bucket: HTTP $code $(cat "$tmp/create-bucket.xml")" >&2; exit 1; }

# ---- 1. the synthesized object-store files, used by the real binary -----------------------------
echo "--- 1. the synthesized object-store files with thanos tools bucket ls (s3 against the server; gcs, azure)"
out="$(bucket_ls "$s3" "${sidecar_env[@]}")"
if [ $? -eq 0 ] && grep -q 'ls done' <<<"$out" && ! grep -q 'level=error' <<<"$out"; then
  ok "staging's S3 file (endpoint 127.0.0.1:$s3_port, insecure: true; credentials from $access_var and $secret_var) lists bucket $bucket on the server"
else
  fail "bucket ls with staging's S3 file against the server: $(tail -c 400 <<<"$out")"
fi
# As synthesized (insecure: false), Thanos speaks TLS to the endpoint: the plain-HTTP server here
# cannot answer it, which is why the loopback file says insecure: true.
sed -E "s/^( +endpoint: ).*/\1\"127.0.0.1:$s3_port\"/" "$tmp/objstore-s3.yml" >"$tmp/objstore-s3-tls.yml"
out="$(bucket_ls "$tmp/objstore-s3-tls.yml" "${sidecar_env[@]}")"
grep -q 'server gave HTTP response to HTTPS client' <<<"$out" && ok "staging's file with only the endpoint rewritten (insecure: false) speaks HTTPS: refused by the plain-HTTP server" ||
  fail "staging's file with insecure: false did not try HTTPS: $(tail -c 300 <<<"$out")"
out="$(bucket_ls "$s3" "$access_var=${secret_value[$access_key]}" "$secret_var=not-the-secret")"
grep -q 'signature we calculated does not match' <<<"$out" && ok "a wrong secret is refused by the server (SignatureDoesNotMatch): the credentials are checked" ||
  fail "a wrong secret was not refused by the server: $(tail -c 300 <<<"$out")"
out="$(bucket_ls "$s3" "$secret_var=${secret_value[$secret_key]}")"
grep -qF "unset environment variable \\\"$access_var\\\"" <<<"$out" && ok "without the Secret's variable $access_var the S3 file is refused (credentials come from the environment only)" ||
  fail "the S3 file was not refused without $access_var: $(tail -c 300 <<<"$out")"
sed 's/endpoint:/endpiont:/' "$s3" >"$tmp/objstore-typo.yml"
out="$(bucket_ls "$tmp/objstore-typo.yml" "${sidecar_env[@]}")"
grep -q 'field endpiont not found' <<<"$out" && ok "a misspelt field is refused (the parse can fail)" || fail "a misspelt field was not refused"
printf '%s' '{"type":"service_account","project_id":"check","private_key_id":"x","private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n","client_email":"check@check.iam.gserviceaccount.com","client_id":"1","token_uri":"http://127.0.0.1:9/token"}' >"$tmp/gcs-key.json"
creds=("OBJSTORE_ACCOUNT_KEY=$(printf check-key | base64)" "GOOGLE_APPLICATION_CREDENTIALS=$tmp/gcs-key.json")
yaml_refused='yaml: unmarshal errors|not found in type|cannot unmarshal|unset environment variable|unsupported type'
for type in gcs azure; do
  out="$(env "${creds[@]}" timeout 60 "$thanos" tools bucket ls --objstore.config-file="$tmp/objstore-$type.yml" 2>&1)"
  if grep -qE "$yaml_refused" <<<"$out"; then
    fail "objstore-$type.yml: the binary refused the synthesized file: $(grep -oE "$yaml_refused[^\\]*" <<<"$out" | head -1)"
  elif grep -q "$bucket" <<<"$(grep level=error <<<"$out")"; then
    ok "objstore-$type.yml parsed; the request went to bucket $bucket and failed only where no real store or credential exists here ($(grep -oE 'no such host|connection refused|i/o timeout|private key should be[^;]*' <<<"$out" | head -1))"
  else
    fail "objstore-$type.yml: no request to bucket $bucket: $(tail -c 400 <<<"$out")"
  fi
done

# ---- 2. two Prometheus replicas with sidecars upload to the S3 bucket ----------------------------
echo "--- 2. two Prometheus replicas with their sidecars, uploading to the S3 bucket"
now=$(date +%s)
# Four days of one series every minute, ending 3h ago (before the replicas start: no overlap with
# their heads): any 96h holds a whole aligned 48h range, which the compactor makes a 2d block of and
# then downsamples (it downsamples raw blocks longer than 40h). prometheus-0's copy has a hole of one
# hour, 9h to 8h before now: its replica was down then, and deduplication must fill it from the other.
from=$(( (now - 99 * 3600) / 60 * 60 ))
hole_from=$((from + 90 * 3600))
hole_to=$((hole_from + 3600))
for i in 0 1; do
  {
    echo '# HELP love_parser_thanos_check A series written into both replicas before they start.'
    echo '# TYPE love_parser_thanos_check gauge'
    for t in $(seq "$from" 60 $((from + 96 * 3600 - 60))); do
      [ "$i" = 0 ] && [ "$t" -ge "$hole_from" ] && [ "$t" -lt "$hole_to" ] && continue
      echo "love_parser_thanos_check{job=\"prometheus\",instance=\"backfill\"} 1 $t"
    done
    echo '# EOF'
  } >"$tmp/backfill-$i.om"
done
mid=$((from + 3600))
for i in 0 1; do
  mkdir -p "$tmp/prom-$i"
  "$promtool" tsdb create-blocks-from openmetrics "$tmp/backfill-$i.om" "$tmp/prom-$i" >"$tmp/promtool-$i.log" 2>&1 ||
    { cat "$tmp/promtool-$i.log" >&2; echo "45-thanos: promtool create-blocks-from failed" >&2; exit 1; }
done
blocks=$(find "$tmp/prom-0" -maxdepth 2 -name meta.json | wc -l)
[ "$blocks" -ge 1 ] || { echo "45-thanos: promtool wrote no block" >&2; exit 1; }

ready() { curl -fsS -o /dev/null "http://127.0.0.1:$1/-/ready" 2>/dev/null; }
metric() { # port name -> the sum of the series of that name
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF; f = 1 } END { if (f) print s; else print "absent" }'
}
at_least() { local v; v="$(metric "$1" "$2")"; [ "$v" != absent ] && awk -v v="$v" -v m="$3" 'BEGIN { exit !(v >= m) }'; }

for i in 0 1; do
  mapfile -t args < <(jq -r ".prometheus[$i] | .[]" "$tmp/commands.json")
  start "prometheus-$i" env POD_NAME="prometheus-$i" "$prometheus" "${args[@]}"
done
for i in 0 1; do
  p=$(port ".prom[$i]")
  wait_until 60 "prometheus-$i ready on $p" ready "$p" || { tail -20 "$tmp/prometheus-$i.log" >&2; exit 1; }
done
ok "both replicas ready with the synthesized $(jq -r '.prometheus[0] | map(select(test("block-duration"))) | join(" ")' "$tmp/commands.json") and external labels $(jq -c . "$tmp/external-labels.json")"
for i in 0 1; do
  mapfile -t args < <(jq -r ".sidecar[$i] | .[]" "$tmp/commands.json")
  start "sidecar-$i" env "${sidecar_env[@]}" "$thanos" "${args[@]}"
done
for i in 0 1; do
  p=$(port ".sidecarHttp[$i]")
  if wait_until 120 "sidecar-$i uploaded the $blocks block(s) of its replica" at_least "$p" thanos_shipper_uploads_total "$blocks"; then
    ok "sidecar-$i (the synthesized flags) uploaded $(metric "$p" thanos_shipper_uploads_total) block(s)"
  else
    tail -20 "$tmp/sidecar-$i.log" >&2
  fi
done

# Why the block-duration flags: a Prometheus without equal min and max block durations (here the
# synthesized flags minus the max) and a sidecar with an object store. The sidecar retries its check
# of Prometheus's flags for ever: it logs why, never becomes ready and uploads nothing.
mapfile -t args < <(jq -r '.prometheus[0] | map(select(startswith("--storage.tsdb.max-block-duration") | not)) | .[]' "$tmp/commands.json")
args=("${args[@]/#--storage.tsdb.path=*/--storage.tsdb.path=$tmp/prom-control}")
args=("${args[@]/#--web.listen-address=*/--web.listen-address=127.0.0.1:$((base + 13))}")
start prometheus-control env POD_NAME=prometheus-control "$prometheus" "${args[@]}"
refused() { grep -q 'Compaction needs to be disabled' "$tmp/sidecar-control.log"; }
if wait_until 60 "the control Prometheus ready" ready $((base + 13)); then
  start sidecar-control env "${sidecar_env[@]}" "$thanos" sidecar --tsdb.path="$tmp/prom-control" --prometheus.url="http://127.0.0.1:$((base + 13))" \
    --grpc-address="127.0.0.1:$((base + 15))" --http-address="127.0.0.1:$((base + 14))" --objstore.config-file="$s3"
  if wait_until 60 "control: the sidecar refuses a Prometheus that compacts its own blocks" refused; then
    sleep 5
    uploads="$(metric $((base + 14)) thanos_shipper_uploads_total)"
    if ! ready $((base + 14)) && { [ "$uploads" = absent ] || [ "$uploads" = 0 ]; }; then
      ok "control: without max-block-duration=2h the sidecar is never ready and uploads nothing ($(grep -oE 'found that TSDB Max time is [^.]*' "$tmp/sidecar-control.log" | head -1))"
    else
      fail "control: the sidecar is ready or uploaded ($uploads) against a Prometheus that compacts its own blocks"
    fi
  fi
fi

# ---- 3. the store gateway, Query and the compactor -----------------------------------------------
echo "--- 3. store gateway, Query (everything / store gateway alone) and compactor"
# The store gateway reads the bucket at start, so it starts after the uploads.
start store env "${store_env[@]}" "$thanos" $(cmd .store)
start query "$thanos" $(cmd .query)
start query-store-only "$thanos" $(cmd .queryStoreOnly)
# A test clock: the compactor leaves blocks younger than --consistency-delay (30m by default, as
# synthesized) alone, and promtool made these a minute ago. In a cluster the sidecar uploads each
# 2h block as Prometheus cuts it, and the compactor takes it up 30 minutes later.
mapfile -t compactor_args < <(jq -r '.compactor | map(select(startswith("--consistency-delay") | not)) | .[]' "$tmp/commands.json")
start compactor env "${compactor_env[@]}" "$thanos" "${compactor_args[@]}" --consistency-delay=0s
for c in store:.storeHttp query:.queryHttp query-store-only:.storeOnlyHttp compactor:.compactorHttp; do
  wait_until 90 "${c%%:*} ready" ready "$(port "${c#*:}")" || tail -20 "$tmp/${c%%:*}.log" >&2
done

series() { # port query dedup time? -> number of series
  curl -fsS --get "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" --data-urlencode "dedup=$3" ${4:+--data-urlencode "time=$4"} 2>/dev/null | jq '.data.result | length' 2>/dev/null
}
count_is() { [ "$(series "$1" "$2" "$3" "${5:-}")" = "$4" ]; }
q=$(port .queryHttp)
qs=$(port .storeOnlyHttp)
metric_q='love_parser_thanos_check{job="prometheus"}'
for target in "$q:Query over the sidecars and the store gateway" "$qs:Query over the store gateway alone (the bucket)"; do
  p=${target%%:*}
  if wait_until 90 "${target#*:}: $metric_q deduplicated to one series" count_is "$p" "$metric_q" true 1 "$mid"; then
    n=$(series "$p" "$metric_q" false "$mid")
    [ "$n" = 2 ] && ok "${target#*:}: $metric_q is 1 series deduplicated on replica, $n without" || fail "${target#*:}: $n series without deduplication, expected 2 (one per replica)"
  fi
done
# The hole in prometheus-0's copy: alone it has nothing there; deduplicated, the other replica's
# samples fill it, one a minute (a 50m window inside the hour, so no edge sample counts).
at=$((hole_from + 55 * 60))
value() { # port query dedup time -> the first result's value
  curl -fsS --get "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" --data-urlencode "dedup=$3" --data-urlencode "time=$4" 2>/dev/null | jq -r '.data.result[0].value[1] // "none"' 2>/dev/null
}
for target in "$q:Query over the sidecars and the store gateway" "$qs:Query over the store gateway alone (the bucket)"; do
  p=${target%%:*}
  alone="$(value "$p" 'count_over_time(love_parser_thanos_check{replica="prometheus-0"}[50m])' false "$at")"
  filled="$(value "$p" 'count_over_time(love_parser_thanos_check{job="prometheus"}[50m])' true "$at")"
  if [ "$alone" = none ] && [ "$filled" = 50 ]; then ok "${target#*:}: prometheus-0's hour down has no samples of its own; deduplicated, the hour has all 50 of the window from prometheus-1 (no gap)"
  else fail "${target#*:}: over prometheus-0's hole, its own samples: $alone (expected none), deduplicated: $filled (expected 50)"; fi
done
live='up{job="prometheus"}'
if wait_until 90 "live $live from both replicas" count_is "$q" "$live" false 4; then
  n=$(series "$q" "$live" true)
  [ "$n" = 2 ] && ok "live $live through the sidecars: 2 series (one per target) deduplicated, 4 without" || fail "live $live: $n series deduplicated, expected 2"
fi
if wait_until 120 "the compactor completed a run" at_least "$(port .compactorHttp)" thanos_compact_iterations_total 1; then
  halted="$(metric "$(port .compactorHttp)" thanos_compact_halted)"
  [ "$halted" = 0 ] && ok "the compactor (synthesized retention flags: $(jq -r '.compactor | map(select(startswith("--retention"))) | join(" ")' "$tmp/commands.json")) completed a run, not halted" ||
    fail "the compactor halted ($halted): $(grep -i halt "$tmp/compactor.log" | tail -2)"
  cp_port="$(port .compactorHttp)"
  compactions="$(metric "$cp_port" thanos_compact_group_compactions_total)"
  downsamples="$(metric "$cp_port" thanos_compact_downsample_total)"
  [ "$compactions" != absent ] && [ "${compactions%.*}" -ge 2 ] && ok "the compactor compacted the uploaded 2h blocks ($compactions compactions, each replica's blocks apart)" ||
    fail "the compactor compacted nothing (thanos_compact_group_compactions_total $compactions): $(grep -iE 'compact|skip' "$tmp/compactor.log" | tail -3)"
  [ "$downsamples" != absent ] && [ "${downsamples%.*}" -ge 2 ] && ok "the compactor downsampled the 2d blocks it made to 5m ($downsamples downsamplings)" ||
    fail "the compactor downsampled nothing (thanos_compact_downsample_total $downsamples): $(grep -i downsampl "$tmp/compactor.log" | tail -3)"
else
  tail -20 "$tmp/compactor.log" >&2
fi

echo "--- 3b. thanos tools bucket inspect / verify"
inspect="$(env "${compactor_env[@]}" timeout 60 "$thanos" tools bucket inspect --objstore.config-file="$s3" 2>&1)" || fail "bucket inspect failed: $(tail -3 <<<"$inspect")"
expected_labels="$(jq -r 'to_entries | map(select(.key != "replica")) | map("\(.key)=\(.value)") | .[]' "$tmp/external-labels.json")"
for i in 0 1; do
  n=$(grep -c "replica=prometheus-$i" <<<"$inspect")
  missing=""
  for l in $expected_labels; do grep -q -- "$l" <<<"$(grep "replica=prometheus-$i" <<<"$inspect")" || missing="$missing $l"; done
  if [ "$n" -ge "$blocks" ] && [ -z "$missing" ]; then ok "bucket inspect: $n block(s) of prometheus-$i, labelled $(tr '\n' ' ' <<<"$expected_labels")replica=prometheus-$i"
  else fail "bucket inspect: $n block(s) of prometheus-$i (expected $blocks), labels missing:$missing"; fi
done
verify="$(env "${compactor_env[@]}" timeout 60 "$thanos" tools bucket verify --objstore.config-file="$s3" 2>&1)"
if [ $? -eq 0 ] && grep -q 'verify task completed' <<<"$verify" && ! grep -q 'level=error\|level=warn' <<<"$verify"; then ok "bucket verify: no issue found"
else fail "bucket verify: $(grep -E 'level=(error|warn)' <<<"$verify" | head -3)"; fi
# What the server stored: one directory per block under the bucket's, each with its meta.json.
stored=$(find "$tmp/s3-root/$bucket" -mindepth 2 -maxdepth 2 -name meta.json 2>/dev/null | wc -l)
[ "$stored" -ge $((2 * blocks)) ] && ok "the server's posix storage holds $stored block(s) under $bucket/ (a directory with its meta.json each)" ||
  fail "the server's posix storage holds $stored block(s) under $bucket/, expected at least $((2 * blocks))"

# ---- 4. every metric the alerts read is served --------------------------------------------------
echo "--- 4. the metrics of charts/thanos/metrics.ts on the running components"
served="$tmp/served.txt"
for p in $(port '.sidecarHttp[0]') $(port '.sidecarHttp[1]') $(port .storeHttp) $q $qs $(port .compactorHttp); do
  curl -fsS "http://127.0.0.1:$p/metrics" | grep -v '^#' | sed -E 's/[{ ].*//' >>"$served"
done
for m in $(jq -r '.[]' "$tmp/metrics.json"); do
  grep -qx "$m" "$served" || fail "metric $m is served by no running Thanos component"
done
ok "$(jq length "$tmp/metrics.json") metrics checked against the live /metrics of sidecars, store gateway, Query and compactor"

if [ ${#failures[@]} -gt 0 ]; then
  echo "45-thanos: ${#failures[@]} failure(s)" >&2
  exit 1
fi
echo "45-thanos: OK"
