# Front end (React + TypeScript SPA in frontend/): included by the top-level Makefile.
#   make frontend-install   npm ci (only when package-lock.json changed) + production build
#   make frontend-check     eslint, tsc --noEmit, vitest run
#   make e2e-deps           Debian's chromium for the Playwright end-to-end tests
#   make e2e                the end-to-end tests alone (tests/e2e, about two minutes)
#   make screenshots        the README's pictures of the list and the board (docs/)
PY ?= .venv/bin/python
NPM ?= npm

FRONTEND_DIR := frontend
FRONTEND_STAMP := $(FRONTEND_DIR)/node_modules/.stamp-npm-ci
FRONTEND_SOURCES := $(shell find $(FRONTEND_DIR)/src $(FRONTEND_DIR)/scripts $(FRONTEND_DIR)/public -type f 2>/dev/null) \
	$(wildcard $(FRONTEND_DIR)/index.html $(FRONTEND_DIR)/vite.config.ts $(FRONTEND_DIR)/tsconfig.json \
		$(FRONTEND_DIR)/tsconfig.sw.json $(FRONTEND_DIR)/openapi.json)
FRONTEND_INDEX := $(FRONTEND_DIR)/dist/index.html

.PHONY: frontend-install frontend-build frontend-check frontend-lint frontend-typecheck screenshots \
	frontend-test frontend-dev e2e-deps e2e frontend-clean

frontend-install: $(FRONTEND_INDEX)

# Reinstall only when the lock file (or package.json) is newer than the last npm ci.
$(FRONTEND_STAMP): $(FRONTEND_DIR)/package-lock.json $(FRONTEND_DIR)/package.json
	cd $(FRONTEND_DIR) && $(NPM) ci --no-audit --no-fund
	@touch $@

# Rebuild only when a source file changed (vite build + .gz/.br siblings + size report).
$(FRONTEND_INDEX): $(FRONTEND_STAMP) $(FRONTEND_SOURCES)
	cd $(FRONTEND_DIR) && $(NPM) run --silent build:fast
	@touch $@

frontend-build: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && $(NPM) run --silent build:fast

frontend-lint: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && $(NPM) run --silent lint

frontend-typecheck: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && $(NPM) run --silent typecheck

frontend-test: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && $(NPM) run --silent test

frontend-check: frontend-lint frontend-typecheck frontend-test

# Vite dev server on :5173, proxying /api to the back end on 127.0.0.1:8000.
frontend-dev: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && $(NPM) run dev

e2e-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium; \
	else \
		echo "chromium already installed: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	fi

e2e: frontend-install e2e-deps
	$(PY) -m pytest tests/e2e -m e2e $(PYTEST_ARGS)

frontend-clean:
	rm -rf $(FRONTEND_DIR)/dist $(FRONTEND_DIR)/test-results $(FRONTEND_DIR)/node_modules

# The README's screenshots of the list and the board (docs/screenshot-*.png), by Playwright.
screenshots: frontend-install e2e-deps
	NOTESTACK_SCREENSHOTS=1 $(PY) -m pytest tests/e2e/test_screenshots.py -m e2e $(PYTEST_ARGS)
