#!/usr/bin/env bash
# Install the host packages the project needs, from Debian's archive only.
# Idempotent: installs only what is missing.
source "$(dirname "$0")/common.sh"

PKGS=(
	build-essential bc bison flex cpio kmod rsync python3 python3-docutils
	libelf-dev libssl-dev libzstd-dev zlib1g-dev libcap-dev libdw-dev
	ccache dwarves sparse spin
	clang-22 llvm-22 lld-22
	qemu-system-x86
)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the lists are missing or a package is unknown.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
	$SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
