# S106 Monitor development tasks. `make` (or `make help`) lists them.
#
# Needs GNU make >= 4.3, bash, Go and (installed on demand on Debian/Ubuntu
# by the deps targets) the PostgreSQL server, Chromium and Node.js/npm.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules --no-print-directory

ifeq ($(filter grouped-target,$(.FEATURES)),)
$(error this Makefile needs GNU make 4.3 or later)
endif

# Go is not always on PATH in CI shells. Evaluate once, and put its directory
# on PATH for anything the Go tools run.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
GO := $(GO)
ifneq ($(filter /%,$(GO)),)
export PATH := $(patsubst %/,%,$(dir $(GO))):$(PATH)
endif

BIN           := .data/bin/s106
TEST_TIMEOUT  ?= 15m
CHROMIUM_PATH ?= /usr/bin/chromium
S106_AXE_PATH ?= $(CURDIR)/static/node_modules/axe-core/axe.min.js

# npm writes node_modules/.package-lock.json on every install: it is the
# "node_modules is up to date" stamp.
NPM_STAMP  := static/node_modules/.package-lock.json
STATIC_OUT := static/dist/app.css static/dist/statement.css static/dist/app.mjs static/dist/govuk-frontend.min.js \
              static/dist/govuk/assets/images/favicon.ico static/dist/govuk/assets/images/favicon.svg
STATIC_IN  := static/build.mjs $(shell find static/src -type f 2>/dev/null) $(NPM_STAMP)

.PHONY: help deps deps-db deps-browser deps-node deps-npm static generate check-generated \
        schema vet build db run test bench screenshots abuse stop-db clean clean-db

help: ## Show this list (the default)
	@echo "S106 Monitor make targets:"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "DATABASE_URL, if set, is used instead of the private dev cluster"
	@echo "(.data/postgres on port 54329; override with S106_DEVDB_DIR / S106_DEVDB_PORT)."

# ---------------------------------------------------------------------------
# Dependencies

# $(call install_missing,KINDS): install with apt-get whichever of the
# system packages for KINDS (db, browser, node) are missing, as root or with
# sudo. Never runs apt-get when nothing is missing.
define install_missing
	pkgs=""; \
	$(if $(filter db,$(1)),if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then pkgs="$$pkgs postgresql"; fi;) \
	$(if $(filter browser,$(1)),if [ ! -x "$(CHROMIUM_PATH)" ]; then pkgs="$$pkgs chromium"; fi;) \
	$(if $(filter node,$(1)),if ! command -v node >/dev/null || ! command -v npm >/dev/null; then pkgs="$$pkgs nodejs npm"; fi;) \
	if [ -n "$$pkgs" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "error: missing system packages:$$pkgs; this is not a Debian/Ubuntu system, install them yourself" >&2; exit 1; \
	  fi; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null; then sudo="sudo"; \
	  else echo "error: missing system packages:$$pkgs; run as root: apt-get update && apt-get install -y$$pkgs" >&2; exit 1; \
	  fi; \
	  echo "Installing$$pkgs with apt-get" >&2; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=600 update; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y $$pkgs; \
	fi
endef

deps: ## Install everything `make test` needs: PostgreSQL, Chromium, Node.js, npm packages
	@$(call install_missing,db browser node)
	@$(MAKE) deps-npm

deps-db: ## Install the PostgreSQL server (apt-get install postgresql) if missing
	@$(call install_missing,db)

deps-browser: ## Install Chromium (apt-get install chromium) if missing
	@$(call install_missing,browser)

deps-node: ## Install Node.js and npm (apt-get install nodejs npm) if missing
	@$(call install_missing,node)

deps-npm: $(NPM_STAMP) ## Install static/node_modules (npm ci) if missing or stale

$(NPM_STAMP): static/package.json $(wildcard static/package-lock.json) | deps-node
	@cd static && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
	@touch $@

# ---------------------------------------------------------------------------
# Build

static: $(STATIC_OUT) ## Build the CSS/JS in static/dist (skipped when up to date)

$(STATIC_OUT) &: $(STATIC_IN)
	@cd static && node build.mjs --force

# templ logs a line per watched event at its default level: only its
# warnings and errors are worth a developer's eye.
TEMPL_GENERATE := $(GO) tool templ generate -log-level warn

generate: ## Regenerate *_templ.go from *.templ
	@$(TEMPL_GENERATE)

# Lists the sha256 of every *_templ.go outside .git, .data and node_modules.
LIST_TEMPL_GO := find . \( -name .git -o -name .data -o -name node_modules \) -prune -o -type f -name '*_templ.go' -print0 | sort -z | xargs -0 -r sha256sum

check-generated: ## Fail if any *_templ.go is stale or missing (and regenerate it)
	@before="$$($(LIST_TEMPL_GO))"; \
	$(TEMPL_GENERATE); \
	after="$$($(LIST_TEMPL_GO))"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "error: these templ-generated files were stale or missing; they have now been regenerated, review and commit them:" >&2; \
	  { diff <(echo "$$before") <(echo "$$after") || true; } | sed -n 's/^[<>] [0-9a-f]\{64\}  \.\//  /p' | sort -u >&2; \
	  exit 1; \
	fi

schema: deps-db ## Rewrite schema.sql from a freshly migrated scratch database (after changing a migration or internal/store/schema)
	@$(call with_db,$(GO) run ./cmd/s106) \
	$(GO) run ./cmd/s106 schema

vet: ## go vet ./...
	$(GO) vet ./...

build: static generate ## Build the server binary into .data/bin/s106
	@mkdir -p $(dir $(BIN))
	@$(GO) build -o $(BIN) ./cmd/s106

# ---------------------------------------------------------------------------
# Database

# $(call with_db,S106): exports DATABASE_URL, starting (or reusing) the
# private dev cluster with the given s106 command unless it is already set.
define with_db
	if [ -z "$${DATABASE_URL:-}" ]; then DATABASE_URL="$$($(1) devdb start)"; fi; \
	export DATABASE_URL;
endef

db: deps-db ## Start (or reuse) the dev PostgreSQL cluster and print its URL, unless DATABASE_URL is set
	@if [ -n "$${DATABASE_URL:-}" ]; then \
	  echo "DATABASE_URL is set: using that database, not starting the dev cluster" >&2; \
	else \
	  $(GO) run ./cmd/s106 devdb start; \
	fi

stop-db: ## Stop the dev PostgreSQL cluster
	$(GO) run ./cmd/s106 devdb stop

# ---------------------------------------------------------------------------
# Run and test

run: deps-db build ## Build, start the dev database, migrate, seed demo data and serve (on :8080 by default)
	@$(call with_db,$(BIN)) \
	eval "$$($(BIN) roles setup --database s106_app)"; \
	DATABASE_URL="$$S106_OWNER_DATABASE_URL" $(BIN) migrate up; \
	DATABASE_URL="$$S106_OWNER_DATABASE_URL" $(BIN) seed --scale demo; \
	echo "Serving as the database role that owns nothing (DATABASE_URL=$$DATABASE_URL)" >&2; \
	exec env -u S106_OWNER_DATABASE_URL $(BIN) serve

test: deps static check-generated vet ## Install deps, build assets, check generated code, vet and run all tests against the dev database
	@$(call with_db,$(GO) run ./cmd/s106) \
	export CHROMIUM_PATH="$(CHROMIUM_PATH)" S106_AXE_PATH="$(S106_AXE_PATH)"; \
	echo "Testing with DATABASE_URL=$$DATABASE_URL CHROMIUM_PATH=$$CHROMIUM_PATH" >&2; \
	$(GO) test -count=1 -p 2 -timeout $(TEST_TIMEOUT) ./...

screenshots: deps static ## Regenerate docs/screenshots/: dashboard, an obligation, deadlines, IFS and /public at 320 and 1280 px
	@$(call with_db,$(GO) run ./cmd/s106) \
	export CHROMIUM_PATH="$(CHROMIUM_PATH)" S106_AXE_PATH="$(S106_AXE_PATH)" S106_SCREENSHOT_DIR="$(CURDIR)/docs/screenshots"; \
	$(GO) test -count=1 -run '^TestScreenshots$$' ./web/ && ls docs/screenshots

# BENCH_SCALES: the dataset sizes measured, one run each (1 is the large
# council, 2,000 agreements); e.g. BENCH_SCALES="1 5 20". BENCH_SCALE=N
# (one size) still works. Each run's JSON is .data/bench-scale-N.json; the
# combined table (a column group per scale) is printed at the end and kept
# in $(BENCH_OUT). The load generator (vegeta) is a Go library: nothing to
# install beyond Go.
BENCH_SCALES ?= $(or $(BENCH_SCALE),1 5)
BENCH_OUT    ?= .data/bench-results.md
BENCH_BIN    := .data/bin/s106-bench

bench: deps-db static ## Go benchmarks, then load each BENCH_SCALES council (once) and time the pages in-process and over HTTP; one table in .data/bench-results.md
	@$(call with_db,$(GO) run ./cmd/s106) \
	$(GO) test -run '^$$' -bench . -benchmem -timeout $(TEST_TIMEOUT) ./... | grep -Ev '^(ok|PASS|\?) ' ; \
	mkdir -p $(dir $(BENCH_OUT)) $(dir $(BENCH_BIN)) && \
	$(GO) build -o $(BENCH_BIN) ./cmd/s106-bench && \
	for s in $(BENCH_SCALES); do \
	  echo "== scale $$s"; \
	  $(BENCH_BIN) -scale $$s -out .data/bench-scale-$$s.json || exit 1; \
	done && \
	echo && $(BENCH_BIN) -combine $(foreach s,$(BENCH_SCALES),.data/bench-scale-$(s).json) | tee $(BENCH_OUT)

ABUSE_ADDR ?= 127.0.0.1:18106

abuse: deps-db build ## Replay issue 17's attacks against a fresh server on 127.0.0.1 and print what held (bounded: ~1 minute)
	@$(call with_db,$(BIN)) \
	eval "$$($(BIN) roles setup --database s106_abuse)"; \
	DATABASE_URL="$$S106_OWNER_DATABASE_URL" $(BIN) migrate up; \
	DATABASE_URL="$$S106_OWNER_DATABASE_URL" $(BIN) seed --scale demo >/dev/null; \
	S106_ADDR=$(ABUSE_ADDR) S106_SCHEDULER=off S106_CACHE_WARM=off S106_LOG_LEVEL=error S106_LOGIN_RATE_PER_CLIENT=30 \
	  env -u S106_OWNER_DATABASE_URL $(BIN) serve & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null' EXIT; \
	$(GO) run ./cmd/s106-abuse -url http://$(ABUSE_ADDR) -timeout 3m

# ---------------------------------------------------------------------------
# Cleaning

clean: ## Remove build output (.data/bin, static/dist); keeps the dev database
	rm -rf .data/bin
	find static/dist -mindepth 1 ! -name .gitkeep -delete

clean-db: ## Stop and delete the dev database in .data/postgres
	@if [ -n "$${S106_DEVDB_DIR:-}" ]; then \
	  echo "error: S106_DEVDB_DIR is set ($$S106_DEVDB_DIR); stop it with make stop-db and delete it yourself" >&2; exit 1; \
	fi
	$(GO) run ./cmd/s106 devdb stop
	rm -rf .data/postgres
