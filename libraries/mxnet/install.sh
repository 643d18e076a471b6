#!/bin/bash
# mxnet/install.sh - Apache MXNet 1.9.1 (CPU) in its own conda environment: MXNet
# 1.x predates Python 3.12 and NumPy 2, so it gets Python 3.9 and NumPy 1.23.
set -euo pipefail

MXNET_VERSION=1.9.1
env=/opt/conda/envs/mxnet

# conda's ENV lines come before this script: /opt/conda/bin is on PATH
conda create --yes --quiet --prefix "$env" python=3.9 pip
"$env/bin/pip" install --no-cache-dir "mxnet==${MXNET_VERSION}" "numpy==1.23.5"
conda clean --all --yes --quiet
chown -R algo: "$env"
"$env/bin/python" -c 'import mxnet; print("mxnet", mxnet.__version__)'
