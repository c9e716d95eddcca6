#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Checks the built plugin as DPDK's stock tools see it.
#   tests/build/check-plugin.sh BUILD_DIR
# 1. dpdk-pmdinfo.py lists driver net_vnet with PCI ids 1af4:1041 and 1af4:1000.
# 2. The plugin exports no vnet_ symbols (version.map keeps them local).
# 3. dpdk-testpmd -d <plugin> loads it (no "Cannot init plugins") and vnet's constructors ran:
#    its log types pmd.net.vnet.init/.driver are registered and took the --log-level given.
# EAL refuses plugins under a world-writable directory (/tmp, /var/tmp), so the .so is copied
# into a fresh root-owned 0755 directory under /run whose every ancestor is checked.
# Exit 0 = pass. Needs root (writes /run, runs EAL).
set -uo pipefail

fail=0
pass() { echo "PASS: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
}
so=$1/librte_net_vnet.so
[ -f "$so" ] || {
	echo "FAIL: $so not found (was the build configured with the driver enabled?)"
	exit 1
}
[ "$(id -u)" -eq 0 ] || {
	echo "FAIL: must run as root (plugin directory under /run, EAL)"
	exit 1
}

pmdinfo=$(command -v dpdk-pmdinfo.py || command -v dpdk-pmdinfo || true)
testpmd=$(command -v dpdk-testpmd || true)
[ -n "$pmdinfo" ] || bad "dpdk-pmdinfo.py not found (package dpdk-dev)"
[ -n "$testpmd" ] || bad "dpdk-testpmd not found (package dpdk)"
[ $fail -eq 0 ] || exit 1

# --- plugin directory: root-owned, 0755, no world-writable ancestor --------------------------
. "$(dirname "$0")/../../config/private-plugin.sh"
plugin=$(vnet_private_plugin "$so" vnet-test) || { echo "FAIL: private plugin directory"; exit 1; }
plugdir=$(dirname "$plugin")
prefix=vnetchk$$
trap 'rm -rf "$plugdir" "/run/dpdk/$prefix" "/var/run/dpdk/$prefix"' EXIT

# --- 1. pmdinfo ----------------------------------------------------------------------------
if info=$(timeout 60 "$pmdinfo" "$plugin" 2>&1); then
	if res=$(/usr/bin/python3 - "$info" <<'EOF'
import json, sys
try:
    drivers = json.loads(sys.argv[1])
except ValueError as e:
    print("output is not JSON: %s" % e)
    sys.exit(1)
vnet = [d for d in drivers if d.get("name") == "net_vnet"]
if len(vnet) != 1:
    print("expected one driver net_vnet, got %s" % [d.get("name") for d in drivers])
    sys.exit(1)
ids = {(p.get("vendor"), p.get("device")) for p in vnet[0].get("pci_ids", [])}
missing = {("1af4", "1041"), ("1af4", "1000")} - ids
if missing:
    print("missing PCI ids %s (have %s)" % (sorted(missing), sorted(ids)))
    sys.exit(1)
if "vfio-pci" not in vnet[0].get("kmod", ""):
    print("kmod dependency lacks vfio-pci: %r" % vnet[0].get("kmod"))
    sys.exit(1)
print("net_vnet with %s" % ", ".join("%s:%s" % i for i in sorted(ids)))
EOF
	); then
		pass "pmdinfo: $res"
	else
		bad "pmdinfo: $res"
	fi
else
	bad "$pmdinfo $plugin failed: $info"
fi

# --- 2. exported symbols ---------------------------------------------------------------------
if leaked=$(nm -D --defined-only "$plugin" | awk '$3 ~ /^vnet_/ { print $3 }') &&
	[ -z "$leaked" ]; then
	pass "no vnet_ symbol exported"
else
	bad "exported vnet_ symbols (version.map not applied?): $leaked"
fi

# --- 3. testpmd loads the plugin -------------------------------------------------------------
out=$(printf 'dump_log_types\nquit\n' | timeout 120 "$testpmd" -d "$plugin" \
	--log-level='pmd.net.vnet.*:debug' --no-pci --no-huge -m 256 --file-prefix="$prefix" \
	-- -i --total-num-mbufs=2048 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	bad "dpdk-testpmd exited with $rc"
	echo "$out" | tail -n 20
elif grep -q -i -E 'cannot init plugins|insecure|cannot open shared object|undefined symbol' \
	<<<"$out"; then
	bad "dpdk-testpmd reports a plugin loading problem:"
	grep -i -E 'plugin|insecure|shared object|undefined symbol' <<<"$out"
else
	pass "dpdk-testpmd -d $plugin ran and quit cleanly"
fi
for t in init driver; do
	if grep -q -E "^id [0-9]+: pmd\.net\.vnet\.$t, level is debug$" <<<"$out"; then
		pass "log type pmd.net.vnet.$t registered by the plugin (level debug from --log-level)"
	else
		bad "log type pmd.net.vnet.$t not registered at level debug (constructor did not run?)"
		grep -F "pmd.net.vnet" <<<"$out"
	fi
done

[ $fail -eq 0 ] && echo "check-plugin: all passed" || echo "check-plugin: FAILED"
exit $fail
