#!/bin/bash
# jupyter/install.sh - what lp's notebook runner needs: nbclient, the python3 kernel, nbconvert
# From the distribution, not pip: the system python3 runs the runner and the kernel
# (its kernelspec /usr/share/jupyter/kernels/python3 names /usr/bin/python3);
# the algorithm's pip dependencies reach the kernel through PYTHONPATH (bin/pipe).
# setpriv (util-linux, always installed) ties each kernel's life to the runner's.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	python3-ipykernel \
	python3-nbclient \
	python3-nbconvert
/usr/bin/python3 -c 'import nbclient, ipykernel, nbconvert'
command -v setpriv
