# Two commands are all anyone needs (see README.md):
#   make start   set up (first time) and open the course (learner mode) on 127.0.0.1
#   make test    set up (first time) and run the whole test suite
# and for outreach staff:
#   make demos   the presentation apps (Voilà) on 127.0.0.1:8866
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8888

.PHONY: setup start demos hub test lint bench bench-hub clean system-tools

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON) không có). Đặt PYTHON=/đường/dẫn/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The course in learner mode (congdanso.learner): the browser opens the course's home page
# /hoc, lessons and exercises are pages without code; JupyterLab is one link away. Jupyter's
# settings, layout and nbgrader cache for the course live in .may-hoc/ (never ~/.jupyter).
# A phone on the same Wi-Fi: make start HOC_ARGS=--dien-thoai
start: setup
	$(BIN)/congdanso hoc --port $(PORT) $(HOC_ARGS)

# The outreach apps (Voilà) on http://127.0.0.1:8866/ for support points and community events.
demos: setup
	$(BIN)/congdanso demos

lint: setup
	$(BIN)/ruff check .

# Debian packages the tests need: chromium for the browser tests (Playwright's own browser
# download cannot work here), bubblewrap, the sandbox that grading runs learners' code in, and
# postgresql, the class server's gradebook (congdanso hub).
system-tools:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "Cần cài:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; fi

# The class server (README "Máy chủ lớp học"): JupyterHub with configurable-http-proxy (npm,
# pinned in deploy/package.json). As root; learners log in with the codes of
# `congdanso hub ma --dia-chi http://MÁY:8000`. Options: make hub HUB_ARGS="--port 8000".
PROXY = deploy/node_modules/.bin/configurable-http-proxy
$(PROXY): deploy/package.json
	cd deploy && npm install --no-audit --no-fund --loglevel=error
	touch $@

hub: setup $(PROXY)
	$(BIN)/congdanso hub $(HUB_ARGS)

# axe-core (npm) for the accessibility tests, pinned in tests/package.json.
AXE = tests/node_modules/axe-core/axe.min.js
$(AXE): tests/package.json
	cd tests && npm install --no-audit --no-fund --no-save --loglevel=error
	touch $@

test: setup system-tools $(AXE) $(PROXY)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: setup system-tools
	$(BIN)/python benchmarks/world_bench.py
	$(BIN)/python benchmarks/kyso_vietqr_bench.py
	$(BIN)/python benchmarks/ui_bench.py
	$(BIN)/python benchmarks/report_bench.py
	$(BIN)/python benchmarks/autograde_bench.py
	$(BIN)/python benchmarks/dask_bench.py
	$(BIN)/python benchmarks/demos_bench.py
	$(BIN)/python benchmarks/learner_bench.py

# The class server under 30 learners at once (root: learners are system users).
bench-hub: setup system-tools $(PROXY)
	$(BIN)/python benchmarks/hub_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
