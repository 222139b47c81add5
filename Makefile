# Two commands matter: `make run` (the whole app with demo data) and `make test` (everything).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VAR_DIR := $(or $(SHOOTREVIEW_VAR_DIR),$(CURDIR)/var)
# The first Python 3.11+ on PATH: the plain python3 of macOS and older distributions is too old.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
# The app's own settings are the default; `make test` switches to the test settings.
# The demo turns the second factor off (REQUIRE_MFA=0); production keeps it on.
DEV_ENV := DJANGO_SETTINGS_MODULE=shootreview.settings DJANGO_DEBUG=$${DJANGO_DEBUG:-1} REQUIRE_MFA=$${REQUIRE_MFA:-0}
TEST_ENV := DJANGO_SETTINGS_MODULE=tests.settings
comma := ,

.PHONY: run test lint format bench bench-http mutate venv migrate seed browser axe clean

venv: $(STAMP)

# Reinstall only when a requirements file changes, so a second `make run` is up in seconds.
# A venv without pip (Debian's python3 lacking python3-venv leaves one behind) is made again.
$(STAMP): requirements.txt requirements-dev.txt
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
		test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed; none found on PATH." >&2; exit 1; }; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		rm -rf $(VENV); \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
			echo "Could not create a virtualenv. On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

migrate: venv
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input -v 0

# migrate has just run the system checks; running them again costs a second on every `make run`.
# Needs the Redis at REDIS_URL (changing an account removes its cached copy there); `make run`
# seeds from scripts/run_all.py instead, once a Redis of its own is up if none answers.
seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --skip-checks

# exec: the supervisor becomes make's direct child, so SIGTERM to make reaches it and it notices
# when make itself dies.
run: migrate
	exec env $(DEV_ENV) EMAIL_URL=$${EMAIL_URL:-file://$(VAR_DIR)/mail} $(BIN)/python scripts/run_all.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

browser: axe
	@sh scripts/ensure_chromium.sh

# axe-core, which the browser tests inject into every page they check (from node_modules, never
# from the web), pinned in package-lock.json. Installed when missing or when the lock file changes.
# Without npm the browser tests skip their accessibility checks loudly (fail under REQUIRE_BROWSER=1).
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else \
		echo "WARNING: npm is missing, so axe-core cannot be installed; accessibility checks will not run." >&2; \
	fi

test: venv lint browser
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Timings of key pages, printed as a report; see benchmarks/.
# benchmarks/bulk is a session of its own on a database kept between runs (--reuse-db): its data
# set takes minutes to build, and the other benchmarks must not see it. Exit status 5 (nothing
# selected by PYTEST_ARGS) is not an error.
bench: venv
	$(TEST_ENV) $(BIN)/python -m pytest -p no:cacheprovider benchmarks --ignore=benchmarks/bulk $(PYTEST_ARGS) \
		|| test $$? -eq 5
	$(TEST_ENV) $(BIN)/python -m pytest -p no:cacheprovider --reuse-db benchmarks/bulk $(PYTEST_ARGS) \
		|| test $$? -eq 5

# The app served for real (gunicorn, production settings, the bulk data set on PostgreSQL at
# BENCH_HTTP_DATABASE_URL or DATABASE_URL) under load from wrk, signed in through the real forms;
# see benchmarks/http/run.py. wrk is installed from Debian when missing (as root).
bench-http: venv
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; \
		else echo "bench-http needs wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)." >&2; exit 1; fi; }
	$(BIN)/python benchmarks/http/run.py

# Mutation testing of the modules that guard people and records, each with the tests that cover
# it (scripts/mutate.py); writes docs/mutation-report.md. Slow: never part of `make test`.
# MUTATE=access,audit runs some modules only; MUTATE_CHILDREN sets mutmut's processes (default: one per processor).
mutate: venv
	$(TEST_ENV) $(BIN)/python scripts/mutate.py $(subst $(comma), ,$(MUTATE))

clean:
	rm -rf var/test-* var/mutate .pytest_cache
