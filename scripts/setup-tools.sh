#!/usr/bin/env bash
# Build the pinned Go tools into .tools/<name>/bin/.
#
# Usage: scripts/setup-tools.sh [name ...]    (no name: every tools/*/go.mod)
#
# Each tools/<name>/ is its own Go module whose `tool` directives name the
# binaries to build, so the dependency versions of two tools never fight.
# An optional tools/<name>/build.env (sourced by bash, in tools/<name>/) may
# set GO_LDFLAGS, GO_TAGS, GO_FLAGS (more `go install` flags, split on spaces)
# and CGO_ENABLED (default 0: static binaries, no C compiler needed). It may
# also prepare files in $TOOL_WORK, an empty scratch directory per build.
#
# A tool is skipped when .tools/<name>/stamp equals the sha256 of its go.mod,
# go.sum, build.env and `go version`. Builds run one after the other: two
# parallel Go builds of this size thrash a 2-core machine.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/.tools"
mkdir -p "$out"

if [ $# -eq 0 ]; then
  names=()
  for mod in "$repo"/tools/*/go.mod; do
    [ -e "$mod" ] || continue
    names+=("$(basename "$(dirname "$mod")")")
  done
  if [ ${#names[@]} -eq 0 ]; then
    echo "setup-tools: no tools/*/go.mod found" >&2
    exit 1
  fi
else
  names=("$@")
fi

go_version="$(go version)"

# Builds run one at a time, also across callers (the test command's background prebuild, a check,
# two checkouts of the repository on one machine: they share the Go build cache and the cores). Each
# build takes a machine-wide lock and releases it when done, so a caller waiting for one tool gets
# it as soon as that tool is built, not when a whole list is. A cached tool never waits.
lock_file="${SETUP_TOOLS_LOCK:-${TMPDIR:-/tmp}/love-parser-setup-tools.lock}"
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$lock_file"
  if ! flock -n 9; then
    echo "setup-tools: $1: waiting for another build to finish" >&2
    flock 9
  fi
}
release_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  flock -u 9
  exec 9>&-
}
is_cached() { # name stamp
  [ -f "$out/$1/stamp" ] && [ "$(cat "$out/$1/stamp")" = "$2" ] &&
    [ -n "$(ls -A "$out/$1/bin" 2>/dev/null)" ]
}

for name in "${names[@]}"; do
  dir="$repo/tools/$name"
  if [ ! -f "$dir/go.mod" ]; then
    echo "setup-tools: $name: no such tool (expected $dir/go.mod)" >&2
    exit 1
  fi

  stamp="$(
    {
      cat "$dir/go.mod"
      [ -f "$dir/go.sum" ] && cat "$dir/go.sum"
      [ -f "$dir/build.env" ] && cat "$dir/build.env"
      echo "$go_version"
    } | sha256sum | cut -d' ' -f1
  )"
  bin="$out/$name/bin"
  if is_cached "$name" "$stamp"; then
    echo "setup-tools: $name: cached"
    continue
  fi
  take_lock "$name"
  # Checked again under the lock: the build we waited for may have been this one.
  if is_cached "$name" "$stamp"; then
    release_lock
    echo "setup-tools: $name: cached"
    continue
  fi

  start=$SECONDS
  rm -rf "$out/$name/bin.new" "$out/$name/work"
  mkdir -p "$out/$name/bin.new" "$out/$name/work"
  # A child bash, so that `set -e` also stops on a failing line of build.env
  # (errexit is ignored inside an `if` condition of this shell).
  echo "setup-tools: $name: building (a cold build of a large tool takes minutes)" >&2
  # A child bash, so that `set -e` also stops on a failing line of build.env
  # (errexit is ignored inside an `if` condition of this shell).
  (cd "$dir" && TOOL_WORK="$out/$name/work" GOBIN="$out/$name/bin.new" bash -euo pipefail -c '
    GO_LDFLAGS="" GO_TAGS="" GO_FLAGS="" CGO_ENABLED=0
    if [ -f build.env ]; then
      # shellcheck disable=SC1091
      source ./build.env
    fi
    export CGO_ENABLED
    # shellcheck disable=SC2086 # GO_FLAGS is a list of flags
    go install -trimpath $GO_FLAGS -tags "$GO_TAGS" -ldflags "$GO_LDFLAGS" tool
  ') &
  build=$!
  # A long build says it is alive once a minute.
  while kill -0 "$build" 2>/dev/null; do
    sleep 5
    kill -0 "$build" 2>/dev/null || break
    elapsed=$((SECONDS - start))
    [ $((elapsed % 60)) -lt 5 ] && [ "$elapsed" -ge 60 ] && echo "setup-tools: $name: still building (${elapsed}s)" >&2
  done
  if ! wait "$build"; then
    release_lock
    rm -rf "$out/$name/bin.new" "$out/$name/work"
    echo "setup-tools: $name: BUILD FAILED (tools/$name, see the errors above)" >&2
    exit 1
  fi
  rm -rf "$bin" "$out/$name/work"
  mv "$out/$name/bin.new" "$bin"
  echo "$stamp" >"$out/$name/stamp"
  release_lock
  echo "setup-tools: $name: built in $((SECONDS - start))s -> .tools/$name/bin/ ($(ls "$bin" | tr '\n' ' ' | sed 's/ $//'))"
done
