#!/bin/bash
# cuda/install.sh - the CUDA 12.6 runtime libraries and cuDNN 9 from NVIDIA's apt
# repository. The repository key is checked by its full fingerprint before apt
# trusts it; apt then verifies every package against it. The GPU driver itself
# comes from the host (NVIDIA Container Toolkit), as for nvidia/cuda images.
set -euo pipefail

CUDA_KEY_FINGERPRINT=EB693B3035CD5710E231E123A4B469963BF863CC
CUDA_MAJOR_MINOR=12-6
case "$(uname -m)" in
x86_64) repo_arch=x86_64 ;;
aarch64) repo_arch=sbsa ;;
*)
	echo "cuda: no NVIDIA repository for $(uname -m)" >&2
	exit 1
	;;
esac
repo=https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/$repo_arch

cd /tmp
curl -fsSL --retry 3 -o cuda-key.pub "$repo/3bf863cc.pub"
got=$(gpg --show-keys --with-colons cuda-key.pub | awk -F: '$1 == "fpr" { print $10; exit }')
if [ "$got" != "$CUDA_KEY_FINGERPRINT" ]; then
	echo "cuda: repository key fingerprint '$got' is not $CUDA_KEY_FINGERPRINT" >&2
	exit 1
fi
gpg --dearmor <cuda-key.pub >/usr/share/keyrings/cuda-archive-keyring.gpg
rm -f cuda-key.pub
echo "deb [signed-by=/usr/share/keyrings/cuda-archive-keyring.gpg] $repo/ /" \
	>/etc/apt/sources.list.d/cuda.list

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	"cuda-libraries-${CUDA_MAJOR_MINOR}" \
	"cuda-nvtx-${CUDA_MAJOR_MINOR}" \
	libcudnn9-cuda-12
ln -sfn "/usr/local/cuda-${CUDA_MAJOR_MINOR/-/.}" /usr/local/cuda
echo /usr/local/cuda/lib64 >/etc/ld.so.conf.d/cuda.conf
ldconfig
