#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vnet against DPDK 24.11 LTS, from a Debian 12 host: builds and tests in a Debian 13 (trixie)
# root, whose libdpdk-dev is DPDK 24.11.x.
#   tests/build/check-dpdk24.sh [BUILD_DIR]
# Prints one "PASS name ...", "FAIL name ..." or "SKIP name: reason" line per case and exits 0
# only if no case failed. Logs go to BUILD_DIR/test-logs/dpdk24 (default
# /var/tmp/vnet-dpdk24-logs); each failure also shows the tail of its log.
#
# The root lives in /var/cache/vnet/trixie-root and is created on first use (debootstrap
# trixie from the mirror in /etc/apt/sources.list.d/debian.sources, then the packages below;
# a few minutes and ~1.1 GB), built in a temporary directory that is renamed once complete, so
# an interrupted run is never reused. The run holds /var/cache/vnet/trixie-root.lock. The root
# gets proc, sysfs, /run (tmpfs) and a private tmpfs /dev (a few device nodes, its own devpts,
# /dev/shm and hugetlbfs), all inside a private mount namespace and unmounted on exit; the
# host's /dev is never bound (other processes use its hugepages). The vnet tree (tracked and
# untracked files of this checkout, no build directories; or, with VNET_DPDK24_REV=<commit>,
# git archive of that commit) is copied to /root/vnet/src and built in /root/vnet/build* inside
# the root.
#
# Cases:
#   always              unit/<test> (-Ddriver=disabled, EAL-free), unit-asan/<test> (ASan +
#                       UBSan), perf-app (dpdk-test-vnet compiled against 24.11's public headers
#                       only, linked, and run for 1 s on net_null), compat-header (compile and
#                       link probe of drivers/net/vnet/vnet_compat.h)
#   with an SDK source  plugin-build (meson + ninja with the driver), check-plugin
#                       (tests/build/check-plugin.sh), in-tree (tests/build/check-intree.sh in
#                       the SDK source's DPDK tree; VNET_SKIP_INTREE=1 skips it) and
#                       host/<case> (tests/vhost/run.sh against 24.11's own net_vhost).
#                       The SDK source is Debian's source of the root's libdpdk-dev
#                       (config/dpdk-sdk.sh) or VNET_DPDK24_SRC_TARBALL
#                       (else VNET_DPDK_SRC_TARBALL), a DPDK 24.11.x source tarball on the
#                       host, copied into the root and passed to config/dpdk-sdk.sh there as
#                       VNET_DPDK_SRC_TARBALL. (tests/run-all.sh: use VNET_DPDK24_SRC_TARBALL,
#                       which the host's own 22.11 build does not see.)
#                       Without one, these are SKIPped with the reason dpdk-sdk.sh gave.
# VNET_DPDK24_ROOT_ONLY=1 only creates (or updates) the root and exits.
# Needs root, the Debian mirror (first run, and each run without VNET_DPDK_SRC_TARBALL, to look
# for Debian's source), and for the host tier 400 free 2 MB hugepages (tests/vhost/run.sh
# raises nr_hugepages by what is missing, never lowers it).
set -uo pipefail
# The whole script is one compound command, read before it runs: editing this file during a
# run cannot change what the run does.
{

here=$(cd "$(dirname "$0")/../.." && pwd)
self=$here/tests/build/check-dpdk24.sh

[ "$(id -u)" -eq 0 ] || {
	echo "FAIL dpdk24-setup: must run as root (debootstrap, chroot, mounts)"
	exit 1
}
# Every mount below happens in a private mount namespace: the host never sees them, and they
# vanish with the namespace even if this script is killed.
if [ "${VNET_DPDK24_NS:-}" != inside ]; then
	command -v unshare >/dev/null || {
		echo "FAIL dpdk24-setup: unshare (util-linux) not found"
		exit 1
	}
	VNET_DPDK24_NS=inside exec unshare --mount --propagation private -- \
		/bin/bash "$self" "$@"
fi

t_all=$SECONDS
cache=/var/cache/vnet
root=$cache/trixie-root
suite=trixie
# The package list verified in doc ENVIRONMENT.md ("DPDK 24.11 / Debian 13").
pkgs=(dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config python3-pyelftools gcc libc6-dev
	xz-utils dpkg-dev)
logs=${1:+$1/test-logs/dpdk24}
logs=${logs:-/var/tmp/vnet-dpdk24-logs}
mkdir -p "$logs" || {
	echo "FAIL dpdk24-setup: cannot create $logs"
	exit 1
}
logs=$(cd "$logs" && pwd)

passed=0 failed=0 skipped=0
# pass NAME DETAIL...
pass() {
	passed=$((passed + 1))
	echo "PASS $1${2:+ ${*:2}}"
}
# fail NAME DETAIL [LOG]
fail() {
	failed=$((failed + 1))
	echo "FAIL $1${2:+ $2}"
	if [ -n "${3:-}" ] && [ -f "$3" ]; then
		# Indented: a log's own PASS/FAIL lines must not read as cases of this script.
		echo "----- tail of $3 -----"
		tail -n 30 "$3" | sed 's/^/  /'
		echo "-----"
	fi
}
skip() {
	skipped=$((skipped + 1))
	echo "SKIP $1: $2"
}
summary() {
	echo "check-dpdk24: $passed passed, $failed failed, $skipped skipped in" \
		"$((SECONDS - t_all)) s${root_note:+ ($root_note)}"
}
root_note=
root_override=

# ---- mounts -------------------------------------------------------------------------------

mounts=()
# mnt TYPE SOURCE DIR OPTIONS
mnt() {
	mkdir -p "$3" && mount -t "$1" -o "$4" "$2" "$3" && mounts+=("$3")
}
umount_all() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null
	done
	mounts=()
}
# mount_root DIR: proc, sysfs, /run and a private /dev for the root at DIR.
mount_root() {
	local r=$1 n
	mnt proc proc "$r/proc" nosuid,nodev,noexec &&
		mnt sysfs sysfs "$r/sys" nosuid,nodev,noexec &&
		mnt tmpfs vnet-run "$r/run" mode=0755,nosuid,nodev,size=256m &&
		mnt tmpfs vnet-dev "$r/dev" mode=0755,nosuid,size=16m || return 1
	mknod -m 0666 "$r/dev/null" c 1 3 &&
		mknod -m 0666 "$r/dev/zero" c 1 5 &&
		mknod -m 0666 "$r/dev/full" c 1 7 &&
		mknod -m 0666 "$r/dev/random" c 1 8 &&
		mknod -m 0666 "$r/dev/urandom" c 1 9 &&
		mknod -m 0666 "$r/dev/tty" c 5 0 || return 1
	mnt devpts devpts "$r/dev/pts" newinstance,ptmxmode=0666,mode=0620,gid=5 &&
		ln -s pts/ptmx "$r/dev/ptmx" &&
		mnt tmpfs vnet-shm "$r/dev/shm" mode=1777,nosuid,nodev &&
		mnt hugetlbfs nodev "$r/dev/hugepages" mode=0755 || return 1
	ln -s /proc/self/fd "$r/dev/fd"
	for n in 0:stdin 1:stdout 2:stderr; do
		ln -s "/proc/self/fd/${n%%:*}" "$r/dev/${n#*:}"
	done
}
trap umount_all EXIT
trap 'exit 130' INT TERM

# in_root DIR LOG CMD...: run CMD (a bash -c script) in the root at DIR with a clean
# environment (plus VNET_DPDK_SRC_TARBALL when given), output appended to LOG.
in_root() {
	local r=$1 log=$2
	shift 2
	chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive ${root_override:+VNET_DPDK_SRC_TARBALL=$root_override} \
		/bin/bash -c "$*" >>"$log" 2>&1 </dev/null
}

# ---- the root -----------------------------------------------------------------------------

mkdir -p "$cache"
exec 8>"$root.lock"
if ! flock -w 3600 8; then
	echo "FAIL dpdk24-setup: $root.lock held by another run for an hour"
	exit 1
fi
# Half-made roots of interrupted runs (no other run is using them: we hold the lock).
rm -rf "$root".new.*

mirror_uri() {
	local f=/etc/apt/sources.list.d/debian.sources u=
	if [ -f "$f" ]; then
		u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
			"$f")
	elif [ -f /etc/apt/sources.list ]; then
		u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
			if ($i !~ /security/) { print $i; exit } } }' /etc/apt/sources.list)
	fi
	echo "${u:-http://deb.debian.org/debian}"
}

create_root() {
	local log=$logs/root-create.log t0=$SECONDS tmp mirror
	: >"$log"
	if ! command -v debootstrap >/dev/null; then
		echo "+ apt-get install debootstrap" >>"$log"
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends debootstrap; } >>"$log" 2>&1 || return 1
	fi
	tmp=$(mktemp -d "$root.new.XXXXXX") || return 1
	chmod 0755 "$tmp"
	mirror=$(mirror_uri)
	echo "+ debootstrap $suite $tmp $mirror" >>"$log"
	timeout 1800 debootstrap "$suite" "$tmp" "$mirror" >>"$log" 2>&1 || return 1
	echo "debootstrap: $((SECONDS - t0)) s" >>"$log"
	mount_root "$tmp" || return 1
	echo "+ apt-get install --no-install-recommends ${pkgs[*]}" >>"$log"
	in_root "$tmp" "$log" "apt-get update -q && apt-get install -y -q --no-install-recommends" \
		"${pkgs[*]} && apt-get clean" || { umount_all; return 1; }
	umount_all
	printf '%s\n' "${pkgs[@]}" >"$tmp/.vnet-packages"
	mv "$tmp" "$root" || return 1
	root_note="root created in $((SECONDS - t0)) s, $(du -sx --block-size=1M "$root" |
		cut -f1) MB"
	echo "$root_note" >>"$log"
}

if [ ! -f "$root/.vnet-packages" ]; then
	echo "creating the Debian 13 root $root (first run: a few minutes, ~1.1 GB)"
	if ! create_root; then
		umount_all
		fail dpdk24-setup "could not create the trixie root" "$logs/root-create.log"
		summary
		exit 1
	fi
	echo "$root_note"
else
	root_note="root reused"
fi
mount_root "$root" || {
	fail dpdk24-setup "could not mount proc, sysfs, /run and /dev in $root"
	summary
	exit 1
}
# A package list changed since the root was made: install what is missing.
if [ "$(printf '%s\n' "${pkgs[@]}")" != "$(cat "$root/.vnet-packages")" ]; then
	if in_root "$root" "$logs/root-update.log" "apt-get update -q && apt-get install -y -q" \
		"--no-install-recommends ${pkgs[*]} && apt-get clean"; then
		printf '%s\n' "${pkgs[@]}" >"$root/.vnet-packages"
	else
		fail dpdk24-setup "could not install ${pkgs[*]} in $root" "$logs/root-update.log"
		summary
		exit 1
	fi
fi
dpdk_ver=$(chroot "$root" pkg-config --modversion libdpdk 2>/dev/null)
echo "root $root: Debian $(cat "$root/etc/debian_version"), DPDK ${dpdk_ver:-?}," \
	"$(chroot "$root" gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /')," \
	"meson $(chroot "$root" meson --version 2>/dev/null)"
case $dpdk_ver in
24.11*) ;;
*)
	fail dpdk24-setup "the root's libdpdk is '${dpdk_ver:-none}', not 24.11.x"
	summary
	exit 1
	;;
esac

if [ "${VNET_DPDK24_ROOT_ONLY:-0}" = 1 ]; then
	echo "check-dpdk24: root ready ($root_note), VNET_DPDK24_ROOT_ONLY=1: no case run"
	exit 0
fi

# ---- the vnet tree ------------------------------------------------------------------------

w=/root/vnet
rm -rf "${root:?}$w"
mkdir -p "$root$w/src"
copy_log=$logs/copy.log
if [ -n "${VNET_DPDK24_REV:-}" ]; then
	git -C "$here" archive "$VNET_DPDK24_REV" | tar -C "$root$w/src" -xf - 2>"$copy_log"
elif git -C "$here" rev-parse --show-toplevel >/dev/null 2>&1; then
	# Tracked and untracked files, not ignored ones; never a build directory.
	git -C "$here" ls-files -z -co --exclude-standard |
		/usr/bin/python3 -c '
import os, sys
root = sys.argv[1]
for p in sys.stdin.buffer.read().split(b"\0"):
    top = p.split(b"/")[0]
    if p and os.path.isfile(os.path.join(root.encode(), p)) and \
            not os.path.isdir(os.path.join(root.encode(), top, b"meson-private")):
        sys.stdout.buffer.write(p + b"\0")
' "$here" | tar -C "$here" --null -T - -cf - | tar -C "$root$w/src" -xf - 2>"$copy_log"
else
	tar -C "$here" --exclude-vcs --exclude='./build*' -cf - . |
		tar -C "$root$w/src" -xf - 2>"$copy_log"
fi
[ -f "$root$w/src/meson.build" ] || {
	fail dpdk24-setup "copying the vnet tree into the root failed" "$copy_log"
	summary
	exit 1
}

root_override=
src_tarball=${VNET_DPDK24_SRC_TARBALL:-${VNET_DPDK_SRC_TARBALL:-}}
if [ -n "$src_tarball" ]; then
	if [ -f "$src_tarball" ]; then
		mkdir -p "$root$w/sdk-src"
		cp "$src_tarball" "$root$w/sdk-src/"
		root_override=$w/sdk-src/$(basename "$src_tarball")
	else
		root_override=$src_tarball # dpdk-sdk.sh names the problem
	fi
fi

# ---- cases --------------------------------------------------------------------------------

# unit_suite BUILD PREFIX LOG: one line per test of meson's testlog.json
unit_suite() {
	local b=$1 prefix=$2 log=$3 json name result dur
	in_root "$root" "$log" "cd $w/src && meson test -C $b --suite unit --print-errorlogs" \
		"--num-processes 1"
	json=$root$b/meson-logs/testlog.json
	if [ ! -s "$json" ]; then
		fail "$prefix" "meson test produced no results" "$log"
		return
	fi
	while IFS=$'\t' read -r name result dur; do
		case $result in
		OK) pass "$prefix/$name" "(${dur}s)" ;;
		SKIP) skip "$prefix/$name" "the test reported skip" ;;
		*) fail "$prefix/$name" "($result, ${dur}s)" "$log" ;;
		esac
	done < <(/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print("%s\t%s\t%.0f" % (t["name"], t["result"], t.get("duration", 0)))
' "$json")
}

# unit UBSAN(0|1): the EAL-free unit tier
unit() {
	local b prefix log opts t0=$SECONDS
	if [ "$1" = 1 ]; then
		b=$w/build-asan prefix=unit-asan
		opts="-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized"
	else
		b=$w/build-ut prefix=unit opts=
	fi
	log=$logs/$prefix.log
	: >"$log"
	if ! in_root "$root" "$log" "cd $w/src && meson setup $b -Ddriver=disabled $opts &&" \
		"ninja -C $b"; then
		fail "$prefix" "(meson setup / ninja with -Ddriver=disabled failed)" "$log"
		return
	fi
	unit_suite "$b" "$prefix" "$log"
	echo "$prefix: $((SECONDS - t0)) s" >>"$log"
}

# The flags of the top-level meson.build (warning_level=2 and DPDK's extra warnings).
warn_flags="-Wall -Wextra -Wcast-qual -Wdeprecated -Wformat -Wformat-nonliteral"
warn_flags+=" -Wformat-security -Wmissing-declarations -Wmissing-prototypes -Wnested-externs"
warn_flags+=" -Wold-style-definition -Wpointer-arith -Wsign-compare -Wstrict-prototypes -Wundef"
warn_flags+=" -Wwrite-strings -Wno-missing-field-initializers -Wno-address-of-packed-member"
warn_flags+=" -Wno-packed-not-aligned"

# perf-app: dpdk-test-vnet needs only DPDK's public headers, so it is built here without meson
# (whose driver build needs the SDK headers), then run for one second on net_null.
perf_app() {
	local log=$logs/perf-app.log d=$w/perf t0=$SECONDS nwarn
	: >"$log"
	if ! in_root "$root" "$log" "set -e; mkdir -p $d; cd $w/src/app/test-vnet;" \
		"for f in test_vnet_main test_vnet_options test_vnet_modes test_vnet_stats" \
		"test_vnet_output; do echo + cc \$f.c; cc -std=c11 -D_GNU_SOURCE -O2 $warn_flags" \
		"\$(pkg-config --cflags libdpdk) -c \$f.c -o $d/\$f.o; done;" \
		"cc -o $d/dpdk-test-vnet $d/*.o \$(pkg-config --libs libdpdk) -lm -pthread"; then
		fail perf-app "(compiling dpdk-test-vnet against DPDK $dpdk_ver failed)" "$log"
		return
	fi
	nwarn=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: warning:' "$log")
	if ! in_root "$root" "$log" "timeout 60 $d/dpdk-test-vnet -l 0,1 --no-pci --no-huge" \
		"-m 128 --file-prefix vnet24perf --vdev net_null0 -- --mode txonly --duration 1" \
		"--warmup 0 --quiet"; then
		fail perf-app "(built with $nwarn warnings, but the 1 s net_null run failed)" "$log"
		return
	fi
	pass perf-app "(DPDK $dpdk_ver public headers, $nwarn compiler warnings, 1 s txonly on" \
		"net_null ran; $((SECONDS - t0))s)"
}

# compat-header: vnet_compat.h compiles without warnings against 24.11 and its calls link.
compat_header() {
	local log=$logs/compat-header.log h=$w/src/drivers/net/vnet/vnet_compat.h
	: >"$log"
	if [ ! -f "$root$h" ]; then
		skip compat-header "drivers/net/vnet/vnet_compat.h does not exist yet"
		return
	fi
	local probe='#include "vnet_compat.h"
int main(void);
'
	if grep -q 'vnet_thread_create(' "$root$h" && grep -q 'vnet_thread_join(' "$root$h"; then
		probe+='static vnet_thread_ret_t fn(void *arg) { (void)arg; return VNET_THREAD_RET_OK; }
int main(void)
{
	vnet_thread_t t;
	/* Link check only: EAL is not initialised, so the calls are not made. */
	if (VNET_THREAD_NAME_MAX > 1000 && vnet_thread_create(&t, "vnet-probe", fn, 0) == 0)
		vnet_thread_join(t);
	return 0;
}
'
	else
		probe+='int main(void) { return 0; }
'
	fi
	printf '%s' "$probe" >"$root$w/compat-probe.c"
	if in_root "$root" "$log" "cd $w && cc -std=c11 -D_GNU_SOURCE -Werror $warn_flags" \
		"-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API -I$w/src/drivers/net/vnet" \
		"\$(pkg-config --cflags libdpdk) compat-probe.c -o compat-probe" \
		"\$(pkg-config --libs libdpdk)"; then
		pass compat-header "(compiles with -Werror and links against DPDK $dpdk_ver)"
	else
		fail compat-header "(does not compile or link against DPDK $dpdk_ver)" "$log"
	fi
}

unit 0
unit 1
perf_app
compat_header

# SDK source: Debian's (config/dpdk-sdk.sh looks for it in the root) or the override.
sdk_log=$logs/sdk-source.log
: >"$sdk_log"
sdk_reason=
if in_root "$root" "$sdk_log" "bash $w/src/config/dpdk-sdk.sh --tarball"; then
	sdk_src=$(tail -n 1 "$sdk_log")
	if [ -n "$root_override" ]; then
		pass sdk-override "(VNET_DPDK_SRC_TARBALL=$src_tarball accepted for DPDK" \
			"$dpdk_ver$(grep -q 'warning:' "$sdk_log" && echo ', another release: warned'))"
	fi
	echo "SDK source: $sdk_src"
else
	# Its message without the override hint (which names the variable of a direct build).
	sdk_reason=$(grep -m 1 'vnet-dpdk-sdk: error:' "$sdk_log" |
		sed -e 's/^vnet-dpdk-sdk: error: //' -e 's/; to build with the driver-SDK headers.*//')
	sdk_reason=${sdk_reason:-config/dpdk-sdk.sh --tarball failed (see $sdk_log)}
	[ -n "$root_override" ] ||
		sdk_reason+="; give a DPDK ${dpdk_ver%.*}.x source tarball as VNET_DPDK24_SRC_TARBALL"
	if [ -n "$root_override" ]; then
		fail sdk-override "$sdk_reason" "$sdk_log"
	fi
fi

driver_cases=(plugin-build check-plugin in-tree host)
if [ -n "$sdk_reason" ] && [ -z "$root_override" ]; then
	for c in "${driver_cases[@]}"; do
		skip "$c" "no DPDK $dpdk_ver driver-SDK source: $sdk_reason"
	done
elif [ -n "$sdk_reason" ]; then
	for c in "${driver_cases[@]}"; do
		fail "$c" "(not run: VNET_DPDK_SRC_TARBALL was refused)"
	done
else
	b=$w/build
	log=$logs/plugin-build.log
	: >"$log"
	t0=$SECONDS
	if in_root "$root" "$log" "cd $w/src && meson setup $b --buildtype=release && ninja -C $b"; then
		nwarn=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: warning:' "$log")
		pass plugin-build "(DPDK $dpdk_ver, SDK from $(basename "$sdk_src")," \
			"$nwarn compiler warnings, $((SECONDS - t0))s)"
		log=$logs/check-plugin.log
		: >"$log"
		if in_root "$root" "$log" "bash $w/src/tests/build/check-plugin.sh $b"; then
			pass check-plugin "($(grep -c '^PASS' "$log") checks)"
		else
			fail check-plugin "" "$log"
		fi
		log=$logs/in-tree.log
		: >"$log"
		if [ "${VNET_SKIP_INTREE:-0}" = 1 ]; then
			skip in-tree "VNET_SKIP_INTREE=1"
		elif in_root "$root" "$log" "bash $w/src/tests/build/check-intree.sh $b"; then
			pass in-tree "($(grep -o 'librte_net_vnet\.so\.[0-9.]*' "$log" | tail -n 1)," \
				"$(grep -oE '\([0-9]+ s\)' "$log" | tail -n 1 | tr -d '()'))"
		else
			fail in-tree "" "$log"
		fi
		log=$logs/host.log
		: >"$log"
		hp=/sys/kernel/mm/hugepages/hugepages-2048kB
		echo "host tier: 2 MB hugepages $(cat $hp/free_hugepages) free of" \
			"$(cat $hp/nr_hugepages) before the run"
		t0=$SECONDS
		in_root "$root" "$log" "timeout -k 10 3600 bash $w/src/tests/vhost/run.sh $b"
		rc=$?
		n=0
		while read -r verdict name rest; do
			case $verdict in
			PASS) pass "host/$name" "$rest"; n=$((n + 1)) ;;
			FAIL) failed=$((failed + 1)); echo "FAIL host/$name $rest"; n=$((n + 1)) ;;
			SKIP) skip "host/${name%:}" "$rest"; n=$((n + 1)) ;;
			esac
		done < <(grep -E '^(PASS|FAIL|SKIP) ' "$log")
		if [ $rc -ne 0 ] || [ $n -eq 0 ]; then
			[ $n -eq 0 ] && fail host "(no case ran, exit $rc)"
			echo "----- host tier log without the passing cases ($log) -----"
			grep -vE '^(PASS |VHOST_CONFIG)' "$log" | tail -n 60 | sed 's/^/  /'
			echo "-----"
		fi
		echo "host tier: $n cases in $((SECONDS - t0)) s"
	else
		fail plugin-build "(meson setup / ninja with the driver failed)" "$log"
		fail check-plugin "(not run: the plugin was not built)"
		fail in-tree "(not run: the plugin was not built)"
		fail host "(not run: the plugin was not built)"
	fi
fi

summary
[ "$failed" -eq 0 ]
exit
}
