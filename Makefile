PYTHON ?= python3
export PYTHON
# The interpreter's pipenv, or a pinned one installed into .venv-pipenv/ where PEP 668 forbids `pip install --user`.
PIPENV := sh contrib/pipenv
MANAGE := $(PIPENV) run python manage.py

.DEFAULT_GOAL := help
.PHONY: help install run worker beat test lint audit fuzz-live bench messages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: .venv/.installed ## Install the locked dependencies into .venv (pipenv sync)

.venv/.installed: Pipfile.lock
	$(PIPENV) sync --dev
	@touch $@

run: export DEBUG ?= True
run: PORT ?= 8000
run: install ## Migrate, load the demo data into an empty database and serve http://127.0.0.1:8000 (PORT=8100 for another port)
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_load
	$(MANAGE) runserver 127.0.0.1:$(PORT)

worker: install ## Start a Celery worker (needs CELERY_BROKER_URL)
	$(PIPENV) run celery -A payments_api worker --loglevel INFO

beat: install ## Start Celery beat: the e-mail and webhook relays, adding up the list counts, purging expired keys and tokens
	$(PIPENV) run celery -A payments_api beat --loglevel INFO --schedule .venv/celerybeat-schedule

test: install ## Run the whole test suite (uses DATABASE_URL / CELERY_BROKER_URL when set; installs chromium as root)
	@# The browser tests drive Debian's chromium: installed here when missing and possible, else they are skipped.
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 || \
		{ echo "make test: installing chromium for the browser tests"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || true
	$(PIPENV) run pytest

messages: install ## Update the pt-BR and en catalogs in payments_api/locale and compile them (needs gettext)
	$(PIPENV) run sh -c 'cd payments_api && django-admin makemessages -l pt_BR -l en --ignore "*/tests/*" \
		--ignore "bench/*" && django-admin compilemessages'

lint: install ## flake8, the import contracts (.importlinter), mypy (mypy.ini) and the migrations check
	$(PIPENV) run flake8
	$(PIPENV) run lint-imports
	$(PIPENV) run mypy
	$(MANAGE) makemigrations --check --dry-run

audit: install ## bandit on the code, pip-audit on Pipfile.lock
	$(PIPENV) run bandit -r payments_api -x "*/tests/*,*/migrations/*" --severity-level medium --quiet
	$(PIPENV) requirements --dev > .requirements-audit.txt
	$(PIPENV) run python .ci/audit_dependencies.py .requirements-audit.txt; status=$$?; rm -f .requirements-audit.txt; exit $$status

fuzz-live: install ## schemathesis against a running server: make fuzz-live TOKEN=<access token> [URL=...]
	$(PIPENV) run schemathesis run $(or $(URL),http://127.0.0.1:8000)/api/schema/ -H "Authorization: Bearer $(TOKEN)" \
		--exclude-path /health/ --max-examples 50

bench: install ## Benchmark at 10,000 and 1,000,000 payments: PostgreSQL, gunicorn, wrk (docs/performance.md)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1 \
		|| sudo -n apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| { echo "make bench needs wrk: apt-get install wrk (Debian, Ubuntu) or brew install wrk (macOS)"; exit 1; }
	$(PIPENV) run python -m payments_api.bench.run $(BENCH_ARGS)
