#!/bin/bash
# r/install.sh - R 4.3 from Ubuntu 24.04 (apt verifies the archive signatures),
# with a site library the algo user can install packages into.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	r-base-core \
	r-base-dev \
	libcurl4-openssl-dev \
	libssl-dev \
	libxml2-dev

mkdir -p /usr/local/lib/R/site-library
chown -R algo: /usr/local/lib/R/site-library
# a fixed CRAN snapshot keeps installs reproducible
cat >/etc/R/Rprofile.site <<'PROFILE'
local({
	options(repos = c(CRAN = "https://packagemanager.posit.co/cran/2024-12-01"))
})
PROFILE
R --version | head -1
