# Guest part of run.sh's tap boot (busybox sh, appended to /test.sh after the header).
# One guest, four NICs: H0 H1 on hub 0 (descriptor counts), TR = tap with mq=on,rss=on,hash=on
# (RSS, RETA update, hash report, RX filtering), TO = tap with mq=on,rss=off (steering without
# device RSS). The host side is tests/qemu/tapnet.py serve: "VNET-SYNC <tag>" on the console
# asks it to act (QMP query, frames from the tap's namespace), "ack <tag>" comes back on ttyS1.
# testpmd logs go to the console between "VNET-LOG-BEGIN name" / "VNET-LOG-END name", the
# per-packet dumps of "set verbose 1" compacted to "VNET-PKT q=Q src=... dst=... type=... hash=..."
# lines, for tapnet.py check. desc-count is judged here (VNET-RESULT desc-count ...).
# Set by the host before this file: H0 H1 TR TO (BDFs).

exec 3>&1
stty -F /dev/ttyS1 raw -echo || echo "vnet: stty on ttyS1 failed"
exec 4</dev/ttyS1

# vnet_sync TAG: (inside a testpmd feeder) let the host act on this state, wait for its ack
vnet_sync() {
	sleep 1
	echo "VNET-SYNC $1" >&3
	read -r -t 60 ack <&4 || echo "VNET-SYNC-TIMEOUT $1" >&3
}

# tp_run NAME FEEDER EAL/APP ARGS...: interactive testpmd, line-buffered (stdbuf), stdin from
# the shell function FEEDER; log /tmp/NAME.log, dumped compacted; "VNET-TP-EXIT rc" in the dump
tp_run() {
	name=$1 feed=$2
	shift 2
	$feed | timeout 170 stdbuf -oL dpdk-testpmd $VNET_DFLAG "$@" -i >/tmp/$name.log 2>&1
	rc=$?
	echo "VNET-LOG-BEGIN $name"
	awk '/queue [0-9]+: received [0-9]+ packets/ { s = $0; sub(/.*\/queue /, "", s); sub(/:.*/, "", s); q = s; next }
	     /src=..:..:..:..:..:.. - dst=/ {
		s = $0; sub(/.*src=/, "", s); d = $0; sub(/.*dst=/, "", d); t = $0; sub(/.*type=/, "", t)
		h = "-"
		if ($0 ~ /RSS hash=/) { h = $0; sub(/.*RSS hash=/, "", h); sub(/ .*/, "", h) }
		print "VNET-PKT q=" q " src=" substr(s, 1, 17) " dst=" substr(d, 1, 17) " type=" substr(t, 1, 6) " hash=" h
		next }
	     /ol_flags:/ { next }
	     { print }' /tmp/$name.log
	echo "VNET-TP-EXIT $rc"
	echo "VNET-LOG-END $name"
	[ $rc -eq 0 ] || vnet_result "$name" FAIL "testpmd exited with status $rc"
	return $rc
}

# check_probe LOG N: N ports probed by the driver under test
check_probe() {
	n=$(grep -c "EAL: Probe PCI driver: $VNET_DRIVER " "$1")
	[ "$n" -eq "$2" ] || { echo "vnet: $1: $n ports probed by $VNET_DRIVER, expected $2"; return 1; }
}

vnet_bind uio_pci_generic $H0 $H1 $TR $TO || exit 1

# ---- descriptor counts: --txd/--rxd 1024 (above QEMU's 256) and 64 on the hub NICs ----
VNET_CASE=desc-count
VNET_TP_CMDS="show rxq info 0 0
show txq info 0 0"
dbad= dinfo=
for dn in 1024 64; do
	if ! vnet_testpmd /tmp/d$dn.log 4 1 -l 0,1 -n 1 --file-prefix d$dn $(vnet_a $H0 $H1) -- \
		--total-num-mbufs=8192 --forward-mode=io --txd=$dn --rxd=$dn; then
		dbad="$dbad --txd/rxd=$dn: testpmd failed;"
		continue
	fi
	vnet_check_driver /tmp/d$dn.log 2 || dbad="$dbad --txd/rxd=$dn: driver;"
	vnet_check_fwd /tmp/d$dn.log 2 500 || dbad="$dbad --txd/rxd=$dn: forwarding;"
	want=$dn
	[ $dn -gt 256 ] && want=256
	rxd=$(sed -n 's/.*Number of RXDs: \([0-9]*\).*/\1/p' /tmp/d$dn.log | head -n 1)
	txd=$(sed -n 's/.*Number of TXDs: \([0-9]*\).*/\1/p' /tmp/d$dn.log | head -n 1)
	dinfo="$dinfo $dn->rxd:${rxd:-?}/txd:${txd:-?}"
	if [ -n "$rxd$txd" ] || [ "$VNET_DRIVER" = net_vnet ]; then
		[ "$rxd" = $want ] && [ "$txd" = $want ] ||
			dbad="$dbad --txd/rxd=$dn: show rxq/txq info 0 0 report RXDs '$rxd' TXDs '$txd', expected $want;"
	fi
	if [ "$VNET_DRIVER" = net_vnet ] && [ $dn -gt 256 ]; then
		for dir in RX TX; do
			grep -q "port 0: $dir queues: $dn descriptors requested, using 256 (the device's maximum)" /tmp/d$dn.log ||
				dbad="$dbad no NOTICE 'port 0: $dir queues: $dn descriptors requested, using 256 (the device's maximum)';"
		done
	fi
done
[ -n "$rxd$txd" ] || [ "$VNET_DRIVER" = net_vnet ] || dinfo="$dinfo (no rxq/txq info: $VNET_DRIVER has no rxq_info_get)"
if [ -z "$dbad" ]; then
	vnet_result desc-count PASS "1024 and 64 descriptors forward on 256-entry queues;$dinfo"
else
	vnet_result desc-count FAIL "$dbad$dinfo"
fi

# ---- RSS on the rss=on tap NIC: key, RETA, RETA update, L4 hash types ----
# "port config 0 rss reta (i,q)..." lines, 8 entries each (testpmd takes at most 127 characters
# of list): entry i -> (i % 4) ^ 1
reta_cmds() {
	i=0
	while [ $i -lt 128 ]; do
		l="port config 0 rss reta "
		j=0
		while [ $j -lt 8 ]; do
			[ $j -gt 0 ] && l="$l,"
			l="$l($((i + j)),$((((i + j) % 4) ^ 1)))"
			j=$((j + 1))
		done
		echo "$l"
		i=$((i + 8))
	done
}
feed_rss() {
	sleep 2
	echo "show port info 0"
	echo "set verbose 1"
	echo "show port 0 rss-hash key"
	echo "show port 0 rss reta 128 (0xffffffffffffffff,0xffffffffffffffff)"
	echo "start"
	vnet_sync rss-ip
	reta_cmds
	echo "show port 0 rss reta 128 (0xffffffffffffffff,0xffffffffffffffff)"
	vnet_sync rss-reta
	echo "port config all rss default"
	echo "show port 0 rss-hash key"
	vnet_sync rss-l4
	echo "stop"
	sleep 1
	echo "show port xstats 0"
	sleep 1
	echo "quit"
}
hashopt=
# net_virtio (22.11) has no hash report and refuses RTE_ETH_RX_OFFLOAD_RSS_HASH
[ "$VNET_DRIVER" = net_vnet ] && hashopt=--rx-offloads=0x80000
tp_run rss feed_rss -l 0,1 -n 1 --file-prefix rss $(vnet_a $TR) -- --rxq=4 --txq=4 \
	--forward-mode=rxonly --total-num-mbufs=8192 $hashopt
check_probe /tmp/rss.log 1 || vnet_result rss FAIL "driver"

# ---- rss=off tap NIC: --rss-ip must configure (vnet: mq_mode RSS on the device's steering) ----
feed_rssoff() {
	sleep 2
	echo "show port info 0"
	echo "set verbose 1"
	echo "start"
	vnet_sync rss-off
	echo "stop"
	sleep 1
	echo "quit"
}
tp_run rssoff feed_rssoff -l 0,1 -n 1 --file-prefix rssoff $(vnet_a $TO) -- --rxq=4 --txq=4 \
	--rss-ip --forward-mode=rxonly --total-num-mbufs=8192
check_probe /tmp/rssoff.log 1 || vnet_result rssoff FAIL "driver"

# ---- RX filtering on the rss=on tap NIC (one queue pair) ----
feed_filter() {
	sleep 2
	echo "set verbose 1"
	echo "start"
	vnet_sync f-promisc
	echo "set promisc 0 off"
	vnet_sync f-nopromisc
	echo "set allmulti 0 on"
	vnet_sync f-allmulti
	echo "set allmulti 0 off"
	echo "mac_addr add 0 02:00:00:aa:bb:01"
	echo "mcast_addr add 0 01:00:5e:00:00:fb"
	vnet_sync f-macs
	# switching the VLAN filter offload with the port stopped works with every driver (vnet
	# renegotiates VIRTIO_NET_F_CTRL_VLAN at start and must replay the RX state above)
	echo "stop"
	echo "port stop 0"
	echo "vlan set filter on 0"
	echo "port start 0"
	sleep 1
	echo "rx_vlan add 100 0"
	echo "start"
	vnet_sync f-vlan100
	echo "rx_vlan rm 100 0"
	echo "stop"
	echo "port stop 0"
	echo "vlan set filter off 0"
	echo "port start 0"
	sleep 1
	echo "start"
	vnet_sync f-vlanoff
	echo "mac_addr remove 0 02:00:00:aa:bb:01"
	echo "mcast_addr remove 0 01:00:5e:00:00:fb"
	vnet_sync f-removed
	echo "mac_addr set 0 02:00:00:aa:bb:22"
	vnet_sync f-macset
	echo "set promisc 0 on"
	vnet_sync f-promisc2
	echo "stop"
	sleep 1
	echo "quit"
}
tp_run filter feed_filter -l 0,1 -n 1 --file-prefix filter $(vnet_a $TR) -- \
	--forward-mode=rxonly --total-num-mbufs=4096
check_probe /tmp/filter.log 1 || vnet_result filter FAIL "driver"
vnet_result tap-boot PASS "all sessions ran"
