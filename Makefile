# The two commands of the README: `make demo` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest-xdist workers for `make test`, each with databases of its own. Measured on a 2-core machine:
# see the README's Tests section.
PYTEST_WORKERS ?= 2
# One test at a time to whichever worker is free, in the order tests/conftest.py gives (the long ones first),
# except tests sharing a module's fixture, which go together: no worker idles at the end behind a long test.
PYTEST_DIST ?= --dist loadgroup --no-loadscope-reorder

.PHONY: demo sandbox test fuzz lint spec bench docs chaos clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: the story of a community's first week, in the local sandbox (SQLite, no Slack needed)
demo: $(STAMP)
	$(BIN)/copbot sandbox --script bot/sandbox/first_week.cop

## sandbox: type as the seeded people yourself
sandbox: $(STAMP)
	$(BIN)/copbot sandbox

## test: lint, then every test on SQLite and on PostgreSQL, in parallel (PYTEST_WORKERS=0 for one process)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST) $(PYTEST_ARGS)

## fuzz: the fuzz suite at length, fresh examples each run (FUZZ_EXAMPLES of each kind on each database)
FUZZ_EXAMPLES ?= 100000
fuzz: $(STAMP)
	COPBOT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 0 -q --timeout=0 --hypothesis-show-statistics \
		tests/test_fuzz.py $(PYTEST_ARGS)

## bench: every scheduler job on generated organisations (small and medium; BENCH_ARGS=--full adds the full one)
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/jobs.py $(BENCH_ARGS)

## chaos: the outbox's chaos test at length: the active sender killed 200 times (CHAOS_KILLS=n for more or fewer)
CHAOS_KILLS ?= 200
chaos: $(STAMP)
	COPBOT_CHAOS_KILLS=$(CHAOS_KILLS) $(BIN)/python -m pytest -n 0 -s -p no:randomly tests/test_chaos.py

## spec: re-extract the Slack facts the tests check calls against (needs ../shared/slack)
spec: $(STAMP)
	$(BIN)/python tests/slack_spec/extract.py

## docs: write README.md's table of commands from the commands' registry
docs: $(STAMP)
	$(BIN)/python -m bot.readme

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache copbot.db
