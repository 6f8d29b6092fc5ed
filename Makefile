# `make site` builds the sample site into output/; `make test` runs the whole suite.
# Both set up everything they need on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

.PHONY: site test bench browser clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.site-installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	touch $@

site: $(VENV)/.site-installed
	$(VENV)/bin/clinicpress build .

# Debian's Chromium drives the browser tests (never a downloaded browser).
browser:
	@{ test -x $(CHROMIUM) && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; } || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }

test: $(VENV)/.test-installed browser checkers
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks.run $(BENCH_ARGS)

# The page-quality checkers (tests/test_page_quality.py, `make audit`): vnu.jar runs on Java; npm brings
# vnu.jar, axe-core and Lighthouse as pinned in package-lock.json. Install scripts stay off: vnu.jar ships
# inside its package, and npm ci reruns only when the lock file changes.
.PHONY: checkers audit
NPM_STAMP := node_modules/.package-lock.stamp

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

checkers: $(NPM_STAMP)
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; }

# Lighthouse on the sample site, phone and desktop, every page kind in both languages (several minutes).
audit: $(VENV)/.test-installed browser checkers
	$(PY) tests/audit_lighthouse.py $(AUDIT_ARGS)

clean:
	rm -rf output .clinicpress-cache tests/artifacts
