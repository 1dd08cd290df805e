# Two commands are all anyone needs (see README.md):
#   make start   set up (first time) and open JupyterLab on the course, on 127.0.0.1
#   make test    set up (first time) and run the whole test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8888
# Jupyter refuses to run as root unless told; containers and fresh machines often are root.
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup start test lint bench clean chromium

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON) không có). Đặt PYTHON=/đường/dẫn/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

start: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	    --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/course/00-the-gioi-mo-phong.ipynb

lint: setup
	$(BIN)/ruff check .

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Cần trình duyệt chromium cho kiểm thử trình duyệt: sudo apt-get install -y chromium"; exit 1; fi; }

test: setup chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/world_bench.py
	$(BIN)/python benchmarks/kyso_vietqr_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
