#!/usr/bin/env bash
# Install the Debian 12 packages vnet needs to build and test. Idempotent; run as root.
# Only what is needed, without recommended packages.
#   config/install-deps.sh            build + unit/host tiers + the demo (dpdk-doc: the
#                                     l3fwd-power example the host tier builds)
#   config/install-deps.sh --guest    also the QEMU guest tier packages
#   config/install-deps.sh --plot     also gnuplot-nox, for dpdk-test-vnet --plot
#   config/install-deps.sh --fuzz     also clang (libFuzzer), for tests/fuzz/run.sh
set -euo pipefail

pkgs=(dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config python3-pyelftools
      gcc libc6-dev xz-utils tar dpkg-dev dpdk-doc)
for opt in "$@"; do
	case $opt in
	--guest) pkgs+=(qemu-system-x86 busybox-static cpio kmod) ;;
	--plot) pkgs+=(gnuplot-nox) ;;
	--fuzz) pkgs+=(clang) ;;
	*)
		echo "usage: $0 [--guest] [--plot] [--fuzz]" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vnet: missing packages: ${missing[*]}" >&2
	echo "vnet: run as root: apt-get update && apt-get install -y --no-install-recommends" \
		"${missing[*]}" >&2
	exit 1
fi
# apt's own output (hundreds of lines, with harmless ones that read like faults, e.g. udev's
# "A chroot environment has been detected, udev not started") goes to a log; failures show it.
log=/var/log/vnet-install-deps.log
echo "vnet: installing ${missing[*]} and what they depend on (apt-get, no recommended" \
	"packages; log: $log)"
export DEBIAN_FRONTEND=noninteractive
echo "== $(date -u +%FT%TZ) config/install-deps.sh $*" >>"$log"
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
	>>"$log" 2>&1; then
	tail -n 20 "$log" | sed 's/^/    /' >&2
	echo "vnet: apt-get failed (its last lines above, all of it in $log). Check that the" \
		"Debian mirror is reachable ('apt-get update') and rerun." >&2
	exit 1
fi
summary=$(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$log" | tail -n 1)
echo "vnet: packages installed${summary:+ ($summary)}"
