#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Guest kick benchmark (not a test: no pass/fail on the numbers).
#   tests/qemu/kick-bench.sh BUILD_DIR
# Same traffic for every driver: a QEMU guest with two virtio-net-pci NICs on one hub
# (transitional, ioeventfd=off so every kick is an exact trace line), uio_pci_generic,
# dpdk-testpmd io forward --tx-first for a fixed time. Per run it counts, from QEMU's trace
# (-trace virtio_queue_notify -trace virtio_notify), driver->device kicks (split RX/TX queues)
# and device->driver notifications, divides by the packets testpmd forwarded (sum of TX over
# both ports), and shows the driver's own xstats whose names contain "kick" or "notif".
# Drivers: DPDK's net_virtio, and vnet (BUILD_DIR/librte_net_vnet.so) in each devargs
# configuration of VNET_BENCH_CONFIGS when it is built; each repetition runs net_virtio then
# every vnet configuration back to back.
# Traffic: testpmd "start tx_first N" puts N bursts of 32 per port in flight (two closed
# loops of N*32 packets); every kick can flush at most what its loop holds, so N bounds how
# far any driver can batch.
# Env: VNET_BENCH_SECONDS (10), VNET_BENCH_PAIRS (1), VNET_BENCH_TXFIRST (8),
#      VNET_BENCH_CONFIGS (space-separated devargs lists, "-" = none; default
#      "- kick_coalesce=192,kick_delay_us=200"), VNET_QEMU_ACCEL=tcg.
# Writes BUILD_DIR/qemu/kick-bench.json. TCG packet rates say nothing about real speed;
# the counts per 1000 packets are what to compare.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
[ "$(id -u)" -eq 0 ] || { echo "kick-bench: must run as root" >&2; exit 1; }
secs=${VNET_BENCH_SECONDS:-10}
pairs=${VNET_BENCH_PAIRS:-1}
txfirst=${VNET_BENCH_TXFIRST:-8}
read -r -a configs <<<"${VNET_BENCH_CONFIGS:-- kick_coalesce=192,kick_delay_us=200}"

have_vnet=0
init_drv=virtio
if [ -n "$(qg_find_plugin "$build")" ]; then
	have_vnet=1
	init_drv=vnet # also builds plugin.cpio; virtio-pmd.cpio is always there
fi
qg_init "$build" "$init_drv" || exit 1
echo "kick-bench: $QG_ACCEL, ${secs}s io forward per run, tx_first $txfirst, $pairs repetition(s)," \
	"$(tr '\n' ' ' <"$QG_DIR/guest/guest.env")"

rows=()
json=()

# bench_run DRIVER I [DEVARGS]: one guest run; appends a table row and a JSON object
bench_run() {
	local drv=$1 i=$2 name="bench-$1-$2-${#rows[@]}" args=${3:--}
	[ "$args" = - ] && args=
	VNET_DEVARGS=$args
	QG_DRIVER=$drv
	case $drv in virtio) QG_DRVNAME=net_virtio ;; vnet) QG_DRVNAME=net_vnet ;; esac
	local d=$QG_DIR/$name
	rm -rf "$d"
	mkdir -p "$d"
	qg_header "$name" >"$d/test.sh"
	cat >>"$d/test.sh" <<-EOF
		set -- \$(vnet_nics)
		vnet_bind uio_pci_generic "\$1" "\$2" || exit 1
		vnet_testpmd /tmp/tp.log $secs $txfirst -l 0,1 -n 1 --file-prefix tp \$(vnet_a "\$1" "\$2") -- \\
			--total-num-mbufs=4096 --forward-mode=io
		vnet_check_driver /tmp/tp.log 2 || exit 1
		vnet_check_fwd /tmp/tp.log 2 0 || exit 1
		vnet_result $name PASS
	EOF
	qg_initrd "$d"
	local nopts="ioeventfd=off"
	# shellcheck disable=SC2046
	qg_run "$d" $((secs + 150)) "vnet.vfio=none" -smp 2 -machine pc \
		$(qg_nic n0 hubport,hubid=0 "$nopts" 0x10) $(qg_nic n1 hubport,hubid=0 "$nopts" 0x11) \
		-trace virtio_queue_notify -trace virtio_notify -D "$d/trace.log"
	local c=$d/console.log
	if ! grep -q "^VNET-RESULT $name PASS" "$c"; then
		rows+=("$(printf '%-11s %-34s %12s  %s' "$QG_DRVNAME" "${args:--}" "FAILED" "(see $c)")")
		json+=("{\"driver\":\"$QG_DRVNAME\",\"run\":$i,\"failed\":true}")
		tail -n 30 "$c" >&2
		return
	fi
	local pk k n krx ktx x
	pk=$(qg_tx_total "$c")
	read -r k n < <(qg_trace_counts "$d/trace.log")
	# virtio-net queue numbers: 2q = RX, 2q+1 = TX, last = control
	read -r krx ktx < <(awk '/virtio_queue_notify/ { for (i = 1; i < NF; i++) if ($i == "n") q = $(i + 1);
		if (q % 2) t++; else r++ } END { print r + 0, t + 0 }' "$d/trace.log")
	x=$(awk '/^VNET-XSTAT/ { s[$3] += $4 } END { for (k in s) printf "%s%s=%d", (n++ ? "," : ""), k, s[k] }' "$c")
	rows+=("$(awk -v drv="$QG_DRVNAME" -v a="${args:--}" -v p="$pk" -v k="$k" -v r="$krx" -v t="$ktx" -v n="$n" -v x="${x:-none}" 'BEGIN {
		printf "%-11s %-34s %12d %9d %9.2f %9.2f %9.2f %9.2f  %s", drv, a, p, k, k * 1000 / p, t * 1000 / p, r * 1000 / p, n * 1000 / p, x }')")
	json+=("{\"driver\":\"$QG_DRVNAME\",\"devargs\":\"$args\",\"txfirst\":$txfirst,\"run\":$i,\"seconds\":$secs,\"packets\":$pk,\"kicks\":$k,\"kicks_tx\":$ktx,\"kicks_rx\":$krx,\"notifications\":$n,\"xstats\":\"${x}\"}")
}

for i in $(seq "$pairs"); do
	bench_run virtio "$i"
	if [ $have_vnet -eq 1 ]; then
		for c in "${configs[@]}"; do
			bench_run vnet "$i" "$c"
		done
	fi
done
if [ $have_vnet -eq 0 ]; then
	rows+=("$(printf '%-11s %12s' net_vnet "n/a (driver not built yet: no librte_net_vnet.so under $build)")")
fi

echo
printf '%-11s %-34s %12s %9s %9s %9s %9s %9s  %s\n' driver devargs "pkts fwd" kicks "kick/1k" "txkick/1k" \
	"rxkick/1k" "notif/1k" "driver xstats (kick|notif)"
printf '%s\n' "${rows[@]}"
echo "(kicks/notifications as QEMU saw them, per 1000 packets forwarded; tx_first $txfirst bursts" \
	"per port, ${secs}s per run, $QG_ACCEL: compare counts, not TCG packet rates)"
{
	echo "["
	(IFS=,; echo "${json[*]}")
	echo "]"
} >"$QG_DIR/kick-bench.json"
echo "json: $QG_DIR/kick-bench.json"
