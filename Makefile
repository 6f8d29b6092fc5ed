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

test: $(VENV)/.test-installed browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf output .clinicpress-cache tests/artifacts
