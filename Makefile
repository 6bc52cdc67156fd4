# Parley: `make run` builds and opens the desktop app; `make test` runs every
# test. Both install what is missing first (Debian packages through apt-get,
# Go modules, npm packages), so they work on a fresh machine.

SHELL := /bin/bash
GO    ?= go
BIN   := build/bin/parley
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: the desktop build (GTK, WebKitGTK), the window tests
# (Xvfb, xdotool, ImageMagick), the browser test (Chromium), the network
# tests (iproute2, nc, python3 for the original tutorial client) and emoji.
APT_PACKAGES := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.0-dev \
	xvfb xdotool imagemagick x11-utils chromium iproute2 netcat-openbsd python3 \
	fonts-noto-color-emoji

# How many inputs each fuzz target tries in `make test` (they also run their
# seed corpus as plain tests). A count, not a duration: a duration makes Go
# 1.26's fuzz coordinator race its own deadline and fail now and then with
# "context deadline exceeded" and no crasher (golang/go#75804).
FUZZTIME ?= 200000x
FUZZ_TARGETS := \
	./backend/chat:FuzzCleanText ./backend/bench:FuzzParseLine \
	./backend/bench:FuzzParseMsgsFrame ./backend/store:FuzzChunkReader \
	./backend/protocol:FuzzDecode ./backend/protocol:FuzzAppendMsgs \
	./backend/protocol:FuzzLineReader \
	./backend/discovery:FuzzUnescape ./backend/discovery:FuzzParseTXT \
	./backend/discovery:FuzzTXTOverTheWire ./backend/discovery:FuzzRoomTXTRoundTrip \
	./backend/discovery:FuzzObserve ./backend/discovery:FuzzReply

.PHONY: run build test deps system-deps go-deps frontend-deps frontend \
	test-go test-fuzz test-frontend test-desktop bench bench-load bench-discovery \
	bench-desktop clean

## run: build the desktop app and open it
run: build
	./$(BIN)

## build: the desktop binary, build/bin/parley (also has the terminal commands)
build: system-deps go-deps frontend
	$(GO) tool wails build -s -skipbindings -m -nosyncgomod -trimpath

## test: everything: Go (race, namespaces), fuzzing, frontend, the real window
test: deps
	$(MAKE) test-go test-fuzz test-frontend test-desktop

deps: system-deps go-deps frontend-deps

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

go-deps:
	$(GO) mod download

frontend-deps:
	@if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
		cd frontend && npm ci --no-audit --no-fund; fi

frontend: frontend-deps
	cd frontend && npm run build

test-go:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:" $$unformatted; exit 1; fi
	$(GO) test -race -count=1 -timeout 8m ./...

test-fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

test-frontend: frontend-deps
	cd frontend && npm run check && npm test && npm run test:browser

test-desktop: build
	$(GO) test -tags e2e -count=1 -timeout 5m -v ./app/e2e/

## bench: the benchmark of docs/performance.md (~8 minutes): Parley's host
## against a minimal Go server and the original Python tutorial server, all
## on 127.0.0.1 (writes docs/performance.json and docs/performance.svg);
## discovery between two network namespaces; the desktop app's launch under
## Xvfb. BENCHFLAGS adds flags to the first, e.g. BENCHFLAGS="--reps 3" or
## "--cpuprofile .artifacts/bench/prof".
BENCHFLAGS ?=
bench: bench-load bench-discovery bench-desktop

# The load benchmark: Parley against the references; writes the results
# and the chart into docs/.
bench-load: system-deps go-deps
	$(GO) build -o .artifacts/bench/parley .
	.artifacts/bench/parley bench --suite default $(BENCHFLAGS) \
		--json docs/performance.json --svg docs/performance.svg

# Discovery between two network namespaces (needs root).
bench-discovery: system-deps go-deps
	$(GO) test -run '^$$' -bench Discovery -benchtime 5x ./backend/discovery

# The desktop app's launch under Xvfb.
bench-desktop: build
	$(GO) test -tags e2e -run '^$$' -bench DesktopLaunch -benchtime 5x ./app/e2e

clean:
	rm -rf build/bin .artifacts
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
