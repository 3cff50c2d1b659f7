# Everyday loop: `make demo` (train titanic through the local mesh), `make test`.
# Both create .venv and install the project on first use, so a fresh machine needs
# nothing but Python 3.11 and the package registries.

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYX    := $(shell find snakebatch -name '*.pyx')

.PHONY: demo test test-fast lint bench layer gatherer install system-deps clean

$(STAMP): pyproject.toml setup.py $(PYX)
	test -x $(PY) || python3 -m venv $(VENV)
	@echo "installing snakebatch and its dev tools into $(VENV) (first run: a few minutes)"
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/system-deps

demo: $(STAMP)
	$(VENV)/bin/snakebatch train data/titanic.csv --target survived -o artifacts/titanic.model.json

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check snakebatch tests bench functions layers
	$(VENV)/bin/mypy

# PYTEST_ARGS narrows a run, e.g. PYTEST_ARGS='-m "not terraform"' (CI's python job:
# its terraform job runs those tests).
test: $(STAMP) system-deps lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The edit-test loop, under a minute: the contracts of the ports, the mesh's and the
# gatherer's pure parts, the engine's literals, ingestion and small trainings, the ops
# math. No moto, terraform, browser, worker pools or reference-fixture sweeps.
FAST_TESTS := tests/contracts tests/mesh/test_rows.py tests/mesh/test_jobs_assembly.py \
	tests/mesh/test_events_reports.py tests/mesh/test_ports.py tests/mesh/test_errors.py \
	tests/mesh/test_drain_policy.py tests/gatherer/test_units.py \
	tests/gatherer/test_auth_routes.py tests/engine/test_literals.py \
	tests/engine/test_literals_measures.py tests/engine/test_literals_lev.py \
	tests/engine/test_inference.py tests/engine/test_model_snake.py \
	tests/engine/test_ingest.py tests/engine/test_ingest_fast.py \
	tests/engine/test_generators.py tests/engine/test_cli_engine.py \
	tests/ops/test_governor.py tests/ops/test_simulator.py \
	tests/ops/test_quotas.py tests/ops/test_planner.py
test-fast: $(STAMP)
	$(VENV)/bin/pytest -q -x -m "not (aws or terraform or browser or slow)" $(FAST_TESTS)

BENCHES := inference train reference_fixtures mesh simulator_calibration gatherer_load aws

# Every benchmark prints its figures; bench/RESULTS.md records the latest ones.
bench: $(STAMP)
	for b in $(BENCHES); do $(PY) -m bench.$$b || exit 1; done

# Everything Terraform deploys: build/layer/snakebatch-layer.zip, build/lambda/function.zip
# and the gatherer's build/gatherer/snakebatch-*.whl + docs.tar.gz
layer: $(STAMP)
	$(PY) -m layers.build

# Only the gatherer's wheel and docs tarball (seconds; no compiler needed)
gatherer: $(STAMP)
	$(PY) -m layers.gatherer

clean:
	rm -rf $(VENV) build *.egg-info artifacts
