# GLC developer tasks. `make help` lists them.
#
# Everything a CI run does lives in .ci/test.sh (called by `make test`), so a
# developer and the CI machine run exactly the same steps.

SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
NPM     ?= npm
BIN_DIR ?= bin
WEB_DIR := web

# `make run` listens on loopback unless GLC_ADDR is already set.
GLC_ADDR ?= 127.0.0.1:8080
export GLC_ADDR

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: assets
assets: ## Install and build web/ front-end assets (no-op without web/package.json).
	@if [ ! -f $(WEB_DIR)/package.json ]; then exit 0; fi; \
	if [ ! -d $(WEB_DIR)/node_modules ] || \
	   { [ -f $(WEB_DIR)/package-lock.json ] && [ $(WEB_DIR)/package-lock.json -nt $(WEB_DIR)/node_modules ]; }; then \
		if [ -f $(WEB_DIR)/package-lock.json ]; then \
			echo "assets: npm ci --prefix $(WEB_DIR)"; \
			$(NPM) ci --prefix $(WEB_DIR) --no-audit --no-fund; \
		else \
			echo "assets: no package-lock.json, npm install --prefix $(WEB_DIR)"; \
			$(NPM) install --prefix $(WEB_DIR) --no-audit --no-fund; \
		fi; \
		mkdir -p $(WEB_DIR)/node_modules && touch $(WEB_DIR)/node_modules; \
	fi; \
	if node -e 'process.exit(((require("./$(WEB_DIR)/package.json").scripts) || {}).build ? 0 : 1)'; then \
		echo "assets: npm run build --prefix $(WEB_DIR)"; \
		$(NPM) run build --prefix $(WEB_DIR); \
	fi

.PHONY: run
run: assets ## Run the server (go run ./cmd/glc serve) on $GLC_ADDR.
	$(GO) run ./cmd/glc serve

.PHONY: build
build: assets ## Build a static binary into bin/glc.
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN_DIR)/glc ./cmd/glc

.PHONY: test
test: assets ## Run the whole test run (lint, SQLite, PostgreSQL+S3, browser) via .ci/test.sh.
	bash .ci/test.sh

.PHONY: lint
lint: ## gofmt check (lists unformatted files) and go vet.
	bash .ci/gofmt-check.sh
	$(GO) vet ./...

.PHONY: bench
bench: ## Run all benchmarks (no unit tests).
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: clean
clean: ## Remove build and test output.
	rm -rf $(BIN_DIR) test-output coverage.out coverage.html
	$(GO) clean -testcache

.PHONY: lrs-conformance
lrs-conformance: ## Run the ADL LRS conformance suite (LRS_SUITE=/path/to/lrs-conformance-test-suite) against a fresh server.
	@if [ -z "$${LRS_SUITE:-}" ]; then echo "set LRS_SUITE to a checkout of adlnet/lrs-conformance-test-suite (npm install done there)"; exit 2; fi
	bash .ci/lrs-conformance.sh
