#!/usr/bin/env bash
# The whole flow on real local clusters: a host and two members come up; kubefedctl initialises
# the host, joins both members, enables the example's types, federates the example application
# (a namespace, a Deployment split by a ReplicaSchedulingPreference with per-cluster overrides,
# a ConfigMap), shows the plan, propagates it, and kubectl shows what each member holds. The
# federation stays up for exploring afterwards; `make local-down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

make --no-print-directory build
go run ./test/localfed down >/dev/null
go run ./test/localfed up -members 2
KUBECONFIG="$(go run ./test/localfed kubeconfig)"
export KUBECONFIG
PATH="$PWD/bin:$PATH"

step kubefedctl version
step kubefedctl init
step kubefedctl join member1 --cluster-context member1 --labels region=us-east
step kubefedctl join member2 --cluster-context member2 --labels region=eu-west
step kubefedctl clusters
for type in namespaces deployments.apps configmaps; do
  step kubefedctl enable "$type"
done
step kubectl create namespace demo
step kubectl apply -f testdata/examples/namespace.yaml -f testdata/examples/web.yaml -f testdata/examples/config.yaml
step kubefedctl propagate --dry-run=server --diff --detailed-exitcode || [ $? -eq 2 ]
step kubefedctl propagate
step kubefedctl propagate --detailed-exitcode
for ctx in member1 member2; do
  step kubectl --context "$ctx" -n demo get deployments,configmaps -L kubefed.io/managed
  step kubectl --context "$ctx" -n demo get deployment web -o jsonpath='{.spec.replicas} replicas, image {.spec.template.spec.containers[0].image}{"\n"}'
done
step kubectl -n demo get federateddeployment web -o jsonpath='{.status}{"\n"}'

printf '\nThe local federation is still up: export KUBECONFIG=%s\nkubectl kubefed works too (bin/ holds kubectl-kubefed). Stop it with: make local-down\n' "$KUBECONFIG"
