# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Host tier, interrupts (sourced by tests/vhost/run.sh; uses its helpers): RX queue interrupts
# and link-state events of net_vnet_user against DPDK's net_vhost.

intr_prog="$build/tests/vhost/vnet-intr-test"

# ---- RX queue interrupts through the per-thread epoll (vnet-intr-test rxintr) -------------
# rxintr_case NAME VNET-EXTRA: idle (no wake-up), wake on frames, and a queue armed with
# frames already pending (must wake at once), 150 rounds, every frame byte-checked.
rxintr_case() {
	local name=$1 extra=$2 sock rc ok=0 detail
	start_case "$name" || return 0
	sock="$work/$name.sock"
	next_prefix
	echo "+ vnet-intr-test --file-prefix $fp -- rxintr --vnet path=$sock$extra" >>"$case_log"
	timeout -k 5 60 "$intr_prog" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" \
		--single-file-segments -m 256 --vdev "net_vhost0,iface=$sock,queues=1" -- rxintr \
		--rounds 150 --vnet "path=$sock$extra" >>"$case_log" 2>&1
	rc=$?
	detail=$(grep -m1 -oE '[0-9]+ rounds: .*' "$case_log")
	if [ $rc -ne 0 ] || ! grep -q '^RESULT rxintr PASS' "$case_log"; then
		ok=1
		detail="vnet-intr-test $(describe_rc $rc): $(grep -m1 -oE '^RESULT rxintr FAIL: .*' \
			"$case_log" | head -c 200)"
	fi
	finish $ok "$detail"
}

# ---- link-state events: backend removed and hot-plugged again (vnet-intr-test lsc) --------
lsc_case() {
	local name=$1 extra=$2 sock rc ok=0 detail
	start_case "$name" || return 0
	sock="$work/$name.sock"
	next_prefix
	echo "+ vnet-intr-test --file-prefix $fp -- lsc --vnet path=$sock$extra" >>"$case_log"
	timeout -k 5 60 "$intr_prog" -l 0 --no-pci --file-prefix "$fp" -d "$plugin" \
		--single-file-segments -m 256 --vdev "net_vhost0,iface=$sock,queues=1" -- lsc \
		--vnet "path=$sock$extra" --vhost-args "iface=$sock,queues=1" >>"$case_log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q '^RESULT lsc PASS' "$case_log"; then
		ok=1
		detail="vnet-intr-test $(describe_rc $rc): $(grep -m1 -oE '^RESULT lsc FAIL: .*' \
			"$case_log" | head -c 200)"
	else
		detail="$(grep -m1 -oE 'link-down event [0-9.]+ ms' "$case_log"),"
		detail+=" $(grep -m1 -oE 'link-up event [0-9.]+ ms' "$case_log"), frames flow again"
	fi
	finish $ok "$detail"
}

# ---- stock dpdk-testpmd on net_vnet_user: LSC on by default, events on backend loss --------
# testpmd sets intr_conf.lsc because the port's dev_flags has RTE_ETH_DEV_INTR_LSC; the
# backend (testpmd on net_vhost client=1) is killed and started again: the frontend must print
# "Port 0: link state change event" twice and forward again (stats of its io forwarding).
testpmd_lsc_case() {
	local name=testpmd-lsc-backend-restart sock fe be felog belog ok=0 detail="" n t0 dt
	local lat=()
	start_case "$name" || return 0
	sock="$work/$name.sock"
	felog=$case_log
	next_prefix
	bg_start "$felog" timeout -k 5 90 stdbuf -oL "$testpmd" -l 0,1 --file-prefix="$fp" --no-pci \
		--single-file-segments -m 256 -d "$plugin" --vdev "net_vnet_user0,path=$sock,server=1" \
		-- --forward-mode=io --auto-start --stats-period 1 --no-mlockall \
		--total-num-mbufs=4096
	fe=$bg_pid
	tp_backend() {
		belog="$logs/$name.backend$1.log"
		: >"$belog"
		next_prefix
		bg_start "$belog" "$testpmd" --lcores 0@1,1@1 --file-prefix="$fp" --no-pci \
			--vdev "net_vhost0,iface=$sock,client=1,queues=1" -- --forward-mode=macswap \
			--auto-start --stats-period 2 --no-mlockall --total-num-mbufs=4096 --tx-first
		be=$bg_pid
	}
	if ! wait_grep "$felog" "server mode: waiting" 20 "$fe"; then
		ok=1 detail="vnet did not start listening"
	fi
	[ $ok -eq 0 ] && tp_backend 1
	if [ $ok -eq 0 ] && ! wait_grep "$felog" "start packet forwarding" 40 "$fe"; then
		ok=1 detail="frontend testpmd did not start forwarding"
	fi
	if [ $ok -eq 0 ] && grep -q "port 0: intr_conf.lsc" "$felog"; then
		ok=1 detail="vnet refused intr_conf.lsc"
	fi
	for n in 1 2; do
		[ $ok -eq 0 ] || break
		if [ $n -eq 1 ]; then
			sleep 2
			t0=$(date +%s%N)
			{ kill -KILL "$be"; wait "$be"; } 2>/dev/null
			if ! wait_grep "$felog" "net_vnet_user0: backend hung up: link down" 10 "$fe" ||
				! wait_count "$felog" "link state change event" 1 10; then
				ok=1 detail="no LSC event within 10 s of killing the backend"
				break
			fi
			lat+=("down $((($(date +%s%N) - t0) / 1000000))ms")
			rm -rf /dev/hugepages/"$fp"map_* /var/run/dpdk/"$fp"
			t0=$(date +%s%N)
			tp_backend 2
		else
			if ! wait_count "$felog" "link state change event" 2 20; then
				ok=1 detail="no second LSC event (link up) within 20 s of the new backend"
				break
			fi
			lat+=("up $((($(date +%s%N) - t0) / 1000000))ms")
		fi
	done
	if [ $ok -eq 0 ]; then
		sleep 3
		bg_stop "$fe" INT
		bg_stop "$be" INT
		dt=$(awk '/Forward statistics for port 0/ { f = 1 } f && /RX-packets:/ { print $2; exit }' "$felog")
		n=$(grep -cF "link state change event" "$felog")
		if [ -z "$dt" ] || [ "$dt" -le 0 ]; then
			ok=1 detail="frontend forwarded nothing (RX-packets: ${dt:-none})"
		elif [ "$n" -ne 2 ]; then
			ok=1 detail="$n LSC events, expected exactly 2 (down, up; none at stop)"
		else
			detail="testpmd LSC events: ${lat[*]} (backend SIGKILLed; restarted: latency"
			detail+=" includes its startup), frontend RX-packets $dt"
		fi
	else
		bg_stop "$fe"
		[ -n "${be:-}" ] && bg_stop "$be"
	fi
	finish $ok "$detail"
}

# wait_count FILE STRING N TIMEOUT_S: 0 once FILE has >= N lines with STRING
wait_count() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(grep -cF -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

if [ -x "$intr_prog" ]; then
	rxintr_case rxintr-packed ""
	rxintr_case rxintr-split ",packed=0"
	rxintr_case rxintr-split-no-event-idx ",packed=0,event_idx=0"
	rxintr_case rxintr-packed-no-event-idx ",event_idx=0"
	lsc_case lsc-backend-hotplug ""
else
	for c in rxintr-packed rxintr-split rxintr-split-no-event-idx rxintr-packed-no-event-idx \
		lsc-backend-hotplug; do
		selected "$c" && skip "$c" "no $intr_prog"
	done
fi
testpmd_lsc_case

# ---- DPDK's l3fwd-power --interrupt-only on net_vnet_user --------------------------------
# l3fwd-power (built here from /usr/share/dpdk/examples, package dpdk-doc) forwards on one
# vnet port, sleeping on its RX interrupt; the peer is testpmd on net_vhost in csum mode
# (l3fwd-power leaves a bad IP checksum behind, the csum engine rewrites it; --no-flush-rx so
# nothing in flight is thrown away). Two rounds of "start tx_first" (32 frames each that
# bounce until "stop") with an idle pause between: the lcore must wake while traffic flows,
# must not wake while idle, and at the end an rxonly drain must collect exactly the 64 frames
# still in flight (every frame forwarded, none lost).
l3fwd_power_case() {
	local name=$1 extra=$2 sock l3 l3log tplog ok=0 detail="" src=/usr/share/dpdk/examples/l3fwd-power
	local bin=$work/dpdk-l3fwd-power cnt=$work/$name.counts drained r fwd
	start_case "$name" || return 0
	if [ ! -f "$src/main.c" ]; then
		skip "$name" "no $src (package dpdk-doc)"
		return 0
	fi
	if [ ! -x "$bin" ] && ! cc -O2 -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) \
		"$src/main.c" "$src/perf_core.c" -o "$bin" $(pkg-config --libs libdpdk) \
		>>"$case_log" 2>&1; then
		finish 1 "cannot build l3fwd-power from $src"
		return 0
	fi
	sock="$work/$name.sock"
	l3log="$case_log"
	tplog="$logs/$name.testpmd.log"
	: >"$tplog"
	: >"$cnt"
	next_prefix
	bg_start "$l3log" timeout -k 5 90 stdbuf -oL "$bin" -l 1 --no-pci --file-prefix "$fp" \
		-d "$plugin" --single-file-segments -m 256 \
		--vdev "net_vnet_user0,path=$sock,server=1$extra" -- -p 0x1 --config "(0,0,1)" \
		--interrupt-only --parse-ptype -P
	l3=$bg_pid
	if ! wait_grep "$l3log" "server mode: waiting" 20 "$l3"; then
		bg_stop "$l3"
		finish 1 "l3fwd-power: vnet did not start listening"
		return 0
	fi
	wakes() { grep -c "is waked up from rx interrupt" "$l3log"; }
	l3_feed() {
		sleep 4
		for r in 1 2; do
			echo "start tx_first"
			sleep 3
			echo "stop"
			sleep 1
			echo "idle$r-start $(wakes)" >>"$cnt"
			sleep 2
			echo "idle$r-end $(wakes)" >>"$cnt"
		done
		echo "set fwd rxonly"
		echo "start"
		sleep 2
		echo "stop"
		sleep 1
		echo "quit"
	}
	next_prefix
	l3_feed | timeout -k 5 60 stdbuf -oL "$testpmd" -l 0,1 --file-prefix="$fp" --no-pci \
		-m 256 --vdev "net_vhost0,iface=$sock,client=1,queues=1" -- -i --forward-mode=csum \
		--no-flush-rx --no-mlockall --total-num-mbufs=4096 >>"$tplog" 2>&1
	sleep 1
	bg_stop "$l3" INT
	{ echo "----- peer testpmd -----"; cat "$tplog"; echo "----- counts -----"; cat "$cnt"; } \
		>>"$case_log"
	# forward RX-packets per stop: round 1, round 2, drain
	mapfile -t fwd < <(awk '/Forward statistics for port 0/ { f = 1 } f && /RX-packets:/ { print $2; f = 0 }' "$tplog")
	drained=${fwd[2]:-}
	local i1 i2 tw sl
	i1=$(awk '/^idle1-end/ { e = $2 } /^idle1-start/ { s = $2 } END { print e - s }' "$cnt")
	i2=$(awk '/^idle2-end/ { e = $2 } /^idle2-start/ { s = $2 } END { print e - s }' "$cnt")
	tw=$(wakes)
	sl=$(grep -c "sleeps until interrupt triggers" "$l3log")
	if [ ${#fwd[@]} -lt 3 ]; then
		ok=1 detail="peer testpmd printed ${#fwd[@]} of 3 forward statistics"
	elif [ "${fwd[0]}" -lt 1000 ] || [ "${fwd[1]}" -lt 1000 ]; then
		ok=1 detail="too little traffic through l3fwd-power: rounds ${fwd[0]}, ${fwd[1]} frames"
	elif [ "$drained" -ne 64 ]; then
		ok=1 detail="drain after the rounds got $drained frames, expected the 64 in flight"
	elif [ "$i1" -ne 0 ] || [ "$i2" -ne 0 ]; then
		ok=1 detail="l3fwd-power woke up while idle: $i1 and $i2 wake-ups in the 2 s windows"
	elif [ "$tw" -lt 2 ] || [ "$sl" -lt 2 ]; then
		ok=1 detail="$tw wake-ups, $sl sleeps: the lcore did not sleep on its interrupt"
	else
		detail="rounds forwarded ${fwd[0]} + ${fwd[1]} frames, $tw sleep/wake cycles, no"
		detail+=" wake-up while idle, all 64 in-flight frames drained"
	fi
	finish $ok "$detail"
}
l3fwd_power_case l3fwd-power-interrupt ""
l3fwd_power_case l3fwd-power-interrupt-split ",packed=0"
