# `make site` builds the sample site into output/; `make test` runs the whole suite.
# Both set up everything they need on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

.PHONY: site test bench browser clean lock

$(PY):
	$(PYTHON) -m venv $(VENV)

# Python packages come only from the lock files in requirements/ (`make lock` writes them): exact versions,
# every downloaded file checked against its hash. The build backend is installed first from its own lock,
# so that building ClinicPress and source-only packages (kiwipiepy-model) downloads no unpinned tool.
# A changed lock file reinstalls.
LOCKED_INSTALL := $(PIP) install --require-hashes --no-deps --no-build-isolation

$(VENV)/.build-installed: requirements/build.txt | $(PY)
	$(LOCKED_INSTALL) -r requirements/build.txt
	touch $@

$(VENV)/.site-installed: requirements/runtime.txt pyproject.toml $(VENV)/.build-installed
	$(LOCKED_INSTALL) -r requirements/runtime.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-installed: requirements/test.txt pyproject.toml $(VENV)/.build-installed
	$(LOCKED_INSTALL) -r requirements/test.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# Refresh the lock files from the ranges in pyproject.toml (a deliberate change, committed on its own):
#   make lock                                  add or drop what pyproject.toml changed, keep every other pin
#   make lock LOCK_ARGS=--upgrade              newest versions the ranges allow
#   make lock LOCK_ARGS="-P markdown"          upgrade one package
# pip-tools runs from its own venv, installed from requirements/lock-tools.txt.
LOCK_VENV := .venv-lock
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

$(LOCK_VENV)/.installed: requirements/lock-tools.txt
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check -q install --require-hashes --no-deps -r $<
	touch $@

lock: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) -o requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra test -c requirements/runtime.txt -o requirements/test.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/test.txt -o requirements/build.txt requirements/build.in
	$(PIP_COMPILE) -o requirements/lock-tools.txt requirements/lock-tools.in

site: $(VENV)/.site-installed
	$(VENV)/bin/clinicpress build .

# Debian's Chromium drives the browser tests (never a downloaded browser); the deploy tests publish with the
# system git and rsync.
browser:
	@{ test -x $(CHROMIUM) && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' && command -v git >/dev/null && command -v rsync >/dev/null; } || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji git rsync >/dev/null; }

# The suite runs on every core (pytest-xdist), each test file on one worker, so that a file's module
# fixtures (a built sample site, a scored corpus) are made once. PYTEST_ARGS="-n 0" runs it in one process.
test: $(VENV)/.test-installed browser checkers
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

# ClinicPress, Hugo and Pelican on the same 1,000 generated posts, one table (benchmarks/README.md);
# BENCH_ARGS="--posts 10000" for 10,000 posts. The peers are installed into benchmarks/work/ on first use.
# The advertising-claims model (generator/check/model/<lang>.npz) from compliance/corpus/ and the tuning set
# (compliance/PROTOCOL.md); commit the result.
.PHONY: model
model: $(VENV)/.test-installed
	$(PY) compliance/train_model.py

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
