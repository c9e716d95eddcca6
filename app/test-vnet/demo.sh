#!/usr/bin/env bash
# README command 1: install what is needed, build vnet, run the main job.
#
# Today the main job is the ring benchmark: vnet's split-ring core (driver side) against a
# fake device thread on the second core, with a live Mbuf/s line and a final table of
# kicks per 1000 buffers for event-idx thresholds 0, 20, 64 and flag mode.
# Env: VNET_BUILD (default build), VNET_DEMO_SECONDS (per configuration, default 2).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${VNET_BUILD:-build}

bash config/install-deps.sh
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release
ninja -C "$build"

bench="$build/app/test-vnet/vnet-ring-bench"
if [ ! -x "$bench" ]; then
	echo "vnet: $bench was not built (see the ninja output above)" >&2
	exit 1
fi
exec "$bench" -t "${VNET_DEMO_SECONDS:-2}" "$@"
