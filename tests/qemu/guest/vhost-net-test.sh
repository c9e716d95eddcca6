# vhost-net backend of net_vnet_user, guest side (appended to the test.sh that run.sh's
# vhost_net_case writes; lib.sh and the VNET_* header are already there). One boot, no NIC:
# testpmd runs two net_vnet_user ports path=/dev/vhost-net on taps tap0 / tap1, io (or csum)
# forward between them; each tap is moved into its own network namespace (nsa: 10.77.0.1,
# nsb: 10.77.0.2) and the kernel's own ping / TCP (busybox nc) run between the namespaces.
# VN_CASES (set by run.sh): which cases to run, in this order:
#   vhost-net-no-module    before the modules are loaded: the probe fails naming them
#   vhost-net-fwd          ping, 4 MB TCP both ways (sha256), link down/up from testpmd and
#                          from the tap's namespace, each with its LSC event, runtime
#                          rxq/txq stop/start (nothing passes while stopped),
#                          taps and vhost workers gone after quit
#   vhost-net-recover      test_break_ms breaks port 0's TX queue: the port recovers (events,
#                          vhost-net set up again), ping and TCP both ways after it
#   vhost-net-offload      csum engine, LRO + TSO: TCP both ways intact, LRO frames in
#                          testpmd, GSO frames into both taps
#   vhost-net-rxintr       l3fwd-power --interrupt-only on tap0 (call eventfds): sleeps while
#                          idle, wakes on frames, forwards them
#   vhost-net-mq           queues=2 (multi-queue taps): 12 TCP flows intact, both RX queues
#                          of both ports receive
#   vhost-net-mem-regions  vhost reloaded with max_mem_regions=1: the table is merged, the
#                          traffic still flows
# Helpers: vhost-net-lib.sh (concatenated before this file).

want() { case " $VN_CASES " in *" $1 "*) return 0 ;; esac; return 1; }
case_t0() { c_t0=$(date +%s); }
result() { # result NAME PASS|FAIL DETAIL
	vnet_result "$1" "$2" "$3 [$(($(date +%s) - c_t0)) s]"
}

rc=0
# verdict NAME DETAIL: PASS with DETAIL, or FAIL with the reasons gathered in $why
verdict() {
	if [ -z "$why" ]; then
		result "$1" PASS "$2"
	else
		result "$1" FAIL "$why"
		rc=1
	fi
}
# tp_end: quit testpmd; its exit status and what close left behind go into $why
tp_end() {
	tp_quit
	[ $tp_rc -eq 0 ] || why="${why:+$why; }testpmd exit $tp_rc"
	after_quit || why="${why:+$why; }resources left after close"
}

# ---- no module: the probe fails with what to load ----
if want vhost-net-no-module; then
	case_t0
	grep -q "^vhost_net " /proc/modules && echo "vnet: vhost_net already loaded?"
	timeout 60 dpdk-testpmd $EAL --file-prefix nomod $(vdevs "") -- --total-num-mbufs=2048 \
		</dev/null >/tmp/nomod.log 2>&1
	r=$?
	cat /tmp/nomod.log | grep -v '^$' | head -n 30
	hint="load the modules tun, tap, vhost_iotlb, vhost and vhost_net (modprobe vhost_net)"
	why=
	grep -qF "cannot open /dev/vhost-net: No such file or directory" /tmp/nomod.log || why="no 'cannot open /dev/vhost-net' error"
	grep -qF "$hint" /tmp/nomod.log || why="${why:+$why; }the error does not name the modules"
	grep -Eq '^Port [0-9]+: ' /tmp/nomod.log && why="${why:+$why; }a port was created"
	[ $r -eq 124 ] && why="${why:+$why; }testpmd hung"
	[ $r -ge 128 ] && why="${why:+$why; }testpmd died (status $r)"
	verdict vhost-net-no-module "no port, exit $r: $(grep -m1 -o 'cannot open /dev/vhost-net.*' /tmp/nomod.log | cut -c1-120)"
fi

vn_load || { vnet_result vhost-net-setup FAIL "cannot load the vhost-net modules"; exit 1; }
echo "vnet: modules: $(grep -E '^(tun|tap|vhost_iotlb|vhost|vhost_net) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')max_mem_regions=$(cat /sys/module/vhost/parameters/max_mem_regions)"

# ---- io forward: ping, TCP both ways, link down/up, clean close ----
if want vhost-net-fwd; then
	case_t0
	why=
	tp_start fwd $EAL --file-prefix fwd $(vdevs "") -- $IO
	tp start
	if ! tp_forwarding; then
		why="testpmd does not forward"
	elif ! ns_pair; then
		why="namespace setup failed"
	else
		$IP -d -n nsa link show tap0 | grep -q "vnet_hdr on" || why="tap0 has no vnet header"
		ping_ok nsa $B 5 || why="${why:+$why; }ping A->B lost echoes"
		ping_ok nsb $A 3 || why="${why:+$why; }ping B->A lost echoes"
		tcp_both 4194304 || why="${why:+$why; }TCP transfer corrupted or incomplete"
		tp "show port info 0"
		sleep 2
		grep -q "Link status: up" "$tp_log" || why="${why:+$why; }port 0 link not up"
		: >/tmp/mark
		lsc="Port 0: link state change event"
		n0=$(grep -cF "$lsc" "$tp_log")
		tp "set link-down port 0"
		sleep 2
		wait_count "$tp_log" "$lsc" $((n0 + 1)) 5 || why="${why:+$why; }no LSC event after set link-down"
		$IP -n nsa link show tap0 | grep -q "[<,]UP[,>]" && why="${why:+$why; }set link-down left tap0 up"
		ping_ok nsa $B 1 >/dev/null && why="${why:+$why; }ping passed with the link down"
		lines=$(wc -l <"$tp_log")
		tp "show port info 0"
		sleep 2
		tail -n +"$lines" "$tp_log" | grep -q "Link status: down" || why="${why:+$why; }port 0 does not report the link down"
		tp "set link-up port 0"
		sleep 2
		$IP -n nsa link show tap0 | grep -q "[<,]UP[,>]" || why="${why:+$why; }set link-up did not bring tap0 up"
		wait_count "$tp_log" "$lsc" $((n0 + 2)) 5 || why="${why:+$why; }no LSC event after set link-up"
		# The kernel side takes the tap down and up: vnet's poll of the tap raises the events.
		$IP -n nsa link set tap0 down
		wait_count "$tp_log" "$lsc" $((n0 + 3)) 5 || why="${why:+$why; }no LSC event when tap0 went down in nsa"
		$IP -n nsa link set tap0 up
		wait_count "$tp_log" "$lsc" $((n0 + 4)) 5 || why="${why:+$why; }no LSC event when tap0 came up in nsa"
		sleep 1
		[ "$(grep -cF "$lsc" "$tp_log")" -eq $((n0 + 4)) ] || why="${why:+$why; }$(($(grep -cF "$lsc" "$tp_log") - n0)) LSC events for 4 link changes"
		$IP -n nsa neigh replace $B lladdr $MB dev tap0 nud permanent
		ping_ok nsa $B 3 || why="${why:+$why; }no ping after link up"
		# Runtime queue stop/start (the tap detached from one vring, then attached again):
		# nothing passes while a queue on the path is stopped, traffic resumes after.
		lines=$(wc -l <"$tp_log")
		# (testpmd takes queue commands with forwarding stopped only)
		for q in "0 rxq" "1 txq"; do
			tp stop
			tp "port ${q% *} ${q#* } 0 stop"
			tp start
			sleep 1
			$IP netns exec nsa ping -c 2 -w 3 $B >/dev/null 2>&1 && why="${why:+$why; }ping passed with port $q 0 stopped"
			tp stop
			tp "port ${q% *} ${q#* } 0 start"
			tp start
			sleep 1
			ping_ok nsa $B 3 || why="${why:+$why; }no ping after port $q 0 start"
		done
		tail -n +"$lines" "$tp_log" | grep -Eq "not supported|not implemented|[Ff]ailed|Invalid|Please stop" && why="${why:+$why; }queue stop/start: $(tail -n +"$lines" "$tp_log" | grep -E -m1 "not supported|not implemented|[Ff]ailed|Invalid|Please stop")"
	fi
	tp_end
	ns_down
	verdict vhost-net-fwd "ping both ways, 4 MB TCP both ways in ${tcp_secs} s intact, link down/up from testpmd and from the tap with 4 LSC events, rxq/txq stop/start, taps and vhost workers released at close"
fi

# ---- recovery: port 0's TX queue marked broken (test_break_ms), the port recovers ----
if want vhost-net-recover; then
	case_t0
	why=
	tp_start rec $EAL --file-prefix rec \
		--vdev net_vnet_user0,path=/dev/vhost-net,iface=tap0,test_break_ms=4000 \
		--vdev net_vnet_user1,path=/dev/vhost-net,iface=tap1 -- $IO
	tp start
	if ! tp_forwarding; then
		why="testpmd does not forward"
	elif ! ns_pair; then
		why="namespace setup failed"
	else
		wait_count "$tp_log" "recovered after 1 attempt" 1 60 || why="no recovery within 60 s"
		for s in "test_break_ms: tx queue 0 marked broken" "Port 0: error recovering event" \
			"Port 0: error recovery successful event"; do
			grep -qF "$s" "$tp_log" || why="${why:+$why; }log lacks '$s'"
		done
		grep -q "recovery failed" "$tp_log" && why="${why:+$why; }recovery failed"
		ping_ok nsa $B 3 || why="${why:+$why; }no ping A->B after the recovery"
		ping_ok nsb $A 3 || why="${why:+$why; }no ping B->A after the recovery"
		tcp_both 1048576 || why="${why:+$why; }TCP after the recovery corrupted or incomplete"
	fi
	ms=$(sed -n 's/.*recovered after 1 attempt(s) (\([0-9]*\) ms.*/\1/p' "$tp_log" | head -n 1)
	tp_end
	ns_down
	verdict vhost-net-recover "tx queue 0 broken, recovered in ${ms} ms (reset, vhost-net set up again), ping and 1 MB TCP both ways after it"
fi

# ---- offloads: csum engine, LRO in, TSO out ----
if want vhost-net-offload; then
	case_t0
	why=
	tp_start off $EAL --file-prefix off $(vdevs "") -- -i --forward-mode=csum \
		--total-num-mbufs=16384 --txd=256 --rxd=256 --disable-link-check --disable-device-start \
		--rx-offloads=0x201c --tx-offloads=0x8000
	for p in 0 1; do
		tp "csum mac-swap off $p"
		tp "csum set ip hw $p"
		tp "csum set udp hw $p"
		tp "csum set tcp hw $p"
		tp "tso set 1448 $p"
	done
	tp "port start all"
	tp start
	if ! tp_forwarding; then
		why="testpmd does not forward"
	elif ! ns_pair; then
		why="namespace setup failed"
	else
		tcp_both 4194304 || why="TCP transfer corrupted or incomplete"
		for n in a:tap0 b:tap1; do
			ns=ns${n%%:*} t=${n#*:}
			rp=$(tapstat $ns $t rx_packets) rb=$(tapstat $ns $t rx_bytes)
			avg=$((rb / (rp + 1)))
			echo "VNET-STATS $t rx_packets=$rp rx_bytes=$rb avg=$avg"
			[ "$avg" -gt 1514 ] || why="${why:+$why; }no GSO frames into $t (average frame $avg bytes)"
		done
	fi
	tp_quit
	[ $tp_rc -eq 0 ] || why="${why:+$why; }testpmd exit $tp_rc"
	l0=$(xstat 0 rx_q0_lro_packets) l1=$(xstat 1 rx_q0_lro_packets)
	echo "VNET-STATS lro port0=$l0 port1=$l1"
	[ "$l0" -gt 0 ] && [ "$l1" -gt 0 ] || why="${why:+$why; }no LRO frames received (rx_q0_lro_packets $l0 / $l1)"
	ns_down
	verdict vhost-net-offload "4 MB TCP both ways intact in ${tcp_secs} s; LRO frames $l0 / $l1; GSO frames into both taps"
fi

# ---- RX interrupts: l3fwd-power --interrupt-only on one vhost-net port ----
if want vhost-net-rxintr; then
	case_t0
	why=
	stdbuf -oL dpdk-l3fwd-power $VNET_DFLAG -l 1 -n 1 --no-pci --file-prefix l3 \
		--vdev net_vnet_user0,path=/dev/vhost-net,iface=tap0 -- -p 0x1 --config "(0,0,1)" \
		--interrupt-only --parse-ptype -P >/tmp/l3.log 2>&1 &
	l3=$!
	wakes() { grep -c "is waked up from rx interrupt" /tmp/l3.log; }
	if ! wait_log /tmp/l3.log "entering main interrupt loop" 90; then
		why="l3fwd-power did not reach its interrupt loop"
	elif ! ns_up nsa tap0 $A $MA $B $MB; then
		why="namespace setup failed"
	else
		sleep 2	# what the namespace set-up sent is handled
		w0=$(wakes)
		sleep 3
		w1=$(wakes)
		t0=$(tapstat nsa tap0 tx_packets) r0=$(tapstat nsa tap0 rx_packets)
		# 5 echo requests 0.4 s apart: each one wakes the lcore (no answer comes: l3fwd
		# sends them back out of the same port, a miss in its routing table)
		$IP netns exec nsa ping -c 5 -i 0.4 -W 1 $B >/dev/null 2>&1
		sleep 1
		w2=$(wakes)
		t1=$(tapstat nsa tap0 tx_packets) r1=$(tapstat nsa tap0 rx_packets)
		sl=$(grep -c "sleeps until interrupt triggers" /tmp/l3.log)
		echo "VNET-STATS rxintr wakes idle=$((w1 - w0)) traffic=$((w2 - w1)) sleeps=$sl tap0 sent=$((t1 - t0)) back=$((r1 - r0))"
		[ "$w1" -eq "$w0" ] || why="$((w1 - w0)) wake-up(s) in a 3 s idle window"
		[ $((w2 - w1)) -ge 3 ] || why="${why:+$why; }$((w2 - w1)) wake-up(s) for 5 frames 0.4 s apart"
		[ $((t1 - t0)) -ge 5 ] && [ $((r1 - r0)) -ge $((t1 - t0)) ] ||
			why="${why:+$why; }$((t1 - t0)) frames into vnet, $((r1 - r0)) forwarded back"
	fi
	kill -INT $l3 2>/dev/null
	wait $l3
	lrc=$?
	grep -v '^$' /tmp/l3.log | tail -n 40
	ns_down
	[ $lrc -eq 0 ] || why="${why:+$why; }l3fwd-power exit $lrc"
	verdict vhost-net-rxintr "l3fwd-power --interrupt-only: $((w2 - w1)) wake-ups for 5 frames, none in 3 s idle, $((r1 - r0)) of $((t1 - t0)) frames forwarded"
fi

# ---- multi-queue: two queue pairs, multi-queue taps ----
if want vhost-net-mq; then
	case_t0
	why=
	tp_start mq $EAL --file-prefix mq $(vdevs ",queues=2") -- $IO --rxq=2 --txq=2
	tp start
	if ! tp_forwarding; then
		why="testpmd does not forward"
	elif ! ns_pair; then
		why="namespace setup failed"
	else
		$IP -d -n nsa link show tap0 | grep -q "multi_queue numqueues 2" || why="tap0 is not a 2-queue multi-queue tap: $($IP -d -n nsa link show tap0 | grep tun)"
		head -c 262144 /dev/urandom >/tmp/m.bin
		for p in $(seq 6001 6012); do tcp_start nsb $p; done
		sleep 1
		for p in $(seq 6001 6012); do tcp_send nsa $B $p /tmp/m.bin & done
		wait_n=0
		for p in $(seq 6001 6012); do tcp_check $p /tmp/m.bin || wait_n=$((wait_n + 1)); done
		[ $wait_n -eq 0 ] || why="${why:+$why; }$wait_n of 12 flows corrupted or incomplete"
	fi
	tp_quit
	[ $tp_rc -eq 0 ] || why="${why:+$why; }testpmd exit $tp_rc"
	q=
	for p in 0 1; do
		for k in 0 1; do
			v=$(xstat $p rx_q${k}_packets)
			q="$q port$p/rxq$k=$v"
			[ "$v" -gt 0 ] || why="${why:+$why; }port $p rx queue $k received nothing"
		done
	done
	echo "VNET-STATS mq$q"
	ns_down
	verdict vhost-net-mq "queues=2: 12 TCP flows of 256 KB intact;$q"
fi

# ---- more memory regions than the vhost module takes ----
if want vhost-net-mem-regions; then
	case_t0
	why=
	rmmod vhost_net && rmmod vhost && vn_load max_mem_regions=1 || why="cannot reload vhost with max_mem_regions=1"
	echo "vnet: max_mem_regions=$(cat /sys/module/vhost/parameters/max_mem_regions)"
	tp_start mem $EAL --file-prefix mem $(vdevs "") -- $IO
	tp start
	if [ -n "$why" ]; then
		:
	elif ! tp_forwarding; then
		why="testpmd does not forward"
	elif ! ns_pair; then
		why="namespace setup failed"
	else
		ping_ok nsa $B 3 || why="ping A->B lost echoes"
		tcp_both 1048576 || why="${why:+$why; }TCP transfer corrupted or incomplete"
	fi
	tp_quit
	[ $tp_rc -eq 0 ] || why="${why:+$why; }testpmd exit $tp_rc"
	grep -q "max_mem_regions=1: .* merged into their neighbours" "$tp_log" || why="${why:+$why; }no 'merged' notice"
	grep -q "vhost-net running .* 1 memory region(s)" "$tp_log" || why="${why:+$why; }the table is not 1 region"
	ns_down
	verdict vhost-net-mem-regions "$(grep -m1 -o 'EAL memory has more lists.*' "$tp_log" | cut -c1-110); ping + 1 MB TCP both ways"
fi
exit $rc
