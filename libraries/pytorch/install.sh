#!/bin/bash
# pytorch/install.sh - PyTorch 2.5.1 into the python3 library's virtualenv: the
# CUDA 12.4 wheels when the cuda library was installed before, else the CPU ones.
set -euo pipefail

TORCH_VERSION=2.5.1
TORCHVISION_VERSION=0.20.1
if [ -d /usr/local/cuda ]; then index=https://download.pytorch.org/whl/cu124; else
	index=https://download.pytorch.org/whl/cpu; fi

# python3's ENV lines come before this script: /opt/python3/bin is on PATH
pip install --no-cache-dir --index-url "$index" \
	"torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}"
chown -R algo: /opt/python3
python -c 'import torch; print("torch", torch.__version__)'
