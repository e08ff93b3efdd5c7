# Entry points: `make run` (demo on the bundled example) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-deep lint bench clean self-check browser-deps graphviz-deps docs-pictures

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
	@echo "== archgraph families examples/agent_backend  (competing implementations, parallel hierarchies)"
	@$(BIN)/archgraph families examples/agent_backend
	@echo "== archgraph audit examples/agent_backend  (one SSOT scorecard per concept, with its formula)"
	@$(BIN)/archgraph audit examples/agent_backend --max-sites 3
	@echo "== archgraph render / report: the diagram (violations in red) and the offline HTML report"
	@$(BIN)/archgraph render examples/agent_backend -o out/agent_backend.svg
	@$(BIN)/archgraph render examples/agent_backend --families -o out/agent_backend_families.svg
	@$(BIN)/archgraph report examples/agent_backend -o out/report.html

# The pictures of docs/diagrams.md, from the bundled example (the report's needs chromium).
docs-pictures: $(STAMP)
	$(BIN)/python docs/pictures.py

self-check: $(STAMP)
	$(BIN)/archgraph check . --no-cache

test: $(STAMP) browser-deps graphviz-deps
	$(BIN)/archgraph check . --no-cache
	$(BIN)/python -m pytest -q
	$(BIN)/python benchmarks/run.py --smoke

# Property tests with 500 examples each and more interrupted runs (several minutes).
test-deep: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q tests/unit/test_properties.py tests/unit/test_compliance_properties.py tests/functional/test_interrupts.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lint]'
	$(BIN)/ruff check archgraph
	$(BIN)/mypy

# Bytecode first: the editable install has none for edited files, and the benchmark runs with
# PYTHONDONTWRITEBYTECODE=1, so every run would compile them again (~20 ms of a 0.2 s check).
bench: $(STAMP)
	$(BIN)/python -m compileall -q archgraph
	$(BIN)/python benchmarks/run.py

# Chromium + chromedriver for the HTML report tests; without them those tests are skipped.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "browser-deps: apt-get failed; the browser tests will be skipped"; \
	else echo "browser-deps: chromium/chromedriver missing (not root); the browser tests will be skipped"; fi

# Graphviz's dot for the diagram tests that need it (PDF output, the layer-band fallback); without
# it those tests are skipped and the rest draw with graphviz-pure, which pip installs.
graphviz-deps:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null 2>&1 \
		 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null)) \
		|| echo "graphviz-deps: apt-get failed; the tests that need dot will be skipped"; \
	else echo "graphviz-deps: dot missing (not root); the tests that need dot will be skipped"; fi

clean:
	rm -rf $(VENV) .archgraph_cache .pytest_cache
