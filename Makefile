# Two commands matter: `make run` (the whole app with demo data) and `make test` (everything).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE := shootreview.settings

.PHONY: run test lint format bench venv migrate seed browser clean

venv: $(STAMP)

# Reinstall only when a requirements file changes, so a second `make run` is up in seconds.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

migrate: venv
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input -v 0

seed: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo

run: seed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} EMAIL_URL=$${EMAIL_URL:-file://$(CURDIR)/var/mail} \
		$(BIN)/python scripts/run_all.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

browser:
	@sh scripts/ensure_chromium.sh

test: venv lint browser
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m pytest -p no:cacheprovider benchmarks $(PYTEST_ARGS)

clean:
	rm -rf var/test-* .pytest_cache
