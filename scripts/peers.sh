#!/usr/bin/env bash
# npm run peers: builds the Kubernetes commands the e2e suite (test/e2e) runs as peers —
# kube-apiserver, kube-controller-manager, kube-scheduler and kubeadm — from the k8s.io/kubernetes
# Go module of the release pinned in peers/k8s/go.mod (the one place the version is written).
#
#   scripts/peers.sh              build into $KPKI_PEERS_DIR (default ~/.cache/kpki-peers/<version>),
#                                 or do nothing when every binary is already there
#   scripts/peers.sh --print-dir  print that directory and exit
#   scripts/peers.sh --pin 1.37.2 rewrite peers/k8s/go.mod for another release (then run go mod tidy)
#
# Nothing built is committed: binaries live outside the checkout. etcd is Debian's etcd-server.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mod="$root/peers/k8s"
commands=(kube-apiserver kube-controller-manager kube-scheduler kubeadm)

pin() {
  local v="${1#v}" minor staging
  minor="${v#1.}"; minor="${minor%%.*}"
  staging="v0.${v#1.}"
  local modfile
  modfile="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "// Kubernetes commands kpki's e2e suite runs as peers (npm run peers)."
    echo "// The release is pinned here and only here: scripts/peers.sh --pin VERSION rewrites this file."
    echo "module kpki.test/peers/k8s"
    echo
    echo "go $(sed -n 's/^go //p' "$modfile")"
    echo
    echo "tool ("
    for c in "${commands[@]}"; do echo "	k8s.io/kubernetes/cmd/$c"; done
    echo ")"
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    echo "// k8s.io/kubernetes points its staging modules at ./staging; outside its tree each must be"
    echo "// pinned to the matching published v0.X.Y."
    echo "replace ("
    for m in $(grep '=> ./staging' "$modfile" | awk '{print $1}'); do echo "	$m => $m $staging"; done
    echo ")"
  } > "$mod/go.mod"
  rm -f "$mod/go.sum"
  (cd "$mod" && GOFLAGS=-mod=mod go mod tidy)
  echo "pinned k8s.io/kubernetes v$v (minor $minor) in peers/k8s/go.mod"
}

if [ "${1:-}" = "--pin" ]; then pin "$2"; exit 0; fi

version="$(sed -n 's/^\(require \|\t\)k8s.io\/kubernetes \(v[0-9.]*\).*$/\2/p' "$mod/go.mod" | head -1)"
[ -n "$version" ] || { echo "peers: no 'k8s.io/kubernetes vX.Y.Z' requirement in $mod/go.mod" >&2; exit 1; }
dir="${KPKI_PEERS_DIR:-$HOME/.cache/kpki-peers/$version}"
if [ "${1:-}" = "--print-dir" ]; then echo "$dir"; exit 0; fi

# build MODULE_DIR SUFFIX COMMAND...: builds the commands of one module into $dir as COMMAND$SUFFIX,
# skipping those already there.
build() {
  local moddir="$1" suffix="$2"; shift 2
  local v major minor ld missing=() pkgs=() c tmp start
  v="$(sed -n 's/^\(require \|\t\)k8s.io\/kubernetes \(v[0-9.]*\).*$/\2/p' "$moddir/go.mod" | head -1)"
  for c in "$@"; do [ -x "$dir/$c$suffix" ] || missing+=("$c"); done
  if [ ${#missing[@]} -eq 0 ]; then echo "peers: $* of Kubernetes $v already built in $dir"; return 0; fi
  command -v go >/dev/null || { echo "peers: go is not installed (needs $(sed -n 's/^go //p' "$mod/go.mod") or newer)" >&2; return 1; }
  major="${v#v}"; minor="${major#*.}"; major="${major%%.*}"; minor="${minor%%.*}"
  # What hack/lib/version.sh stamps in: kubeadm compares its own version with kubernetesVersion,
  # and the API server reports it; without it both say v0.0.0-master.
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  tmp="$(mktemp -d "$dir/.build-XXXXXX")"
  start=$(date +%s)
  echo "peers: building ${missing[*]} of Kubernetes $v with $(go version | awk '{print $3}') into $dir"
  # One go build for all: the packages share one compile of their common dependencies.
  for c in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  if ! (cd "$moddir" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go build -trimpath -ldflags="$ld" -o "$tmp/" "${pkgs[@]}"); then
    rm -rf "$tmp"; return 1
  fi
  for c in "${missing[@]}"; do mv "$tmp/$c" "$dir/$c$suffix"; done
  rm -rf "$tmp"
  echo "peers: built ${missing[*]} of Kubernetes $v in $(( $(date +%s) - start )) s"
}

mkdir -p "$dir"
build "$mod" "" "${commands[@]}"
"$dir/kubeadm" version -o short
# kubeadm of a release before 1.29, for the identities older trees carry.
old="$root/peers/kubeadm-1.28"
oldv="$(sed -n 's/^\(require \|\t\)k8s.io\/kubernetes \(v[0-9.]*\).*$/\2/p' "$old/go.mod" | head -1)"
build "$old" "-$oldv" kubeadm
"$dir/kubeadm-$oldv" version -o short
