# Guest part of the tap offload boot (run.sh tap_offload_case, tcp-bench.sh), busybox sh,
# appended to /test.sh after the header. Six NICs on tap backends with vnet_hdr=on, in pairs
# (each pair's taps in two host network namespaces, Linux TCP between them):
#   P1A P1B  default virtio-net-pci (offload-io, offload-csum-tso, the benchmark)
#   P2A P2B  host_mtu=9000,mrg_rxbuf=on (offload-jumbo-mrg)
#   P3A P3B  host_mtu=9000,mrg_rxbuf=off (offload-jumbo-nomrg)
# testpmd forwards between the two ports of a pair; once forwarding runs the guest prints
# "VNET-SYNC <session>" and the host (tests/qemu/offnet.py serve) moves its traffic, then
# answers "ack <session>" on ttyS1. testpmd's output goes to the console between
# "VNET-LOG-BEGIN <session>" and "VNET-LOG-END <session>" for "offnet.py check".
# Set by the host before this file: P1A P1B P2A P2B P3A P3B (BDFs), SESSIONS (session names,
# run in order), CSUM_EXTRA (more testpmd arguments for the csum sessions), VNET_PLUGIN_FLAG (the -d option of vnet for the benchmark's vnet sessions).
# Session names: io | csum | jumbo-mrg | jumbo-nomrg | bench-<rep>-<virtio|vnet|vnetb>-<io|csum>.

exec 3>&1
stty -F /dev/ttyS1 raw -echo || echo "vnet: stty on ttyS1 failed"
exec 4</dev/ttyS1

# wait_log LOG PATTERN SECONDS: wait until LOG has a line matching PATTERN (grep -E)
wait_log() {
	i=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $(($3 * 2)) ] || { echo "VNET-WAIT-TIMEOUT $1: $2" >&3; return 1; }
		sleep 0.5
	done
}

# off_sync TAG [noforward]: let the host move its traffic (or, with noforward, only record
# that testpmd does not forward), wait (bounded) for its ack
off_sync() {
	echo "VNET-SYNC $1${2:+ $2}" >&3
	read -r -t 240 ack <&4 || echo "VNET-SYNC-TIMEOUT $1" >&3
}

# feed TAG LOG: testpmd's stdin. $SETUP (newline-separated commands) runs with the ports
# stopped (testpmd starts with --disable-device-start), then the ports start, forwarding
# starts, the host acts, and the statistics are printed.
feed() {
	wait_log "$2" '^testpmd> |Press enter|Interactive-mode' 120
	sleep 1
	echo "show port info all"
	[ -n "$SETUP" ] && echo "$SETUP"
	echo "port start all"
	sleep 1
	echo "show port info all"
	echo "show port 0 rx_offload configuration"
	echo "show port 0 tx_offload configuration"
	echo "show port 1 rx_offload configuration"
	echo "show port 1 tx_offload configuration"
	echo "start"
	if wait_log "$2" 'packet forwarding - ports=|Fail to (configure|start)|Port [0-9]+ can not be set|error during enabling' 60 &&
		grep -q 'packet forwarding - ports=' "$2"; then
		sleep 1
		off_sync "$1"
	else
		off_sync "$1" noforward
	fi
	echo "stop"
	sleep 1
	echo "show port stats all"
	echo "show port xstats all"
	sleep 2
	echo "quit"
}

# session TAG DFLAG BDF_A BDF_B APP_ARGS...: one testpmd on two ports, log dumped to the console
session() {
	tag=$1 dfl=$2 a=$3 b=$4
	shift 4
	log=/tmp/$tag.log
	: >"$log"
	t0=$(date +%s)
	feed "$tag" "$log" | timeout 300 stdbuf -oL dpdk-testpmd $dfl -l 0,1 -n 1 --file-prefix "$tag" \
		$(vnet_a "$a" "$b") -- -i --disable-device-start --txd=256 --rxd=256 "$@" >>"$log" 2>&1
	rc=$?
	echo "VNET-LOG-BEGIN $tag"
	grep -v -e '^testpmd> *$' "$log" | grep -v '^$'
	echo "VNET-TP-EXIT $rc"
	echo "VNET-TP-SECONDS $(($(date +%s) - t0))"
	echo "VNET-LOG-END $tag"
}

# the csum engine with checksum + TSO offloads on both ports (ports stopped)
csum_setup() {
	for p in 0 1; do
		echo "csum mac-swap off $p"
		echo "csum set ip hw $p"
		echo "csum set udp hw $p"
		echo "csum set tcp hw $p"
		echo "tso set 1448 $p"
	done
	echo "show port 0 rx_offload capabilities"
	echo "show port 0 tx_offload capabilities"
}
# MTU 9000 on both ports (ports stopped; --max-pkt-len computes the MTU from the driver's
# max_rx_pktlen - max_mtu overhead, which is 728 bytes on net_virtio with host_mtu)
jumbo_setup() {
	echo "port config mtu 0 9000"
	echo "port config mtu 1 9000"
}

IO_ARGS="--forward-mode=io --total-num-mbufs=16384"
# net_virtio's LRO wants TCP_LRO with both L4 checksums (GUEST_CSUM) and scatter (0x201c);
# TX multi-segment (0x8000) for the chains it forwards
CSUM_ARGS="--forward-mode=csum --total-num-mbufs=16384 --rx-offloads=0x201c --tx-offloads=0x8000 $CSUM_EXTRA"

vnet_bind uio_pci_generic $P1A $P1B $P2A $P2B $P3A $P3B || exit 1
for s in $SESSIONS; do
	case "$s" in
	io)
		SETUP= session io "$VNET_DFLAG" $P1A $P1B $IO_ARGS ;;
	csum)
		SETUP=$(csum_setup) session csum "$VNET_DFLAG" $P1A $P1B $CSUM_ARGS ;;
	jumbo-mrg)
		SETUP=$(jumbo_setup) session jumbo-mrg "$VNET_DFLAG" $P2A $P2B --forward-mode=io \
			--total-num-mbufs=16384 --enable-scatter --tx-offloads=0x8000 ;;
	jumbo-nomrg)
		# without mergeable buffers a frame needs one buffer: 10240-byte mbufs
		SETUP=$(jumbo_setup) session jumbo-nomrg "$VNET_DFLAG" $P3A $P3B --forward-mode=io \
			--total-num-mbufs=4096 --mbuf-size=10240 --tx-offloads=0x8000 ;;
	bench-*)
		drv=${s#bench-*-}
		eng=${drv#*-}
		drv=${drv%-*}
		dfl= VNET_DEVARGS=
		[ "$drv" = vnet ] && dfl=$VNET_PLUGIN_FLAG VNET_DEVARGS=${BENCH_VNET_DEVARGS:-}
		[ "$drv" = vnetb ] && dfl=$VNET_PLUGIN_FLAG VNET_DEVARGS=${BENCH_VNETB_DEVARGS:-}
		if [ "$eng" = csum ]; then
			SETUP=$(csum_setup) session "$s" "$dfl" $P1A $P1B $CSUM_ARGS
		else
			SETUP= session "$s" "$dfl" $P1A $P1B $IO_ARGS
		fi
		;;
	*) echo "vnet: unknown session $s" ;;
	esac
done
vnet_result offload-boot PASS "sessions ran: $SESSIONS"
