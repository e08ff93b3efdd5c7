# Entry points: `make run` (demo on the bundled example) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-deep lint bench clean self-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo codebase breaks its contracts on purpose: exit code 1 from `check` is expected here.
run: $(STAMP)
	@echo "== archgraph check examples/agent_backend  (the demo breaks contracts on purpose)"
	@$(BIN)/archgraph check examples/agent_backend; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi; \
	  echo "(archgraph exited $$status: 1 = contracts broken, as this demo intends; make run succeeds)"

self-check: $(STAMP)
	$(BIN)/archgraph check . --no-cache

test: $(STAMP)
	$(BIN)/archgraph check . --no-cache
	$(BIN)/python -m pytest -q

# Property tests with 500 examples each and more interrupted runs (several minutes).
test-deep: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q tests/unit/test_properties.py tests/functional/test_interrupts.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .archgraph_cache .pytest_cache
