# One entry point. `make report` = the main job; `make test` = every test. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

.PHONY: setup report build fetch refresh test test-fast lint bench browser notebooks clean

setup: $(VENV)/.installed

# requirements-lock.txt is the whole environment, installed as is (--no-deps). It leaves out
# rfc3987-syntax and lark, an optional URI-format checker of jsonschema pulled in by jupyter-events
# that takes ~4 s to import in every process that reads a notebook; nothing here needs it.
$(VENV)/.installed: pyproject.toml requirements-lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## The main job: rebuild data/processed/ from data/raw/, execute every notebook, write reports/.
report: setup
	$(BIN)/python -m analysis all

build: setup
	$(BIN)/python -m analysis build

## Needs internet: pull CDC's newest release into data/raw/ (atomic; unchanged if CDC has not updated).
fetch: setup
	$(BIN)/python -m analysis fetch

## Needs internet: a new CDC release end to end. Fetch; only if CDC published something new: rebuild
## data/processed/, re-execute the notebooks, run the tests, write the report, print what changed.
## Extra options: make refresh REFRESH_ARGS="--summary-file summary.md".
refresh: setup
	$(BIN)/python -m analysis refresh $(REFRESH_ARGS)

## Every test: the library's tests, the browser tests (skipped with a message without Chromium), nbval.
test: setup
	$(BIN)/python -m pytest tests notebooks $(NBVAL) -p no:cacheprovider

test-fast: setup
	$(BIN)/python -m pytest tests -p no:cacheprovider -x -q

## Lint and format check (ruff, configured in pyproject.toml; notebooks' code cells included). Changes nothing:
## `ruff check --fix .` and `ruff format .` apply the fixes.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Re-execute the notebooks in place (after a data or library change), then commit their outputs.
notebooks: setup
	$(BIN)/python -m analysis notebooks

## The benchmarks (not part of the library): print every figure with its target, write benchmarks/results.json.
bench: setup
	$(BIN)/python -m benchmarks

## Debian's Chromium for the browser tests (needs root and apt; CI runs it).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

clean:
	rm -rf reports .pytest_cache
