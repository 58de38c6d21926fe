# piiscan: `make demo` to see a real scan, `make test` to run the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install examples bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

examples: $(STAMP)
	$(BIN)/python examples/generate.py

demo: examples
	$(BIN)/piiscan scan examples/data --format json --output report.json --quiet ; test $$? -le 3
	$(BIN)/piiscan scan examples/data ; test $$? -le 3
	@echo "JSON report written to report.json"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) report.json report.html .pytest_cache
