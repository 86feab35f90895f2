#!/usr/bin/env bash
# The whole flow on real local clusters, with the commands that exist today: a host and two
# members come up, kubefedctl renders the example application for every member and explains
# the split, and kubectl shows the clusters. The federation stays up for exploring afterwards;
# `make local-down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

make --no-print-directory build
go run ./test/localfed down >/dev/null
go run ./test/localfed up -members 2
KUBECONFIG="$(go run ./test/localfed kubeconfig)"
export KUBECONFIG

step bin/kubefedctl version
step bin/kubefedctl render -f testdata/examples --cluster member1
step bin/kubefedctl render -f testdata/examples --explain
for ctx in host member1 member2; do
  step kubectl --context "$ctx" get namespaces
done
step kubectl config get-contexts

printf '\nThe local federation is still up: export KUBECONFIG=%s\nStop it with: make local-down\n' "$KUBECONFIG"
