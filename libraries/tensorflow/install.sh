#!/bin/bash
# tensorflow/install.sh - TensorFlow 2.18.0 into the python3 library's virtualenv,
# with its pip-packaged CUDA libraries when the cuda library was installed before.
set -euo pipefail

TF_VERSION=2.18.0
pkg="tensorflow==${TF_VERSION}"
[ -d /usr/local/cuda ] && pkg="tensorflow[and-cuda]==${TF_VERSION}"

pip install --no-cache-dir "$pkg"
chown -R algo: /opt/python3
python -c 'import tensorflow as tf; print("tensorflow", tf.__version__)'
