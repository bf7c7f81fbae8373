# GovSocial: the two commands are `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SANDBOX_PORT ?= 8765
# make run SANDBOX=0: no platform sandbox, the connectors call the real platforms.
SANDBOX ?= 1

# The test suite runs against real PostgreSQL and Redis on 127.0.0.1.
TEST_ENV := DEBUG=0 HTTPS=0 \
	SECRET_KEY=test-secret-key-govsocial-not-for-production-0123456789abcdef \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver SITE_URL=http://localhost:8000 \
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/govsocial} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/9} \
	CACHE_KEY_PREFIX=govsocial-test

.PHONY: run test lint fmt typecheck migrations-check messages compilemessages bench vendor venv clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

compilemessages: venv
	@scripts/ensure-system-packages gettext
	@DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv' --ignore 'node_modules' -v0

## run: set everything up and start web, worker and beat with demo data (SQLite by default).
run: export DEBUG ?= 1
run: compilemessages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py push_keys
	$(PY) manage.py check_deadlines
	$(PY) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "GovSocial is starting on http://127.0.0.1:$(PORT)/"
	@echo "Demo logins (password: govsocial-demo): <role>@<institution>.demo, e.g."
	@echo "  communicator@defence.demo, complaint_officer@federal-police.demo, multi@govsocial.demo"
	@echo "  institution_admin@cirb.demo (TOTP secret GOVSOCIALDEMOTOTPSECRET2345672AB)"
	@echo ""
	@mkdir -p var && cp Procfile var/Procfile.run
	@# Development only: the platform sandbox plays Facebook, Instagram... (docs/platforms.md).
	@if [ "$${DEBUG}:$(SANDBOX)" = 1:1 ]; then echo "sandbox: python -m devtools.platform_sandbox --port $(SANDBOX_PORT)" >> var/Procfile.run; \
	  echo "Platform sandbox on http://127.0.0.1:$(SANDBOX_PORT)/_sandbox/meta/state (try: .venv/bin/python -m devtools.meta_demo comment 'Hello')"; fi
	if [ "$${DEBUG}:$(SANDBOX)" = 1:1 ]; then export PLATFORM_SANDBOX_URL=http://127.0.0.1:$(SANDBOX_PORT) CONNECTORS_ALLOW_PRIVATE_HOSTS=1 WEBHOOKS_ALLOW_PRIVATE_TARGETS=1; fi; \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f var/Procfile.run -d . -p $(PORT)

## test: install what the tests need and run them against PostgreSQL and Redis.
## Test databases are created afresh (about 6 s): rows left by an interrupted run never leak in.
## --dist worksteal: a worker that runs out of tests takes some of the other's (pytest.ini's order).
test: compilemessages
	@scripts/ensure-system-packages chromium
	@scripts/ensure-services
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist worksteal --create-db $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(MAKE) --no-print-directory migrations-check

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: venv
	DEBUG=1 $(VENV)/bin/mypy

migrations-check: venv
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## messages: refresh the French and Dutch catalogues after changing UI strings.
messages: venv
	@scripts/ensure-system-packages gettext
	DEBUG=1 $(PY) manage.py makemessages -l fr -l nl --no-obsolete --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*'

bench: venv
	@scripts/ensure-services
	@for bench in bench/[!_]*.py; do [ -e "$$bench" ] || continue; $(TEST_ENV) $(PY) $$bench || exit 1; done

## vendor: refresh static/vendor/ from npm (only when bumping Bootstrap; the result is committed).
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p static/vendor/bootstrap-5.3.9 static/vendor/bootstrap-icons-1.13.2
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/LICENSE static/vendor/bootstrap-5.3.9/
	cp node_modules/bootstrap-icons/bootstrap-icons.svg node_modules/bootstrap-icons/LICENSE static/vendor/bootstrap-icons-1.13.2/
	sed -i 's#/\*\# sourceMappingURL=.*\*/##; s#//\# sourceMappingURL=.*##' static/vendor/bootstrap-5.3.9/*.min.*

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache .mypy_cache
