#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Provide the DPDK driver-SDK headers and pmdinfo tools that Debian's libdpdk-dev does not ship,
# taken from the Debian source package of exactly the installed libdpdk-dev version.
#
#   config/dpdk-sdk.sh OUTDIR            fill OUTDIR/include and OUTDIR/buildtools
#   config/dpdk-sdk.sh --tarball         print the path of the cached orig tarball (fetch if needed)
#
# Environment: VNET_DPDK_SRC_CACHE (default /var/cache/vnet/dpdk-src) holds the downloaded
# source package, one sub-directory per Debian version; it is reused across build directories.
#
# Fetching needs root (a deb-src entry in /etc/apt/sources.list.d/ and apt-get update) and
# access to the Debian mirror. Once the cache holds the package, neither is needed.
# Never falls back to another DPDK version: a mismatch is an error.
set -euo pipefail

prog=vnet-dpdk-sdk
die() {
	echo "$prog: error: $*" >&2
	exit 1
}
note() { echo "$prog: $*" >&2; }

cache_root=${VNET_DPDK_SRC_CACHE:-/var/cache/vnet/dpdk-src}
src_list=/etc/apt/sources.list.d/vnet-deb-src.sources

# Driver-SDK headers (not installed by libdpdk-dev), as paths inside the DPDK source tree.
# The first six are what a PCI + vdev net PMD includes; everything they include is installed
# (checked below by compiling them). bus_driver.h is not needed by them but is the SDK header
# for bus-level internals (struct rte_bus), also missing from libdpdk-dev.
sdk_headers=(
	lib/ethdev/ethdev_driver.h
	lib/ethdev/ethdev_pci.h
	lib/ethdev/ethdev_vdev.h
	lib/eal/include/dev_driver.h
	lib/eal/include/bus_driver.h
	drivers/bus/pci/bus_pci_driver.h
	drivers/bus/vdev/bus_vdev_driver.h
)
build_tools=(
	buildtools/pmdinfogen.py
	buildtools/coff.py
	buildtools/gen-pmdinfo-cfile.py
)
# Installed public headers compared byte for byte with the tarball: proves same source.
check_headers=(
	lib/eal/include/rte_version.h
	lib/ethdev/rte_ethdev.h
	lib/ethdev/rte_ethdev_core.h
	lib/eal/include/rte_dev.h
	drivers/bus/pci/rte_bus_pci.h
)

usage() {
	echo "usage: $0 OUTDIR | --tarball" >&2
	exit 2
}

[ $# -eq 1 ] || usage
mode=extract
case "$1" in
--tarball) mode=tarball ;;
-*) usage ;;
*) outdir=$1 ;;
esac

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script needs Debian/Ubuntu"
deb_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null || true)
[ -n "$deb_ver" ] || die "libdpdk-dev is not installed; run (as root): config/install-deps.sh"
up_ver=${deb_ver#*:}     # drop epoch
up_ver=${up_ver%-*}      # drop Debian revision
pc_ver=$(pkg-config --modversion libdpdk 2>/dev/null || true)
[ "$pc_ver" = "$up_ver" ] ||
	die "pkg-config libdpdk reports '${pc_ver:-nothing}' but libdpdk-dev is $deb_ver;" \
		"fix the installation (config/install-deps.sh) or PKG_CONFIG_PATH"
inc_dir=
for d in $(pkg-config --cflags-only-I libdpdk | tr ' ' '\n' | sed -n 's/^-I//p'); do
	if [ -f "$d/rte_version.h" ]; then
		inc_dir=$d
		break
	fi
done
[ -n "$inc_dir" ] || die "cannot find the installed rte_version.h (pkg-config --cflags libdpdk)"

cache=$cache_root/$deb_ver
tarball=$cache/dpdk_${up_ver}.orig.tar.xz

# deb822 stanzas of debian.sources with Types: deb-src (comments dropped).
make_src_list() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		awk '
			/^[[:space:]]*#/ { next }
			/^[[:space:]]*$/ { if (n) print ""; n = 0; next }
			/^Types:/ { print "Types: deb-src"; n++; next }
			{ print; n++ }
		' "$f"
	elif [ -f /etc/apt/sources.list ]; then
		# One-line format: turn each "deb" line into a deb822 deb-src stanza.
		awk '$1 == "deb" {
			i = 2; so = ""
			if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
			for (j = i + 2; j <= NF; j++) printf " %s", $j
			printf "\n\n"
		}' /etc/apt/sources.list
	fi
}

src_available() {
	local out
	out=$(apt-cache showsrc --only-source dpdk 2>/dev/null) || return 1
	grep -qx "Version: $deb_ver" <<<"$out"
}

fetch_source() {
	if [ -f "$tarball" ] && [ -f "$cache/.complete" ]; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] ||
		die "the DPDK $deb_ver source package is not cached in $cache;" \
			"run once as root: config/dpdk-sdk.sh --tarball (needs the Debian mirror)"
	command -v apt-get >/dev/null || die "apt-get not found"
	if ! src_available; then
		if [ ! -f "$src_list" ]; then
			local content
			content=$(make_src_list)
			[ -n "$content" ] || die "no Debian sources found to derive a deb-src entry from;" \
				"add a deb-src entry for dpdk $deb_ver by hand"
			note "adding $src_list"
			printf '# Added by vnet config/dpdk-sdk.sh: source of the installed DPDK.\n%s\n' \
				"$content" >"$src_list"
		fi
		note "apt-get update (to index the deb-src entry)"
		apt-get update -q >&2 || die "apt-get update failed (no network?);" \
			"check access to the Debian mirror and rerun"
		src_available || die "dpdk source version $deb_ver is not available from the" \
			"configured mirrors (apt-cache showsrc dpdk); install a libdpdk-dev whose source" \
			"is available or add a mirror (e.g. snapshot.debian.org) that has it"
	fi
	mkdir -p "$cache_root"
	local tmp
	tmp=$(mktemp -d "$cache_root/.fetch.XXXXXX")
	chmod 0755 "$tmp"
	# Let apt download as its sandbox user (avoids the "unsandboxed as root" warning).
	if id _apt >/dev/null 2>&1; then
		chown _apt "$tmp"
	fi
	note "apt-get source --download-only dpdk=$deb_ver into $cache"
	if ! (cd "$tmp" && apt-get source -q --download-only "dpdk=$deb_ver" >&2); then
		rm -rf "$tmp"
		die "apt-get source dpdk=$deb_ver failed (no network or mirror lacks it)"
	fi
	[ -f "$tmp/dpdk_${up_ver}.orig.tar.xz" ] || {
		rm -rf "$tmp"
		die "apt-get source did not produce dpdk_${up_ver}.orig.tar.xz"
	}
	chown -R 0:0 "$tmp"
	touch "$tmp/.complete"
	rm -rf "$cache"
	mv "$tmp" "$cache"
}

# Serialize concurrent runs (two build directories configured at once share the cache).
lock_and_fetch() {
	if [ -f "$tarball" ] && [ -f "$cache/.complete" ]; then
		return 0
	fi
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$cache_root"
		exec 9>"$cache_root/.lock"
		flock 9
	fi
	fetch_source
}

lock_and_fetch

if [ "$mode" = tarball ]; then
	echo "$tarball"
	exit 0
fi

# The stamp names the version and this script's revision (a changed header list re-extracts).
stamp=$outdir/.stamp
stamp_val="$deb_ver $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_val" ]; then
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnet-sdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
patterns=()
for p in "${sdk_headers[@]}" "${build_tools[@]}" "${check_headers[@]}"; do
	patterns+=("*/$p")
done
tar -xJf "$tarball" -C "$tmp" --wildcards "${patterns[@]}" ||
	die "extracting from $tarball failed; remove $cache and rerun as root"
top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)

for p in "${check_headers[@]}"; do
	cmp -s "$top/$p" "$inc_dir/$(basename "$p")" ||
		die "$inc_dir/$(basename "$p") differs from $p in $tarball:" \
			"installed DPDK is not the source of version $deb_ver"
done

mkdir -p "$outdir/include" "$outdir/buildtools"
for p in "${sdk_headers[@]}"; do
	install -m 0644 "$top/$p" "$outdir/include/"
done
for p in "${build_tools[@]}"; do
	install -m 0644 "$top/$p" "$outdir/buildtools/"
done

# Everything the SDK headers include must resolve against the installed DPDK.
cc_bin=${CC:-cc}
if command -v "$cc_bin" >/dev/null; then
	probe='#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <bus_driver.h>
'
	# shellcheck disable=SC2046
	if ! err=$(printf '%s' "$probe" | "$cc_bin" -fsyntax-only -DALLOW_INTERNAL_API \
		$(pkg-config --cflags libdpdk) -I"$outdir/include" -x c - 2>&1); then
		echo "$err" >&2
		die "the extracted SDK headers do not compile against the installed DPDK"
	fi
fi
echo "$tarball" >"$outdir/tarball"
echo "$stamp_val" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
note "DPDK $deb_ver driver SDK ready in $outdir"
