#!/bin/bash
# conda/install.sh - Miniconda (pinned installer, sha256-checked) into /opt/conda,
# configured for quiet, non-interactive use in CI logs.
set -euo pipefail

MINICONDA_VERSION=py312_24.7.1-0
case "$(uname -m)" in
x86_64)
	MINICONDA_SHA256=33442cd3813df33dcbb4a932b938ee95398be98344dff4c30f7e757cd2110e4f
	;;
*)
	echo "conda: no pinned Miniconda installer for $(uname -m)" >&2
	exit 1
	;;
esac
installer=Miniconda3-${MINICONDA_VERSION}-Linux-$(uname -m).sh

cd /tmp
# -sS: no progress meter in build logs, errors still shown
curl -fsSL --retry 3 -o "$installer" "https://repo.anaconda.com/miniconda/$installer"
echo "$MINICONDA_SHA256  $installer" | sha256sum -c -
bash "$installer" -b -p /opt/conda
rm -f "$installer"

# no progress bars, no prompts, no self-updates: reproducible, readable CI logs
/opt/conda/bin/conda config --system --set quiet true
/opt/conda/bin/conda config --system --set always_yes true
/opt/conda/bin/conda config --system --set auto_update_conda false
/opt/conda/bin/conda config --system --set notify_outdated_conda false
/opt/conda/bin/conda clean --all --yes --quiet
chown -R algo: /opt/conda
/opt/conda/bin/conda --version
