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
# Latency (the cost of coalescing): per repetition, after the kick runs, one more guest per
# driver configuration with one NIC on a UDP socket to tests/qemu/peer.py --pingpong: testpmd
# macswap (plain start, so every frame is a lone packet) and VNET_BENCH_PINGPONG frames sent one
# at a time; the host measures each round trip (second table: p50/p90/p99/max us).
# Summary: per vnet configuration, over the repetitions (each repetition's runs are back to
# back, so slow phases of the host hit both): the median (min-max) of the per-repetition ratios
# vnet/net_virtio of kicks per 1000 packets and of packets forwarded, both drivers' kicks per
# 1000 packets (median, min-max), the RTTs, and a "too noisy" line when the kick ratios or one
# driver's kick rates spread more than +-20 % around their median, or fewer than 3 repetitions
# ran (app/test-vnet/pair_stats.py). Rings: QEMU's 256 descriptors per queue for every driver
# (set explicitly; testpmd asks for the driver's default, which is the device's size for both).
# Env: VNET_BENCH_SECONDS (10), VNET_BENCH_PAIRS (3), VNET_BENCH_TXFIRST (8),
#      VNET_BENCH_CONFIGS (space-separated devargs lists, "-" = none; default
#      "- kick_coalesce=192,kick_delay_us=200"), VNET_BENCH_PINGPONG (200 frames; 0 = no
#      latency runs), VNET_BENCH_NOISE_LIMIT (0.20), VNET_BENCH_NICOPTS (extra virtio-net-pci
#      properties for every NIC, e.g. "packed=on"), VNET_QEMU_ACCEL=tcg, VNET_BENCH_TRACE (more
#      QEMU -trace options for the throughput runs, e.g. "-trace virtqueue_flush", to debug).
# Writes BUILD_DIR/qemu/kick-bench.json: {"kicks": [...], "pingpong": [...], "summary": [...]}.
# TCG packet rates and RTTs say nothing about real speed; compare them within one run.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
[ "$(id -u)" -eq 0 ] || { echo "kick-bench: must run as root" >&2; exit 1; }
secs=${VNET_BENCH_SECONDS:-10}
pairs=${VNET_BENCH_PAIRS:-3}
limit=${VNET_BENCH_NOISE_LIMIT:-0.20}
ring=256
txfirst=${VNET_BENCH_TXFIRST:-8}
ppn=${VNET_BENCH_PINGPONG:-200}
nicx=${VNET_BENCH_NICOPTS:+,$VNET_BENCH_NICOPTS}
read -r -a configs <<<"${VNET_BENCH_CONFIGS:-- kick_coalesce=192,kick_delay_us=200}"

have_vnet=0
init_drv=virtio
if [ -n "$(qg_find_plugin "$build")" ]; then
	have_vnet=1
	init_drv=vnet # also builds plugin.cpio; virtio-pmd.cpio is always there
fi
qg_init "$build" "$init_drv" || exit 1
echo "kick-bench: $QG_ACCEL, ${secs}s io forward per run, tx_first $txfirst, $pairs repetition(s)," \
	"rings of $ring descriptors${nicx:+, NIC options ${nicx#,}}," \
	"$(tr '\n' ' ' <"$QG_DIR/guest/guest.env")"

rows=()
json=()
pprows=()
ppjson=()
# per configuration key ("virtio" or the vnet devargs) and repetition: results for the summary
declare -A r_kpk r_pkts r_p50 r_p99

# cfgkey DRIVER DEVARGS: key of a driver configuration for the summary arrays
cfgkey() {
	if [ "$1" = virtio ]; then echo virtio; else echo "vnet:${2:--}"; fi
}

# xstats_of CONSOLE: the driver's VNET-XSTAT lines over all ports (sum; max for max_*)
xstats_of() {
	awk '/^VNET-XSTAT/ { if ($3 ~ /^(tx|rx)_q[0-9]+_max_/) { if ($4 > s[$3]) s[$3] = $4 } else s[$3] += $4; seen[$3] = 1 }
	     END { for (k in seen) printf "%s%s=%d", (n++ ? "," : ""), k, s[k] }' "$1"
}

# set_driver DRIVER DEVARGS: what qg_header and qg_initrd use
set_driver() {
	VNET_DEVARGS=$2
	QG_DRIVER=$1
	case $1 in virtio) QG_DRVNAME=net_virtio ;; vnet) QG_DRVNAME=net_vnet ;; esac
}

# pp_run DRIVER I [DEVARGS]: one ping-pong guest; appends a latency row and a JSON object
pp_run() {
	local drv=$1 i=$2 name="pingpong-$1-$2-${#pprows[@]}" args=${3:--}
	[ "$args" = - ] && args=
	set_driver "$drv" "$args"
	local d=$QG_DIR/$name
	rm -rf "$d"
	mkdir -p "$d"
	{
		qg_header "$name"
		qg_pingpong_script "$name" $((ppn / 50 + 8))
		echo "vnet_check_fwd /tmp/tp.log 1 0 || exit 1"
		echo "vnet_result $name PASS"
	} >"$d/test.sh"
	qg_initrd "$d"
	qg_peer_start "$d" 200 --guest-mac "$QG_PP_GMAC" --host-mac "$QG_PP_HMAC" --pingpong "$ppn" \
		--pp-timeout 2 --txfirst 0 --deadline 150
	# shellcheck disable=SC2046
	qg_run "$d" 180 "vnet.vfio=none" -smp 2 -machine pc $(qg_nic n0 "$QG_PEER_NETDEV" "mac=$QG_PP_GMAC$nicx" 0x10)
	local prc=0
	wait "$QG_PEER_PID" || prc=$?
	local c=$d/console.log r=$d/peer.result x
	x=$(xstats_of "$c")
	if [ $prc -ne 0 ] || ! grep -q "^VNET-RESULT $name PASS" "$c"; then
		pprows+=("$(printf '%-11s %-36s %3s %9s  %s' "$QG_DRVNAME" "${args:--}" "$i" "FAILED" "($(tail -n 1 "$d/peer.log"); see $d)")")
		ppjson+=("{\"driver\":\"$QG_DRVNAME\",\"devargs\":\"$args\",\"run\":$i,\"failed\":true}")
		tail -n 30 "$c" >&2
		return
	fi
	local p50 p90 p99 mx
	p50=$(qg_json_get "$r" rtt_us.p50) p90=$(qg_json_get "$r" rtt_us.p90)
	p99=$(qg_json_get "$r" rtt_us.p99) mx=$(qg_json_get "$r" rtt_us.max)
	r_p50[$(cfgkey "$drv" "$args"),$i]=$p50
	r_p99[$(cfgkey "$drv" "$args"),$i]=$p99
	pprows+=("$(printf '%-11s %-36s %3s %9s %9s %9s %9s  %s' "$QG_DRVNAME" "${args:--}" "$i" "$p50" "$p90" "$p99" "$mx" "${x:-none}")")
	ppjson+=("{\"driver\":\"$QG_DRVNAME\",\"devargs\":\"$args\",\"run\":$i,\"frames\":$ppn,\"rtt_us\":$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["rtt_us"]))' "$r"),\"xstats\":\"$x\"}")
}

# bench_run DRIVER I [DEVARGS]: one guest run; appends a table row and a JSON object
bench_run() {
	local drv=$1 i=$2 name="bench-$1-$2-${#rows[@]}" args=${3:--}
	[ "$args" = - ] && args=
	set_driver "$drv" "$args"
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
	local nopts="ioeventfd=off,rx_queue_size=$ring,tx_queue_size=$ring$nicx"
	# shellcheck disable=SC2046
	qg_run "$d" $((secs + 150)) "vnet.vfio=none" -smp 2 -machine pc \
		$(qg_nic n0 hubport,hubid=0 "$nopts" 0x10) $(qg_nic n1 hubport,hubid=0 "$nopts" 0x11) \
		-trace virtio_queue_notify -trace virtio_notify ${VNET_BENCH_TRACE:-} -D "$d/trace.log"
	local c=$d/console.log
	if ! grep -q "^VNET-RESULT $name PASS" "$c"; then
		rows+=("$(printf '%-11s %-36s %12s  %s' "$QG_DRVNAME" "${args:--}" "FAILED" "(see $c)")")
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
	x=$(xstats_of "$c")
	r_kpk[$(cfgkey "$drv" "$args"),$i]=$(awk -v k="$k" -v p="$pk" 'BEGIN { printf "%.4f", k * 1000 / p }')
	r_pkts[$(cfgkey "$drv" "$args"),$i]=$pk
	rows+=("$(awk -v drv="$QG_DRVNAME" -v a="${args:--}" -v p="$pk" -v k="$k" -v r="$krx" -v t="$ktx" -v n="$n" -v x="${x:-none}" 'BEGIN {
		printf "%-11s %-36s %12d %9d %9.2f %9.2f %9.2f %9.2f  %s", drv, a, p, k, k * 1000 / p, t * 1000 / p, r * 1000 / p, n * 1000 / p, x }')")
	json+=("{\"driver\":\"$QG_DRVNAME\",\"devargs\":\"$args\",\"txfirst\":$txfirst,\"run\":$i,\"seconds\":$secs,\"packets\":$pk,\"kicks\":$k,\"kicks_tx\":$ktx,\"kicks_rx\":$krx,\"notifications\":$n,\"xstats\":\"${x}\"}")
}

for i in $(seq "$pairs"); do
	bench_run virtio "$i"
	if [ $have_vnet -eq 1 ]; then
		for c in "${configs[@]}"; do
			bench_run vnet "$i" "$c"
		done
	fi
	[ "$ppn" -gt 0 ] || continue
	pp_run virtio "$i"
	if [ $have_vnet -eq 1 ]; then
		for c in "${configs[@]}"; do
			pp_run vnet "$i" "$c"
		done
	fi
done
if [ $have_vnet -eq 0 ]; then
	rows+=("$(printf '%-11s %12s' net_vnet "n/a (driver not built yet: no librte_net_vnet.so under $build)")")
fi

echo
printf '%-11s %-36s %12s %9s %9s %9s %9s %9s  %s\n' driver devargs "pkts fwd" kicks "kick/1k" "txkick/1k" \
	"rxkick/1k" "notif/1k" "driver xstats (kick|notif)"
printf '%s\n' "${rows[@]}"
echo "(kicks/notifications as QEMU saw them, per 1000 packets forwarded; tx_first $txfirst bursts" \
	"per port, ${secs}s per run, $QG_ACCEL: compare counts, not TCG packet rates)"
if [ "$ppn" -gt 0 ]; then
	echo
	printf '%-11s %-36s %3s %9s %9s %9s %9s  %s\n' driver devargs run "p50 us" "p90 us" "p99 us" \
		"max us" "driver xstats"
	printf '%s\n' "${pprows[@]}"
	echo "(ping-pong: $ppn frames of 60..1514 bytes one at a time through a host UDP peer, round trip" \
		"host -> guest testpmd macswap -> host; lone packets, so coalesced kicks wait for the safety net)"
fi

# summary: per vnet configuration, the spread of the per-repetition ratios vnet / net_virtio
sumfile=$QG_DIR/kick-bench.summary.json
echo "[]" >"$sumfile"
if [ $have_vnet -eq 1 ]; then
	tsv=$QG_DIR/kick-bench.runs.tsv
	: >"$tsv"
	keys=(virtio)
	for c in "${configs[@]}"; do keys+=("vnet:$c"); done
	for key in "${keys[@]}"; do
		for i in $(seq "$pairs"); do
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$i" "${r_kpk[$key,$i]:--}" \
				"${r_pkts[$key,$i]:--}" "${r_p50[$key,$i]:--}" "${r_p99[$key,$i]:--}" >>"$tsv"
		done
	done
	more=$((pairs * 2 > 5 ? pairs * 2 : 5))
	rerun="VNET_BENCH_PAIRS=$more VNET_BENCH_SECONDS=$secs VNET_BENCH_CONFIGS=\"%s\" $0 $build"
	/usr/bin/python3 - "$here/../../app/test-vnet" "$tsv" "$sumfile" "$pairs" "$limit" "$rerun" \
		<<'EOF'
import json, sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[1])
import pair_stats as ps

tsv, out, pairs, limit, rerun = sys.argv[2:7]
pairs, limit = int(pairs), float(limit)
runs = {}
for line in open(tsv):
    key, rep, kpk, pkts, p50, p99 = line.rstrip("\n").split("\t")
    val = lambda x: None if x in ("-", "", "nan") else float(x)
    runs.setdefault(key, {})[int(rep)] = {"kpk": val(kpk), "pkts": val(pkts),
                                          "p50": val(p50), "p99": val(p99)}
reps = range(1, pairs + 1)
base = runs.get("virtio", {})

def col(key, what):
    return [runs.get(key, {}).get(i, {}).get(what) for i in reps]

print()
print(f"{'summary over ' + str(pairs) + ' repetition(s)':<45} {'reps':>4}  "
      f"{'kick/1k vs virtio':<19} {'kick/1k':<19} {'pkts fwd vs virtio':<19} "
      f"{'RTT p50 us':<17} {'RTT p99 us':<17}")
summary, noise = [], []
for key in runs:
    k = ps.compare(col("virtio", "kpk"), col(key, "kpk"), limit, "net_virtio", "net_vnet")
    p = ps.compare(col("virtio", "pkts"), col(key, "pkts"), limit)
    p50, p99 = ps.spread(col(key, "p50")), ps.spread(col(key, "p99"))
    lab = "net_virtio" if key == "virtio" else "net_vnet " + key[len("vnet:"):]
    lab = "net_vnet (no devargs)" if lab == "net_vnet -" else lab
    reps_ok = len([x for x in col(key, "kpk") if x is not None])
    kr = "1 (itself)" if key == "virtio" else ps.fmt_spread(k["ratio"], "{:.3f}")
    pr = "1 (itself)" if key == "virtio" else ps.fmt_spread(p["ratio"], "{:.3f}")
    print(f"{lab:<45} {reps_ok:>4}  {kr:<19} {ps.fmt_spread(ps.spread(col(key, 'kpk'))):<19} "
          f"{pr:<19} {ps.fmt_spread(p50, '{:.0f}'):<17} {ps.fmt_spread(p99, '{:.0f}'):<17}")
    row = {"config": key, "repetitions": reps_ok, "noise_limit": limit,
           "kicks_per_1k": ps.spread(col(key, "kpk")),
           "rtt_p50_us": p50, "rtt_p99_us": p99,
           "kicks_per_1k_ratio_median": None, "packets_ratio_median": None,
           "rtt_p50_us_median": p50 and p50["median"], "rtt_p99_us_median": p99 and p99["median"]}
    if key != "virtio":
        row.update({"kicks_per_1k_ratio": k["ratio"], "packets_ratio": p["ratio"],
                    "kicks_per_1k_ratio_median": k["ratio"] and k["ratio"]["median"],
                    "packets_ratio_median": p["ratio"] and p["ratio"]["median"],
                    "kicks_per_1k_ratios": k["ratio"] and k["ratio"]["values"],
                    "packets_ratios": p["ratio"] and p["ratio"]["values"],
                    "noisy": k["noisy"], "noise_reasons": k["noise_reasons"]})
        line = ps.noise_line(lab, k, rerun.replace("%s", key[len("vnet:"):]))
        if line:
            noise.append(line)
    summary.append(row)
print("(ratio = vnet configuration / net_virtio of the same repetition: median (min-max) over the"
      "\nrepetitions; kick/1k and RTTs: median (min-max) of that driver's own runs)")
for line in noise:
    print(line)
if not noise and len(runs) > 1:
    print(f"Every configuration: the repetitions agree within ±{limit * 100:.0f} %.")
json.dump(summary, open(out, "w"))
EOF
fi
{
	echo "{\"kicks\": ["
	(IFS=,; echo "${json[*]}")
	echo "], \"pingpong\": ["
	(IFS=,; echo "${ppjson[*]}")
	echo "], \"summary\": "
	cat "$sumfile"
	echo "}"
} >"$QG_DIR/kick-bench.json"
echo "json: $QG_DIR/kick-bench.json"
