# The two commands a newcomer needs: `make demo` and `make test`.
# Both install everything first (Python packages into .venv, the pinned npm node, Debian's ipfs-cid).
VENV    ?= .venv
PY      := $(VENV)/bin/python
APE     := $(VENV)/bin/ape
NETWORK ?= test
STAMP   := $(VENV)/.installed
# ape-vyper uses the pip-installed vyper only when a `vyper` executable is on PATH; otherwise it
# asks vvm for a downloaded binary, which does not exist offline.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install demo test lint compile clean

install: $(STAMP) node_modules/.installed tools

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,bench]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Reference CID implementation for the storage tests; skipped (tests then say why) where apt is unavailable.
tools:
	@command -v ipfs_cid >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq ipfs-cid >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo -n apt-get update -qq && sudo -n apt-get install -y -qq ipfs-cid >/dev/null; \
	  fi; } || echo "warning: could not install Debian's ipfs-cid; CID cross-checks will be skipped"

compile: $(STAMP)
	$(APE) compile

# `make demo NETWORK=node` plays the story on the local Hardhat node (started if not running).
demo: install compile
	@if [ "$(NETWORK)" = node ]; then $(VENV)/bin/dao node start; fi
	$(PY) -m demo --network $(NETWORK)

test: install compile
	$(APE) test tests -p no:cacheprovider --durations=20 -n 2 --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf .build out .dao
