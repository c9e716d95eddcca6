#!/usr/bin/env bash
# README command 1: install what is needed, build vnet, run the main job.
#
# The main job: vnet's net_vnet_user moves packets through a DPDK vhost-user backend
# (dpdk-testpmd with net_vhost, macswap) while dpdk-test-vnet prints a live Mpps line, then
# a side-by-side run against DPDK's own net_virtio_user on the same backend: VNET_DEMO_PAIRS
# back-to-back pairs per case (app/test-vnet/host-bench.sh), each case reported as the median
# of its pair ratios with the min-max, and a "too noisy" line when the pairs disagree.
# About 3 minutes after the build with the defaults.
# Env: VNET_BUILD (default build), VNET_DEMO_SECONDS (live part, default 10),
#      VNET_DEMO_PAIRS (pairs per case, default 5), VNET_DEMO_PAIR_SECONDS (measured seconds of
#      each run, default 2), VNET_DEMO_COMPARE=0 skips the comparison.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${VNET_BUILD:-build}
secs=${VNET_DEMO_SECONDS:-10}
pairs=${VNET_DEMO_PAIRS:-5}
pair_secs=${VNET_DEMO_PAIR_SECONDS:-2}

bash config/install-deps.sh
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release
ninja -C "$build"

app="$build/app/test-vnet/dpdk-test-vnet"
so="$build/librte_net_vnet.so"
for f in "$app" "$so"; do
	[ -e "$f" ] || { echo "vnet: $f was not built (see the ninja output above)" >&2; exit 1; }
done

. app/test-vnet/lib-host.sh
vh_setup_hugepages 1024
pmd=$(vh_private_plugin "$so")
work=$(mktemp -d /run/vnet-demo.XXXXXX)
trap 'vh_cleanup vndemo$$; rm -rf "$work" "$(dirname "$pmd")"' EXIT

echo
echo "== vnet demo: net_vnet_user <-> DPDK net_vhost (testpmd macswap), 64-byte frames, ${secs} s"
vh_backend_start "$work/vh.sock" macswap "$work/backend.log"
# EAL's start-up chatter (lcores, IOVA mode, "No legacy callbacks, legacy socket not
# created") is not for the reader; vnet's own lines show.
"$app" --lcores '0@1,1@0' --file-prefix=vndemo$$ --no-pci --single-file-segments -m 1024 \
	--log-level=lib.eal:notice --log-level=lib.telemetry:error \
	-d "$pmd" --vdev "net_vnet_user0,path=$work/vh.sock" \
	-- --mode io --tx-first 8 --size 64 --duration "$secs" --warmup 1 --xstats
vh_backend_stop

if [ "${VNET_DEMO_COMPARE:-1}" != 0 ]; then
	echo
	echo "== side by side with DPDK's net_virtio_user: $pairs back-to-back pairs of ${pair_secs} s" \
		"per case (more: VNET_DEMO_PAIRS=10 VNET_DEMO_PAIR_SECONDS=5; every case:" \
		"app/test-vnet/host-bench.sh)"
	VNET_BENCH_PAIRS=$pairs VNET_BENCH_SECONDS=$pair_secs VNET_BENCH_WARMUP=0.5 \
		VNET_BENCH_CASES="txonly:64 io:64 txonly:1518" bash app/test-vnet/host-bench.sh "$build"
fi
