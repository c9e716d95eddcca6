# Guest part of the mp-* / hotunplug-rmv cases (tests/qemu/cases-mp.sh), appended to test.sh
# (busybox sh). NICs A, B on one hub, C, D on multi-queue taps, all bound to vfio-pci
# (no-IOMMU). Phases in this order: 1, 3, 2 (the unplug last).
#  1. testpmd primary io-forwarding A <-> B; secondaries attached to it: dpdk-proc-info
#     --stats / --xstats / --show-port-private, dpdk-dumpcap capturing port 0 (pcapng), then
#     the primary's counters still move (mp-guest-procinfo, mp-guest-dumpcap).
#  2. testpmd on B alone; the host deletes B (QMP device_del, after VNET-MP-UNPLUG-READY):
#     the removal event, testpmd closes and detaches the port, the kernel removes the
#     function (hotunplug-rmv; the host checks DEVICE_DELETED).
#  3. DPDK's symmetric_mp on C, D: primary on queue 0, secondary on queue 1; dpdk-proc-info
#     sees both queues move, the secondary's own counters at exit (mp-guest-symmetric).

set -- $(vnet_nics)
[ $# -eq 4 ] || { vnet_result mp-guest-procinfo FAIL "expected 4 virtio-net functions, found $#"; exit 1; }
A=$1 B=$2 C=$3 D=$4
vnet_bind vfio-pci "$A" "$B" "$C" "$D" || exit 1

# wait_log FILE STRING SECONDS [PID]: 0 once STRING is in FILE
wait_log() {
	i=0
	while [ $i -lt $(($3 * 5)) ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		[ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && { grep -qF -- "$2" "$1"; return $?; }
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# xval FILE PORT NAME: xstat NAME of PORT in dpdk-proc-info --xstats output
xval() {
	awk -v p="$2" -v n="$3:" '/NIC extended statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") cur = $(i + 1) + 0; seen = 1 }
	     seen && cur == p && $1 == n { print $2; exit }' "$1"
}
show() { echo "----- $1 -----"; grep -v -e '^EAL: ' -e '^ *[a-z_0-9]*: 0$' "$1" | head -n "${2:-60}"; echo "-----"; }

# ---- 1. primary + secondaries ----
t0=$(date +%s)
stdbuf -oL dpdk-testpmd $VNET_DFLAG -l 0,1 -n 1 --file-prefix tp $(vnet_a "$A" "$B") -- \
	--total-num-mbufs=4096 --forward-mode=io --auto-start --tx-first --stats-period 5 \
	>/tmp/tp.log 2>&1 &
tp=$!
if ! wait_log /tmp/tp.log "packet forwarding - ports=" 60 $tp; then
	show /tmp/tp.log
	vnet_result mp-guest-procinfo FAIL "testpmd primary did not start forwarding"
	exit 1
fi
sleep 3
ok=1 why=
# (no -l: dpdk-proc-info passes -c1 itself)
pi() { out=$1; shift; timeout 60 dpdk-proc-info $VNET_DFLAG --file-prefix "$pfx" -- "$@" >"$out" 2>&1; }
pfx=tp
pi /tmp/pi-x1.log --xstats || why="proc-info --xstats exit $?"
pi /tmp/pi-st.log --stats || why="${why:-proc-info --stats exit $?}"
pi /tmp/pi-pp.log --show-port-private || why="${why:-proc-info --show-port-private exit $?}"
show /tmp/pi-pp.log 40
grep -E 'RX-packets|TX-packets' /tmp/pi-st.log
n=$(grep -c "attached in a secondary process (virtio-pci; port started)" /tmp/pi-x1.log)
[ "$n" -eq 2 ] || why="${why:-proc-info: $n of 2 ports attached in the secondary}"
for p in 0 1; do
	for x in rx_q0_packets tx_q0_packets; do
		v=$(xval /tmp/pi-x1.log $p $x)
		[ -n "$v" ] && [ "$v" -gt 0 ] || why="${why:-proc-info --xstats: port $p $x=${v:-missing}}"
	done
done
x1=$(xval /tmp/pi-x1.log 0 rx_q0_packets)
v=$(awk '/RX-packets:/ { print $2; exit }' /tmp/pi-st.log)
[ -n "$v" ] && [ "$v" -gt 0 ] || why="${why:-proc-info --stats: RX-packets=${v:-missing}}"
for s in "vnet port 0: $A" "vnet port 1: $B" "transport: virtio-pci modern" "state: started" \
	"rxq 0: packets" "txq 0: packets" " kick moderation: "; do
	grep -qF -- "$s" /tmp/pi-pp.log || why="${why:-show-port-private lacks [$s]}"
done
grep -qE '^negotiated features: 0x[0-9a-f]+ .*VERSION_1' /tmp/pi-pp.log ||
	why="${why:-show-port-private: no negotiated features with VERSION_1}"
# dpdk-dumpcap: a secondary that has the primary copy port 0's packets into a ring and writes
# them as pcapng. It takes no -d: vnet is linked into the guest's default plugin directory.
timeout 60 dpdk-dumpcap --file-prefix tp -i "$A" -c 50 -w /tmp/cap.pcapng >/tmp/dumpcap.log 2>&1
prc=$?
show /tmp/dumpcap.log 30
sz=$(wc -c </tmp/cap.pcapng 2>/dev/null || echo 0)
npk=$(awk '/Packets received\/dropped on interface/ { split($(NF - 1), a, "/"); print a[1]; exit }' /tmp/dumpcap.log)
echo "VNET-MP dumpcap exit=$prc pcapng=${sz}B received=${npk:-?}"
pw=
[ "$prc" -eq 0 ] || pw="dpdk-dumpcap exit $prc"
[ "${npk:-0}" -ge 50 ] || pw="${pw:-dumpcap received ${npk:-no} packets, wanted 50}"
# at exit dumpcap turns promiscuous mode off again: refused (the primary's port keeps it)
grep -q "promiscuous_disable refused in a secondary process" /tmp/dumpcap.log ||
	pw="${pw:-dumpcap: no refusal of its promiscuous_disable}"
pi /tmp/pi-pp2.log --show-port-private
grep -q "^ctrl: promisc 1" /tmp/pi-pp2.log ||
	pw="${pw:-port 0 lost promiscuous mode after dumpcap: $(grep '^ctrl:' /tmp/pi-pp2.log | head -n 1)}"
# 50 frames of 64 B as enhanced packet blocks (32 B + 64 B each) plus the headers
[ "$sz" -ge $((50 * 96)) ] || pw="${pw:-pcapng file has only $sz bytes}"
# the primary still forwards after both secondaries are gone
sleep 2
pi /tmp/pi-x2.log --xstats
x2=$(xval /tmp/pi-x2.log 0 rx_q0_packets)
[ -n "$x2" ] && [ -n "$x1" ] && [ "$x2" -gt "$x1" ] ||
	why="${why:-the primary rx_q0_packets did not grow after the secondaries: $x1 -> $x2}"
kill -INT $tp
wait $tp
trc=$?
grep -q "Bye" /tmp/tp.log || why="${why:-testpmd primary did not end cleanly (exit $trc)}"
show /tmp/tp.log 30
if [ -z "$why" ]; then
	vnet_result mp-guest-procinfo PASS "proc-info --stats/--xstats/--show-port-private on 2 ports; rx_q0 $x1 -> $x2 after"
else
	vnet_result mp-guest-procinfo FAIL "$why"
fi
if [ -z "$pw" ]; then
	vnet_result mp-guest-dumpcap PASS "dpdk-dumpcap stopped after 50 packets of $A (received $npk, ${sz}-byte pcapng)"
else
	vnet_result mp-guest-dumpcap FAIL "$pw"
fi
echo "VNET-MP phase1 $(( $(date +%s) - t0 ))s"

# ---- 3. symmetric_mp: primary on queue 0, secondary on queue 1 of C and D (2 queue pairs,
# multi-queue taps; the host sends flows into C's tap and counts them out of D's) ----
t0=$(date +%s)
why=
pfx=smp
stdbuf -oL dpdk-symmetric-mp $VNET_DFLAG -l 0 --file-prefix smp $(vnet_a "$C" "$D") -- -p 3 \
	--num-procs=2 --proc-id=0 >/tmp/smp0.log 2>&1 &
p0=$!
wait_log /tmp/smp0.log "Finished Process Init" 90 $p0 || why="symmetric_mp primary did not start"
if [ -z "$why" ]; then
	stdbuf -oL dpdk-symmetric-mp $VNET_DFLAG -l 1 --proc-type=secondary --file-prefix smp -- \
		-p 3 --num-procs=2 --proc-id=1 >/tmp/smp1.log 2>&1 &
	p1=$!
	wait_log /tmp/smp1.log "Finished Process Init" 60 $p1 || why="symmetric_mp secondary did not start"
	n=$(grep -c "attached in a secondary process (virtio-pci; port started)" /tmp/smp1.log)
	[ -n "$why" ] || [ "$n" -eq 2 ] || why="secondary: $n of 2 ports attached"
fi
echo "VNET-MP-SMP-READY"
if [ -z "$why" ]; then
	sleep 14
	pi /tmp/pi-smp.log --xstats || why="proc-info --xstats on the symmetric_mp ports: exit $?"
	for x in "0 rx_q0_packets" "0 rx_q1_packets" "1 tx_q0_packets" "1 tx_q1_packets"; do
		v=$(xval /tmp/pi-smp.log $x)
		echo "VNET-MP smp port $x=${v:-missing}"
		[ -n "$v" ] && [ "$v" -gt 0 ] || why="${why:-port $x=${v:-missing}: a queue got no traffic}"
	done
	kill -TERM $p1
	wait $p1
	r1=$(awk '/^Port 0:/ { print $5 }' /tmp/smp1.log | tr -d ,)
	t1=$(awk '/^Port 1:/ { print $8 }' /tmp/smp1.log | tr -d ,)
	[ "${r1:-0}" -gt 0 ] && [ "${t1:-0}" -gt 0 ] ||
		why="${why:-secondary forwarded nothing (port 0 RX ${r1:-?}, port 1 TX ${t1:-?})}"
	kill -0 $p0 2>/dev/null || why="${why:-the primary died with the secondary}"
fi
kill -TERM $p0 2>/dev/null
wait $p0
show /tmp/smp0.log 40
show /tmp/smp1.log 40
if [ -z "$why" ]; then
	vnet_result mp-guest-symmetric PASS "secondary forwarded port 0 RX $r1 / port 1 TX $t1 on queue 1 in $(( $(date +%s) - t0 ))s"
else
	vnet_result mp-guest-symmetric FAIL "$why"
fi

# ---- 2. hot-unplug of B while testpmd runs on it ----
t0=$(date +%s)
stdbuf -oL dpdk-testpmd $VNET_DFLAG -l 0,1 -n 1 --file-prefix rm $(vnet_a "$B") -- \
	--total-num-mbufs=2048 --forward-mode=io --port-topology=loop --auto-start --tx-first \
	--stats-period 5 >/tmp/rm.log 2>&1 &
tp=$!
if ! wait_log /tmp/rm.log "packet forwarding - ports=" 60 $tp; then
	show /tmp/rm.log
	vnet_result hotunplug-rmv FAIL "testpmd did not start forwarding on $B"
	exit 1
fi
echo "VNET-MP-UNPLUG-READY $B"
why=
wait_log /tmp/rm.log "device removal event" 120 $tp || why="no removal event in testpmd within 120 s"
[ -z "$why" ] && { wait_log /tmp/rm.log "Device is detached" 30 $tp || why="testpmd did not detach the device"; }
i=0
while [ -z "$why" ] && [ -e "/sys/bus/pci/devices/$B" ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
[ -z "$why" ] && [ -e "/sys/bus/pci/devices/$B" ] && why="the kernel kept $B after testpmd released it"
echo "VNET-MP-UNPLUG-DONE"
kill -0 $tp 2>/dev/null || why="${why:-testpmd died after the removal}"
kill -INT $tp 2>/dev/null
wait $tp
trc=$?
echo "----- /tmp/rm.log: removal lines -----"
grep -n -E "removal|Removing|detach|closed|Stopping|vnet_dev_event|Bye" /tmp/rm.log
echo "-----"
[ $trc -ne 139 ] && [ $trc -ne 134 ] || why="${why:-testpmd crashed at exit ($trc)}"
# the first request (device_del comes after forwarding started) must raise the event
grep -q "intr_conf.rmv is off" /tmp/rm.log && why="${why:-a removal request was not raised}"
if [ -z "$why" ]; then
	vnet_result hotunplug-rmv PASS "removal event, port closed and detached, $B gone from the guest in $(( $(date +%s) - t0 ))s"
else
	vnet_result hotunplug-rmv FAIL "$why"
fi
