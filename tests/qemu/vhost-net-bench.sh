#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vhost-net benchmark (issue 11, part 4), not a test: in one TCG guest (no NIC), testpmd io
# forward between two taps driven by the kernel's vhost-net, the taps in two namespaces, one
# TCP transfer through it per run; vnet's net_vnet_user (path=/dev/vhost-net, default
# devargs) vs DPDK's net_virtio_user on its vhost-kernel backend, same taps and traffic,
# paired back to back (order alternating per repetition). Kicks are counted in the guest
# kernel (kprobe on eventfd_write + hist trigger), independently of either driver.
#   tests/qemu/vhost-net-bench.sh BUILD_DIR
# Prints one row per run (TCP Mbit/s, packets forwarded, kicks, kicks per 1000 packets) and
# the median (min-max) of the per-repetition ratios vnet / net_virtio_user. TCG rates say
# nothing about real speed: read the ratios. Logs: BUILD_DIR/qemu/vhost-net-bench/.
# Env: VNET_BENCH_PAIRS (3), VNET_BENCH_MB (32), VNET_BENCH_VNET_ARGS (devargs added to vnet's
# two ports, e.g. kick_coalesce=auto; default none: the driver's defaults), VNET_BENCH_AB
# (devargs: compare vnet against vnet with these instead of net_virtio_user; the rows and
# ratios then read "net_virtio_user" for that second vnet), VNET_QEMU_ACCEL=tcg.
# Takes flock /var/lock/vnet-heavy.lock around the QEMU run (not with VNET_BENCH_NOLOCK=1).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
[ "$(id -u)" -eq 0 ] || { echo "vhost-net-bench: must run as root" >&2; exit 1; }
pairs=${VNET_BENCH_PAIRS:-3}
mb=${VNET_BENCH_MB:-32}

qg_init "$build" vnet || { echo "vhost-net-bench: guest setup failed (needs librte_net_vnet.so under $build)"; exit 1; }
d=$QG_DIR/vhost-net-bench
rm -rf "$d"
mkdir -p "$d"
VNET_DEVARGS='' qg_header vhost-net-bench >"$d/test.sh"
{
	echo "VN_REPS=$pairs VN_MB=$mb VN_VNET_ARGS='${VNET_BENCH_VNET_ARGS:-}' VN_AB='${VNET_BENCH_AB:-}'"
	cat "$QG_HERE/guest/vhost-net-lib.sh" "$QG_HERE/guest/vhost-net-bench.sh"
} >>"$d/test.sh"
qg_initrd "$d"
g=$QG_DIR/guest
# base + net_virtio (net_virtio_user lives in it) + vnet's plugin + the script
cat "$g/base.cpio" "$g/virtio-pmd.cpio" "$g/plugin.cpio" "$d/case.cpio" >"$d/initrd"

echo "vhost-net-bench: $((2 * pairs)) runs ($pairs pairs), $mb MB TCP each, $QG_ACCEL; vnet $QG_PLUGIN, devargs '${VNET_BENCH_VNET_ARGS:-}'${VNET_BENCH_AB:+; A/B against vnet with '$VNET_BENCH_AB' in the net_virtio_user rows}"
t0=$SECONDS
if [ "${VNET_BENCH_NOLOCK:-0}" != 1 ]; then
	exec 8>/var/lock/vnet-heavy.lock
	flock 8
fi
qg_run "$d" $((120 + pairs * 2 * (60 + mb * 3))) "vnet.vfio=none" -smp 2 -machine pc
[ "${VNET_BENCH_NOLOCK:-0}" = 1 ] || flock -u 8
echo "vhost-net-bench: boot took $((SECONDS - t0)) s ($(date -u +%Y-%m-%d))"
grep -q "^VNET-DONE" "$d/console.log" || echo "vhost-net-bench: the guest did not finish (see $d/console.log)"
grep -a '^VNET-BENCH' "$d/console.log" >"$d/bench.txt"
grep '^VNET-BENCH-ERROR' "$d/bench.txt" && exit 1

awk '
function kv(s, k,   i, n, a) { n = split(s, a, " "); for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2); return "" }
function med(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return "n/a"
	return sprintf("%.3f (%.3f-%.3f)", (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, a[1], a[n])
}
{ sub(/\r$/, "") }
/^VNET-BENCH rep=/ {
	r = kv($0, "rep"); dr = kv($0, "driver"); s = kv($0, "secs") + 0; p = kv($0, "pkts") + 0
	k = kv($0, "kicks") + 0; m = kv($0, "mb") + 0
	mbps[r, dr] = s > 0 ? m * 8 * 1.048576 / s : 0
	kpk[r, dr] = p > 0 ? k * 1000 / p : 0
	okk[r, dr] = kv($0, "ok")
	printf "%-4s %-16s %8.1f Mbit/s %9d pkts %8d kicks %7.2f kicks/1000 pkts  port TX %s, A sent %s (%s retrans), B sent %s%s\n", r,
		dr == "vnet" ? "net_vnet_user" : "net_virtio_user", mbps[r, dr], p, k, kpk[r, dr],
		kv($0, "port_tx"), kv($0, "a_out"), kv($0, "a_retrans"), kv($0, "b_out"),
		okk[r, dr] == 1 ? "" : "  (FAILED: " kv($0, "err") ")"
	reps[r] = 1
}
END {
	for (r in reps) {
		if (okk[r, "vnet"] != 1 || okk[r, "virtio"] != 1 || mbps[r, "virtio"] == 0 || kpk[r, "virtio"] == 0)
			continue
		tr = tr " " mbps[r, "vnet"] / mbps[r, "virtio"]
		kr = kr " " kpk[r, "vnet"] / kpk[r, "virtio"]
		kv_ = kv_ " " kpk[r, "vnet"]; kvv = kvv " " kpk[r, "virtio"]
	}
	print "summary (median (min-max) over the pairs):"
	print "  throughput vnet / net_virtio_user:       " med(tr) "   (target >= 1.0)"
	print "  kicks per 1000 pkts vnet / net_virtio_user: " med(kr) "   (target <= 0.25)"
	print "  kicks per 1000 pkts: vnet " med(kv_) ", net_virtio_user " med(kvv)
}' "$d/bench.txt" | tee "$d/summary.txt"
