#!/usr/bin/env bash
# Run every vnet test tier and end with "N passed, N failed, N skipped".
#
#   bash tests/run-all.sh            # as root on Debian 12; installs what it needs
#
# Tiers:
#   build  - the plugin builds, carries pmdinfo, loads into dpdk-testpmd; in-tree build; and
#            (tests/build/check-dpdk24.sh) unit tier, perf app and, with an SDK source, plugin
#            and host tier against DPDK 24.11 in a Debian 13 root
#   unit   - EAL-free ring core against a fake device thread (also under ASan + UBSan)
#   fuzz   - libFuzzer harnesses of the split and packed ring cores (clang; tests/fuzz/run.sh)
#   host   - vnet's vhost-user transport (net_vnet_user) against DPDK's net_vhost
#   guest  - QEMU guests (TCG unless KVM really works): testpmd -a <bdf> and l2fwd on vnet
# A tier that cannot run here is reported as skipped with the reason, never as passed.
# Env: VNET_BUILD (default build), VNET_SKIP_INTREE=1 skips the in-tree DPDK build,
# VNET_SKIP_DPDK24=1 the DPDK 24.11 cases, VNET_DPDK24_SRC_TARBALL=<dpdk-24.11.x tarball> gives
# them a driver-SDK source (see tests/build/check-dpdk24.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
build=${VNET_BUILD:-build}
asan=${build}-asan
logs="$top/$build/test-logs"

passed=0 failed=0 skipped=0
failures=()

record() { # result name [reason]
	case "$1" in
	pass) passed=$((passed + 1)); printf 'PASS  %s\n' "$2" ;;
	fail) failed=$((failed + 1)); failures+=("$2"); printf 'FAIL  %s\n' "$2" ;;
	skip) skipped=$((skipped + 1)); printf 'SKIP  %s: %s\n' "$2" "$3" ;;
	esac
}

# check NAME CMD...: run CMD, log its output, record the result; show the log tail on failure.
check() {
	local name=$1 log
	shift
	log="$logs/${name//\//_}.log"
	if "$@" >"$log" 2>&1; then
		record pass "$name"
	else
		record fail "$name"
		echo "----- tail of $log -----"
		tail -n 40 "$log"
		echo "-----"
	fi
}

# meson_suite DIR SUITE PREFIX: run one meson test suite, one result per test program.
meson_suite() {
	local dir=$1 suite=$2 prefix=$3 json line name result
	meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 1 \
		>"$logs/meson-$prefix.log" 2>&1
	json="$dir/meson-logs/testlog.json"
	if [ ! -s "$json" ]; then
		record fail "$prefix: meson test produced no results"
		tail -n 40 "$logs/meson-$prefix.log"
		return
	fi
	while IFS=$'\t' read -r name result; do
		case "$result" in
		OK) record pass "$prefix/$name" ;;
		SKIP) record skip "$prefix/$name" "test reported skip" ;;
		*)
			record fail "$prefix/$name ($result)"
			/usr/bin/python3 - "$json" "$name" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["name"] == sys.argv[2]:
        print("\n".join(t.get("stdout", "").splitlines()[-40:]))
EOF
			;;
		esac
	done < <(/usr/bin/python3 - "$json" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(f'{t["name"]}\t{t["result"]}')
EOF
)
}

echo "== vnet tests: $(date -u +%FT%TZ) on $(uname -n), $(nproc) cores"

if ! bash config/install-deps.sh; then
	echo "vnet: could not install build dependencies (see above)"
	echo "0 passed, 1 failed"
	exit 1
fi

# tier_cases NAME SCRIPT: run a tier script that prints one PASS/FAIL/SKIP line per case (and,
# on a failure, its logs); record one result per case.
tier_cases() {
	local tier=$1 script=$2 tlog="$logs/$1.log" trc ncases=0 verdict name rest bdir=$build
	[[ $bdir = /* ]] || bdir=$top/$build
	"$script" "$bdir" >"$tlog" 2>&1
	trc=$?
	while read -r verdict name rest; do
		case "$verdict" in
		PASS) record pass "$tier/$name"; ncases=$((ncases + 1)) ;;
		FAIL) record fail "$tier/$name"; ncases=$((ncases + 1)) ;;
		SKIP) record skip "$tier/${name%:}" "$rest"; ncases=$((ncases + 1)) ;;
		esac
	done < <(grep -E '^(PASS|FAIL|SKIP) ' "$tlog")
	if [ $trc -ne 0 ] || [ $ncases -eq 0 ]; then
		[ $ncases -eq 0 ] && record fail "$tier: no case ran (exit $trc)"
		echo "----- $tier tier log (without the passing cases) -----"
		grep -vE '^PASS ' "$tlog" | tail -n 150
		echo "-----"
	fi
}

# ---- build tier ----
mkdir -p "$build" && mkdir -p "$logs"
if [ ! -f "$build/build.ninja" ]; then
	check build/meson-setup meson setup "$build" --buildtype=release
else
	check build/meson-setup meson setup --reconfigure "$build"
fi
check build/ninja ninja -C "$build"
if [ -f "$build/drivers/librte_net_vnet.so" ] || ls "$build"/drivers/net/vnet/librte_net_vnet.so \
	>/dev/null 2>&1 || find "$build" -name 'librte_net_vnet.so' | grep -q .; then
	check build/plugin tests/build/check-plugin.sh "$build"
else
	record fail "build/plugin: librte_net_vnet.so was not built"
fi
if [ "${VNET_SKIP_INTREE:-0}" = 1 ]; then
	record skip build/in-tree "VNET_SKIP_INTREE=1"
else
	check build/in-tree tests/build/check-intree.sh "$build"
fi
# The same tree against DPDK 24.11 in a Debian 13 root: one result per case.
if [ "${VNET_SKIP_DPDK24:-0}" = 1 ]; then
	record skip build-dpdk24 "VNET_SKIP_DPDK24=1"
else
	tier_cases build-dpdk24 tests/build/check-dpdk24.sh
fi

# ---- unit tier ----
meson_suite "$build" unit unit
mkdir -p "$asan"
if [ ! -f "$asan/build.ninja" ]; then
	check unit-asan/meson-setup meson setup "$asan" -Ddriver=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized
fi
if check unit-asan/ninja ninja -C "$asan"; then
	meson_suite "$asan" unit unit-asan
fi

# ---- fuzz tier: libFuzzer on both ring cores (clang, installed like the other deps) ----
if ! bash config/install-deps.sh --fuzz >"$logs/fuzz-deps.log" 2>&1; then
	record skip fuzz "clang could not be installed (see $logs/fuzz-deps.log)"
else
	VNET_FUZZ_BUILD=${build}-fuzz tests/fuzz/run.sh "${VNET_FUZZ_SECONDS:-45}" \
		>"$logs/fuzz.log" 2>&1
	fuzz_rc=$?
	if [ $fuzz_rc -eq 77 ]; then
		record skip fuzz "$(sed -n 's/^SKIP fuzz: //p' "$logs/fuzz.log")"
	else
		while read -r verdict name rest; do
			[ "$verdict" = PASS ] && record pass "fuzz/${name%:}" ||
				record fail "fuzz/${name%:}: $rest"
		done < <(grep -E '^(PASS|FAIL) ' "$logs/fuzz.log")
		if [ $fuzz_rc -ne 0 ]; then
			grep -q '^FAIL ' "$logs/fuzz.log" || record fail "fuzz: run.sh exit $fuzz_rc"
			echo "----- tail of $logs/fuzz.log -----"
			tail -n 40 "$logs/fuzz.log"
			echo "-----"
		fi
	fi
fi

# ---- host tier: net_vnet_user against DPDK's net_vhost ----
if [ -x tests/vhost/run.sh ]; then
	tier_cases host tests/vhost/run.sh
else
	record skip host "tests/vhost/run.sh missing"
fi

# ---- guest tier: QEMU guests (TCG unless KVM really works) ----
if [ -x tests/qemu/run.sh ]; then
	tier_cases guest tests/qemu/run.sh
else
	record skip guest "tests/qemu/run.sh missing"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
