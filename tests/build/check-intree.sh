#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds drivers/net/vnet in-tree, as drivers/net/vnet of the DPDK source matching the installed
# libdpdk-dev (the orig tarball cached by config/dpdk-sdk.sh, or VNET_DPDK_SRC_TARBALL), with a
# minimal driver set. The library suffix (ABI version) is read from the tree's ABI_VERSION.
#   tests/build/check-intree.sh [BUILD_DIR]
# With a vnet BUILD_DIR the DPDK tree, its build directory and build.log go to BUILD_DIR/intree
# (recreated on each run, kept afterwards); without, to a fresh directory under /var/tmp that
# is removed at the end unless VNET_KEEP_INTREE=1.
# Fails if the driver is not built, the build fails, or the compiler warns about any file of
# drivers/net/vnet. Exit 0 = pass.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
work=
if [ -n "${1:-}" ]; then
	mkdir -p "$1"
	work=$(cd "$1" && pwd)/intree
else
	work=$(mktemp -d /var/tmp/vnet-intree.XXXXXX)
	[ "${VNET_KEEP_INTREE:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
start=$(date +%s)

tarball=$("$here/config/dpdk-sdk.sh" --tarball) || {
	echo "FAIL: cannot get the DPDK source tarball (see the message above)"
	exit 1
}

src=$work/dpdk
rm -rf "$src" "$work/build"
mkdir -p "$src"
tar -xf "$tarball" -C "$src" --strip-components=1
cp -r "$here/drivers/net/vnet" "$src/drivers/net/vnet"
# Add vnet to the net driver list (right after virtio, the list is alphabetical).
sed -i "/^        'virtio',$/a\\        'vnet'," "$src/drivers/net/meson.build"
grep -q "^        'vnet',$" "$src/drivers/net/meson.build" || {
	echo "FAIL: could not add vnet to drivers/net/meson.build"
	exit 1
}

# bus/pci, bus/vdev and mempool/ring are always enabled by DPDK's drivers/meson.build.
log=$work/build.log
if ! timeout 900 meson setup "$work/build" "$src" \
	-Denable_drivers=net/vnet \
	-Ddisable_apps='*' \
	-Dtests=false \
	-Dexamples= \
	-Denable_docs=false \
	-Denable_kmods=false \
	>"$log" 2>&1; then
	tail -n 30 "$log"
	echo "FAIL: meson setup of the DPDK tree failed (log: $log)"
	exit 1
fi
# DPDK names its shared libraries after the tree's ABI version (23.0 for 22.11, 25.0 for 24.11).
abi=$(tr -d '[:space:]' <"$src/ABI_VERSION" 2>/dev/null || true)
[[ $abi =~ ^[0-9]+\.[0-9]+$ ]] || {
	echo "FAIL: no ABI version in $src/ABI_VERSION ('$abi')"
	exit 1
}
target=drivers/librte_net_vnet.so.$abi
# The configure summary lists enabled drivers per class: "net:" then "<tab>vnet, ...".
if ! grep -A1 -x 'net:' "$log" | grep -q -w vnet; then
	grep -n -A3 -i 'vnet' "$log" | head -n 20
	echo "FAIL: DPDK's configure did not enable net/vnet"
	exit 1
fi
if ! timeout 1800 ninja -C "$work/build" "$target" drivers/librte_net_vnet.a >>"$log" 2>&1; then
	grep -n -B2 -A10 -E 'error|FAILED' "$log" | head -n 60
	echo "FAIL: ninja $target failed (log: $log)"
	exit 1
fi
if grep -E '(^|/)drivers/net/vnet/[^ :]*:[0-9]+:[0-9]+: warning:' "$log"; then
	echo "FAIL: compiler warnings in drivers/net/vnet (in-tree flags)"
	exit 1
fi
so=$(realpath "$work/build/$target")
if ! timeout 60 /usr/bin/python3 /usr/bin/dpdk-pmdinfo.py "$so" | grep -q '"net_vnet"'; then
	echo "FAIL: dpdk-pmdinfo.py does not list net_vnet in the in-tree $so"
	exit 1
fi
echo "PASS: in-tree build of net/vnet: $so ($(($(date +%s) - start)) s)"
