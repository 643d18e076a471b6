#!/bin/bash
# python3/install.sh - CPython 3.12 from Ubuntu 24.04 in a virtualenv at /opt/python3
# (Ubuntu's python is "externally managed" (PEP 668): pip installs go into the venv,
# which later libraries such as pytorch and tensorflow find first on PATH).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	build-essential \
	python3 \
	python3-dev \
	python3-venv

python3 -m venv /opt/python3
# pinned tooling; pip verifies every download against PyPI's TLS and hashes
/opt/python3/bin/pip install --no-cache-dir --disable-pip-version-check \
	pip==24.3.1 setuptools==75.6.0 wheel==0.45.1
chown -R algo: /opt/python3
/opt/python3/bin/python --version
