#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# TCP benchmark through a guest forwarder (issue 9), not a test: Linux TCP (iperf3 -J, 10 s)
# from one host network namespace through a tap (vnet_hdr=on), a QEMU guest running testpmd on
# two virtio-net-pci ports, a second tap, into another namespace. vnet vs DPDK's net_virtio in
# ONE boot (the guest has both: testpmd with "-d vnet" gets vnet, which wins the probe, without
# it net_virtio), io and csum engines (csum: LRO + checksum + TSO offloads, as the
# offload-csum-tso case), QEMU's default 256-entry queues, paired back to back (order
# alternating per repetition) and repeated.
#   tests/qemu/tcp-bench.sh BUILD_DIR
# Prints one row per run (throughput, iperf3's retransmits, nstat TcpRetransSegs of the
# sender's namespace, the forwarder's TX-dropped = packets testpmd's tx_burst did not take,
# summed over both ports) and per engine the median (min-max) of the paired vnet/net_virtio
# throughput ratios. TCG rates say nothing about real speed: read the ratios.
# JSON: BUILD_DIR/qemu/tcp-bench.json. Logs: BUILD_DIR/qemu/tcp-bench/.
# Env: VNET_BENCH_PAIRS (3), VNET_BENCH_SECONDS (10), VNET_BENCH_ENGINES ("io csum"),
# VNET_QEMU_ACCEL=tcg, VNET_OFFLOAD_CSUM_ARGS (more testpmd arguments for the csum runs),
# VNET_BENCH_VNET_ARGS (devargs for vnet's two ports, e.g. kick_coalesce=0),
# VNET_BENCH_RATE (iperf3 -b, e.g. 400M: TX drops compared at one offered load below both
# drivers' capacity; default unlimited, where TCP grows its window until either drops),
# VNET_BENCH_AB (devargs of a second vnet configuration, "vnetb", run in every repetition of
# the same boot, e.g. kick_coalesce=0: its ratios to net_virtio and to vnet are printed too;
# "-" = no devargs).
# Takes flock /var/lock/vnet-heavy.lock around the QEMU run (not with VNET_BENCH_NOLOCK=1).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
[ "$(id -u)" -eq 0 ] || { echo "tcp-bench: must run as root" >&2; exit 1; }
pairs=${VNET_BENCH_PAIRS:-3}
export VNET_BENCH_SECONDS=${VNET_BENCH_SECONDS:-10}
engines=${VNET_BENCH_ENGINES:-io csum}

qg_init "$build" vnet || { echo "tcp-bench: guest setup failed (needs librte_net_vnet.so under $build)"; exit 1; }
qg_offload_tools || { echo "tcp-bench: cannot install the host tools"; exit 1; }
d=$QG_DIR/tcp-bench
rm -rf "$d"
mkdir -p "$d"

sessions=
for rep in $(seq "$pairs"); do
	for eng in $engines; do
		if [ -n "${VNET_BENCH_AB:-}" ]; then	# three drivers: rotate who goes first
			case $((rep % 3)) in
			1) order="virtio vnet vnetb" ;;
			2) order="vnet vnetb virtio" ;;
			*) order="vnetb virtio vnet" ;;
			esac
		elif [ $((rep % 2)) -eq 1 ]; then
			order="virtio vnet"
		else
			order="vnet virtio"
		fi
		for drv in $order; do
			sessions="$sessions bench-$rep-$drv-$eng"
		done
	done
done
ab=${VNET_BENCH_AB:-}
[ "$ab" = - ] && ab=
sessions=${sessions# }
VNET_DEVARGS='' QG_DRIVER=vnet qg_header tcp-bench >"$d/test.sh"
{
	echo "$QG_OFF_BDFS"
	echo "SESSIONS='$sessions'"
	echo "CSUM_EXTRA='${VNET_OFFLOAD_CSUM_ARGS:-}'"
	echo "BENCH_VNET_DEVARGS='${VNET_BENCH_VNET_ARGS:+,${VNET_BENCH_VNET_ARGS#,}}'"
	echo "BENCH_VNETB_DEVARGS='${ab:+,${ab#,}}'"
	echo "VNET_PLUGIN_FLAG='-d $QG_GUEST_PLUGIN'"
	cat "$QG_HERE/guest/offload-test.sh"
} >>"$d/test.sh"
# base + net_virtio + vnet's plugin + the script
qg_initrd "$d"
g=$QG_DIR/guest
cat "$g/base.cpio" "$g/virtio-pmd.cpio" "$g/plugin.cpio" "$d/case.cpio" >"$d/initrd"

n=$(wc -w <<<"$sessions")
echo "tcp-bench: $n runs ($pairs pairs x engines: $engines), ${VNET_BENCH_SECONDS} s iperf3 each${VNET_BENCH_RATE:+ at -b $VNET_BENCH_RATE}, $QG_ACCEL; vnet $QG_PLUGIN${VNET_BENCH_VNET_ARGS:+ devargs $VNET_BENCH_VNET_ARGS}${VNET_BENCH_AB:+; vnetb devargs $VNET_BENCH_AB}"
t0=$SECONDS
trap 'qg_offload_cleanup' EXIT
trap 'qg_offload_cleanup; exit 130' INT TERM
# other people use the machine: one heavy QEMU run at a time (VNET_BENCH_NOLOCK=1 when the
# caller holds the lock already: a second flock on a new descriptor would wait for ever)
if [ "${VNET_BENCH_NOLOCK:-0}" != 1 ]; then
	exec 8>/var/lock/vnet-heavy.lock
	flock 8
fi
qg_offload_boot "$d" $((90 + n * (VNET_BENCH_SECONDS + 60)))
[ "${VNET_BENCH_NOLOCK:-0}" = 1 ] || flock -u 8
qg_offload_cleanup
trap - EXIT INT TERM
echo "tcp-bench: boot took $((SECONDS - t0)) s"
grep -q "^VNET-DONE" "$d/console.log" || echo "tcp-bench: the guest did not finish (see $d/console.log)"
/usr/bin/python3 "$QG_HERE/offnet.py" bench --console "$d/console.log" --record "$d/host.json" \
	--sessions "$sessions" --json "$QG_DIR/tcp-bench.json"
