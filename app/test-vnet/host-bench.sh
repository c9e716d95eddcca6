#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Host benchmark: vnet's net_vnet_user against DPDK's net_virtio_user on the same DPDK
# net_vhost backend (dpdk-testpmd), same cores, same sizes, runs paired back to back.
#
#   app/test-vnet/host-bench.sh [BUILD_DIR]        (as root)
#
# Cases: txonly (backend rxonly), rxonly (backend txonly), loopback io (backend macswap),
# each at 64 and 1518 bytes. A pair is one net_virtio_user run and one net_vnet_user run back
# to back, each with a fresh backend; the order inside a pair alternates (virtio first in odd
# pairs, vnet first in even ones) and the pairs go round the cases (pair 1 of every case, then
# pair 2...), so a slow period of the machine lands on both drivers and on every case.
# Per case the table shows the median of the per-pair ratios vnet/virtio with its min-max, the
# Mpps of each driver (median and min-max), and a "too noisy" line when the ratios or one
# driver's runs spread more than +-20 % around their median (app/test-vnet/pair_stats.py).
# Mpps is what the frontend moved: accepted by tx_burst (txonly; a vhost-user ring loses
# nothing), received (rxonly), or forwarded (io). Cycles are TSC cycles per packet spent inside
# rte_eth_tx_burst (txonly), rte_eth_rx_burst (rxonly) or both (io).
#
# Env: VNET_BENCH_PAIRS (3; VNET_BENCH_REPS is the old name), VNET_BENCH_SECONDS (5),
#      VNET_BENCH_WARMUP (1), VNET_BENCH_CASES (default all:
#      "txonly:64 txonly:1518 rxonly:64 rxonly:1518 io:64 io:1518"),
#      VNET_BENCH_NOISE_LIMIT (0.20), VNET_BENCH_RING (256: --rxd/--txd and queue_size of both
#      drivers; net_virtio_user does not report its ring size back, vnet does),
#      VNET_BENCH_VNET_ARGS (extra net_vnet_user devargs), VNET_BENCH_VIRTIO_ARGS (extra
#      net_virtio_user devargs, e.g. "packed_vq=1,in_order=1,vectorized=1,mrg_rxbuf=0" for
#      its vectorized packed path, with VNET_BENCH_EAL=--force-max-simd-bitwidth=512),
#      VNET_BENCH_EAL (extra frontend EAL args; --single-file-segments is already there),
#      VNET_BENCH_VIRTIO_PATH (packed-vec | split-vec: net_virtio_user on its named best path,
#      vnet on the same ring type. packed-vec = packed_vq=1,in_order=1,vectorized=1,mrg_rxbuf=0
#      with --force-max-simd-bitwidth=512 for both drivers (Debian's default width, 256,
#      silently keeps it scalar), vnet packed=1; split-vec = in_order=0,mrg_rxbuf=0,
#      vectorized=1 (its vector RX needs both off; split TX has no vector path), vnet
#      packed=0. net_virtio_user's own log line must name the vectorized path
#      (pmd.net.virtio.init at info): a run without it fails and its pair does not count),
#      VNET_BENCH_JSON (output file, default BUILD_DIR/host-bench.json),
#      VNET_BENCH_PERF (a directory: record every frontend run with perf, cpu-clock at 1999 Hz,
#      and write DIR/<driver>-<case>-<pair>.txt, its samples by shared object and symbol; the
#      summary then shows each driver's share of the frontend's samples and vnet's top
#      symbols. net_virtio's symbols stay addresses: Debian ships it stripped),
#      VNET_BENCH_BASELINE (another build directory of vnet: its net_vnet_user, with the same
#      devargs, takes net_virtio_user's place in every pair, so a datapath change is measured
#      against the build before it back to back; the "virtio" columns then read "baseline").
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "host-bench: run as root (hugepages, sockets)" >&2; exit 1; }
app="$build/app/test-vnet/dpdk-test-vnet"
so=$(find "$build" -maxdepth 3 -name librte_net_vnet.so -type f | head -1)
[ -x "$app" ] && [ -n "$so" ] || { echo "host-bench: build first (ninja -C $build)" >&2; exit 1; }

reps=${VNET_BENCH_PAIRS:-${VNET_BENCH_REPS:-3}}
secs=${VNET_BENCH_SECONDS:-5}
warm=${VNET_BENCH_WARMUP:-1}
limit=${VNET_BENCH_NOISE_LIMIT:-0.20}
ring=${VNET_BENCH_RING:-256}
[[ $reps =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ ]] || {
	echo "host-bench: VNET_BENCH_PAIRS and VNET_BENCH_SECONDS take whole numbers >= 1" \
		"(got '$reps', '$secs')" >&2
	exit 2
}
vec_want=()
case ${VNET_BENCH_VIRTIO_PATH:-} in
'') ;;
packed-vec)
	VNET_BENCH_VIRTIO_ARGS="packed_vq=1,in_order=1,vectorized=1,mrg_rxbuf=0${VNET_BENCH_VIRTIO_ARGS:+,$VNET_BENCH_VIRTIO_ARGS}"
	VNET_BENCH_VNET_ARGS="packed=1${VNET_BENCH_VNET_ARGS:+,$VNET_BENCH_VNET_ARGS}"
	VNET_BENCH_EAL="--force-max-simd-bitwidth=512${VNET_BENCH_EAL:+ $VNET_BENCH_EAL}"
	vec_want=("using packed ring vectorized Rx path" "using packed ring vectorized Tx path")
	# net_virtio's packed vector path is AVX-512 only (virtio_rxtx_packed_avx.c)
	grep -qw avx512f /proc/cpuinfo || {
		echo "host-bench: packed-vec: this CPU has no AVX-512F, so net_virtio_user cannot take its" \
			"vectorized packed path (it logs \"disabled packed ring vectorized path for requirements" \
			"not met\" and runs scalar); run it on an AVX-512 machine" >&2
		exit 3
	} ;;
split-vec)
	VNET_BENCH_VIRTIO_ARGS="in_order=0,mrg_rxbuf=0,vectorized=1${VNET_BENCH_VIRTIO_ARGS:+,$VNET_BENCH_VIRTIO_ARGS}"
	VNET_BENCH_VNET_ARGS="packed=0${VNET_BENCH_VNET_ARGS:+,$VNET_BENCH_VNET_ARGS}"
	vec_want=("using vectorized Rx path") ;;
*)
	echo "host-bench: VNET_BENCH_VIRTIO_PATH is packed-vec or split-vec (got '$VNET_BENCH_VIRTIO_PATH')" >&2
	exit 2 ;;
esac
read -r -a cases <<<"${VNET_BENCH_CASES:-txonly:64 txonly:1518 rxonly:64 rxonly:1518 io:64 io:1518}"
out_json=${VNET_BENCH_JSON:-$build/host-bench.json}
if [ -n "${VNET_BENCH_PERF:-}" ]; then
	command -v perf >/dev/null || { echo "host-bench: VNET_BENCH_PERF needs perf (apt-get install linux-perf)" >&2; exit 2; }
	mkdir -p "$VNET_BENCH_PERF" || exit 2
fi

. "$top/app/test-vnet/lib-host.sh"
vh_setup_hugepages 1024 || exit 1
pmd=$(vh_private_plugin "$so") || exit 1
pmd_base=
if [ -n "${VNET_BENCH_BASELINE:-}" ]; then
	so_base=$(find "$VNET_BENCH_BASELINE" -maxdepth 3 -name librte_net_vnet.so -type f | head -1)
	[ -n "$so_base" ] || { echo "host-bench: VNET_BENCH_BASELINE: no librte_net_vnet.so under $VNET_BENCH_BASELINE (build it first)" >&2; exit 2; }
	pmd_base=$(vh_private_plugin "$so_base") || exit 1
	vec_want=()
fi
work=$(mktemp -d /run/vnet-bench.XXXXXX)
trap 'vh_cleanup vnbfe$$; rm -rf "$work" "$(dirname "$pmd")" ${pmd_base:+"$(dirname "$pmd_base")"}' EXIT

# run_one DRIVER MODE SIZE REP: one backend + one frontend run; writes $work/DRIVER-MODE-SIZE-REP.json
run_one() {
	local drv=$1 mode=$2 size=$3 rep=$4 bemode extra=() spec
	local tag="$drv-$mode-$size-$rep" sock="$work/vh.sock" loglv=() w
	case $mode in
	txonly) bemode=rxonly ;;
	rxonly) bemode=txonly; extra=(--txpkts="$size") ;;
	io) bemode=macswap ;;
	esac
	vh_backend_start "$sock" "$bemode" "$work/$tag.be.log" "${extra[@]}" || return 1
	case $drv in
	vnet) spec="net_vnet_user0,path=$sock,queue_size=$ring${VNET_BENCH_VNET_ARGS:+,$VNET_BENCH_VNET_ARGS}" ;;
	virtio) spec="net_virtio_user0,path=$sock,queue_size=$ring${VNET_BENCH_VIRTIO_ARGS:+,$VNET_BENCH_VIRTIO_ARGS}" ;;
	esac
	local plug=$pmd
	if [ "$drv" = virtio ] && [ -n "$pmd_base" ]; then
		plug=$pmd_base
		spec="net_vnet_user0,path=$sock,queue_size=$ring${VNET_BENCH_VNET_ARGS:+,$VNET_BENCH_VNET_ARGS}"
	fi
	local app_args=(--mode "$mode" --size "$size" --duration "$secs" --warmup "$warm" --quiet
			--rxd "$ring" --txd "$ring" --json "$work/$tag.json")
	[ "$mode" = io ] && app_args+=(--tx-first 8)
	[ "$drv" = virtio ] && [ ${#vec_want[@]} -gt 0 ] && loglv=("--log-level=pmd.net.virtio.*:info")
	local perf=()
	[ -n "${VNET_BENCH_PERF:-}" ] && perf=(perf record -q -F 1999 -o "$work/$tag.perf")
	timeout -k 5 $((secs + 60)) "${perf[@]}" "$app" --lcores '0@1,1@0' --file-prefix=vnbfe$$ --no-pci \
		--single-file-segments -m 1024 -d "$plug" --vdev "$spec" ${VNET_BENCH_EAL:-} "${loglv[@]}" \
		-- "${app_args[@]}" >"$work/$tag.fe.log" 2>&1
	local rc=$?
	vh_backend_stop
	if [ -n "${VNET_BENCH_PERF:-}" ] && [ -s "$work/$tag.perf" ]; then
		# now, while the private plugin copy still exists (its symbols)
		perf report -i "$work/$tag.perf" --no-children --sort dso,sym --percent-limit 0.5 \
			--stdio 2>/dev/null | grep -v '^#' | grep -v '^$' >"$VNET_BENCH_PERF/$tag.txt"
		rm -f "$work/$tag.perf"
	fi
	if [ $rc -ne 0 ] || [ ! -s "$work/$tag.json" ]; then
		progress_clear
		echo "host-bench: the $drv run of $mode ${size}B pair $rep failed (exit $rc), so this" \
			"pair does not count; the frontend's last lines:" >&2
		tail -n 15 "$work/$tag.fe.log" | sed 's/^/    /' >&2
		return 1
	fi
	if [ "$drv" = virtio ]; then
		for w in "${vec_want[@]}"; do
			grep -q "$w" "$work/$tag.fe.log" && continue
			progress_clear
			echo "host-bench: net_virtio_user did not take its $VNET_BENCH_VIRTIO_PATH path in" \
				"$mode ${size}B pair $rep (no \"$w\" line), so this pair does not count;" \
				"its path lines:" >&2
			grep -E "virtio: using|disabled .*vectorized" "$work/$tag.fe.log" | sed 's/^/    /' >&2
			rm -f "$work/$tag.json"
			return 1
		done
	fi
}

# progress MSG: one self-overwriting status line on a terminal, nothing in a log
progress() { [ -t 2 ] && printf '\r%-78s' "$1" >&2; return 0; }
progress_clear() { [ -t 2 ] && printf '\r%-78s\r' "" >&2; return 0; }

echo "host-bench: $(date -u +%FT%TZ), $(nproc) cores, DPDK $(pkg-config --modversion libdpdk)," \
	"$reps pair(s) x ${secs}s per case (+${warm}s warm-up), backend dpdk-testpmd net_vhost on" \
	"lcores 0@0,1@1, frontend dpdk-test-vnet on 0@1,1@0${VNET_BENCH_VNET_ARGS:+, vnet devargs $VNET_BENCH_VNET_ARGS}${VNET_BENCH_VIRTIO_ARGS:+, virtio devargs $VNET_BENCH_VIRTIO_ARGS}${VNET_BENCH_EAL:+, EAL $VNET_BENCH_EAL}"
[ -z "$pmd_base" ] || echo "host-bench: A/B of builds: the virtio columns are net_vnet_user from $VNET_BENCH_BASELINE (same devargs), not net_virtio_user"
[ ${#vec_want[@]} -eq 0 ] || echo "host-bench: net_virtio_user on $VNET_BENCH_VIRTIO_PATH; each of its runs must log: ${vec_want[*]}"
runs_left=$((reps * ${#cases[@]} * 2))
per_run=$(awk -v s="$secs" -v w="$warm" 'BEGIN { printf "%d", s + w + 3 }') # ~3 s EAL start/stop
for rep in $(seq "$reps"); do
	order="virtio vnet"
	[ $((rep % 2)) -eq 0 ] && order="vnet virtio"
	for c in "${cases[@]}"; do
		mode=${c%%:*} size=${c##*:}
		for drv in $order; do
			progress "pair $rep/$reps, $mode ${size}B: $drv (about $((runs_left * per_run)) s left)"
			run_one "$drv" "$mode" "$size" "$rep"
			runs_left=$((runs_left - 1))
		done
	done
done
progress_clear

/usr/bin/python3 - "$top/app/test-vnet" "$work" "$out_json" "$reps" "$secs" "$warm" "$limit" \
	"$build" "${VNET_BENCH_PERF:-}" "${cases[@]}" <<'EOF'
import json, os, sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[1])
import pair_stats as ps

work, out, reps, secs, warm, limit, build, perf_dir = sys.argv[2:10]
reps, secs, warm, limit, cases = int(reps), float(secs), float(warm), float(limit), sys.argv[10:]
drivers = {"virtio": "net_virtio_user", "vnet": "net_vnet_user"}

def load(drv, mode, size, rep):
    p = os.path.join(work, f"{drv}-{mode}-{size}-{rep}.json")
    try:
        doc = json.load(open(p))
        row = doc["rows"][0]
        port = doc["ports"][0]
    except Exception:
        return None
    cyc = {"txonly": row.get("tx_cycles_per_packet"), "rxonly": row.get("rx_cycles_per_packet"),
           "io": (row.get("rx_cycles_per_packet") or 0) + (row.get("tx_cycles_per_packet") or 0)}[mode]
    rf, tf = row.get("rx_cycles_per_packet_full_burst"), row.get("tx_cycles_per_packet_full_burst")
    full = {"txonly": tf, "rxonly": rf,
            "io": rf + tf if rf is not None and tf is not None else None}[mode]
    kicks = row.get("kicks") or {}
    return {"mpps": row.get("mpps"), "gbps": row.get("gbps"), "cycles": cyc, "cycles_full": full,
            "kicks_per_1000": kicks.get("per_1000_packets"),
            "rxd": port.get("rxd"), "txd": port.get("txd"),
            "rings_reported": port.get("rings_reported_by_driver", True)}

def num(x, f="{:.2f}"):
    return "-" if x is None else f.format(x)

def rings(runs):
    r = sorted({(x["rxd"], x["txd"], x["rings_reported"]) for x in runs if x})
    return ", ".join(f"rxd {a} txd {b}" + ("" if rep else " (as set; not reported back)")
                     for a, b, rep in r) or "-"

results, noise, ring_text = [], [], {}
hdr = (f"{'case':<12} {'pairs':>5}  {'Mpps vnet/virtio':<18} {'virtio Mpps':<20} "
       f"{'vnet Mpps':<20} {'cyc/pkt vnet/virtio':<19} {'full bursts':<17} {'kick/1k':>7}")
print()
print(hdr)
for c in cases:
    mode, size = c.split(":")
    name = f"{mode} {size}B"
    runs = [(load("virtio", mode, size, r), load("vnet", mode, size, r))
            for r in range(1, reps + 1)]
    pairs = [(a, b) for a, b in runs if a and b]
    m = ps.compare([a["mpps"] for a, _ in pairs], [b["mpps"] for _, b in pairs], limit,
                   "net_virtio_user", "net_vnet_user")
    cy = ps.compare([a["cycles"] for a, _ in pairs], [b["cycles"] for _, b in pairs], limit)
    fpairs = [(a, b) for a, b in pairs if a["cycles_full"] and b["cycles_full"]]
    cf = ps.compare([a["cycles_full"] for a, _ in fpairs], [b["cycles_full"] for _, b in fpairs],
                    limit) if fpairs else {"ratio": None, "a": None, "b": None}
    kick = ps.spread([b["kicks_per_1000"] for _, b in pairs])
    ring_text[name] = {d: rings([p[i] for p in runs]) for i, d in enumerate(drivers)}
    row = {"mode": mode, "size": int(size), "pairs": len(pairs),
           "noisy": m["noisy"], "noise_reasons": m["noise_reasons"], "noise_limit": limit,
           "mpps_ratio": m["ratio"], "mpps": {"virtio": m["a"], "vnet": m["b"]},
           "cycles_ratio": cy["ratio"], "cycles_per_packet": {"virtio": cy["a"], "vnet": cy["b"]},
           "full_burst_cycles_ratio": cf["ratio"],
           "full_burst_cycles_per_packet": {"virtio": cf["a"], "vnet": cf["b"]},
           "vnet_kicks_per_1000": kick and kick["median"],
           "rings": ring_text[name],
           # the medians alone, as before the spreads were added
           "virtio_mpps": m["a"] and m["a"]["median"], "vnet_mpps": m["b"] and m["b"]["median"],
           "mpps_ratio_median": m["ratio"] and m["ratio"]["median"],
           "virtio_cycles_per_packet": cy["a"] and cy["a"]["median"],
           "vnet_cycles_per_packet": cy["b"] and cy["b"]["median"],
           "cycles_ratio_median": cy["ratio"] and cy["ratio"]["median"],
           "raw": [{"virtio": a, "vnet": b} for a, b in runs]}
    results.append(row)
    if not pairs:
        print(f"{name:<12} {0:>5}  (no complete pair: see the failures above)")
    else:
        print(f"{name:<12} {len(pairs):>5}  {ps.fmt_spread(m['ratio'], suffix='x'):<18} "
              f"{ps.fmt_spread(m['a']):<20} {ps.fmt_spread(m['b']):<20} "
              f"{ps.fmt_spread(cy['ratio'], suffix='x'):<19} "
              f"{ps.fmt_spread(cf['ratio'], suffix='x'):<17} "
              f"{num(kick and kick['median'], '{:.3f}'):>7}")
    line = ps.noise_line(name, m, f"VNET_BENCH_CASES={c} VNET_BENCH_PAIRS={max(10, 2 * reps)} "
                         f"VNET_BENCH_SECONDS={max(5, int(secs))} "
                         f"bash app/test-vnet/host-bench.sh {build}")
    if line:
        noise.append(line)
print("virtio = DPDK's net_virtio_user, vnet = net_vnet_user, on the same net_vhost backend."
      "\nRatios are vnet/virtio per back-to-back pair: median (min-max) over the pairs; Mpps"
      " median (min-max)\nof each driver's runs; cycles are TSC cycles per packet inside the"
      " burst calls (lower is better);\n\"full bursts\": the same ratio over the calls that"
      " moved all they were asked to only (RX: a\nwhole burst; TX: every packet offered), without"
      " empty polls and full-ring returns.")
uniq = {tuple(v.items()) for v in ring_text.values()}
if len(uniq) == 1:
    r = ring_text[next(iter(ring_text))]
    print(f"Rings (every case): net_virtio_user {r['virtio']}; net_vnet_user {r['vnet']}.")
else:
    for name, r in ring_text.items():
        print(f"Rings, {name}: net_virtio_user {r['virtio']}; net_vnet_user {r['vnet']}.")
if noise:
    print()
    for line in noise:
        print(line)
elif results:
    print(f"Every case: the pairs agree within ±{limit * 100:.0f} %.")
def perf_rows(drv, mode, size):
    """(dso share by driver dso, {vnet symbol: share}) per run of one driver and case."""
    runs = []
    for r in range(1, reps + 1):
        p = os.path.join(perf_dir, f"{drv}-{mode}-{size}-{r}.txt")
        if not os.path.exists(p):
            continue
        dso, syms = {}, {}
        for line in open(p):
            f = line.split()
            if len(f) < 4 or not f[0].endswith("%"):
                continue
            pct, obj, sym = float(f[0][:-1]), f[1], " ".join(f[3:])
            dso[obj] = dso.get(obj, 0.0) + pct
            if obj.startswith("librte_net_vnet"):
                syms[sym] = syms.get(sym, 0.0) + pct
        runs.append((dso, syms))
    return runs

if perf_dir:
    print(f"\nperf (cpu-clock samples of the frontend process, {perf_dir}): median share of the"
          " samples in the driver's shared object, and vnet's top symbols")
    for c in cases:
        mode, size = c.split(":")
        prof = {drv: perf_rows(drv, mode, size) for drv in drivers}
        line = []
        for drv, obj in (("virtio", "librte_net_virtio"), ("vnet", "librte_net_vnet")):
            shares = sorted(sum(v for k, v in d.items() if k.startswith(obj))
                            for d, _ in prof[drv])
            if shares:
                line.append(f"{drivers[drv]} {shares[len(shares) // 2]:.1f} %")
        tot = {}
        for _, syms in prof["vnet"]:
            for k, v in syms.items():
                tot[k] = tot.get(k, 0.0) + v
        top = sorted(tot.items(), key=lambda kv: -kv[1])[:5]
        print(f"  {mode} {size}B: " + "; ".join(line))
        if top:
            n = len(prof["vnet"])
            print("    vnet: " + ", ".join(f"{k} {v / n:.1f} %" for k, v in top))

json.dump({"benchmark": "host-bench", "pairs": reps, "seconds": secs, "warmup_s": warm,
           "noise_limit": limit,
           "order": "pairs round-robin over the cases; virtio first in odd pairs, "
                    "vnet first in even ones",
           "results": results}, open(out, "w"), indent=1)
print(f"json: {out}")
EOF
