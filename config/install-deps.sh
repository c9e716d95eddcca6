#!/usr/bin/env bash
# Install the Debian 12 packages vnet needs to build and test. Idempotent; run as root.
#   config/install-deps.sh            build + unit/host tiers
#   config/install-deps.sh --guest    also QEMU guest tier packages
set -euo pipefail

pkgs=(dpdk dpdk-dev libdpdk-dev dpdk-doc meson ninja-build pkg-config python3-pyelftools
      gcc libc6-dev xz-utils tar dpkg-dev gnuplot-nox)
if [ "${1:-}" = "--guest" ]; then
	pkgs+=(qemu-system-x86 busybox-static cpio kmod)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vnet: missing packages: ${missing[*]}" >&2
	echo "vnet: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
