# StemeDB build. Every target works on a fresh clone with only node and npm.
SHELL := /bin/bash
NPM_STAMP := node_modules/.stamp
GEN_STAMP := shared/gen/.stamp
BIN := node_modules/.bin
PROTO := $(shell find proto -name '*.proto')

.PHONY: all install proto build lint test test-unit run bench clean

all: build

# npm ci whenever package-lock.json is newer than the last install.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP)

# TypeScript from proto (ts-proto through buf, no protoc) plus the descriptor
# set that server reflection loads with @grpc/proto-loader.
$(GEN_STAMP): $(NPM_STAMP) $(PROTO) buf.yaml buf.gen.yaml
	$(BIN)/buf generate
	$(BIN)/buf build --as-file-descriptor-set -o shared/gen/descriptor.binpb
	@touch $@

proto: $(GEN_STAMP)

# dist/.build-stamp: when the last build succeeded. tsc skips emitting a file
# whose content did not change, so the stale-dist check (test/setup) compares
# sources with this stamp as well as with their outputs.
build: $(GEN_STAMP)
	$(BIN)/tsc -p tsconfig.build.json
	@mkdir -p dist/shared/gen && cp shared/gen/descriptor.binpb dist/shared/gen/
	@chmod +x dist/services/cli/main.js
	@touch dist/.build-stamp

lint: $(GEN_STAMP)
	$(BIN)/buf lint
	$(BIN)/tsc -p tsconfig.json
	node scripts/check-source.js

test: build lint
	$(BIN)/jest --ci

run: build
	node dist/services/cli/main.js dev --data ./data

bench: build
	node dist/bench/run.js

clean:
	rm -rf dist shared/gen bench/scratch
