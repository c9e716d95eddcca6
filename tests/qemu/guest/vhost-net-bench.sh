# vhost-net benchmark, guest side (tests/qemu/vhost-net-bench.sh concatenates lib.sh's header,
# vhost-net-lib.sh and this file). Not a test: prints one VNET-BENCH line per run.
# Per repetition, vnet's net_vnet_user and DPDK's net_virtio_user (vhost-kernel backend) back
# to back (order alternating), each: testpmd io forward between tap0 and tap1 (default
# devargs, 256-entry rings), the taps in namespaces nsa / nsb, one TCP transfer of VN_MB MB
# A -> B (busybox nc, checked by sha256). Kicks are counted by the guest kernel, not by the
# driver: a kprobe on eventfd_write (every kick of both drivers is one write(2) on a kick
# eventfd; nothing else in the guest writes eventfds) with a hist trigger, from the namespace set-up to
# "stop". Packets: the TX-packets testpmd's "stop" prints, summed over both ports.
# Env (from the host script): VN_REPS, VN_MB, VN_VNET_ARGS (devargs added to vnet's ports),
# VN_AB (if set: the second driver is vnet again with these devargs instead of net_virtio_user,
# an A/B of two vnet settings on the same taps and traffic).

T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
vn_load || { echo "VNET-BENCH-ERROR cannot load the vhost-net modules"; exit 1; }
KEV=
if echo 'p:vnet_kick eventfd_write' >>$T/kprobe_events 2>/dev/null; then
	KEV=$T/events/kprobes/vnet_kick
elif [ -d $T/events/syscalls/sys_enter_write ]; then
	KEV=$T/events/syscalls/sys_enter_write	# fallback: every write(2), testpmd's output too
fi
[ -n "$KEV" ] || { echo "VNET-BENCH-ERROR no kprobe on eventfd_write and no write tracepoint"; exit 1; }
echo "vnet-bench: counting kicks with $KEV"
# One hist trigger keyed on the writing thread, attached once for the whole boot: a run's
# kicks are the difference of the totals before and after it (re-arming the trigger per run
# disarmed and re-armed the kprobe each time; one boot hit a soft lockup there under TCG).
echo 'hist:keys=common_pid.execname' >"$KEV/trigger" ||
	{ echo "VNET-BENCH-ERROR cannot attach the hist trigger to $KEV"; exit 1; }
kick_total() { awk '/^ *Hits:/ { print $2 }' "$KEV/hist"; }
kick_reset() { kick_base=$(kick_total); }
kick_read() { echo $(($(kick_total) - kick_base)); }

# tcp_snmp NS: "OutSegs RetransSegs" of the namespace's TCP MIB
tcp_snmp() {
	$IP netns exec "$1" cat /proc/net/snmp 2>/dev/null | awk '
		/^Tcp:/ && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		/^Tcp:/ { print $c["OutSegs"], $c["RetransSegs"] }'
}
now() { awk '{ print $1 }' /proc/uptime; }
head -c $((VN_MB * 1048576)) /dev/urandom >/tmp/big.bin

bench_one() { # bench_one vnet|virtio REP
	drv=$1 rep=$2
	if [ "$drv" = vnet ]; then v=$(vdevs "${VN_VNET_ARGS:+,$VN_VNET_ARGS}"); elif [ -n "${VN_AB:-}" ]; then v=$(vdevs ",$VN_AB"); else v=$(vdevs_virtio ""); fi
	tp_start "b$rep$drv" $EAL --file-prefix "b$rep$drv" $v -- $IO
	tp start
	err=
	if ! tp_forwarding; then
		err="testpmd does not forward"
	elif ! ns_pair; then
		err="namespace setup failed"
	fi
	kick_reset
	snmp_a0=$(tcp_snmp nsa) snmp_b0=$(tcp_snmp nsb)
	secs=0 ok=0
	if [ -z "$err" ]; then
		ping_ok nsa $B 2 >/dev/null || err="ping failed"
		t0=$(now)
		tcp_start nsb 5001
		sleep 1
		tcp_send nsa $B 5001 /tmp/big.bin
		tcp_check 5001 /tmp/big.bin && ok=1
		t1=$(now)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a - 1 }')
	fi
	snmp_a1=$(tcp_snmp nsa) snmp_b1=$(tcp_snmp nsb)
	tp stop
	sleep 1
	kicks=$(kick_read)
	echo "----- kick counts per thread:"
	grep common_pid "$KEV/hist"
	tp_quit
	pk=$(vnet_port_stats "$tp_log" | awk '{ s += $3 } END { print s + 0 }')
	ptx=$(vnet_port_stats "$tp_log" | awk '{ printf "%s%s", n++ ? "/" : "", $3 }')
	# TCP segments sent and retransmitted by the sender (A) and segments sent by the receiver
	# (B: its ACKs), from each namespace's /proc/net/snmp over the transfer
	tcpd=$(echo "$snmp_a0 $snmp_a1 $snmp_b0 $snmp_b1" |
		awk '{ printf "a_out=%d a_retrans=%d b_out=%d", $3 - $1, $4 - $2, $7 - $5 }')
	ns_down
	sleep 1
	[ $ok -eq 1 ] || err="${err:+$err; }transfer corrupted or incomplete"
	echo "VNET-BENCH rep=$rep driver=$drv mb=$VN_MB secs=$secs pkts=$pk kicks=${kicks:-0} port_tx=$ptx $tcpd ok=$ok${err:+ err=$(echo "$err" | tr ' ' '_')}"
}

for rep in $(seq "$VN_REPS"); do
	if [ $((rep % 2)) -eq 1 ]; then order="virtio vnet"; else order="vnet virtio"; fi
	for drv in $order; do bench_one $drv $rep; done
done
exit 0
