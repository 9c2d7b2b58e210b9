# Interop test (tests/interop/): tokens minted by PyJWT + cryptography (PyPI) and by
# jose (npm) must verify with the built package; one flipped bit must not. And the other
# way (signing.test.mjs): tokens the package signs verify with PyJWT and jose.
# Included by the Makefile; on its own: make -f Makefile -f .ci/interop.mk test-interop
#
#   make tools-python   tests/interop/.venv with the pins of tests/interop/requirements.txt
#   make test-interop   the test (expects `make pkg` to have run; installs its tools)

INTEROP_DIR := tests/interop
INTEROP_VENV := $(INTEROP_DIR)/.venv
# CPython >= 3.11 (pycparser 3.12 needs it) with the venv module; Debian's python3 needs python3-venv (installed below).
INTEROP_PYTHON ?= python3
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)
NODE_TEST ?= node --test

.PHONY: tools-python test-interop

# Rebuilt from scratch when missing or stale: requirements.txt differs from the copy
# taken at the last install (content, not mtime, so a checkout does not force it), or
# the venv's interpreter no longer runs (e.g. the system Python was upgraded).
tools-python:
	@if ! $(INTEROP_PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then \
		echo "apt: installing python3 python3-venv"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3 python3-venv; \
	fi
	@if ! cmp -s $(INTEROP_DIR)/requirements.txt $(INTEROP_VENV)/requirements.installed \
		|| ! $(INTEROP_VENV)/bin/python -c 'import jwt, cryptography' >/dev/null 2>&1; then \
		echo "python: creating $(INTEROP_VENV) from $(INTEROP_DIR)/requirements.txt"; \
		rm -rf $(INTEROP_VENV); \
		$(INTEROP_PYTHON) -m venv $(INTEROP_VENV); \
		$(INTEROP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-input \
			-r $(INTEROP_DIR)/requirements.txt; \
		cp $(INTEROP_DIR)/requirements.txt $(INTEROP_VENV)/requirements.installed; \
	fi

test-interop: tools-python tools-npm
	$(NODE_TEST) $(INTEROP_DIR)/interop.test.mjs $(INTEROP_DIR)/signing.test.mjs
