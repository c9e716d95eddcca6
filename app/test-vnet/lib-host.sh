# SPDX-License-Identifier: BSD-3-Clause
# Host-side helpers for the demo and the host benchmark (bash, sourced): hugepages, a private
# copy of the plugin (EAL refuses plugins under world-writable directories), and a DPDK
# net_vhost backend (dpdk-testpmd) that this script starts and stops by PID.

VH_BE_PID=
VH_BE_PREFIX=vnbbe$$

# vh_setup_hugepages N: at least N 2 MB hugepages and a hugetlbfs mount; stale files of
# dead runs of ours removed.
vh_setup_hugepages() {
	local want=$1 f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ "$(cat $f)" -lt "$want" ]; then
		echo "$want" >$f 2>/dev/null
	fi
	if [ "$(cat $f)" -lt "$want" ]; then
		echo "vnet: could not reserve $want hugepages (have $(cat $f)): free memory, or run" \
			"'echo $want > $f' as root" >&2
		return 1
	fi
	if ! grep -q ' /dev/hugepages hugetlbfs' /proc/mounts; then
		mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages || {
			echo "vnet: mount -t hugetlbfs nodev /dev/hugepages failed" >&2
			return 1
		}
	fi
	rm -f /dev/hugepages/vnbbe*map_* /dev/hugepages/vnbfe*map_* /dev/hugepages/vndemo*map_* \
		2>/dev/null || true
	return 0
}

. "$(dirname "${BASH_SOURCE[0]}")/../../config/private-plugin.sh"

# vh_private_plugin SO: the plugin in a fresh root-owned directory under /run; print path
vh_private_plugin() {
	vnet_private_plugin "$1" vnet-pmd
}

# vh_backend_start SOCK MODE LOG [testpmd args...]: net_vhost backend in testpmd MODE
vh_backend_start() {
	local sock=$1 mode=$2 log=$3 i
	shift 3
	rm -f "$sock"
	timeout -k 5 600 dpdk-testpmd --lcores '0@0,1@1' --file-prefix=$VH_BE_PREFIX --no-pci \
		--vdev "net_vhost0,iface=$sock,queues=1" -m 1024 -- --forward-mode="$mode" \
		--auto-start --stats-period 100 --no-mlockall "$@" >"$log" 2>&1 &
	VH_BE_PID=$!
	for i in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 $VH_BE_PID 2>/dev/null || break
		sleep 0.1
	done
	echo "vnet: the net_vhost backend did not come up; its log:" >&2
	tail -n 20 "$log" >&2
	vh_backend_stop
	return 1
}

# vh_backend_stop: SIGINT (testpmd prints its statistics), then SIGKILL after 5 s
vh_backend_stop() {
	[ -n "$VH_BE_PID" ] || return 0
	kill -INT $VH_BE_PID 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 $VH_BE_PID 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL $VH_BE_PID 2>/dev/null || true
	wait $VH_BE_PID 2>/dev/null || true	# its exit status is not ours (callers may use set -e)
	VH_BE_PID=
}

# vh_cleanup [PREFIX...]: stop the backend; remove what EAL leaves behind for our file prefixes
# (the backend's and the given frontend ones): /run/dpdk/PREFIX and stale hugepage files.
vh_cleanup() {
	local p
	vh_backend_stop
	for p in "$VH_BE_PREFIX" "$@"; do
		rm -rf "/run/dpdk/$p" "/var/run/dpdk/$p" 2>/dev/null
		rm -f /dev/hugepages/"$p"map_* 2>/dev/null
	done
	return 0
}
