# StemeDB build. Every target works on a fresh clone with only node and npm.
SHELL := /bin/bash
NPM_STAMP := node_modules/.stamp
GEN_STAMP := shared/gen/.stamp
BIN := node_modules/.bin
PROTO := $(shell find proto -name '*.proto')

.PHONY: all install proto build lint test test-unit test-python python-client client-ts-pack run bench clean

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

# dist/ is rebuilt only when a source changed, so `make run` starts at once the second time.
# dist/.build-stamp marks when the last build succeeded: tsc skips emitting a file whose
# content did not change, so the stale-dist check (test/setup) compares sources with it.
TS_SOURCES := $(shell find shared services clients/typescript/src bench -name '*.ts' -not -path 'shared/gen/*') tsconfig.json tsconfig.build.json
DIST_STAMP := dist/.build-stamp
$(DIST_STAMP): $(GEN_STAMP) $(TS_SOURCES)
	$(BIN)/tsc -p tsconfig.build.json
	@mkdir -p dist/shared/gen && cp shared/gen/descriptor.binpb dist/shared/gen/
	@chmod +x dist/services/cli/main.js
	@touch $@

build: $(DIST_STAMP)

lint: $(GEN_STAMP)
	$(BIN)/buf lint
	$(BIN)/tsc -p tsconfig.json
	node scripts/check-source.js

test: build lint
	$(BIN)/jest --ci

# Python client stubs (clients/python/stemedb/v1), with Debian's protobuf-compiler
# and protobuf-compiler-grpc. proto3 `optional` needs protoc >= 3.15.
PY := /usr/bin/python3
PY_GEN_STAMP := clients/python/stemedb/v1/.stamp
$(PY_GEN_STAMP): $(PROTO)
	@command -v protoc >/dev/null && command -v grpc_python_plugin >/dev/null || { echo "need protoc and grpc_python_plugin: apt-get install protobuf-compiler protobuf-compiler-grpc" >&2; exit 1; }
	@v=$$(protoc --version | awk '{print $$2}'); [ "$$(printf '%s\n3.15\n' "$$v" | sort -V | head -1)" = 3.15 ] || { echo "protoc $$v is too old: proto3 optional needs >= 3.15" >&2; exit 1; }
	mkdir -p clients/python/stemedb/v1
	protoc -I proto --python_out=clients/python --grpc_python_out=clients/python --plugin=protoc-gen-grpc_python=$$(command -v grpc_python_plugin) $(PROTO)
	@touch $@

python-client: $(PY_GEN_STAMP)

# The Python client's tests: the FORMAT.md vectors, then calls against real processes from dist/.
test-python: build python-client
	$(PY) clients/python/run_tests.py --no-skips

# An npm-ready tarball of the TypeScript client (clients/typescript), in dist/npm/.
client-ts-pack: build
	node scripts/pack-ts-client.js

run: build
	node dist/services/cli/main.js dev --data ./data

bench: build
	node dist/bench/run.js

clean:
	rm -rf dist shared/gen bench/scratch clients/python/stemedb/v1
