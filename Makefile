# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
AREAS := $(wildcard translations/*/fi)
NPM_DIRS := $(dir $(wildcard tests/*/package.json))

.PHONY: install translations node run test lint typecheck bench audit mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	@for area in $(dir $(AREAS)); do $(BIN)/pybabel compile --statistics -d $$area || exit 1; done

# npm packages the tests use (a real OpenID provider, axe-core); skipped without npm.
node:
	@if command -v npm >/dev/null 2>&1; then \
	  for d in $(NPM_DIRS); do \
	    if [ ! -d $$d/node_modules ] || [ $$d/package-lock.json -nt $$d/node_modules ]; then \
	      (cd $$d && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi; \
	  done; \
	else echo "npm not found: browser accessibility and OpenID tests will skip"; fi

install: $(STAMP) translations

run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo-data
	ETAAIKA_DEV_LOGIN=true ETAAIKA_DEV_TOOLS=true ETAAIKA_JOBS_EMBEDDED=true \
	  $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: install node
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Known vulnerabilities of the installed packages (pip-audit) and medium/high findings in
# the code (bandit); says so plainly when the vulnerability database could not be reached.
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

# Mutants of the pure core (see [tool.mutmut] in pyproject.toml); prints the score as JSON.
# Slow (minutes per module on two cores) and not part of `make test`.
mutation: install
	rm -rf mutants
	ETAAIKA_SHARED=$(CURDIR)/../shared ETAAIKA_ORACLE_EXAMPLES=60 \
	  $(BIN)/mutmut run --max-children 2 >mutants.log 2>&1 || \
	  { tail -n 20 mutants.log; exit 1; }
	$(BIN)/python .ci/mutation_score.py

clean:
	rm -rf mutants mutants.log $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
