#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Provide the DPDK driver-SDK headers and pmdinfo tools that Debian's libdpdk-dev does not ship,
# taken from the Debian source package of exactly the installed libdpdk-dev version.
#
#   config/dpdk-sdk.sh OUTDIR            fill OUTDIR/include and OUTDIR/buildtools
#   config/dpdk-sdk.sh --tarball         print the path of the source tarball (fetch if needed)
#
# Environment:
#   VNET_DPDK_SRC_CACHE (default /var/cache/vnet/dpdk-src) holds the downloaded source package,
#     one sub-directory per Debian version; it is reused across build directories.
#   VNET_DPDK_SRC_TARBALL=/path/dpdk-X.Y.Z.tar.{xz,gz}: the one deliberate exception to "exactly
#     the installed version", for when Debian's source cannot be had (e.g. a mirror that does not
#     serve trixie's dpdk source): a DPDK source tarball (upstream release or git archive of a
#     tag) of the same LTS line as the installed DPDK (major.minor equal, e.g. 24.11.x for
#     24.11.8). Its version is read from its VERSION file; another LTS line is refused, another
#     release of the same line is used with a warning. The SDK headers it provides are used
#     only after they compiled against the installed public headers; the byte check of public
#     headers is not applied (it reports how many differ). When set, Debian's source is not
#     fetched.
#
# Fetching needs root (a temporary deb-src entry in /etc/apt/sources.list.d/, removed again
# once the source is cached, and apt-get update) and access to the Debian mirror. Once the
# cache holds the package, neither is needed.
set -euo pipefail

prog=vnet-dpdk-sdk
die() {
	echo "$prog: error: $*" >&2
	exit 1
}
note() { echo "$prog: $*" >&2; }
warn() { echo "$prog: warning: $*" >&2; }

cache_root=${VNET_DPDK_SRC_CACHE:-/var/cache/vnet/dpdk-src}
override=${VNET_DPDK_SRC_TARBALL:-}
src_list=/etc/apt/sources.list.d/vnet-deb-src.sources
src_marker='# Added by vnet config/dpdk-sdk.sh'

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

# Temporary files and the deb-src entry this run added go away however the script ends.
xtmp=
added_src=0
cleanup() {
	[ -z "$xtmp" ] || rm -rf "$xtmp"
	[ "$added_src" = 0 ] || remove_src_list
}
trap cleanup EXIT

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script needs Debian/Ubuntu"
deb_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null || true)
[ -n "$deb_ver" ] || die "libdpdk-dev is not installed; run (as root): config/install-deps.sh"
up_ver=${deb_ver#*:}     # drop epoch
up_ver=${up_ver%-*}      # drop Debian revision
lts_line=$(cut -d. -f1,2 <<<"$up_ver")
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

override_hint="to build with the driver-SDK headers of another DPDK $lts_line.x release instead,"
override_hint+=" set VNET_DPDK_SRC_TARBALL=/path/dpdk-$lts_line.x.tar.xz (a DPDK source tarball"
override_hint+=" of the same LTS line, e.g. 'git archive --prefix=dpdk-$lts_line.N/ v$lts_line.N'"
override_hint+=" of upstream DPDK; see README, Supported DPDK versions)"
# die_nosrc REASON: Debian's source of the installed DPDK cannot be had.
die_nosrc() {
	die "the Debian source package of the installed DPDK ($deb_ver) cannot be had: $*;" \
		"$override_hint"
}

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

# The deb-src entry is only needed while downloading: remove it (ours only, recognised by its
# first line) so the system's apt sources stay as they were. Its package lists stay in
# /var/lib/apt/lists until the next apt-get update, which is harmless: apt ignores lists of
# entries that are gone, so a later fetch finds no source and adds the entry again.
remove_src_list() {
	local was_added=$added_src
	added_src=0
	if [ ! -f "$src_list" ] || ! head -n 1 "$src_list" | grep -qF "$src_marker"; then
		return 0
	fi
	rm -f "$src_list"
	if [ "$was_added" = 1 ]; then
		note "added $src_list for the download and removed it again"
	else
		note "removed $src_list (left by an earlier run)"
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
			added_src=1
			printf '%s: source of the installed DPDK (removed again).\n%s\n' \
				"$src_marker" "$content" >"$src_list"
		elif head -n 1 "$src_list" | grep -qF "$src_marker"; then
			added_src=1
		fi
		note "apt-get update (to index the deb-src entry)"
		apt-get update -q >&2 || die_nosrc "apt-get update failed (no network?)"
		src_available || die_nosrc "dpdk source version $deb_ver is not available from" \
			"the configured mirrors (apt-cache showsrc dpdk)"
	fi
	mkdir -p "$cache_root"
	local tmp log reason
	tmp=$(mktemp -d "$cache_root/.fetch.XXXXXX")
	xtmp=$tmp
	chmod 0755 "$tmp"
	# Let apt download as its sandbox user (avoids the "unsandboxed as root" warning).
	if id _apt >/dev/null 2>&1; then
		chown _apt "$tmp"
	fi
	note "apt-get source --download-only dpdk=$deb_ver into $cache"
	log=$(mktemp "${TMPDIR:-/tmp}/vnet-sdk-apt.XXXXXX")
	if ! (cd "$tmp" && apt-get source -q --download-only "dpdk=$deb_ver") >"$log" 2>&1; then
		cat "$log" >&2
		# "E: Failed to fetch URL  404  Not Found [IP: ...]": the orig tarball's, else the first.
		reason=$({ grep -E '^E: Failed to fetch .*orig\.tar' "$log"; grep -E '^E:' "$log"; } |
			head -n 1 | sed -E 's/^E: Failed to fetch ([^ ]+) +(.*[^ ]) *\[IP:.*$/\2: \1/' |
			tr -s ' ' | cut -c1-200 || true)
		rm -f "$log"
		die_nosrc "apt-get source dpdk=$deb_ver failed${reason:+ ($reason)}"
	fi
	cat "$log" >&2
	rm -f "$log"
	[ -f "$tmp/dpdk_${up_ver}.orig.tar.xz" ] ||
		die_nosrc "apt-get source did not produce dpdk_${up_ver}.orig.tar.xz"
	chown -R 0:0 "$tmp"
	touch "$tmp/.complete"
	rm -rf "$cache"
	mv "$tmp" "$cache"
	xtmp=
	remove_src_list
}

# Serialize concurrent runs (two build directories configured at once share the cache).
lock_and_fetch() {
	if [ -f "$tarball" ] && [ -f "$cache/.complete" ]; then
		# A deb-src entry left by an earlier revision of this script: drop it (under the lock,
		# a concurrent fetch may be using it).
		if [ "$(id -u)" -eq 0 ] && [ -f "$src_list" ]; then
			exec 9>"$cache_root/.lock"
			flock 9
			remove_src_list
		fi
		return 0
	fi
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$cache_root"
		exec 9>"$cache_root/.lock"
		flock 9
	fi
	fetch_source
}

# check_override: validate VNET_DPDK_SRC_TARBALL; sets tarball and src_ver.
check_override() {
	if [ ! -f "$override" ] || [ ! -r "$override" ]; then
		die "VNET_DPDK_SRC_TARBALL=$override: no such readable file"
	fi
	case $override in
	/*) ;;
	*) override=$(realpath "$override") ;;
	esac
	# The top-level VERSION file only (a release tarball and a git archive both have one).
	src_ver=$(tar -xOf "$override" --wildcards --no-wildcards-match-slash '*/VERSION' \
		2>/dev/null | head -n 1 | tr -d '[:space:]') || true
	[[ $src_ver =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?$ ]] ||
		die "VNET_DPDK_SRC_TARBALL=$override: no DPDK VERSION file at its top level" \
			"(found '${src_ver}'); expected a DPDK source tarball (dpdk-X.Y.Z/VERSION)"
	local line
	line=$(cut -d. -f1,2 <<<"$src_ver")
	[ "$line" = "$lts_line" ] ||
		die "VNET_DPDK_SRC_TARBALL=$override is DPDK $src_ver (the $line line) but the" \
			"installed DPDK is $up_ver: only a tarball of the same LTS line ($lts_line.x)" \
			"can provide its driver-SDK headers; refused"
	# 24.11.0 and 24.11 name the same release.
	local a=$src_ver b=$up_ver
	[[ $a =~ ^[0-9]+\.[0-9]+$ ]] && a+=.0
	[[ $b =~ ^[0-9]+\.[0-9]+$ ]] && b+=.0
	if [ "$a" != "$b" ]; then
		warn "VNET_DPDK_SRC_TARBALL: using the driver-SDK headers of DPDK $src_ver" \
			"($override) with the installed DPDK $up_ver: same LTS line, not the same release"
	else
		note "VNET_DPDK_SRC_TARBALL: DPDK $src_ver from $override (the installed version)"
	fi
	tarball=$override
}

if [ -n "$override" ]; then
	check_override
else
	lock_and_fetch
fi

if [ "$mode" = tarball ]; then
	echo "$tarball"
	exit 0
fi

# The stamp names the source and this script's revision (a changed header list re-extracts).
stamp=$outdir/.stamp
stamp_val="$deb_ver $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16)"
if [ -n "$override" ]; then
	stamp_val+=" override $src_ver $tarball $(stat -c '%s %Y' "$tarball")"
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_val" ]; then
	exit 0
fi

xtmp=$(mktemp -d "${TMPDIR:-/tmp}/vnet-sdk.XXXXXX")
tmp=$xtmp
patterns=()
for p in "${sdk_headers[@]}" "${build_tools[@]}" "${check_headers[@]}"; do
	patterns+=("*/$p")
done
# tar detects the compression (xz for Debian's orig tarball, xz or gz for an override).
tar -xf "$tarball" -C "$tmp" --wildcards "${patterns[@]}" ||
	die "extracting from $tarball failed${override:+ (VNET_DPDK_SRC_TARBALL)}" \
		"${override:-; remove $cache and rerun as root}"
top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
for p in "${sdk_headers[@]}" "${build_tools[@]}" "${check_headers[@]}"; do
	[ -f "$top/$p" ] || die "$tarball lacks $p"
done

ndiff=0
for p in "${check_headers[@]}"; do
	if ! cmp -s "$top/$p" "$inc_dir/$(basename "$p")"; then
		[ -n "$override" ] ||
			die "$inc_dir/$(basename "$p") differs from $p in $tarball:" \
				"installed DPDK is not the source of version $deb_ver"
		ndiff=$((ndiff + 1))
	fi
done
if [ -n "$override" ]; then
	note "VNET_DPDK_SRC_TARBALL: $ndiff of ${#check_headers[@]} installed public headers" \
		"differ from the tarball's (no byte check: DPDK $src_ver source, installed $up_ver)"
fi

# Everything the SDK headers include must resolve against the installed DPDK, before they are
# used. Mandatory for an override (another release's headers); Debian's source was byte-checked.
mkdir -p "$tmp/sdk/include"
for p in "${sdk_headers[@]}"; do
	install -m 0644 "$top/$p" "$tmp/sdk/include/"
done
cc_bin=${CC:-cc}
if command -v "$cc_bin" >/dev/null; then
	probe=
	for p in "${sdk_headers[@]}"; do
		probe+="#include <$(basename "$p")>"$'\n'
	done
	# shellcheck disable=SC2046
	if ! err=$(printf '%s' "$probe" | "$cc_bin" -fsyntax-only -DALLOW_INTERNAL_API \
		-DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) -I"$tmp/sdk/include" \
		-x c - 2>&1); then
		echo "$err" >&2
		die "the SDK headers from $tarball do not compile against the installed DPDK $up_ver" \
			"($inc_dir)"
	fi
elif [ -n "$override" ]; then
	die "no C compiler ($cc_bin): cannot probe the VNET_DPDK_SRC_TARBALL headers"
fi

mkdir -p "$outdir/include" "$outdir/buildtools"
for p in "${sdk_headers[@]}"; do
	install -m 0644 "$tmp/sdk/include/$(basename "$p")" "$outdir/include/"
done
for p in "${build_tools[@]}"; do
	install -m 0644 "$top/$p" "$outdir/buildtools/"
done
echo "$tarball" >"$outdir/tarball"
echo "$stamp_val" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
if [ -n "$override" ]; then
	note "DPDK $src_ver driver SDK (VNET_DPDK_SRC_TARBALL) for the installed DPDK $up_ver" \
		"ready in $outdir"
else
	note "DPDK $deb_ver driver SDK ready in $outdir"
fi
