#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Host test tier: vnet's vhost-user transport (net_vnet_user) against DPDK's net_vhost.
#   tests/vhost/run.sh BUILD_DIR [CASE...]
# Prints one "PASS name (Ns) ..." / "FAIL name (Ns) ..." / "SKIP name: reason" line per case
# (and the log tail on a failure) and exits 0 only if every case passed.
# Logs: BUILD_DIR/test-logs/vhost/<case>.log. Needs root (hugepages, plugin directory).
# See tests/vhost/README.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [CASE...]" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "FAIL host-setup: no build directory $1"; exit 1; }
shift
want=("$@")

t_all=$SECONDS
passed=0 failed=0 skipped=0
timings=()
pids=()                        # every process this script started in the background
prefix="vnvh$$"                # EAL --file-prefix of every process: ${prefix}_<n>
nproc_=0
work=""
logs="$build/test-logs/vhost"

# ---- helpers ------------------------------------------------------------------------------

cleanup() {
	local p i
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -f /dev/hugepages/"${prefix}"_*map_* 2>/dev/null
	rm -rf /var/run/dpdk/"${prefix}"_* 2>/dev/null
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

selected() {
	[ ${#want[@]} -eq 0 ] && return 0
	local w
	# shellcheck disable=SC2053 # CASE arguments are glob patterns
	for w in "${want[@]}"; do [[ $1 == $w ]] && return 0; done
	return 1
}

# start_case NAME: sets case_name, case_t0, case_log; returns 1 if not selected
start_case() {
	selected "$1" || return 1
	case_name=$1
	case_t0=$SECONDS
	case_log="$logs/$1.log"
	: >"$case_log"
	return 0
}

# finish OK(0|1) [DETAIL]
finish() {
	local ok=$1 detail=${2:-} dt=$((SECONDS - case_t0))
	timings+=("$case_name ${dt}s")
	if [ "$ok" -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS $case_name (${dt}s)${detail:+ $detail}"
	else
		failed=$((failed + 1))
		echo "FAIL $case_name (${dt}s)${detail:+ $detail}"
		echo "----- tail of $case_log -----"
		grep -v '^VHOST_CONFIG' "$case_log" | tail -n 40
		echo "-----"
	fi
}

skip() {
	skipped=$((skipped + 1))
	echo "SKIP $1: $2"
}

# next_prefix: sets fp to a new EAL file prefix of this run
next_prefix() {
	nproc_=$((nproc_ + 1))
	fp="${prefix}_$nproc_"
}

# eal_run TIMEOUT EAL-ARGS... -- MODE ARGS: the test program in the foreground, output to
# the case log (appended); returns its exit status (124 on timeout, 128+N on signal N)
eal_run() {
	local to=$1
	shift
	next_prefix
	echo "+ vnet-vhost-test --file-prefix $fp $*" >>"$case_log"
	timeout -k 5 "$to" "$prog" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" \
		"$@" >>"$case_log" 2>&1
}

# describe_rc RC: text for an exit status
describe_rc() {
	case $1 in
	0) echo "exit 0" ;;
	124) echo "timed out" ;;
	141) echo "killed by SIGPIPE" ;;
	134) echo "aborted (SIGABRT)" ;;
	139) echo "crashed (SIGSEGV)" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi ;;
	esac
}

# bg_start LOG CMD...: start CMD in the background; bg_pid is CMD's own PID (recorded)
bg_start() {
	local log=$1
	shift
	echo "+ $*" >>"$log"
	"$@" >>"$log" 2>&1 </dev/null &
	bg_pid=$!
	pids+=("$bg_pid")
}

# bg_stop PID [SIGNAL]: signal a process we started, wait up to 5 s, then SIGKILL
bg_stop() {
	local p=$1 sig=${2:-TERM} i
	{
		kill -"$sig" "$p"
		for i in $(seq 1 50); do kill -0 "$p" || break; sleep 0.1; done
		kill -KILL "$p" && wait "$p"
	} 2>/dev/null
}

# wait_grep FILE PATTERN TIMEOUT_S [PID]: 0 once PATTERN appears (fixed string); 1 on timeout
# or when PID (if given) has exited
wait_grep() {
	local f=$1 pat=$2 n=$(($3 * 10)) pid=${4:-} i
	for ((i = 0; i < n; i++)); do
		grep -qF -- "$pat" "$f" 2>/dev/null && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -qF -- "$pat" "$f" 2>/dev/null && return 0
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# log_lacks SUBSTRING...: print the first SUBSTRING the case log lacks and succeed; fail if
# it has them all
log_lacks() {
	local s
	for s in "$@"; do
		grep -qF -- "$s" "$case_log" || { printf '%s' "$s"; return 0; }
	done
	return 1
}

# ---- setup --------------------------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL host-setup: must run as root (hugepages, plugin directory under /run)"
	exit 1
fi
mkdir -p "$logs"
prog="$build/tests/vhost/vnet-vhost-test"
oprog="$build/tests/vhost/vnet-offload-test"
hostile="$build/tests/vhost/vnet-hostile-test"
qprog="$build/tests/vhost/vnet-queue-test"
so="$build/librte_net_vnet.so"
testpmd=$(command -v dpdk-testpmd || true)
py=/usr/bin/python3
missing=""
[ -x "$prog" ] || missing+=" $prog (meson setup --reconfigure $build && ninja -C $build)"
[ -x "$hostile" ] || missing+=" $hostile (meson setup --reconfigure $build && ninja -C $build)"
[ -x "$qprog" ] || missing+=" $qprog (meson setup --reconfigure $build && ninja -C $build)"
[ -f "$so" ] || missing+=" $so"
[ -n "$testpmd" ] || missing+=" dpdk-testpmd (package dpdk)"
[ -x "$py" ] || missing+=" $py"
if [ -n "$missing" ]; then
	echo "FAIL host-setup: missing:$missing"
	exit 1
fi

# Stale files of earlier runs of this script whose process is gone (only our own prefix).
for f in /dev/hugepages/vnvh*_*map_* /var/run/dpdk/vnvh*_*; do
	[ -e "$f" ] || continue
	p=${f##*/vnvh}
	p=${p%%_*}
	case $p in '' | *[!0-9]*) continue ;; esac
	kill -0 "$p" 2>/dev/null || rm -rf "$f"
done

# Hugepages: 2 MB pages, at least $need free (this tier runs at most two EAL processes at a
# time, -m 256 each). Only ever raise nr_hugepages: other users may hold pages.
need=400
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
if ! mountpoint -q /dev/hugepages; then
	mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages || {
		echo "FAIL host-setup: cannot mount hugetlbfs at /dev/hugepages"
		exit 1
	}
fi
if [ -d "$hp" ]; then
	free=$(cat "$hp/free_hugepages")
	total=$(cat "$hp/nr_hugepages")
	if [ "$free" -lt "$need" ]; then
		echo $((total + need - free)) >"$hp/nr_hugepages" 2>/dev/null
		free=$(cat "$hp/free_hugepages")
	fi
fi
if [ ! -d "$hp" ] || [ "$free" -lt "$need" ]; then
	echo "FAIL host-setup: need $need free 2 MB hugepages, have ${free:-none}"
	exit 1
fi

# The plugin in a root-owned 0755 directory with no world-writable ancestor (EAL refuses
# plugins under e.g. /tmp), passed by absolute path. Sockets live there too.
. "$here/../../config/private-plugin.sh"
plugin=$(vnet_private_plugin "$so" vnet-vhost) || { echo "FAIL host-setup: plugin directory"; exit 1; }
work=$(dirname "$plugin")
echo "host tier: plugin $plugin, $(nproc) cores, hugepages free $free, logs in $logs"

# ---- 1. byte-exact frames both ways against net_vhost, in one process ---------------------
# frames_case NAME MEMORY(zc|copy|nohuge) VHOST_EXTRA VNET_EXTRA QUEUES FRAMES [TEST-ARGS...]
frames_case() {
	local name=$1 mem=$2 vhx=$3 vnx=$4 nq=$5 frames=$6 sock mem_args expect rc detail ok=0
	local missing expect_log=("${frames_expect_log[@]}")
	frames_expect_log=()	# consumed by this case, selected or not
	shift 6
	start_case "$name" || return 0
	sock="$work/$name.sock"
	case $mem in
	zc) mem_args=(--single-file-segments -m 256) expect=0 ;;
	copy) mem_args=(-m 256) expect=1 ;;
	nohuge) mem_args=(--no-huge -m 256) expect=0 ;;
	esac
	eal_run 120 "${mem_args[@]}" --vdev "net_vhost0,iface=$sock,queues=$nq$vhx" -- frames \
		--vnet "path=$sock,queues=$nq$vnx" --queues "$nq" --frames "$frames" \
		--expect-copy "$expect" --timeout 60 "$@"
	rc=$?
	detail="$(grep -oE 'traffic took [0-9.]+ s' "$case_log" | head -1)"
	if [ $rc -ne 0 ] || ! grep -q '^RESULT frames PASS' "$case_log"; then
		ok=1
		detail="vnet-vhost-test $(describe_rc $rc)"
	elif [ "$expect" = 1 ] && ! grep -q "packets are copied through vnet's shared buffers" \
		"$case_log"; then
		ok=1
		detail="copy mode without its log line"
	elif [[ " $* " == *" --late-pool "* ]] && ! grep -q "memory table updated" "$case_log"; then
		ok=1
		detail="the memory EAL added after start was not announced to the backend"
	elif [ "$expect" = 0 ] && grep -q "packets are copied" "$case_log"; then
		ok=1
		detail="zero-copy expected, the driver logged copy mode"
	elif ! grep -qE "backend running $((2 * nq)) virtqueues, $([ "$expect" = 1 ] && echo \
		"copy mode" || echo "zero-copy")" "$case_log"; then
		ok=1
		detail="no 'backend running' line for $((2 * nq)) virtqueues in the expected mode"
	else
		detail="$nq queue pair(s), $frames frames per queue each way, $([ "$expect" = 1 ] &&
			echo copy || echo zero-copy), $detail"
	fi
	if [ $ok -eq 0 ] && missing=$(log_lacks "${expect_log[@]}"); then
		ok=1
		detail="log lacks \"$missing\""
	fi
	finish $ok "$detail"
}
frames_expect_log=()	# substrings the next frames_case's log must contain

frames_case frames-zerocopy zc "" "" 1 100000
frames_case frames-zerocopy-no-indirect zc "" ",indirect=0" 1 50000
frames_case frames-copy copy "" "" 1 100000
frames_case frames-nohuge-memfd nohuge "" "" 1 50000
# EAL grows its memory after start for a new pool (200 MB on top of -m 256): vnet must share it.
frames_case frames-zerocopy-late-pool zc "" "" 1 50000 --late-pool 80000
frames_case frames-zerocopy-q2 zc "" "" 2 50000
frames_case frames-copy-q2 copy "" "" 2 50000
# Four pairs on both sides, every queue byte-exact; then vnet reconfigured 1 -> 4 -> 2 pairs by
# stop / configure / start against the same 4-queue net_vhost (unused pairs carry nothing),
# with testpmd-style --txd=1024 on the default 256-entry rings.
frames_case frames-zerocopy-q4 zc "" "" 4 30000
# Mergeable RX buffers: vnet's RX mbufs hold 256 data bytes, so frames of up to 1514 bytes
# arrive as chains of up to 6 used buffers (num_buffers), zero-copy and copy mode.
frames_expect_log=("mergeable RX")
frames_case frames-mergeable-rx256 zc "" "" 2 30000 --rx-buf 256
frames_expect_log=("mergeable RX")
frames_case frames-copy-mergeable-rx256 copy "" "" 1 30000 --rx-buf 256
frames_expect_log=("round 3: 2 queue pair(s)")
frames_case frames-reconfig-1-4-2 zc "" "" 4 20000 --reconfig 1,4,2 --desc 1024 \
	--expect-desc 256
frames_case frames-q8-qsize64 zc "" ",queue_size=64" 8 10000
frames_case frames-vnet-server zc ",client=1" ",server=1" 1 50000
frames_case frames-qsize1024-no-event-idx zc "" ",queue_size=1024,event_idx=0" 1 50000 \
	--desc 1024 --expect-desc 1024
# Descriptor counts as applications ask for them (testpmd --txd=1024 on the default 256-entry
# rings; a count that is not a power of two): accepted, clamped / rounded, reported.
frames_expect_log=("RX queues: 1024 descriptors requested, using 256 (the device's maximum)"
	"TX queues: 1024 descriptors requested, using 256 (the device's maximum)")
frames_case frames-desc1024-qsize256 zc "" "" 1 50000 --desc 1024 --expect-desc 256
frames_expect_log=("TX queues: 100 descriptors requested, using 128 (rounded up")
frames_case frames-desc100-qsize256 zc "" ",packed=0" 1 50000 --desc 100 --expect-desc 128
# DPDK's vhost offers VIRTIO_F_RING_PACKED (and IN_ORDER): packed rings take the exact count.
frames_expect_log=("packed ring")
frames_case frames-packed-desc100 zc "" "" 1 50000 --desc 100 --expect-desc 100
frames_expect_log=("split ring")
frames_case frames-split-packed0 zc "" ",packed=0" 2 50000
frames_case frames-kick-coalesce zc "" ",kick_coalesce=64,kick_delay_us=100" 1 50000
frames_case frames-copy-kick-coalesce copy "" ",kick_coalesce=64,kick_delay_us=100" 1 50000
frames_expect_log=("adaptive TX kick moderation")
frames_case frames-kick-auto zc "" ",kick_coalesce=auto" 2 50000

# ---- 1b. control-thread creation fails: negative errno, the right message, no crash -------
# thread_fail_case NAME SKIP VNET-EXTRA EXPECTED-SUBSTRING...: vnet-failshim.so (LD_PRELOAD)
# makes the driver's pthread_create() fail with EAGAIN after SKIP successful ones (0: the
# vhost-user control thread at probe; 1: the kick safety net at dev_start).
thread_fail_case() {
	local name=$1 nskip=$2 extra=$3 sock rc missing ok=0 detail=""
	shift 3
	start_case "$name" || return 0
	sock="$work/$name.sock"
	LD_PRELOAD=$build/tests/vhost/vnet-failshim.so VNET_FAILSHIM_OBJECT=librte_net_vnet \
		VNET_FAILSHIM_SKIP=$nskip eal_run 60 --single-file-segments -m 256 \
		--vdev "net_vhost0,iface=$sock,queues=1" -- frames --vnet "path=$sock$extra" \
		--queues 1 --frames 1000 --timeout 20
	rc=$?
	if [ "$rc" -gt 128 ] || [ "$rc" -eq 124 ]; then
		ok=1 detail="vnet-vhost-test $(describe_rc "$rc")"
	elif ! grep -qF "vnet-failshim: failing pthread_create #$((nskip + 1))" "$case_log"; then
		ok=1 detail="the shim failed no thread creation of the driver"
	elif missing=$(log_lacks "$@"); then
		ok=1 detail="log lacks \"$missing\""
	fi
	[ $ok -eq 0 ] && detail="EAGAIN injected: $(grep -m1 -oE 'cannot start the [a-z -]+thread: [A-Za-z ]+' "$case_log")"
	finish $ok "$detail"
}

thread_fail_case thread-fail-vhost-user-ctl 0 "" \
	"cannot start the control thread: Resource temporarily unavailable" \
	"hot-plug net_vnet_user0,path=$work/thread-fail-vhost-user-ctl.sock: Resource temporarily unavailable"
thread_fail_case thread-fail-kick-safety-net 1 ",kick_coalesce=64,kick_delay_us=100" \
	"cannot start the kick safety-net thread: Resource temporarily unavailable" \
	"port start: Resource temporarily unavailable (-11)"

# ---- 1c. ring capacity: N single-segment packets in a ring of N entries --------------------
capacity_case() {	# NAME VNET-EXTRA [TEST-ARGS...]
	local name=$1 extra=$2 sock rc ok=0 detail
	shift 2
	start_case "$name" || return 0
	sock="$work/$name.sock"
	eal_run 60 --single-file-segments -m 256 --vdev "net_vhost0,iface=$sock,queues=1" -- \
		capacity --vnet "path=$sock$extra" --queues 1 --timeout 20 "$@"
	rc=$?
	detail=$(grep -m1 -oE 'TX ring of [0-9]+ entries took [0-9]+ [0-9]+-segment' "$case_log")
	if [ $rc -ne 0 ] || ! grep -q '^RESULT capacity PASS' "$case_log"; then
		ok=1
		detail="vnet-vhost-test $(describe_rc $rc): ${detail:-no capacity line}"
	fi
	finish $ok "$detail"
}
capacity_case tx-capacity-256 ""
capacity_case tx-capacity-1024 ",queue_size=1024" --desc 1024
capacity_case tx-capacity-3seg-indirect "" --segs 3
# Shared mbufs (refcnt 2) take no header: a two-entry indirect pair each, one slot still.
capacity_case tx-capacity-256-shared-indirect "" --shared 1
# Without indirect tables (indirect=0): the header goes into the mbuf headroom.
capacity_case tx-capacity-256-headroom ",indirect=0"

# ---- 1c'. the adaptive moderation's safety net: long sleeps while the lcore decides, the
# deferral of an lcore that stopped calling still kicked (vnet-vhost-test safety) ----------
safety_case() {	# NAME VNET-EXTRA
	local name=$1 extra=$2 sock rc ok=0 detail
	start_case "$name" || return 0
	sock="$work/$name.sock"
	eal_run 60 --single-file-segments -m 256 --vdev "net_vhost0,iface=$sock,queues=1" -- \
		safety --vnet "path=$sock$extra" --queues 1 --timeout 20
	rc=$?
	detail="$(grep -m1 -oE '[0-9]+ safety-net scans' "$case_log"); $(grep -m1 -oE 'kicked by the safety net after [0-9.]+ ms' "$case_log")"
	if [ $rc -ne 0 ] || ! grep -q '^RESULT safety PASS' "$case_log"; then
		ok=1
		detail="vnet-vhost-test $(describe_rc $rc): $(grep -m1 '^vnet-test: ERROR' "$case_log" | head -c 200) $detail"
	fi
	finish $ok "$detail"
}
safety_case kick-auto-safety-net-stalled-lcore ""
safety_case kick-auto-safety-net-stalled-lcore-packed0 ",packed=0"

# ---- 1d. offloads against net_vhost tso=1 (vnet-offload-test) -----------------------------
# offload_case NAME MEMORY(zc|copy) VHOST-EXTRA MODE [TEST-ARGS...]: vnet with checksum, TSO,
# LRO, VLAN, scatter and MTU 9000 against net_vhost in one process; the program prints one
# "CHECK <name> PASS|FAIL" line per check and "RESULT <mode> PASS|FAIL (<n> checks, <k>
# failed)". The detail names the failed checks.
offload_case() {
	local name=$1 mem=$2 vhx=$3 mode=$4 sock rc ok=0 detail mem_args
	shift 4
	start_case "$name" || return 0
	sock="$work/$name.sock"
	case $mem in
	zc) mem_args=(--single-file-segments -m 256) ;;
	copy) mem_args=(-m 256) ;;
	esac
	next_prefix
	echo "+ vnet-offload-test --file-prefix $fp $*" >>"$case_log"
	timeout -k 5 30 "$oprog" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" "${mem_args[@]}" \
		--vdev "net_vhost0,iface=$sock,queues=1$vhx" -- "$mode" --vnet "path=$sock" "$@" \
		>>"$case_log" 2>&1
	rc=$?
	detail="$(grep -m1 -oE '[0-9]+ checks, [0-9]+ failed' "$case_log")"
	if [ $rc -ne 0 ] || ! grep -q "^RESULT $mode PASS" "$case_log"; then
		ok=1
		detail="vnet-offload-test $(describe_rc $rc)${detail:+, $detail}:"
		detail+=" $(grep -oE '^CHECK [a-z0-9-]+ FAIL' "$case_log" | awk '{print $2}' | tr '\n' ' ')"
	fi
	finish $ok "$detail"
}
if [ -x "$oprog" ]; then
	# 1. vnet TX -> net_vhost RX: checksum requests, TSO (IPv4, IPv6), VLAN insert, jumbo
	offload_case offload-tx zc ",tso=1" tx
	# the same with net_vhost's legacy-ol-flags=1 (TX flags + l2/l3/l4 lengths on its mbufs)
	offload_case offload-tx-legacy-ol-flags zc ",tso=1,legacy-ol-flags=1" tx --legacy 1
	# 2. net_vhost TX -> vnet RX: NEEDS_CSUM, GSO -> LRO, VLAN strip, plain, oversize drop
	offload_case offload-rx zc ",tso=1" rx
	# ethdev's default max_lro_pkt_size (0 -> MTU + 18 at configure) must not drop LRO frames
	offload_case offload-rx-lro-default-size zc ",tso=1" rx --lro-default 1
	# packet type parsing off (testpmd's default): the checksum/LRO decisions still hold
	offload_case offload-rx-no-ptypes zc ",tso=1" rx --no-ptypes 1
	# copy mode (EAL memory not shareable): the same checks through bounce buffers
	# TX above one bounce slot (2036-byte frames) is not implemented in copy mode (doc:
	# Limitations); the RX side works through mergeable buffers.
	selected offload-tx-copy && skip offload-tx-copy "copy mode carries TX frames of up to 2036 bytes (documented limitation): jumbo and TSO through bounce buffers not implemented"
	offload_case offload-rx-copy copy ",tso=1" rx
	# 3. negotiation follows the application; capabilities with and without tso=1
	offload_case offload-negotiate zc ",tso=1" negotiate --tso 1
	offload_case offload-negotiate-no-tso zc "" negotiate --tso 0
else
	skip offload-all "no $oprog"
fi

# ---- 1e. runtime queue start/stop (vnet-queue-test, vnet_lifecycle.c) ----------------------
# queue_case NAME MEMORY(zc|copy) VNET-EXTRA: vnet queues=2 against net_vhost queues=2 in one
# process; queue 1 deferred, started, stopped while queue 0 forwards, started again.
queue_case() {
	local name=$1 mem=$2 vx=$3 sock rc ok=0 detail="" mem_args
	start_case "$name" || return 0
	sock="$work/$name.sock"
	case $mem in
	zc) mem_args=(--single-file-segments -m 512) ;;
	copy) mem_args=(-m 512) ;;
	esac
	next_prefix
	echo "+ vnet-queue-test --file-prefix $fp ${mem_args[*]} -- --vnet path=$sock,queues=2$vx" \
		>>"$case_log"
	timeout -k 5 60 "$qprog" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" "${mem_args[@]}" \
		--vdev "net_vhost0,iface=$sock,queues=2" -- --vnet "path=$sock,queues=2$vx" \
		>>"$case_log" 2>&1
	rc=$?
	detail="$(grep -m1 -oE '[0-9]+ checks, [0-9]+ failed' "$case_log")"
	if [ $rc -ne 0 ] || ! grep -q "^RESULT queue PASS" "$case_log"; then
		ok=1
		detail="vnet-queue-test $(describe_rc $rc)${detail:+, $detail}:"
		detail+=" $(grep -oE '^CHECK [a-z0-9-]+ FAIL' "$case_log" | awk '{print $2}' | tr '\n' ' ')"
	else
		detail+="; $(grep -m1 -oE 'frames per flow: .*' "$case_log")"
		detail+="; RX $(grep -m1 -oE 'RX burst mode: .*' "$case_log" | cut -d' ' -f4-)"
	fi
	finish $ok "$detail"
}
queue_case queue-stop-start zc ""
queue_case queue-stop-start-packed0 zc ",packed=0"
queue_case queue-stop-start-copy copy ""
# adaptive kick moderation: each queue's kick state starts afresh at its start
queue_case queue-stop-start-kick-auto zc ",kick_coalesce=auto"

# ---- 2. backend restart mid-traffic -------------------------------------------------------
# restart_case NAME MEMORY(zc|copy): vnet server=1 in vnet-vhost-test (restart mode), the
# backend dpdk-testpmd macswap over net_vhost client=1, killed (SIGKILL, then SIGTERM) and
# restarted twice while the frontend keeps sending.
restart_case() {
	local name=$1 mem=$2 sock fe be n t0 dt ok=0 detail="" rc mem_args expect
	local belog down_times=() want_xs
	start_case "$name" || return 0
	sock="$work/$name.sock"
	case $mem in
	zc) mem_args=(--single-file-segments -m 256) expect=0 ;;
	copy) mem_args=(-m 256) expect=1 ;;
	esac
	next_prefix
	# timeout passes SIGTERM on and exits with the program's status (128+N on signal N)
	bg_start "$case_log" timeout -k 5 150 "$prog" -l 0 --no-pci --file-prefix "$fp" \
		-d "$plugin" "${mem_args[@]}" -- restart --vnet "path=$sock,server=1" --cycles 2 \
		--expect-copy "$expect"
	fe=$bg_pid
	start_backend() {	# $1 = instance number; sets be (testpmd's own PID), be_fp
		belog="$logs/$name.backend$1.log"
		: >"$belog"
		next_prefix
		be_fp=$fp
		bg_start "$belog" "$testpmd" --lcores 0@1,1@1 --file-prefix="$be_fp" --no-pci \
			--vdev "net_vhost0,iface=$sock,client=1,queues=1" -- --forward-mode=macswap \
			--auto-start --stats-period 2 --no-mlockall --total-num-mbufs=8192
		be=$bg_pid
	}
	fail() { ok=1; detail=$1; }

	if ! wait_grep "$case_log" "server mode: waiting" 20 "$fe"; then
		fail "vnet did not start listening on $sock"
	fi
	[ $ok -eq 0 ] && start_backend 1
	for n in 1 2; do
		[ $ok -eq 0 ] || break
		if ! wait_grep "$case_log" "MARK traffic $n " 45 "$fe"; then
			fail "no traffic with backend $n"
			break
		fi
		# SIGKILL the first backend (no goodbye), SIGTERM the second (testpmd closes cleanly)
		t0=$(date +%s%N)
		if [ $n -eq 1 ]; then
			# reaped at once, inside the redirection: no "Killed" job notice on stderr
			{ kill -KILL "$be"; wait "$be"; } 2>/dev/null
		else
			kill -TERM "$be"
		fi
		if ! wait_grep "$case_log" "MARK down $n " 10 "$fe"; then
			fail "link not down within 10 s of killing backend $n (SIG$([ $n -eq 1 ] &&
				echo KILL || echo TERM))"
			break
		fi
		dt=$((($(date +%s%N) - t0) / 1000000))
		down_times+=("${dt}ms")
		if [ "$dt" -gt 5000 ]; then
			fail "link down only after $dt ms"
			break
		fi
		bg_stop "$be"
		rm -rf /dev/hugepages/"$be_fp"map_* /var/run/dpdk/"$be_fp"	# killed backend's
		start_backend "$((n + 1))"
		if ! wait_grep "$case_log" "MARK up $n " 45 "$fe"; then
			fail "link not up again after backend $((n + 1)) started"
			break
		fi
	done
	if [ $ok -eq 0 ] && ! wait_grep "$case_log" "MARK traffic 3 " 45 "$fe"; then
		fail "traffic did not resume after the second restart"
	fi
	# the frontend stops + closes by itself, then reports
	for i in $(seq 1 300); do kill -0 "$fe" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$fe" 2>/dev/null && bg_stop "$fe"
	wait "$fe"
	rc=$?
	[ -n "${be:-}" ] && bg_stop "$be"
	# 3 backends served, 2 hang-ups seen (xstats of the port, printed before close)
	want_xs="vhost_user_backend_starts=3 vhost_user_backend_hangups=2 vhost_user_copy_mode=$expect"
	if [ $ok -eq 0 ]; then
		if [ $rc -ne 0 ] || ! grep -q '^RESULT restart PASS' "$case_log"; then
			fail "frontend $(describe_rc $rc)"
		elif ! grep -qF "$want_xs" "$case_log"; then
			fail "xstats: expected $want_xs"
		else
			detail="backend SIGKILL + SIGTERM: link down after ${down_times[*]}, up again,"
			detail+=" $(grep -oE 'received [0-9]+ intact' "$case_log" | tail -1) frames,"
			detail+=" mempool back to start"
		fi
	fi
	finish $ok "$detail"
}

restart_case restart-zerocopy zc
restart_case restart-copy copy

# ---- 3. bad devargs: clear error, no port -------------------------------------------------
# refused_verdict RC EXPECTED-SUBSTRING...: sets ok (0 = pass) and detail for a probe run that
# must end cleanly with no port and log every expected substring.
refused_verdict() {
	local rc=$1 missing
	shift
	ok=0 detail=""
	if [ "$rc" -ne 0 ] || ! grep -q '^RESULT probe PASS' "$case_log"; then
		ok=1 detail="vnet-vhost-test $(describe_rc "$rc")"
	elif ! grep -q '^vnet-test: ports 0 (total 0)' "$case_log"; then
		ok=1 detail="expected no port: $(grep '^vnet-test: port' "$case_log" | tr '\n' ' ')"
	elif missing=$(log_lacks "$@"); then
		ok=1 detail="log lacks \"$missing\""
	fi
}

# devargs_case NAME VDEV-ARGS EXPECTED-SUBSTRING...: net_vnet_user0 on the EAL command line
devargs_case() {
	local name=$1 args=$2 rc ok=0 detail="" vdev
	shift 2
	start_case "$name" || return 0
	vdev="net_vnet_user0${args:+,$args}"
	eal_run 60 --no-huge -m 128 --vdev "$vdev" -- probe
	rc=$?
	refused_verdict $rc "$@"
	[ $ok -eq 0 ] && detail="$(grep -m1 -E '^[a-z_]+\(\): ' "$case_log" | head -c 160)"
	finish $ok "$detail"
}

nosock="$work/nobody-listens.sock"
devargs_case devargs-no-path "" "devarg path=<vhost-user socket> is required"
devargs_case devargs-queue-size-1000 "path=$nosock,queue_size=1000" \
	"queue_size=1000: must be a power of two"
devargs_case devargs-queue-size-65536 "path=$nosock,queue_size=65536" "queue_size=65536"
devargs_case devargs-unknown-key "path=$nosock,unknown_key=1" "unknown_key" "unknown devarg key \"unknown_key\""
devargs_case devargs-queues-0 "path=$nosock,queues=0" "queues=0: expected an integer in [1, 8]"
devargs_case devargs-queues-9 "path=$nosock,queues=9" "queues=9: expected an integer in [1, 8]"
devargs_case devargs-server-2 "path=$nosock,server=2" "server=2: expected an integer in [0, 1]"
devargs_case devargs-mac-multicast "path=$nosock,mac=01:00:5e:00:00:01" "expected a unicast MAC"
devargs_case devargs-kick-delay-0 "path=$nosock,kick_delay_us=0" "kick_delay_us=0"
devargs_case devargs-kick-rx-defer-2 "path=$nosock,kick_rx_defer=2" \
	"devarg kick_rx_defer=2: expected an integer in [0, 1]"
devargs_case devargs-nonexistent-path "path=/nonexistent/sock" \
	"cannot connect to vhost-user backend /nonexistent/sock: No such file or directory"
devargs_case devargs-server-bad-dir "path=/nonexistent/dir/s.sock,server=1" \
	"cannot listen on /nonexistent/dir/s.sock"
# vhost-net backend (path=/dev/vhost-net): what the host can check without the module (the
# forwarding cases run in the guest tier, tests/qemu/run.sh vhost-net-*).
devargs_case devargs-iface-vhost-user "path=$nosock,iface=vntap0" \
	"devarg iface= is for the vhost-net backend (path=/dev/vhost-net), not the vhost-user socket"
devargs_case devargs-iface-too-long "path=/dev/vhost-net,iface=abcdefghijklmnopq" \
	"devarg iface=abcdefghijklmnopq: expected a network interface name of 1..15 characters"
devargs_case vhost-net-not-vhost "path=/dev/null,iface=vntap0" \
	"/dev/null: VHOST_SET_OWNER: Inappropriate ioctl for device (not a vhost-net device)"
if [ -e /dev/vhost-net ]; then
	selected vhost-net-no-module && skip vhost-net-no-module "this host has /dev/vhost-net"
else
	devargs_case vhost-net-no-module "path=/dev/vhost-net,iface=vntap0" \
		"cannot open /dev/vhost-net: No such file or directory: the vhost-net backend needs" \
		"load the modules tun, tap, vhost_iotlb, vhost and vhost_net (modprobe vhost_net)"
fi

# A stale socket file (bound, nobody listening): connection refused.
if start_case devargs-stale-socket; then
	stale="$work/stale.sock"
	"$py" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
		"$stale"
	eal_run 60 --no-huge -m 128 --vdev "net_vnet_user0,path=$stale" -- probe
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^vnet-test: ports 0 (total 0)' "$case_log" &&
		grep -qF "cannot connect to vhost-user backend $stale: Connection refused" "$case_log"; then
		finish 0 "nobody listening on $stale: Connection refused, no port"
	else
		finish 1 "vnet-vhost-test $(describe_rc $rc)"
	fi
fi

# (No "more queues than the backend" case against net_vhost: DPDK 22.11's vhost library
# answers GET_QUEUE_NUM with 128 whatever net_vhost's queues= is; untrusted-mq-lie below
# checks vnet's side of it with a backend that says 1.)

# ---- 4. untrusted backend -----------------------------------------------------------------
# untrusted_case NAME MODE VNET-EXTRA EXPECTED-SUBSTRING...: fake_backend.py MODE listens, vnet
# (client) connects at probe; the probe must fail with the reason, no port, no crash.
untrusted_case() {
	local name=$1 mode=$2 extra=$3 sock fb rc ok=0 detail=""
	shift 3
	start_case "$name" || return 0
	sock="$work/$name.sock"
	bg_start "$case_log" "$py" "$here/fake_backend.py" "$mode" "$sock" --timeout 30
	fb=$bg_pid
	if ! wait_grep "$case_log" "listening on $sock" 10 "$fb"; then
		bg_stop "$fb"
		finish 1 "fake backend did not start"
		return 0
	fi
	eal_run 60 --no-huge -m 128 --vdev "net_vnet_user0,path=$sock$extra" -- probe
	rc=$?
	bg_stop "$fb"
	refused_verdict $rc "$@"
	[ $ok -eq 0 ] && detail="$(grep -m1 -E 'vu_(read_full|recv_reply|handshake)\(\)' \
		"$case_log" | head -c 160)"
	finish $ok "$detail"
}

untrusted_case untrusted-hangup hangup "" "vhost-user handshake with" "failed"
untrusted_case untrusted-short-reply short-reply "" "bad reply to request 1" "size 4 (expected 8)"
untrusted_case untrusted-wrong-request wrong-request "" "bad reply to request 1: request 15"
untrusted_case untrusted-no-reply-flag no-reply-flag "" "bad reply to request 1" "flags 0x1"
untrusted_case untrusted-bad-version bad-version "" "bad reply to request 1" "flags 0x6"
untrusted_case untrusted-huge-size huge-size "" "bad reply to request 1" "size 1048576"
untrusted_case untrusted-fd-in-reply fd-in-reply "" \
	"backend sent file descriptors in a reply: protocol violation"
untrusted_case untrusted-fd-late fd-late "" \
	"backend sent file descriptors in a reply: protocol violation"
untrusted_case untrusted-mq-lie mq-lie ",queues=2" "queues=2 but the backend has 1 queue pairs"
untrusted_case untrusted-no-version-1 no-version-1 "" "backend does not offer VIRTIO_F_VERSION_1"
untrusted_case untrusted-silent silent "" "vhost-user handshake with" "Connection timed out"

# vnet as server: the backend connects and hangs up at once.
if start_case untrusted-server-hangup; then
	sock="$work/srv-hangup.sock"
	bg_start "$case_log" "$py" "$here/fake_backend.py" client-hangup "$sock" --timeout 20
	fb=$bg_pid
	eal_run 60 --no-huge -m 128 --vdev "net_vnet_user0,path=$sock,server=1" -- probe
	rc=$?
	bg_stop "$fb"
	if [ $rc -eq 0 ] && grep -q '^vnet-test: ports 0 (total 0)' "$case_log" &&
		grep -qF "vhost-user handshake with $sock failed" "$case_log"; then
		finish 0 "server=1, backend hung up after connecting: probe failed, no port"
	else
		finish 1 "vnet-vhost-test $(describe_rc $rc)"
	fi
fi

# ---- 5. hostile rings: ring_backend.py plays the device on vnet's rings -------------------
# ring_case NAME MODE MEMORY(nohuge|zc|copy) [TEST-ARGS...]: ring_backend.py MODE listens and
# completes the real handshake, maps the memory table and plays the device on RX queue 0 (TX
# queue 0 for tx-* modes); vnet-hostile-test (vnet client, 1 queue pair, 512-byte RX mbufs)
# polls until the backend's script is over, then checks the frames it received, the xstats
# TEST-ARGS expect, and the pool (back to its start after stop and after close).
ring_case() {
	local name=$1 mode=$2 mem=$3 sock donef rb rc ok=0 detail="" mem_args vq=0
	shift 3
	start_case "$name" || return 0
	sock="$work/$name.sock"
	donef="$work/$name.done"
	rm -f "$donef"
	case $mem in
	nohuge) mem_args=(--no-huge -m 256) ;;
	zc) mem_args=(--single-file-segments -m 256) ;;
	copy) mem_args=(-m 256) ;;
	esac
	[[ $mode == tx-* || $mode == *-tx ]] && vq=1
	# The backend logs to its own file: two writers on one log can interleave within a line.
	local blog="$case_log.backend"
	: >"$blog"
	bg_start "$blog" "$py" "$here/ring_backend.py" "$mode" "$sock" --timeout 30 \
		--done-file "$donef"
	rb=$bg_pid
	if ! wait_grep "$blog" "listening on $sock" 10 "$rb"; then
		bg_stop "$rb"
		finish 1 "ring backend did not start"
		return 0
	fi
	next_prefix
	echo "+ vnet-hostile-test --file-prefix $fp ${mem_args[*]} -- --mode $mode $*" >>"$case_log"
	timeout -k 5 40 "$hostile" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" \
		"${mem_args[@]}" --vdev "net_vnet_user0,path=$sock${ring_vnet_extra:-}" -- \
		--mode "$mode" \
		--done-file "$donef" --duration 10 "$@" >>"$case_log" 2>&1
	rc=$?
	# the backend exits once vnet closed the connection
	wait_grep "$blog" "peer closed the connection" 5 "$rb"
	bg_stop "$rb"
	{ echo "----- ring backend log -----"; cat "$blog"; } >>"$case_log"
	if [ $rc -ne 0 ] || ! grep -q "^RESULT hostile-$mode PASS" "$case_log"; then
		ok=1
		detail="vnet-hostile-test $(describe_rc $rc): $(grep -m1 -oE \
			"^RESULT hostile-$mode FAIL: .*" "$case_log" | head -c 160)"
	elif ! grep -q "ring-backend: .* stop vq $vq: script complete" "$blog"; then
		ok=1
		detail="vnet stopped the ring before the backend's script was over"
	elif grep -q "ring-backend: .* script \(stopped\|failed\)\|Traceback" "$blog"; then
		ok=1
		detail="the ring backend failed: $(grep -m1 'script \(stopped\|failed\)' "$blog")"
	elif [ "$mem" = copy ] && ! grep -q "packets are copied through vnet's shared buffers" \
		"$case_log"; then
		ok=1
		detail="copy mode expected, no copy-mode log line"
	else
		detail="$(grep -m1 -oE 'received [0-9]+ intact frame\(s\)' "$case_log")"
		detail+="$(grep -m1 -oE 'queue 0: device [^;]*' "$case_log" | sed 's/^/, broken: /')"
		detail+=", pool back after stop+close"
		detail+="$(grep -m1 -oE 'RX interrupt: .*' "$case_log" | sed 's/^/; /')"
	fi
	finish $ok "$detail"
}

xs() { local a=() x; for x in "$@"; do a+=(--expect-xstat "$x"); done; echo "${a[@]}"; }
# shellcheck disable=SC2046 # xs prints words on purpose
{
ring_case ring-hostile-good good nohuge --expect-rx 300 \
	$(xs rx_q0_bad_num_buffers=0 rx_q0_broken=0 rx_q0_packets=300)
ring_case ring-hostile-good-hugepages good zc --expect-rx 300 $(xs rx_q0_broken=0)
ring_case ring-hostile-good-copy good copy --expect-rx 300 $(xs rx_q0_broken=0)
# copy mode with a pool too small to take every buffer: dropped buffers keep the packet
# boundaries (frames are lost, counted in nombuf, but the queue stays sound, nothing misread)
ring_case ring-hostile-good-copy-nombuf good copy --pool 20 --allow-loss 1 \
	$(xs rx_q0_broken=0 rx_q0_bad_num_buffers=0)
ring_case ring-hostile-mrg-zero mrg-zero nohuge --expect-rx 16 \
	$(xs rx_q0_bad_num_buffers=1 rx_q0_broken=0)
ring_case ring-hostile-mrg-zero-copy mrg-zero copy --expect-rx 16 \
	$(xs rx_q0_bad_num_buffers=1 rx_q0_broken=0)
# The cases below check the broken state itself: without vnet's recovery (recovery=0).
ring_vnet_extra=",recovery=0"
ring_case ring-hostile-mrg-huge mrg-huge nohuge --expect-rx 8 \
	$(xs rx_q0_bad_num_buffers=1 rx_q0_broken=1)
ring_case ring-hostile-mrg-short mrg-short nohuge --expect-rx 8 \
	$(xs rx_q0_bad_num_buffers=0 rx_q0_broken=0)
ring_case ring-hostile-bad-id bad-id nohuge --expect-rx 8 $(xs rx_q0_broken=1)
ring_case ring-hostile-not-inflight not-inflight nohuge --expect-rx 9 $(xs rx_q0_broken=1)
ring_case ring-hostile-bad-len bad-len nohuge --expect-rx 8 $(xs rx_q0_broken=1)
ring_case ring-hostile-used-idx-jump used-idx-jump nohuge --expect-rx 8 $(xs rx_q0_broken=1)
ring_case ring-hostile-tx-bad-id tx-bad-id nohuge --expect-rx 0 --tx 512 $(xs tx_q0_broken=1)
ring_case ring-hostile-tx-used-idx-jump tx-used-idx-jump nohuge --expect-rx 0 --tx 512 \
	$(xs tx_q0_broken=1)
ring_vnet_extra=""
# Device-error recovery (vnet_lifecycle.c): the backend breaks the ring once, vnet resets
# and renegotiates by itself while the test keeps polling, the backend behaves on the new
# ring: frames before and after arrive intact (the one in the bad entry is lost), one
# ERR_RECOVERING + one RECOVERY_SUCCESS, the queue healthy again, the pool back after stop.
ring_case ring-recover-rx recover-rx nohuge --expect-rx 16 --allow-loss 1 \
	--expect-recoveries 1 $(xs rx_q0_broken=0)
ring_case ring-recover-rx-copy recover-rx copy --expect-rx 16 --allow-loss 1 \
	--expect-recoveries 1 $(xs rx_q0_broken=0)
ring_case ring-recover-rx-hugepages recover-rx zc --expect-rx 16 --allow-loss 1 \
	--expect-recoveries 1 $(xs rx_q0_broken=0)
# TX: mbufs in flight at the break are reclaimed; TX after the recovery completes
ring_case ring-recover-tx recover-tx nohuge --expect-rx 0 --tx 8192 --expect-recoveries 1 \
	$(xs tx_q0_broken=0)
# the same with adaptive kick moderation (its safety-net thread stopped and started again)
ring_vnet_extra=",kick_coalesce=auto"
ring_case ring-recover-tx-kick-auto recover-tx nohuge --expect-rx 0 --tx 8192 \
	--expect-recoveries 1 $(xs tx_q0_broken=0)
ring_case ring-recover-rx-kick-auto recover-rx nohuge --expect-rx 16 --allow-loss 1 \
	--expect-recoveries 1 $(xs rx_q0_broken=0)
ring_vnet_extra=""
# RX interrupts across a recovery: the test sleeps on the queue's interrupt whenever it is
# idle; the recovery keeps the eventfds its epoll set holds and wakes it, no frame waits
# for a timeout (the backend signals unless vnet set VRING_AVAIL_F_NO_INTERRUPT)
ring_case ring-recover-rx-intr recover-rx nohuge --expect-rx 16 --allow-loss 1 \
	--expect-recoveries 1 --rx-intr 1 $(xs rx_q0_broken=0)
ring_case ring-hostile-good-intr good nohuge --expect-rx 300 --rx-intr 1 $(xs rx_q0_broken=0)
}

# ---- secondary processes and the private dump (tests/vhost/cases-mp.sh) --------------------
. "$here/cases-mp.sh"
# ---- 6. interrupts: RX queue interrupts, link-state events (tests/vhost/cases-intr.sh) -----
. "$here/cases-intr.sh"

echo "host tier: $passed passed, $failed failed, $skipped skipped in $((SECONDS - t_all))s" \
	"(${timings[*]})"
[ $failed -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
