#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Guest test tier: stock dpdk-testpmd / dpdk-l2fwd inside a QEMU guest on virtio-net-pci NICs.
#   tests/qemu/run.sh BUILD_DIR [CASE...]
# Prints one "PASS name" / "FAIL name" / "SKIP name: reason" line per case (plus the guest
# console tail on failure) and exits 0 only if every case passed. Logs: BUILD_DIR/qemu/<case>/.
# Env:
#   VNET_GUEST_DRIVER=virtio|vnet  driver under test (default virtio = DPDK's net_virtio; vnet
#                                  = BUILD_DIR/librte_net_vnet.so passed as -d, net_virtio absent)
#   VNET_DEVARGS=k=v,...           devargs appended to every -a BDF (vnet only)
#   VNET_QEMU_ACCEL=tcg            skip the KVM probe
# Needs root. See tests/qemu/README.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [CASE...]" >&2; exit 2; }
build=$1
shift
want=("$@")
[ "$(id -u)" -eq 0 ] || { echo "FAIL guest: must run as root"; exit 1; }

t_all=$SECONDS
if ! qg_init "$build"; then
	echo "FAIL guest-setup: could not build the guest or select the driver (see above)"
	exit 1
fi
echo "guest: driver $QG_DRIVER ($QG_DRVNAME), $QG_ACCEL, $(tr '\n' ' ' <"$QG_DIR/guest/guest.env")"

passed=0 failed=0 skipped=0
timings=()

selected() {
	[ ${#want[@]} -eq 0 ] && return 0
	local w
	for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
	return 1
}

# finish NAME DIR OK(0|1) [DETAIL]: print the result line, the console tail on failure
finish() {
	local name=$1 d=$2 ok=$3 detail=${4:-} dt=$((SECONDS - case_t0))
	timings+=("$name ${dt}s")
	if [ "$ok" -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS $name (${dt}s)${detail:+ $detail}"
	else
		failed=$((failed + 1))
		echo "FAIL $name (${dt}s)${detail:+ $detail}"
		echo "----- $name: qemu command: $(cat "$d/cmdline" 2>/dev/null)"
		[ -s "$d/qemu.out" ] && { echo "----- qemu stderr:"; tail -n 10 "$d/qemu.out"; }
		[ -s "$d/peer.log" ] && { echo "----- host peer:"; tail -n 20 "$d/peer.log"; }
		echo "----- tail of guest console $d/console.log -----"
		tail -n 60 "$d/console.log"
		echo "-----"
	fi
}

# skip NAME REASON
skip() {
	skipped=$((skipped + 1))
	echo "SKIP $1: $2"
}

# vnet_only NAME: 0 if the driver under test is vnet, else prints SKIP and returns 1
vnet_only() {
	[ "$QG_DRIVER" = vnet ] && return 0
	skip "$1" "vnet-only (driver $QG_DRVNAME)"
	return 1
}

# guest_verdict NAME DIR: 0 if the guest reported PASS for NAME, no FAIL, and finished cleanly
guest_verdict() {
	local c=$2/console.log
	grep -q "^VNET-RESULT $1 PASS" "$c" && ! grep -q "^VNET-RESULT .* FAIL" "$c" &&
		grep -q "^VNET-DONE rc=0" "$c"
}

newcase() { # newcase NAME: fresh case dir, test.sh header
	case_t0=$SECONDS
	cd_=$QG_DIR/$1
	rm -rf "$cd_"
	mkdir -p "$cd_"
	qg_header "$1" >"$cd_/test.sh"
}

# ---- two NICs on one hub, testpmd io forward --tx-first ----
# hub_case NAME BIND(uio_pci_generic|vfio-pci) VFIO(stock|noiommu|none) MACHINE APPEND NICOPTS
#          MUST(strings the console must contain, '|'-separated) [trace]
hub_case() {
	local name=$1 bind=$2 vfio=$3 machine=$4 app=$5 nicopts=$6 must=$7 trace=${8:-}
	local tpextra=${9:-}
	# The burst mode names the ring type (vnet: "packed ring, ..." / "split ring, ...").
	local tpcmds='show rxq info 0 0
show txq info 0 0'
	[ "$QG_DRVNAME" = net_vnet ] && [ -n "${HUB_VNET_MUST:-}" ] && must="$must|$HUB_VNET_MUST"
	HUB_VNET_MUST=
	selected "$name" || return 0
	newcase "$name"
	local d=$cd_
	cat >>"$d/test.sh" <<-EOF
		set -- \$(vnet_nics)
		[ \$# -eq 2 ] || { vnet_result $name FAIL "expected 2 virtio-net functions, found \$#"; exit 1; }
		vnet_bind $bind "\$1" "\$2" || exit 1
		[ "$bind" != vfio-pci ] || ls -l /dev/vfio/
		echo "VNET-IOMMU iommu=\$(ls /sys/class/iommu | tr '\n' ' ')groups=\$(ls /sys/kernel/iommu_groups | wc -l)"
		VNET_TP_CMDS='$tpcmds' vnet_testpmd /tmp/tp.log 6 1 -l 0,1 -n 1 --file-prefix tp \$(vnet_a "\$1" "\$2") -- \\
			--total-num-mbufs=4096 --forward-mode=io $tpextra
		vnet_check_driver /tmp/tp.log 2 || exit 1
		vnet_check_fwd /tmp/tp.log 2 1000 || exit 1
		vnet_result $name PASS "io forward on \$1 \$2 ($bind)"
	EOF
	qg_initrd "$d"
	local tr=()
	[ -n "$trace" ] && tr=(-trace virtio_queue_notify -trace virtio_notify -D "$d/trace.log")
	local nics
	nics="$(qg_nic n0 hubport,hubid=0 "$nicopts" 0x10) $(qg_nic n1 hubport,hubid=0 "$nicopts" 0x11)"
	# shellcheck disable=SC2086
	qg_run "$d" 180 "vnet.vfio=$vfio $app" -smp 2 $machine $nics "${tr[@]}"
	local ok=1 detail= m s
	guest_verdict "$name" "$d" && ok=0
	IFS='|' read -r -a m <<<"$must"
	for s in "${m[@]}"; do
		grep -qF -- "$s" "$d/console.log" || { ok=1; detail="${detail}(console lacks \"$s\") "; }
	done
	if [ -n "$trace" ]; then
		local k n pk
		read -r k n < <(qg_trace_counts "$d/trace.log")
		pk=$(qg_tx_total "$d/console.log")
		if [ ! -s "$d/trace.log" ] || [ "$k" -le 0 ] || [ "$pk" -le 0 ]; then
			ok=1
			detail="(trace: empty or no kicks: kicks=$k packets=$pk)"
		else
			detail=$(awk -v k="$k" -v n="$n" -v p="$pk" 'BEGIN {
				printf "(kicks %d, notifications %d, packets %d: %.1f kicks / 1000 pkts, %.1f notifications / 1000 pkts)",
				k, n, p, k * 1000 / p, n * 1000 / p }')
		fi
	fi
	finish "$name" "$d" $ok "$detail"
}

# ---- one NIC on a UDP socket to a host peer that checks every byte ----
peer_case() { # peer_case [NAME NICOPTS]: byte-exact frames against the host peer
	local name=${1:-peer-udp-macswap} nicopts=${2:-}
	selected "$name" || return 0
	newcase "$name"
	local d=$cd_ gmac=52:54:00:00:00:10 hmac=02:00:00:00:00:99 n=400
	cat >>"$d/test.sh" <<-EOF
		set -- \$(vnet_nics)
		vnet_bind uio_pci_generic "\$1" || exit 1
		vnet_testpmd /tmp/tp.log 14 1 -l 0,1 -n 1 --file-prefix tp \$(vnet_a "\$1") -- \\
			--total-num-mbufs=4096 --forward-mode=macswap --port-topology=loop --eth-peer=0,$hmac
		vnet_check_driver /tmp/tp.log 1 || exit 1
		vnet_check_fwd /tmp/tp.log 1 $((n - 1)) || exit 1
		vnet_result $name PASS "macswap on \$1, stats above"
	EOF
	qg_initrd "$d"
	qg_peer_start "$d" 200 --guest-mac $gmac --host-mac $hmac --count $n --txfirst 32 --deadline 150
	# shellcheck disable=SC2046
	qg_run "$d" 180 "vnet.vfio=none" -smp 2 -machine pc \
		$(qg_nic n0 "$QG_PEER_NETDEV" "mac=$gmac${nicopts:+,$nicopts}" 0x10)
	local prc=0
	wait "$QG_PEER_PID" || prc=$?
	local ok=1
	guest_verdict "$name" "$d" && [ $prc -eq 0 ] && ok=0
	finish "$name" "$d" $ok "($(tail -n 1 "$d/peer.log"))"
}

# ---- kick coalescing vs. lone packets: ping-pong through the UDP peer (vnet only) ----
# Kick batching invariant: testpmd macswap only calls tx_burst when rx returned packets, so
# with kick_coalesce=64 every lone frame's kick depends on vnet's safety-net thread. Every one
# of N frames sent one at a time must come back (peer.py --pingpong: 2 s per frame); the
# guest's xstats must show safety-net kicks, and max_deferral_us must lie between
# kick_delay_us (a safety-net kick fires only after that) and kick_delay_us + 50 ms (TCG slack).
pingpong_case() {
	local name=peer-coalesce-pingpong n=100 delay=500
	local dev=kick_coalesce=64,kick_delay_us=$delay bound=$((delay + 50000))
	selected "$name" || return 0
	vnet_only "$name" || return 0
	VNET_DEVARGS=$dev newcase "$name"
	local d=$cd_
	{
		qg_pingpong_script "$name" 10
		cat <<-EOF
			vnet_check_fwd /tmp/tp.log 1 $((n - 1)) || exit 1
			sn=\$(vnet_xstat /tmp/tp.log 0 tx_q0_kicks_safety_net)
			md=\$(vnet_xstat /tmp/tp.log 0 tx_q0_max_deferral_us)
			df=\$(vnet_xstat /tmp/tp.log 0 tx_q0_kicks_deferred)
			echo "VNET-STATS safety_net=\$sn max_deferral_us=\$md kicks_deferred=\$df"
			[ -n "\$sn" ] && [ -n "\$md" ] || { vnet_result $name FAIL "no tx_q0_kicks_safety_net / tx_q0_max_deferral_us xstats"; exit 1; }
			[ "\$sn" -gt 0 ] || { vnet_result $name FAIL "tx_q0_kicks_safety_net=\$sn: lone frames were not kicked by the safety net"; exit 1; }
			[ "\$md" -ge $delay ] || { vnet_result $name FAIL "tx_q0_max_deferral_us=\$md < kick_delay_us=$delay although \$sn safety-net kicks fired (each after >= $delay us)"; exit 1; }
			[ "\$md" -le $bound ] || { vnet_result $name FAIL "tx_q0_max_deferral_us=\$md > $bound (kick_delay_us $delay + 50 ms)"; exit 1; }
			vnet_result $name PASS "devargs $dev: safety-net kicks \$sn, max deferral \$md us, deferred \$df"
		EOF
	} >>"$d/test.sh"
	qg_initrd "$d"
	qg_peer_start "$d" 200 --guest-mac $QG_PP_GMAC --host-mac $QG_PP_HMAC --pingpong $n \
		--pp-timeout 2 --txfirst 0 --deadline 150
	# shellcheck disable=SC2046
	qg_run "$d" 180 "vnet.vfio=none" -smp 2 -machine pc $(qg_nic n0 "$QG_PEER_NETDEV" "mac=$QG_PP_GMAC" 0x10)
	local prc=0 ok=1
	wait "$QG_PEER_PID" || prc=$?
	guest_verdict "$name" "$d" && [ $prc -eq 0 ] && ok=0
	finish "$name" "$d" $ok "($(grep -h '^VNET-RESULT' "$d/console.log" | tail -n 1 | cut -d' ' -f4-); $(tail -n 1 "$d/peer.log"))"
}

# ---- bad devargs fail the probe with an error naming the key; event_idx=0 works (vnet only) ----
devargs_bad_case() {
	local name=devargs-bad
	selected "$name" || return 0
	vnet_only "$name" || return 0
	VNET_DEVARGS='' newcase "$name"
	local d=$cd_
	cat >>"$d/test.sh" <<-'EOF'
		set -- $(vnet_nics)
		[ $# -eq 2 ] || { vnet_result $VNET_CASE FAIL "expected 2 virtio-net functions, found $#"; exit 1; }
		vnet_bind uio_pci_generic "$1" "$2" || exit 1
		bad=
		for arg in kick_coalesce=abc bogus_key=1 kick_delay_us=0 event_idx=2 kick_coalesce=4097 \
			kick_delay_us=100001; do
			key=${arg%%=*}
			# non-interactive: testpmd reads stdin (EOF) after starting and exits
			timeout 60 dpdk-testpmd $VNET_DFLAG -l 0,1 -n 1 --file-prefix bad -a "$1,$arg" -- \
				--total-num-mbufs=2048 </dev/null >/tmp/bad.log 2>&1
			rc=$?
			echo "----- testpmd -a $1,$arg: exit $rc"
			grep -E 'devarg|vnet|EAL: (Requested|Error|Cannot|Probe)|No probed|Cannot init|^Port [0-9]+:' /tmp/bad.log
			why=
			grep -Eq '^Port [0-9]+: ' /tmp/bad.log && why="a port was created"
			grep -q "EAL: Probe PCI driver: net_vnet" /tmp/bad.log || why="$why${why:+, }vnet did not probe"
			[ $rc -ne 124 ] || why="$why${why:+, }testpmd hung"
			[ $rc -ne 0 ] || grep -q "No probed ethernet devices" /tmp/bad.log ||
				why="$why${why:+, }testpmd exit 0 without 'No probed ethernet devices'"
			grep -E "devargs? .*$key" /tmp/bad.log | grep -Eq 'expected|accepted' ||
				why="$why${why:+, }no vnet error naming $key"
			[ -z "$why" ] || bad="$bad $arg: $why;"
			[ $rc -ne 139 ] || bad="$bad $arg: testpmd segfault;"
		done
		[ -z "$bad" ] || { vnet_result $VNET_CASE FAIL "bad devargs:$bad"; exit 1; }
		echo "vnet: all bad devargs refused with an error naming the key"
		# port 0 with event_idx=0, port 1 default: both forward, only port 1 negotiates event-idx
		vnet_testpmd /tmp/tp.log 4 1 -l 0,1 -n 1 --file-prefix ok -a "$1,event_idx=0" -a "$2" -- \
			--total-num-mbufs=4096 --forward-mode=io
		vnet_check_driver /tmp/tp.log 2 || exit 1
		vnet_check_fwd /tmp/tp.log 2 100 || exit 1
		f0=$(vnet_fw_features /tmp/tp.log 0)
		f1=$(vnet_fw_features /tmp/tp.log 1)
		echo "VNET-STATS features port0=$f0 (event_idx=0) port1=$f1 (default)"
		[ -n "$f0" ] && [ -n "$f1" ] || { vnet_result $VNET_CASE FAIL "no 'Firmware-version: ... features 0x...' in show port info"; exit 1; }
		[ $((f0 & 0x20000000)) -eq 0 ] || { vnet_result $VNET_CASE FAIL "port 0 (event_idx=0) negotiated VIRTIO_F_EVENT_IDX: features $f0"; exit 1; }
		[ $((f1 & 0x20000000)) -ne 0 ] || { vnet_result $VNET_CASE FAIL "port 1 (default) did not negotiate VIRTIO_F_EVENT_IDX: features $f1"; exit 1; }
		grep -q "$1: port 0: .*event-idx disabled by devargs" /tmp/tp.log ||
			{ vnet_result $VNET_CASE FAIL "no 'event-idx disabled by devargs' init line for $1"; exit 1; }
		vnet_result $VNET_CASE PASS "6 bad devargs refused naming the key; event_idx=0 forwards without event-idx ($f0 vs $f1)"
	EOF
	qg_initrd "$d"
	# shellcheck disable=SC2046
	qg_run "$d" 240 "vnet.vfio=none" -smp 2 -machine pc \
		$(qg_nic n0 hubport,hubid=0 "" 0x10) $(qg_nic n1 hubport,hubid=0 "" 0x11)
	local ok=1
	guest_verdict "$name" "$d" && ok=0
	finish "$name" "$d" $ok "($(grep -h '^VNET-RESULT' "$d/console.log" | tail -n 1 | cut -d' ' -f4-))"
}

# ---- l2fwd between two ports, fed by testpmd on two more ports (loop-free, 2 hubs) ----
l2fwd_case() {
	local name=l2fwd
	selected "$name" || return 0
	newcase "$name"
	local d=$cd_ ma=52:54:00:00:00:0a mb=52:54:00:00:00:0b mc=52:54:00:00:00:0c md=52:54:00:00:00:0d
	cat >>"$d/test.sh" <<-EOF
		set -- \$(vnet_nics)
		[ \$# -eq 4 ] || { vnet_result $name FAIL "expected 4 NICs, found \$#"; exit 1; }
		A=\$1 B=\$2 C=\$3 D=\$4
		vnet_bind uio_pci_generic \$A \$B \$C \$D || exit 1
		# l2fwd on A+B (one lcore, both ports), frames keep their MACs
		timeout 120 dpdk-l2fwd \$VNET_DFLAG -l 2 -n 1 --file-prefix l2 \$(vnet_a \$A \$B) -- \\
			-p 0x3 -q 2 --no-mac-updating -T 2 >/tmp/l2.log 2>&1 &
		l2=\$!
		i=0
		while ! grep -q "entering main loop" /tmp/l2.log && [ \$i -lt 60 ]; do sleep 1; i=\$((i + 1)); done
		# testpmd on C (hub0, with A) + D (hub1, with B): C sends to A's MAC, D to B's
		vnet_testpmd /tmp/tp.log 6 1 -l 0,1 -n 1 --file-prefix tp \$(vnet_a \$C \$D) -- \\
			--total-num-mbufs=4096 --forward-mode=io --eth-peer=0,$ma --eth-peer=1,$mb
		kill -INT \$l2
		wait \$l2
		l2rc=\$?
		echo "----- l2fwd output -----"
		tr '\033' '#' </tmp/l2.log | grep -v '^#\[2J' | tail -n 40
		echo "----- end of l2fwd output -----"
		[ \$l2rc -eq 0 ] || { vnet_result $name FAIL "dpdk-l2fwd exited with status \$l2rc"; exit 1; }
		vnet_check_driver /tmp/l2.log 2 || exit 1
		vnet_check_driver /tmp/tp.log 2 || exit 1
		# every packet testpmd receives on C or D went through l2fwd
		vnet_check_fwd /tmp/tp.log 2 500 || exit 1
		l2rx=\$(awk '/Total packets received:/ { v = \$NF } END { print v + 0 }' /tmp/l2.log)
		echo "VNET-STATS l2fwd-total-rx=\$l2rx"
		[ "\$l2rx" -gt 500 ] || { vnet_result $name FAIL "l2fwd received only \$l2rx packets"; exit 1; }
		vnet_result $name PASS "l2fwd \$A<->\$B forwarded \$l2rx packets between testpmd ports \$C \$D"
	EOF
	qg_initrd "$d"
	# shellcheck disable=SC2046
	qg_run "$d" 200 "vnet.vfio=none" -smp 3 -machine pc \
		$(qg_nic na hubport,hubid=0 "mac=$ma" 0x10) $(qg_nic nb hubport,hubid=1 "mac=$mb" 0x11) \
		$(qg_nic nc hubport,hubid=0 "mac=$mc" 0x12) $(qg_nic nd hubport,hubid=1 "mac=$md" 0x13)
	local ok=1
	guest_verdict "$name" "$d" && ok=0
	finish "$name" "$d" $ok
}

# ---- tap backends, one boot: descriptor counts, RSS and steering, RX filtering ----
# 4 NICs: 0x10 + 0x11 on hub 0 (desc-count: testpmd --txd/--rxd 1024 and 64 on QEMU's
# 256-entry queues), 0x12 = tap, mq=on,rss=on,hash=on, 4 queues (rss-steering, rx-filter),
# 0x13 = tap, mq=on,rss=off, 4 queues (rss-off-steering). Both taps go into a network
# namespace this case creates; tapnet.py serve (in it) sends the frames when the guest
# (guest/mq-test.sh) asks, reads query-rx-filter over QMP and acks on the guest's ttyS1;
# tapnet.py check judges the dumped testpmd logs afterwards. VNET_NORSS_NOTICE: the text of
# vnet's NOTICE for mq_mode RSS on a device without VIRTIO_NET_F_RSS.
QG_TAP_CASES=(desc-count rss-steering rss-off-steering rx-filter)
tap_ns= tap_ppid= tap_dir=
tap_cleanup() {
	local p
	if [ -n "$tap_dir" ] && [ -s "$tap_dir/qemu.pid" ]; then
		p=$(cat "$tap_dir/qemu.pid")
		kill -0 "$p" 2>/dev/null && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "${QG_QEMU##*/}" ] &&
			kill "$p" 2>/dev/null
	fi
	[ -n "$tap_ppid" ] && kill "$tap_ppid" 2>/dev/null
	[ -n "$tap_ns" ] && ip netns del "$tap_ns" 2>/dev/null
	tap_ns= tap_ppid= tap_dir=
}
tap_case() {
	local c any= why=
	for c in "${QG_TAP_CASES[@]}"; do selected "$c" && any=1; done
	[ -n "$any" ] || return 0
	[ -c /dev/net/tun ] || why="no /dev/net/tun"
	ip netns list >/dev/null 2>&1 || why="ip netns does not work"
	if [ -n "$why" ]; then
		for c in "${QG_TAP_CASES[@]}"; do selected "$c" && skip "$c" "$why"; done
		return 0
	fi
	newcase tap-mq
	local d=$cd_ tr=vq$$r to=vq$$o i qpid
	tap_ns=vnetq$$ tap_dir=$d
	trap 'tap_cleanup' EXIT
	trap 'tap_cleanup; exit 130' INT TERM
	{
		echo "H0=0000:00:10.0 H1=0000:00:11.0 TR=0000:00:12.0 TO=0000:00:13.0"
		cat "$QG_HERE/guest/mq-test.sh"
	} >>"$d/test.sh"
	qg_initrd "$d"
	ip netns del "$tap_ns" 2>/dev/null
	ip netns add "$tap_ns"
	# no IPv6 (router solicitations, MLD) and no addresses: the only frames are the test's
	ip netns exec "$tap_ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	local tapo="queues=4,vhost=off,script=no,downscript=no"
	local nico="romfile=,mq=on,vectors=10"
	# shellcheck disable=SC2046
	qg_run "$d" 420 "vnet.vfio=none" -smp 2 -machine pc \
		$(qg_nic n0 hubport,hubid=0 "" 0x10) $(qg_nic n1 hubport,hubid=0 "" 0x11) \
		-netdev "tap,id=tr,ifname=$tr,$tapo" \
		-device "virtio-net-pci,netdev=tr,id=nicrss,addr=0x12,mac=52:54:00:00:00:12,$nico,rss=on,hash=on" \
		-netdev "tap,id=to,ifname=$to,$tapo" \
		-device "virtio-net-pci,netdev=to,id=nicoff,addr=0x13,mac=52:54:00:00:00:13,$nico,rss=off" \
		-qmp "unix:$d/qmp.sock,server=on,wait=off" -serial "unix:$d/ctl.sock,server=on,wait=off" \
		-pidfile "$d/qemu.pid" &
	qpid=$!
	for i in $(seq 100); do
		ip link show "$tr" >/dev/null 2>&1 && ip link show "$to" >/dev/null 2>&1 && break
		sleep 0.1
	done
	for c in "$tr" "$to"; do
		ip link set "$c" netns "$tap_ns" && ip -n "$tap_ns" link set "$c" up ||
			echo "qemu: cannot move tap $c into namespace $tap_ns" >>"$d/peer.log"
	done
	ip netns exec "$tap_ns" timeout -k 5 430 /usr/bin/python3 "$QG_HERE/tapnet.py" serve \
		--console "$d/console.log" --qmp "$d/qmp.sock" --ctl "$d/ctl.sock" --rss-if "$tr" \
		--off-if "$to" --record "$d/host.json" --timeout 425 >>"$d/peer.log" 2>&1 &
	tap_ppid=$!
	wait "$qpid"
	# the peer stops at the guest's VNET-DONE; if the guest died first, stop it
	for i in $(seq 30); do kill -0 "$tap_ppid" 2>/dev/null || break; sleep 0.1; done
	kill "$tap_ppid" 2>/dev/null
	wait "$tap_ppid"
	tap_ppid=
	tap_cleanup
	trap - EXIT INT TERM
	/usr/bin/python3 "$QG_HERE/tapnet.py" check --console "$d/console.log" \
		--record "$d/host.json" --driver "$QG_DRVNAME" \
		--norss-notice "${VNET_NORSS_NOTICE:-the device has no VIRTIO_NET_F_RSS: mq_mode RSS accepted}" >"$d/verdict.log" 2>&1
	local done_ok=1 ok detail line
	grep -q "^VNET-DONE" "$d/console.log" && done_ok=0
	for c in "${QG_TAP_CASES[@]}"; do
		selected "$c" || continue
		ok=1
		if [ "$c" = desc-count ]; then
			line=$(grep -a "^VNET-RESULT desc-count " "$d/console.log" | tail -n 1)
			detail=${line#VNET-RESULT desc-count }
			case "$line" in "VNET-RESULT desc-count PASS"*) ok=0 ;; esac
		else
			line=$(grep -a "^VNET-CASE $c " "$d/verdict.log" | tail -n 1)
			detail=${line#VNET-CASE $c }
			case "$line" in "VNET-CASE $c PASS"*) ok=0 ;; esac
			[ -n "$line" ] || detail="no verdict (tapnet.py check: $(tail -n 3 "$d/verdict.log" | tr '\n' ' '))"
		fi
		[ $done_ok -eq 0 ] || { ok=1; detail="guest did not finish; $detail"; }
		detail=${detail#PASS }
		detail=${detail#FAIL }
		finish "$c" "$d" $ok "($detail)"
		case_t0=$SECONDS
	done
}

# ---- tap offload boot (issue 9): Linux TCP through a testpmd forwarder, one boot ----
# Six tap NICs (vnet_hdr=on) in three pairs (common.sh qg_offload_boot): pair 1 default
# (offload-io: io engine, no offloads; offload-csum-tso: csum engine with LRO, checksum and TSO
# offloads), pair 2 host_mtu=9000,mrg_rxbuf=on (offload-jumbo-mrg), pair 3
# host_mtu=9000,mrg_rxbuf=off (offload-jumbo-nomrg). Each pair's taps live in two host
# namespaces; offnet.py serve moves files both ways (sha256), pings, tcpdumps, ethtool -k and
# nstat when guest/offload-test.sh has testpmd forwarding; offnet.py check judges afterwards.
# Run by default: QG_OFF_DEFAULT (the cases vnet passes); "tap-offload" or a case name selects
# the others.
QG_OFF_CASES=(offload-io offload-csum-tso offload-jumbo-mrg offload-jumbo-nomrg offload-overmtu)
QG_OFF_DEFAULT=(offload-io offload-csum-tso offload-jumbo-mrg offload-jumbo-nomrg offload-overmtu)
declare -A QG_OFF_SESSION=([offload-io]=io [offload-csum-tso]=csum [offload-jumbo-mrg]=jumbo-mrg
	[offload-jumbo-nomrg]=jumbo-nomrg [offload-overmtu]="jumbo-mrg jumbo-nomrg")
off_selected() {
	local w
	if [ ${#want[@]} -eq 0 ]; then
		for w in "${QG_OFF_DEFAULT[@]}"; do [ "$w" = "$1" ] && return 0; done
		return 1
	fi
	for w in "${want[@]}"; do [ "$w" = "$1" ] || [ "$w" = tap-offload ] && return 0; done
	return 1
}
tap_offload_case() {
	local c sessions= why= t0=$SECONDS
	for c in "${QG_OFF_CASES[@]}"; do off_selected "$c" && sessions="$sessions ${QG_OFF_SESSION[$c]}"; done
	# each session once, in the order of the cases
	sessions=$(tr ' ' '\n' <<<"$sessions" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
	[ -n "$sessions" ] || return 0
	[ -c /dev/net/tun ] || why="no /dev/net/tun"
	ip netns list >/dev/null 2>&1 || why="ip netns does not work"
	qg_offload_tools || why="cannot install tcpdump/ethtool/iperf3"
	if [ -n "$why" ]; then
		for c in "${QG_OFF_CASES[@]}"; do off_selected "$c" && skip "$c" "$why"; done
		return 0
	fi
	newcase tap-offload
	local d=$cd_
	{
		echo "$QG_OFF_BDFS"
		echo "SESSIONS='${sessions# }'"
		echo "CSUM_EXTRA='${VNET_OFFLOAD_CSUM_ARGS:-}'"
		cat "$QG_HERE/guest/offload-test.sh"
	} >>"$d/test.sh"
	qg_initrd "$d"
	trap 'qg_offload_cleanup' EXIT
	trap 'qg_offload_cleanup; exit 130' INT TERM
	qg_offload_boot "$d" $((60 + 150 * $(wc -w <<<"$sessions")))
	qg_offload_cleanup
	trap - EXIT INT TERM
	/usr/bin/python3 "$QG_HERE/offnet.py" check --console "$d/console.log" --record "$d/host.json" \
		--driver "$QG_DRVNAME" --sessions "$sessions" >"$d/verdict.log" 2>&1
	local done_ok=1 ok detail line secs boot=$((SECONDS - t0)) sum=0
	grep -q "^VNET-DONE" "$d/console.log" && done_ok=0
	for c in "${QG_OFF_CASES[@]}"; do
		off_selected "$c" || continue
		ok=1
		line=$(grep -a "^VNET-CASE $c " "$d/verdict.log" | tail -n 1)
		read -r _ _ verdict secs detail <<<"$line"
		[ "$verdict" = PASS ] && ok=0
		if [ "$verdict" = SKIP ]; then
			skip "$c" "$detail"
			continue
		fi
		[ -n "$line" ] || { detail="no verdict (offnet.py check: $(tail -n 3 "$d/verdict.log" | tr '\n' ' '))"; secs=0; }
		[ $done_ok -eq 0 ] || { ok=1; detail="guest did not finish; $detail"; }
		# the case's own time = its testpmd session in the guest (host traffic included)
		case_t0=$((SECONDS - secs))
		sum=$((sum + secs))
		finish "$c" "$d" $ok "($detail)"
	done
	echo "tap-offload boot: ${boot}s in all (${sum}s in the cases' testpmd sessions; offload-overmtu is judged from the jumbo sessions)"
}

# ---- vhost-net backend of net_vnet_user (vnet only): one boot, no NIC, taps in the guest ----
# guest/vhost-net-test.sh runs the selected cases in order; each prints its own result line
# with its time in the guest. The host has no /dev/vhost-net: these run only here.
QG_VN_CASES=(vhost-net-no-module vhost-net-fwd vhost-net-recover vhost-net-offload vhost-net-rxintr vhost-net-mq
	vhost-net-mem-regions)
vhost_net_case() {
	local c sel=() line ok detail
	for c in "${QG_VN_CASES[@]}"; do selected "$c" && sel+=("$c"); done
	[ ${#sel[@]} -gt 0 ] || return 0
	if [ "$QG_DRIVER" != vnet ]; then
		for c in "${sel[@]}"; do skip "$c" "vnet-only (driver $QG_DRVNAME)"; done
		return 0
	fi
	VNET_DEVARGS='' newcase vhost-net
	local d=$cd_
	{
		echo "VN_CASES='${sel[*]}'"
		cat "$QG_HERE/guest/vhost-net-lib.sh" "$QG_HERE/guest/vhost-net-test.sh"
	} >>"$d/test.sh"
	qg_initrd "$d"
	qg_run "$d" 480 "vnet.vfio=none" -smp 2 -machine pc
	local boot=$((SECONDS - case_t0))
	for c in "${sel[@]}"; do
		line=$(grep -a "^VNET-RESULT $c " "$d/console.log" | tail -n 1)
		ok=1
		case "$line" in "VNET-RESULT $c PASS"*) ok=0 ;; esac
		detail=${line#VNET-RESULT $c }
		detail=${detail#PASS }
		detail=${detail#FAIL }
		[ -n "$line" ] || detail="no result line (guest did not get there)"
		grep -q "^VNET-DONE" "$d/console.log" || { ok=1; detail="guest did not finish; $detail"; }
		finish "$c" "$d" $ok "($detail)"
		case_t0=$SECONDS
	done
	echo "vhost-net boot: ${boot}s in all"
}

# Cases: each dimension at least once (binding, device mode, event_idx, IOMMU, peer, l2fwd, kicks).
hub_case hub-uio-transitional-kicks uio_pci_generic none "-machine pc" "" \
	"event_idx=on,ioeventfd=off" "mode=transitional|IOVA mode 'PA'" trace
hub_case hub-vfio-noiommu-modern vfio-pci noiommu "-machine pc" "" \
	"disable-legacy=on,event_idx=off" "mode=modern|noiommu-0|IOVA mode 'PA'"
hub_case hub-vfio-viommu vfio-pci stock "-machine q35 -device intel-iommu,intremap=off" \
	"intel_iommu=on iommu=pt" "iommu_platform=on,disable-legacy=on,event_idx=on" \
	"mode=modern|IOVA mode 'VA'|VNET-IOMMU iommu=dmar0"
hub_case hub-uio-legacy uio_pci_generic none "-machine pc" "" "disable-modern=on,event_idx=off" \
	"mode=legacy|IOVA mode 'PA'"
# Packed rings (virtio 1.1+: modern only). 1000 descriptors on 1024-entry queues: a packed ring
# takes the exact count (QEMU caps queues at 1024 and wants powers of two for its maximum).
HUB_VNET_MUST="Burst mode: packed ring|Number of RXDs: 1000"
hub_case hub-uio-packed-kicks uio_pci_generic none "-machine pc" "" \
	"packed=on,disable-legacy=on,event_idx=on,ioeventfd=off,rx_queue_size=1024,tx_queue_size=1024" \
	"mode=modern|IOVA mode 'PA'" trace "--rxd=1000 --txd=1000"
HUB_VNET_MUST="Burst mode: packed ring"
hub_case hub-vfio-noiommu-packed vfio-pci noiommu "-machine pc" "" \
	"packed=on,disable-legacy=on,event_idx=off" "mode=modern|noiommu-0|IOVA mode 'PA'"
peer_case
peer_case peer-udp-macswap-packed "packed=on,disable-legacy=on"
l2fwd_case
pingpong_case
devargs_bad_case
tap_case
tap_offload_case
# Port lifecycle (queue start/stop, recovery): one boot, five cases (vnet only).
. "$here/cases-lifecycle.sh"
vhost_net_case
. "$QG_HERE/cases-mp.sh"
mp_guest_case
# Interrupts: link events, guest announce, RX interrupts with l3fwd-power (one boot).
. "$here/cases-intr.sh"

echo "guest tier: $passed passed, $failed failed, $skipped skipped in $((SECONDS - t_all))s" \
	"(driver $QG_DRVNAME; ${timings[*]})"
[ $failed -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
