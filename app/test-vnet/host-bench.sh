#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Host benchmark: vnet's net_vnet_user against DPDK's net_virtio_user on the same DPDK
# net_vhost backend (dpdk-testpmd), same cores, same sizes, runs paired back to back.
#
#   app/test-vnet/host-bench.sh [BUILD_DIR]        (as root)
#
# Cases: txonly (backend rxonly), rxonly (backend txonly), loopback io (backend macswap),
# each at 64 and 1518 bytes. Each repetition runs net_virtio_user then net_vnet_user with a
# fresh backend; the table shows the medians and the median of the per-pair ratios
# (machine speed drifts over minutes here, pairs do not). Mpps is what the frontend moved:
# accepted by tx_burst (txonly; a vhost-user ring loses nothing), received (rxonly), or
# forwarded (io). Cycles are TSC cycles per packet spent inside rte_eth_tx_burst (txonly),
# rte_eth_rx_burst (rxonly) or both (io).
#
# Env: VNET_BENCH_REPS (3), VNET_BENCH_SECONDS (5), VNET_BENCH_CASES (default all:
#      "txonly:64 txonly:1518 rxonly:64 rxonly:1518 io:64 io:1518"),
#      VNET_BENCH_VNET_ARGS (extra net_vnet_user devargs), VNET_BENCH_EAL (extra frontend EAL
#      args, e.g. "--single-file-segments" is already there), VNET_BENCH_JSON (output file).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "host-bench: run as root (hugepages, sockets)" >&2; exit 1; }
app="$build/app/test-vnet/dpdk-test-vnet"
so=$(find "$build" -maxdepth 3 -name librte_net_vnet.so -type f | head -1)
[ -x "$app" ] && [ -n "$so" ] || { echo "host-bench: build first (ninja -C $build)" >&2; exit 1; }

reps=${VNET_BENCH_REPS:-3}
secs=${VNET_BENCH_SECONDS:-5}
read -r -a cases <<<"${VNET_BENCH_CASES:-txonly:64 txonly:1518 rxonly:64 rxonly:1518 io:64 io:1518}"
out_json=${VNET_BENCH_JSON:-$build/host-bench.json}

. "$top/app/test-vnet/lib-host.sh"
vh_setup_hugepages 1024 || exit 1
pmd=$(vh_private_plugin "$so") || exit 1
work=$(mktemp -d /run/vnet-bench.XXXXXX)
trap 'vh_cleanup; rm -rf "$work" "$(dirname "$pmd")"' EXIT

# run_one DRIVER MODE SIZE REP: one backend + one frontend run; writes $work/DRIVER-MODE-SIZE-REP.json
run_one() {
	local drv=$1 mode=$2 size=$3 rep=$4 bemode extra=() spec
	local tag="$drv-$mode-$size-$rep" sock="$work/vh.sock"
	case $mode in
	txonly) bemode=rxonly ;;
	rxonly) bemode=txonly; extra=(--txpkts="$size") ;;
	io) bemode=macswap ;;
	esac
	vh_backend_start "$sock" "$bemode" "$work/$tag.be.log" "${extra[@]}" || return 1
	case $drv in
	vnet) spec="net_vnet_user0,path=$sock${VNET_BENCH_VNET_ARGS:+,$VNET_BENCH_VNET_ARGS}" ;;
	virtio) spec="net_virtio_user0,path=$sock" ;;
	esac
	local app_args=(--mode "$mode" --size "$size" --duration "$secs" --warmup 1 --quiet
			--json "$work/$tag.json")
	[ "$mode" = io ] && app_args+=(--tx-first 8)
	timeout -k 5 $((secs + 60)) "$app" --lcores '0@1,1@0' --file-prefix=vnbfe$$ --no-pci \
		--single-file-segments -m 1024 -d "$pmd" --vdev "$spec" ${VNET_BENCH_EAL:-} \
		-- "${app_args[@]}" >"$work/$tag.fe.log" 2>&1
	local rc=$?
	vh_backend_stop
	if [ $rc -ne 0 ] || [ ! -s "$work/$tag.json" ]; then
		echo "host-bench: $tag failed (exit $rc); frontend log tail:" >&2
		tail -n 15 "$work/$tag.fe.log" >&2
		return 1
	fi
}

echo "host-bench: $(date -u +%FT%TZ), $(nproc) cores, DPDK $(pkg-config --modversion libdpdk)," \
	"$reps pair(s) x ${secs}s per case, backend dpdk-testpmd net_vhost on lcores 0@0,1@1," \
	"frontend dpdk-test-vnet on 0@1,1@0"
for c in "${cases[@]}"; do
	mode=${c%%:*} size=${c##*:}
	for rep in $(seq "$reps"); do
		for drv in virtio vnet; do
			printf '\r%-60s' "running $mode ${size}B pair $rep/$reps: $drv" >&2
			run_one "$drv" "$mode" "$size" "$rep"
		done
	done
done
printf '\r%-60s\r' "" >&2

/usr/bin/python3 - "$work" "$out_json" "$reps" "${cases[@]}" <<'EOF'
import json, os, statistics, sys

work, out, reps, cases = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]

def load(drv, mode, size, rep):
    p = os.path.join(work, f"{drv}-{mode}-{size}-{rep}.json")
    try:
        row = json.load(open(p))["rows"][0]
    except Exception:
        return None
    cyc = {"txonly": row.get("tx_cycles_per_packet"), "rxonly": row.get("rx_cycles_per_packet"),
           "io": (row.get("rx_cycles_per_packet") or 0) + (row.get("tx_cycles_per_packet") or 0)}[mode]
    kicks = row.get("kicks") or {}
    return {"mpps": row.get("mpps"), "gbps": row.get("gbps"), "cycles": cyc,
            "kicks_per_1000": kicks.get("per_1000_packets")}

def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None

def fmt(x, f="{:.2f}"):
    return "-" if x is None else f.format(x)

results = []
print()
print(f"{'case':<13} {'virtio Mpps':>11} {'vnet Mpps':>10} {'ratio':>6}   "
      f"{'virtio cyc/pkt':>14} {'vnet cyc/pkt':>12} {'ratio':>6}   {'vnet kicks/1k':>13}")
for c in cases:
    mode, size = c.split(":")
    pairs = []
    for rep in range(1, reps + 1):
        a, b = load("virtio", mode, size, rep), load("vnet", mode, size, rep)
        if a and b:
            pairs.append((a, b))
    if not pairs:
        print(f"{mode + ' ' + size + 'B':<13} (no complete pair)")
        continue
    mr = med([b["mpps"] / a["mpps"] for a, b in pairs if a["mpps"] and b["mpps"]])
    cr = med([b["cycles"] / a["cycles"] for a, b in pairs if a["cycles"] and b["cycles"]])
    row = {"mode": mode, "size": int(size), "pairs": len(pairs),
           "virtio_mpps": med([a["mpps"] for a, _ in pairs]),
           "vnet_mpps": med([b["mpps"] for _, b in pairs]),
           "mpps_ratio_median": mr,
           "virtio_cycles_per_packet": med([a["cycles"] for a, _ in pairs]),
           "vnet_cycles_per_packet": med([b["cycles"] for _, b in pairs]),
           "cycles_ratio_median": cr,
           "vnet_kicks_per_1000": med([b["kicks_per_1000"] for _, b in pairs]),
           "raw": [{"virtio": a, "vnet": b} for a, b in pairs]}
    results.append(row)
    print(f"{mode + ' ' + size + 'B':<13} {fmt(row['virtio_mpps']):>11} {fmt(row['vnet_mpps']):>10} "
          f"{fmt(mr, '{:.2f}x'):>6}   {fmt(row['virtio_cycles_per_packet'], '{:.1f}'):>14} "
          f"{fmt(row['vnet_cycles_per_packet'], '{:.1f}'):>12} {fmt(cr, '{:.2f}x'):>6}   "
          f"{fmt(row['vnet_kicks_per_1000'], '{:.3f}'):>13}")
print("ratios: vnet / net_virtio_user, median over back-to-back pairs; cycles inside the burst calls")
json.dump({"benchmark": "host-bench", "results": results}, open(out, "w"), indent=1)
print(f"json: {out}")
EOF
