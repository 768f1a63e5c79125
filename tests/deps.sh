#!/bin/sh
# Installs the Debian packages tickernet builds and tests with, when any is
# missing: as root directly, otherwise through sudo.  Idempotent and quiet
# when everything is already there.
set -eu

packages="gcc g++ make libc6-dev pkg-config libcsv-dev libcjson-dev libfmt-dev libfast-float-dev \
libopenblas-dev libopenblas-serial-dev libhdf5-dev libcurl4-openssl-dev bats hdf5-tools jq python3 \
man-db groff-base gnuplot-nox bc parallel shellcheck socat util-linux"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run="sudo"
else
	echo "deps: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$run apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
$run apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2
