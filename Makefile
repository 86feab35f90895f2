# kubefedctl: build, test, benchmark, lint. `make help` lists the targets.

GO        ?= go
BIN       ?= bin
PKG       := github.com/kubefedctl/kubefedctl
# Empty: the vX.Y.Z tag on HEAD, else v0.0.0-<commit time>-<sha> (hack/dist/version.go).
VERSION   ?=

.PHONY: help build test unit e2e bench lint demo local-up local-down control-plane docs dist release

MEMBERS ?= 2

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## Build bin/kubefedctl, and the same binary as the kubectl plugin and its completion hook
	ldflags=$$($(GO) run ./hack/dist -version '$(VERSION)' -print ldflags) && \
	$(GO) build -trimpath -ldflags "$$ldflags" -o $(BIN)/kubefedctl ./cmd/kubefedctl
	cp $(BIN)/kubefedctl $(BIN)/kubectl-kubefed
	cp $(BIN)/kubefedctl $(BIN)/kubectl_complete-kubefed

test: lint control-plane ## Every test, end-to-end included (builds the control planes on first use)
	$(GO) test -timeout 60m ./...

unit: ## Unit tests only, no clusters
	$(GO) test $$($(GO) list ./... | grep -v -e /test/e2e -e /test/framework)

e2e: control-plane ## End-to-end tests on local control planes
	$(GO) test -timeout 60m -v ./test/e2e/...

control-plane: ## Build (or reuse from the cache) etcd, kube-apiserver and kube-controller-manager
	cd hack/controlplane && $(GO) run .

demo: ## Bring up a host and two members and run the whole flow
	hack/demo.sh

local-up: control-plane ## Start a local federation in the background (MEMBERS=2)
	$(GO) run ./test/localfed up -members $(MEMBERS)

local-down: ## Stop the local federation
	$(GO) run ./test/localfed down

bench: control-plane ## Benchmarks: render of 10,000 objects; propagate of 1,000 on local control planes, beside the floor
	$(GO) test -run '^$$' -bench Render -benchtime 3x ./test/bench/...
	$(GO) test -run '^$$' -bench Propagate -benchtime 1x -timeout 30m ./test/bench/...

dist: ## Under dist/ only: archives for linux, darwin and windows on amd64 and arm64, sums, the krew manifest
	$(GO) run ./hack/dist -version '$(VERSION)' -out dist

release: ## dist, then the tracked plugins/kubefed.yaml; only for a tagged commit (or VERSION=vX.Y.Z)
	$(GO) run ./hack/dist -version '$(VERSION)' -out dist -manifest plugins/kubefed.yaml

docs: ## Regenerate the command reference under docs/reference
	$(GO) test ./pkg/cmd/ -run TestReferenceDocsAreCurrent -update

lint: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
