# vmfa — make run starts the app, make test runs every test. Both install
# what is missing first (make deps).
SHELL := /bin/bash
GO    ?= go
BIN   := bin/vmfa

# Debian/Ubuntu packages the build and the tests need (xvfb, imagemagick,
# xclip and x11-apps only for the tests of add --screen / --clipboard / --copy;
# oathtool and libsecret-tools only for make bench's comparisons).
APT_PACKAGES := gcc pkg-config libfido2-dev libjpeg62-turbo-dev gnome-keyring dbus dbus-bin zbar-tools python3-fido2 tmux \
                xvfb imagemagick xclip x11-apps oathtool libsecret-tools

# vmfa --version: the version and commit come from git when there is one.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# The build without C (CGO_ENABLED=0: static, everything but security
# keys) must build and vet here and for these platforms.
CROSS := linux/amd64 darwin/arm64 darwin/amd64 windows/amd64

.PHONY: all run test bench build build-static cross lint deps fuzz clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "vmfa: missing packages:$$missing"; echo "install them with: sudo apt-get install -y$$missing"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq$$missing >/dev/null || exit 1; \
	fi; \
	command -v $(GO) >/dev/null || { echo "vmfa: Go is not installed (https://go.dev/dl, 1.26 or newer)"; exit 1; }; \
	$(GO) mod download

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/vmfa

# The static build: no libfido2 (vmfa key says so), no C toolchain needed.
build-static:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)-static ./cmd/vmfa

cross:
	@for t in $(CROSS); do \
	  echo "CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/}: go build, go vet"; \
	  CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build ./... && \
	  CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet ./... || exit 1; \
	done

run: build
	./$(BIN)

test: deps cross
	./scripts/with-keyring $(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Benchmarks run against the real keyring too; the table is benchstat-like.
bench: deps
	./scripts/with-keyring ./scripts/bench

# Short fuzzing pass over every fuzz target (FUZZTIME per target).
FUZZTIME ?= 10s
fuzz:
	./scripts/fuzz $(FUZZTIME)

clean:
	rm -rf bin
