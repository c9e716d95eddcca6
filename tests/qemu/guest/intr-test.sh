# Guest part of cases-intr.sh's interrupt boot (busybox sh, appended to /test.sh after the
# header). NICs set by the host before this file: T (tap, vfio-pci: MSI-X), U (hub 1 alone,
# uio_pci_generic: INTx), A (legacy-only, vfio-pci) and C (vfio-pci) on hub 0.
#   lsc-vfio, lsc-uio   testpmd on T + U: QMP set_link off/on of each NIC (host, on request)
#                       -> "Port N: link state change event" within 10 s, link shown down/up
#   announce            same testpmd: mac_addr add + mac_addr set on T, QMP announce-self:
#                       judged on the host (RARPs on the tap, QEMU trace), see intrnet.py
#   l3fwd-power         dpdk-l3fwd-power --interrupt-only on A (legacy device, MSI-X vectors
#                       through vfio), peer testpmd csum on C: wakes with traffic, not while
#                       idle, every frame forwarded (drain = frames in flight)
#   l3fwd-power-recover the same on C (peer on A) with test_bad_desc_ms: the device sets
#                       NEEDS_RESET while the lcore sleeps, vnet recovers, traffic after it
#                       wakes the lcore
#   rxq-intr-uio        l3fwd-power on U (INTx): refused with vnet's message, no crash
# Host actions: "VNET-SYNC <tag>" on the console, "ack <tag>" back on ttyS1.

exec 3>&1
stty -F /dev/ttyS1 raw -echo || echo "vnet: stty on ttyS1 failed"
exec 4</dev/ttyS1

vnet_sync() {
	echo "VNET-SYNC $1" >&3
	read -r -t 60 ack <&4 || echo "VNET-SYNC-TIMEOUT $1" >&3
}
# up_cs: uptime in centiseconds
up_cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }
dump() { # dump NAME FILE
	echo "VNET-LOG-BEGIN $1"
	grep -v -e '^testpmd> *$' -e '^$' "$2"
	echo "VNET-LOG-END $1"
}

vnet_bind vfio-pci $T $A $C || exit 1
vnet_bind uio_pci_generic $U || exit 1
ls -l /dev/vfio/

# ---- testpmd on T (port 0, vfio) and U (port 1, uio): LSC both, then announce on T ----
ADDMAC=02:00:00:aa:bb:01
SETMAC=02:00:00:aa:bb:22
lsc_feed() {
	wait_count /tmp/lsc.log "testpmd>" 1 90
	echo "show port info all"
	sleep 1
	for p in 0 1; do
		nic=nict
		[ $p -eq 1 ] && nic=nicu
		for st in off on; do
			n0=$(grep -cF "Port $p: link state change event" /tmp/lsc.log)
			t0=$(up_cs)
			vnet_sync "link-$nic-$st"
			if wait_count /tmp/lsc.log "Port $p: link state change event" $((n0 + 1)) 10; then
				t1=$(up_cs)
				echo "VNET-LSC port=$p link=$st event=1 latency_ms=$(((t1 - t0) * 10))" |
					tee -a /tmp/lsc.marks >&3
			else
				echo "VNET-LSC port=$p link=$st event=0" | tee -a /tmp/lsc.marks >&3
			fi
			echo "show port summary $p"
			sleep 1
		done
	done
	echo "mac_addr add 0 $ADDMAC"
	sleep 1
	echo "mac_addr set 0 $SETMAC"
	sleep 1
	vnet_sync announce
	sleep 2
	echo "show port xstats 0"
	sleep 1
	echo "quit"
}
lsc_feed | timeout 200 stdbuf -oL dpdk-testpmd $VNET_DFLAG -l 0,1 -n 1 --file-prefix lsc \
	$(vnet_a $T $U) -- -i --total-num-mbufs=4096 >/tmp/lsc.log 2>&1
rc=$?
dump lsc /tmp/lsc.log
echo "VNET-TP-EXIT lsc $rc"
for p in 0 1; do
	name=lsc-vfio
	[ $p -eq 1 ] && name=lsc-uio
	ev=$(grep -c "^VNET-LSC port=$p .* event=1" /tmp/lsc.marks)
	nd=$(grep -cF "Port $p: link state change event" /tmp/lsc.log)
	lat=$(awk -v p="port=$p" '$2 == p { sub("link=", "", $3); sub("latency_ms=", "", $5); printf "%s %s ms, ", $3, $5 }' /tmp/lsc.marks)
	if [ $rc -ne 0 ]; then
		vnet_result $name FAIL "testpmd exited with status $rc"
	elif [ "$ev" -ne 2 ] || [ "$nd" -ne 2 ]; then
		vnet_result $name FAIL "port $p: $ev of 2 set_link changes gave an event within 10 s ($nd events in all)"
	else
		vnet_result $name PASS "port $p: link state change event after set_link ${lat%, } (from the request to the event)"
	fi
done

# ---- l3fwd-power --interrupt-only on A, peer testpmd (csum engine) on C ----
stdbuf -oL dpdk-l3fwd-power $VNET_DFLAG -l 2 -n 1 --file-prefix l3 -a $A$VNET_DEVARGS -- -p 0x1 \
	--config "(0,0,2)" --interrupt-only --parse-ptype -P >/tmp/l3.log 2>&1 &
l3=$!
wait_count /tmp/l3.log "entering main interrupt loop" 1 90
wakes() { grep -c "is waked up from rx interrupt" /tmp/l3.log; }
# l3_feed PEERLOG ROUNDS [MARKS]: ROUNDS tx_first rounds of 4 s (with MARKS, each followed
# by a 4 s idle window whose l3fwd-power wake-ups are appended to MARKS), a 3 s rxonly drain
l3_feed() {
	wait_count "$1" "testpmd>" 1 90
	sleep 1
	r=1
	while [ $r -le "$2" ]; do
		echo "start tx_first"
		sleep 4
		echo "stop"
		if [ -n "${3:-}" ]; then
			sleep 2
			s=$(wakes)
			sleep 4
			echo "VNET-L3 idle$r wakes_before=$s wakes_after=$(wakes)" | tee -a "$3" >&3
		else
			sleep 1
		fi
		r=$((r + 1))
	done
	echo "set fwd rxonly"
	echo "start"
	sleep 3
	echo "stop"
	sleep 1
	echo "quit"
}
# l3_peer TAG BDF ROUNDS [MARKS]: the peer testpmd (csum engine) on BDF, fed by l3_feed,
# then l3fwd-power ($l3) stopped. Sets prc, lrc and fwd (port 0 RX-packets of every round,
# then of the drain).
l3_peer() {
	l3_feed "/tmp/$1.log" "$3" "${4:-}" | timeout 150 stdbuf -oL dpdk-testpmd $VNET_DFLAG \
		-l 0,1 -n 1 --file-prefix "$1" $(vnet_a "$2") -- -i --forward-mode=csum --no-flush-rx \
		--total-num-mbufs=4096 >"/tmp/$1.log" 2>&1
	prc=$?
	kill -INT $l3
	wait $l3
	lrc=$?
	fwd=$(awk '/Forward statistics for port 0/ { f = 1 } f && /RX-packets:/ { printf "%s ", $2; f = 0 }' "/tmp/$1.log")
}
l3_peer l3p $C 2 /tmp/l3.marks
dump l3fwd-power /tmp/l3.log
dump l3peer /tmp/l3p.log
set -- $fwd
tw=$(wakes)
sl=$(grep -c "sleeps until interrupt triggers" /tmp/l3.log)
idle=$(awk '{ sub("wakes_before=", "", $3); sub("wakes_after=", "", $4); n += $4 - $3 } END { print n + 0 }' /tmp/l3.marks)
echo "VNET-STATS l3fwd-power rounds=$fwd wakes=$tw sleeps=$sl peer_rc=$prc l3_rc=$lrc"
if [ $# -lt 3 ]; then
	vnet_result l3fwd-power FAIL "peer testpmd printed $# of 3 forward statistics (exit $prc)"
elif [ "$1" -lt 100 ] || [ "$2" -lt 100 ]; then
	vnet_result l3fwd-power FAIL "too little traffic through l3fwd-power: rounds $1, $2 frames"
elif [ "$3" -ne 64 ]; then
	vnet_result l3fwd-power FAIL "drain got $3 frames, expected the 64 in flight"
elif [ "$tw" -lt 2 ] || [ "$sl" -lt 2 ]; then
	vnet_result l3fwd-power FAIL "$tw wake-ups, $sl sleeps: the lcore did not sleep on its interrupt"
elif [ "$idle" -ne 0 ] || [ "$(wc -l </tmp/l3.marks)" -ne 2 ]; then
	vnet_result l3fwd-power FAIL "$idle wake-ups in the two 4 s idle windows"
else
	vnet_result l3fwd-power PASS "legacy device, vfio MSI-X: rounds $1 + $2 frames, $tw sleep/wake cycles, no wake-up while idle, all 64 in-flight frames drained"
fi

# ---- l3fwd-power on C across a device-error recovery (peer testpmd on A) ----
# C, not the legacy A: a legacy device has no DEVICE_NEEDS_RESET (QEMU only marks it broken).
# test_bad_desc_ms: 3 s after the start vnet posts one zero-length TX descriptor, QEMU sets
# DEVICE_NEEDS_RESET and vnet recovers the port while the lcore sleeps on its RX interrupt
# (no traffic yet). The eventfd the lcore sleeps on must survive the recovery and wake it.
stdbuf -oL dpdk-l3fwd-power $VNET_DFLAG -l 2 -n 1 --file-prefix l3r \
	-a "$C$VNET_DEVARGS,test_bad_desc_ms=3000" -- -p 0x1 --config "(0,0,2)" --interrupt-only \
	--parse-ptype -P >/tmp/l3r.log 2>&1 &
l3=$!
wait_count /tmp/l3r.log "entering main interrupt loop" 1 90
rwhy=
wait_count /tmp/l3r.log "recovered after 1 attempt" 1 60 || rwhy="no recovery within 60 s"
sleep 1
rw0=$(grep -c "is waked up from rx interrupt" /tmp/l3r.log)
l3_peer l3rp $A 1
dump l3fwd-power-recover /tmp/l3r.log
dump l3peer-recover /tmp/l3rp.log
rw1=$(grep -c "is waked up from rx interrupt" /tmp/l3r.log)
set -- $fwd
echo "VNET-STATS l3fwd-power-recover rounds=$fwd wakes_after_recovery=$((rw1 - rw0)) peer_rc=$prc l3_rc=$lrc"
for m in "test_bad_desc_ms: posted one zero-length descriptor" "set DEVICE_NEEDS_RESET"; do
	grep -q "$m" /tmp/l3r.log || rwhy="${rwhy:+$rwhy; }log lacks '$m'"
done
grep -q "recovery failed" /tmp/l3r.log && rwhy="${rwhy:+$rwhy; }recovery failed"
if [ -n "$rwhy" ]; then
	vnet_result l3fwd-power-recover FAIL "$rwhy"
elif [ $# -lt 2 ]; then
	vnet_result l3fwd-power-recover FAIL "peer testpmd printed $# of 2 forward statistics (exit $prc)"
elif [ "$1" -lt 100 ]; then
	vnet_result l3fwd-power-recover FAIL "only $1 frames came back through l3fwd-power after the recovery ($((rw1 - rw0)) wake-ups): the lcore stayed asleep"
elif [ "$2" -ne 32 ]; then
	# one tx_first burst of 32 circulates (the l3fwd-power case above sends two)
	vnet_result l3fwd-power-recover FAIL "drain got $2 frames, expected the 32 in flight"
elif [ $((rw1 - rw0)) -lt 1 ]; then
	vnet_result l3fwd-power-recover FAIL "no wake-up from the RX interrupt after the recovery"
else
	vnet_result l3fwd-power-recover PASS "vfio MSI-X, recovered ($(grep -o 'recovered after 1 attempt(s) ([0-9]* ms' /tmp/l3r.log | head -n 1 | sed 's/.*(//')) while the lcore slept: $1 frames forwarded after it, $((rw1 - rw0)) wake-ups, all 32 in-flight frames drained"
fi

# ---- per-queue RX interrupts on uio (INTx): a clear refusal ----
timeout 90 dpdk-l3fwd-power $VNET_DFLAG -l 2 -n 1 --file-prefix l3u -a $U$VNET_DEVARGS -- -p 0x1 \
	--config "(0,0,2)" --interrupt-only --parse-ptype -P </dev/null >/tmp/l3u.log 2>&1
urc=$?
dump l3fwd-power-uio /tmp/l3u.log
if [ $urc -eq 0 ] || [ $urc -ge 124 ]; then
	vnet_result rxq-intr-uio FAIL "l3fwd-power on uio exited with $urc"
elif ! grep -q "RX queue interrupts need one MSI-X vector per queue" /tmp/l3u.log; then
	vnet_result rxq-intr-uio FAIL "no vnet refusal message (exit $urc)"
else
	vnet_result rxq-intr-uio PASS "refused at configure (exit $urc): $(grep -o 'intr_conf.rxq: RX queue interrupts need[^:]*' /tmp/l3u.log | head -1)"
fi
