# The README's two commands are `make run` and `make test`; everything else serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON310 := $(shell scripts/find-python310)
UV := $(VENV)/tools/bin/uv
APP_PY := $(VENV)/app/bin/python
# One line on the screen per set-up step, the step's own output in var/log/ (bot/operations/
# steps.py). It needs only Python 3.10's standard library: it runs before our environments exist.
STEP := $(PYTHON310) -m bot.operations.steps environments
LOCK_PLATFORM := --python-version 3.10 --python-platform x86_64-manylinux_2_28

.PHONY: help run run-scaled test eval bench bench-reports lint pytest model deps lock clean browser .env

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: deps .env model ## set up what is missing and run the assistant (web chat on :8000)
	@$(APP_PY) -m bot migrate
	@$(APP_PY) -m bot load-demo-data
	@$(APP_PY) -m bot.operations.supervisor

# Two gateways, two Rasa servers and two action servers on PostgreSQL and Redis, on this
# machine (deploy/scaled.env, read on top of .env; docs/architecture.md, "Scaling out").
SCALED := ENV_FILE=deploy/scaled.env

run-scaled: deps .env model ## the scale-out profile: 2 gateways (:8000, :8001), 2 Rasa, 2 action servers
	@$(SCALED) $(APP_PY) -m bot create-databases
	@$(SCALED) $(APP_PY) -m bot migrate
	@$(SCALED) $(APP_PY) -m bot load-demo-data
	@$(SCALED) $(APP_PY) -m bot.operations.supervisor

test: deps model browser lint pytest ## set up what is missing and run every test

pytest: deps model
	$(APP_PY) -m pytest

# The inbox's browser test drives Debian's Chromium (Playwright's own download needs the
# internet); installed once, with sudo when not root.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: ## install Debian's Chromium and axe-core for the browser tests, if missing
	@if [ -x $(CHROMIUM) ]; then echo "[browser] chromium present: $(CHROMIUM)"; else \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; fi
	@$(MAKE) --no-print-directory $(AXE)

# axe-core (MPL-2.0) checks the inbox and web chat pages for accessibility in the browser
# tests; fetched from the npm registry at a pinned version, checked against its published
# integrity, and kept out of git.
AXE_VERSION := 4.10.3
AXE := tests/vendor/axe-core/axe.min.js

$(AXE):
	@mkdir -p $(dir $(AXE)) && cd $(dir $(AXE)) && \
	  npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	  tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE && \
	  mv package/axe.min.js package/LICENSE . && rmdir package && rm axe-core-$(AXE_VERSION).tgz && \
	  echo "axe-core $(AXE_VERSION) in $(dir $(AXE))"

eval: deps model ## the current model on the held-out messages: intent accuracy, wrong answers, clarifications
	@PYTHONPATH=. $(VENV)/rasa/bin/python tests/heldout/evaluate.py \
	  "$$($(APP_PY) -c 'from bot.operations.training import model_path; print(model_path())')"

bench: deps ## our stack vs a stock Rasa assistant under load: prints figures, writes bench/results/
	$(APP_PY) -m bench.run

bench-reports: deps ## the reports page's figures on a generated store of 100 000 conversations: prints query times
	$(APP_PY) -m bench.reports

lint: deps ## ruff and mypy on our own code
	$(VENV)/app/bin/ruff check .
	$(VENV)/app/bin/ruff format --check .
	$(VENV)/app/bin/mypy

model: deps ## train a model unless models/ has one for the current data and config
	@$(APP_PY) -m bot train

# A line for each environment built, or one saying none needed it: each recipe that builds
# one adds it to SYNCED as it runs, before deps' own recipe is expanded.
deps: $(VENV)/rasa/.synced $(VENV)/app/.synced ## create both environments from the lock files
	@$(if $(SYNCED),:,echo "[environments] up to date: $(VENV)/app, $(VENV)/rasa")

# Always: it creates .env once, and adds a secret a newer version needs to an older one.
.env:
	@$(APP_PY) -m bot init-env

$(UV): requirements/tools.txt
	$(eval SYNCED += tools)
	@$(STEP) env-tools.log "built $(VENV)/tools (uv, the installer)" \
	  --working "building $(VENV)/tools" -- sh -c '\
	  $(PYTHON310) -m venv $(VENV)/tools && \
	  $(VENV)/tools/bin/pip install --quiet --disable-pip-version-check -r requirements/tools.txt'
	@touch $@

# Rasa pins SQLAlchemy 1.4, aiohttp 3.9 and Sanic 21.12: it gets an environment of its own.
$(VENV)/rasa/.synced: requirements/rasa.lock | $(UV)
	$(eval SYNCED += rasa)
	@$(STEP) env-rasa.log "synced $(VENV)/rasa with requirements/rasa.lock" \
	  --working "installing $(VENV)/rasa" -- sh -c '\
	  $(UV) venv --quiet --allow-existing --python $(PYTHON310) $(VENV)/rasa && \
	  $(UV) pip sync --quiet --python $(VENV)/rasa/bin/python requirements/rasa.lock'
	@touch $@

$(VENV)/app/.synced: requirements/dev.lock | $(UV)
	$(eval SYNCED += app)
	@$(STEP) env-app.log "synced $(VENV)/app with requirements/dev.lock" \
	  --working "installing $(VENV)/app" -- sh -c '\
	  $(UV) venv --quiet --allow-existing --python $(PYTHON310) $(VENV)/app && \
	  $(UV) pip sync --quiet --python $(APP_PY) requirements/dev.lock'
	@touch $@

lock: | $(UV) ## re-pin the lock files after editing requirements/*.in
	$(UV) pip compile --quiet $(LOCK_PLATFORM) requirements/rasa.in -o requirements/rasa.lock
	$(UV) pip compile --quiet $(LOCK_PLATFORM) requirements/app.in -o requirements/app.lock
	$(UV) pip compile --quiet $(LOCK_PLATFORM) requirements/dev.in -o requirements/dev.lock

clean: ## remove environments, trained models and local state
	rm -rf $(VENV) models/*.tar.gz var .rasa results
