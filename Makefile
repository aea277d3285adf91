# Signet. `make dev` runs everything; `make test` runs every test.
# Both install what they need: the pinned Temporal CLI goes into ./bin via
# `go install`; PostgreSQL is found or started by the code (see README).

TEMPORAL_CLI := github.com/temporalio/cli/cmd/temporal@v1.5.1
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
BIN := $(CURDIR)/bin
# Packages whose tests need PostgreSQL and Temporal (the rest run in seconds).
INTEGRATION_PKGS := ./api/... ./console/... ./internal/reports/... ./internal/store/... ./worker/... ./testkit/faults/...
# No tracked file may be larger than this (binaries are built, never committed).
MAX_FILE_BYTES := 5242880

.PHONY: dev test test-unit test-replay test-integration test-browser browser lint bench faults build migrate clean openapi

bin/temporal:
	@echo "Building the Temporal CLI v1.5.1 into ./bin (first time only; about four minutes on two cores)..."
	GOBIN=$(BIN) go install $(TEMPORAL_CLI)

bin/workflowcheck:
	GOBIN=$(BIN) go install $(WORKFLOWCHECK)

build:
	go build -o bin/signet ./cmd/signet

# Build first and exec the binary, so Ctrl-C reaches signet directly and it
# stops everything it started.
dev: bin/temporal build
	exec bin/signet dev

# The browser tests (console/browser_test.go) drive Debian's headless
# Chromium, with CJK fonts so the screenshots read: found on PATH (or
# SIGNET_CHROMIUM), installed with apt when run as root, otherwise this
# stops and says what to install. They are never skipped.
browser:
	@if [ -n "$$SIGNET_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
	  if command -v fc-list >/dev/null 2>&1 && [ -z "$$(fc-list :lang=zh 2>/dev/null)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing fonts-noto-cjk for the browser tests' screenshots..."; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk; \
	  fi; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing chromium and fonts-noto-cjk for the browser tests (first time only)..."; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	else \
	  echo "The browser tests need headless Chromium and CJK fonts. Install them:"; \
	  echo "  sudo apt-get install -y chromium fonts-noto-cjk"; \
	  echo "(or set SIGNET_CHROMIUM to a Chrome or Chromium binary)"; \
	  exit 1; \
	fi

# Every test: unit, workflow, replay, integration, browser and the short fault run.
test: bin/temporal browser
	go test -count=1 -timeout 20m ./...

# The tiers on their own. Unit and workflow tests need no server (the SDK's
# test environment; integration tests skip themselves only under
# SIGNET_SKIP_INTEGRATION=1, which nothing but this target sets).
test-unit:
	SIGNET_SKIP_INTEGRATION=1 go test -count=1 ./...

# Recorded histories replay against today's workflow code; the broken
# variants must be refused.
test-replay:
	go test -count=1 -run 'Replay' ./workflows/...

# Over HTTP and SQL against a real PostgreSQL and Temporal dev server.
test-integration: bin/temporal browser
	go test -count=1 -timeout 20m $(INTEGRATION_PKGS)

# The console in real headless Chromium; screenshots in .data/screenshots/.
test-browser: bin/temporal browser
	go test -count=1 -run 'Browser' ./console/...

# api/openapi.json is generated from the route table (api/routes.go) and the
# API's response types, keeping its hand-written prose and request bodies;
# a test fails when it is stale. This rewrites it.
openapi:
	SIGNET_UPDATE_OPENAPI=1 SIGNET_SKIP_INTEGRATION=1 go test -count=1 -run '^TestOpenAPIIsGenerated$$' ./api

lint: bin/workflowcheck
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	@big=$$(git ls-files -z | xargs -0 stat -c '%s %n' 2>/dev/null | awk -v max=$(MAX_FILE_BYTES) '$$1 > max {print}'); \
	  test -z "$$big" || { echo "tracked files over 5 MB (build them, do not commit them):"; echo "$$big"; exit 1; }
	go vet ./...
	$(BIN)/workflowcheck ./workflows/...

# Benchmarks measure; tests never time anything. bench/ runs Signet and its
# Temporal baselines side by side on a stack of its own and writes
# testkit/bench/results/*.json; the Go benchmarks after it report their own figures
# (ns/op, allocations, req/s) against the real stack.
bench: bin/temporal
	go run ./testkit/bench
	go test -run '^$$' -bench . -benchmem -count=1 ./internal/document/... ./internal/eseal/...
	# PDF rendering on one core: ns/op, B/op and docs/s.
	go test -run '^$$' -bench . -benchmem -count=1 -cpu 1 ./internal/pdfdoc/...
	go test -run '^$$' -bench 'Create' -benchtime 1000x -count=1 ./api/...
	go test -run '^$$' -bench 'Lifecycle' -benchtime 50x -count=1 ./api/...
	go test -run '^$$' -bench 'Inbox|SubmitToFirst' -benchtime 200x -count=1 ./api/...
	go test -run '^$$' -bench 'SignaturesHTTP' -benchtime 200x -count=1 ./api/...
	# Bulk import: 10,000 customers and 2,000 historical contracts through
	# the API and the import workflow, rows/s against COPY into the same
	# tables (SIGNET_BENCH_IMPORT_CUSTOMERS, SIGNET_BENCH_IMPORT_CONTRACTS).
	go test -run '^$$' -bench 'BenchmarkImport$$' -benchtime 1x -count=1 -timeout 30m ./api/...
	# 10,000 contracts with 12 milestones each held open in the worker
	# (SIGNET_BENCH_ACTIVE for fewer), and the receivables aging over
	# about 100,000 milestones.
	go test -run '^$$' -bench 'ActiveContractsInTheWorker' -benchtime 1x -count=1 -timeout 60m ./api/...
	# The change feed with 1,000,000 events (SIGNET_BENCH_FEED_EVENTS for
	# fewer): a page of 100 from the start, the middle, a type filter, and
	# a caught-up consumer's empty page.
	go test -run '^$$' -bench 'FeedAt1M' -benchtime 200x -count=1 -timeout 30m ./internal/store/...
	# The audit trail's ceiling: audited writes/s with 1, 4 and 16 writers,
	# chained on their objects' chains, all on one chain (as the trail was),
	# and unchained; then with each chain's lock held 2 ms.
	go test -run '^$$' -bench 'AuditedWrites' -benchtime 1000x -count=1 ./internal/store/...
	go test -run '^$$' -bench 'ReceivablesOver100k' -benchtime 50x -count=1 ./internal/reports/...
	# Seeds 1,000,000 contracts (SIGNET_BENCH_CONTRACTS for fewer), then the
	# ledger, the summary and full CSV/XLSX exports; plans in $$TMPDIR/signet-bench.
	go test -run '^$$' -bench 'Reports' -benchtime 1x -count=1 -timeout 60m ./internal/reports/...
	# The console's pages over HTTP with 100,000 contracts seeded
	# (SIGNET_BENCH_PAGE_CONTRACTS for another number): the server's time per page.
	go test -run '^$$' -bench 'PagesAt100k|ContractPage|TaskPage' -benchtime 20x -count=1 -timeout 30m ./console/...

# The fault suite: worker SIGKILLs, PostgreSQL and Temporal restarts,
# overload, replay of every history, fuzzing of every request body. It
# prints what was injected and what was lost, and fails if anything was.
faults: bin/temporal
	go run ./testkit/faults

migrate:
	go run ./cmd/signet migrate

clean:
	rm -rf bin .data
