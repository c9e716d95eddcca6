# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the demo, the host benchmark and the test tiers (bash).
#
# vnet_private_plugin SO PREFIX: copy SO into a fresh root-owned 0755 directory
# /run/PREFIX.XXXXXX and print the plugin's absolute path. EAL refuses a plugin whose real
# path has a world-writable or non-root directory (e.g. /tmp, or a CI clone under one), so
# every ancestor is checked. On failure prints the reason to stderr and returns 1.
vnet_private_plugin() {
	local so=$1 dir plugin d mode owner
	dir=$(mktemp -d "/run/$2.XXXXXX") || {
		echo "vnet: cannot create a directory under /run (run as root)" >&2
		return 1
	}
	chmod 0755 "$dir"
	install -m 0755 "$so" "$dir/librte_net_vnet.so" || return 1
	plugin=$(realpath "$dir/librte_net_vnet.so")
	d=$(dirname "$plugin")
	while :; do
		read -r mode owner < <(stat -c '%a %u' "$d")
		if [ $((8#$mode & 8#002)) -ne 0 ] || [ "$owner" -ne 0 ]; then
			echo "vnet: $d (mode $mode, uid $owner) is world-writable or not root-owned;" \
				"EAL would refuse the plugin" >&2
			return 1
		fi
		[ "$d" = / ] && break
		d=$(dirname "$d")
	done
	echo "$plugin"
}
