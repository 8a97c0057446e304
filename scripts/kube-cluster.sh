# A throwaway Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver and
# kube-controller-manager from the pinned tools (.tools/, scripts/setup-tools.sh).
# Sourced, not run, by the checks that need a real API server
# (scripts/checks/80-apiserver, scripts/checks/86-plan); nothing here runs on load.
#
#   root=<repository root>; source scripts/kube-cluster.sh
#   find_etcd || exit 2
#   trap stop_all EXIT; trap 'stop_all; exit 130' INT TERM
#   start_cluster kube-1.28 || ...     # sets $kubectl, $tmp, KUBECONFIG
#   ...
#   stop_all
#
# Settings (variables, set before start_cluster):
#   cluster_name         names the temporary directory, the CA and the kubeconfig entries
#   cluster_controllers  kube-controller-manager --controllers (see apiserver-check.sh for why
#                        these three run by default; 86-plan adds the garbage collector)
#   cluster_port_base, cluster_port_span   the range free_port picks from
#   cluster_keep=1       keep the temporary directory (logs, kubeconfig) on stop_all
cluster_name=${cluster_name:-kube-cluster}
cluster_controllers=${cluster_controllers:-namespace,serviceaccount,pvc-protection}
# The default range lies below the ephemeral range (32768+), where outgoing connections take ports.
cluster_port_base=${cluster_port_base:-20000}
cluster_port_span=${cluster_port_span:-12768}

indent() { sed 's/^/    /'; }

# find_etcd: sets etcd_bin, or says what is missing and returns 1 (openssl too).
find_etcd() {
  local b
  etcd_bin=
  for b in etcd server; do [[ -x $root/.tools/etcd/bin/$b ]] && etcd_bin=$root/.tools/etcd/bin/$b && break; done
  [[ -n $etcd_bin ]] || { echo "$cluster_name: no etcd binary in .tools/etcd/bin" >&2; return 1; }
  command -v openssl >/dev/null || { echo "$cluster_name: openssl is needed (Debian package openssl)" >&2; return 1; }
}

tmp='' pids=() kubectl=''
stop_all() {
  local pid i
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  pids=()
  if [[ -n $tmp && -d $tmp ]]; then
    if [[ ${cluster_keep:-} == 1 ]]; then echo "$cluster_name: kept $tmp"; else rm -rf "$tmp"; fi
  fi
  tmp=
}

# free_port VAR: a port nobody listens on in [cluster_port_base, +cluster_port_span),
# not handed out before by this script.
used_ports=" "
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((cluster_port_base + RANDOM % cluster_port_span))
    [[ $used_ports == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  return 1
}

show_log() { # file: last lines of a component log, for a failed start
  echo "    --- last lines of $(basename "$1") ---"
  tail -n 25 "$1" 2>/dev/null | indent
}

start_cluster() { # release -> sets kubectl, KUBECONFIG; returns non-zero on failure
  local rel=$1 bin="$root/.tools/$1/bin" i
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/$cluster_name.XXXXXX")
  mkdir -p "$tmp/pki" "$tmp/etcd" "$tmp/cache"
  local etcd_port etcd_peer api_port token
  if ! free_port etcd_port || ! free_port etcd_peer || ! free_port api_port; then
    echo "    no free port"
    return 1
  fi

  # Throwaway credentials: a CA and serving cert for 127.0.0.1, the service
  # account signing key, and a random admin token (system:masters).
  (
    cd "$tmp/pki" &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=$cluster_name-ca -keyout ca.key -out ca.crt &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj /CN=kube-apiserver -keyout apiserver.key -out apiserver.csr &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >apiserver.ext &&
      openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
        -extfile apiserver.ext -out apiserver.crt &&
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key &&
      openssl pkey -in sa.key -pubout -out sa.pub
  ) >"$tmp/pki/openssl.log" 2>&1 || { echo "    openssl failed:"; indent <"$tmp/pki/openssl.log"; return 1; }
  token=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  printf '%s,%s-admin,%s-admin,"system:masters"\n' "$token" "$cluster_name" "$cluster_name" >"$tmp/tokens.csv"
  chmod 600 "$tmp/tokens.csv"
  export KUBECONFIG="$tmp/kubeconfig" KUBECACHEDIR="$tmp/cache"
  cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: ${cluster_name}
    cluster:
      server: https://127.0.0.1:${api_port}
      certificate-authority: ${tmp}/pki/ca.crt
users:
  - name: admin
    user:
      token: ${token}
contexts:
  - name: ${cluster_name}
    context: {cluster: ${cluster_name}, user: admin}
current-context: ${cluster_name}
EOF
  chmod 600 "$KUBECONFIG"
  kubectl="$bin/kubectl"

  "$etcd_bin" --name "$cluster_name" --data-dir "$tmp/etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_port}" --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer}" --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer}" \
    --initial-cluster "${cluster_name}=http://127.0.0.1:${etcd_peer}" \
    --unsafe-no-fsync --log-level warn >"$tmp/etcd.log" 2>&1 &
  pids+=($!)
  for ((i = 0; i < 100; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$etcd_port") 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "    etcd exited"; show_log "$tmp/etcd.log"; return 1; }
    sleep 0.2
  done
  ((i < 100)) || { echo "    etcd did not listen within 20 s"; show_log "$tmp/etcd.log"; return 1; }

  # PodSecurity is a default admission plugin since 1.25; it is named anyway so
  # that a release where it is not default still enforces. --allow-privileged
  # makes sure a privileged pod is refused by Pod Security, not by validation.
  "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${etcd_port}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$tmp/pki/apiserver.crt" --tls-private-key-file "$tmp/pki/apiserver.key" \
    --token-auth-file "$tmp/tokens.csv" --anonymous-auth=false \
    --authorization-mode RBAC \
    --enable-admission-plugins PodSecurity \
    --allow-privileged=true \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$tmp/pki/sa.pub" --service-account-signing-key-file "$tmp/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 \
    --endpoint-reconciler-type none \
    --profiling=false >"$tmp/kube-apiserver.log" 2>&1 &
  pids+=($!)
  local ready=
  for ((i = 0; i < 120; i++)); do
    if [[ $("$kubectl" get --raw /readyz 2>/dev/null) == ok ]]; then ready=1; break; fi
    kill -0 "${pids[1]}" 2>/dev/null || { echo "    kube-apiserver exited"; show_log "$tmp/kube-apiserver.log"; return 1; }
    sleep 0.5
  done
  [[ -n $ready ]] || { echo "    kube-apiserver not ready within 60 s"; "$kubectl" get --raw '/readyz?verbose' 2>&1 | grep -v '\[+\]' | indent; show_log "$tmp/kube-apiserver.log"; return 1; }

  "$bin/kube-controller-manager" --kubeconfig "$KUBECONFIG" \
    --controllers "$cluster_controllers" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 >"$tmp/kube-controller-manager.log" 2>&1 &
  pids+=($!)
  # The serviceaccount controller creating "default" in namespace default shows it runs.
  for ((i = 0; i < 60; i++)); do
    "$kubectl" -n default get serviceaccount default >/dev/null 2>&1 && break
    kill -0 "${pids[2]}" 2>/dev/null || { echo "    kube-controller-manager exited"; show_log "$tmp/kube-controller-manager.log"; return 1; }
    sleep 0.5
  done
  ((i < 60)) || { echo "    kube-controller-manager did not start its controllers within 30 s"; show_log "$tmp/kube-controller-manager.log"; return 1; }
  return 0
}
