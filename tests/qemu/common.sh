# SPDX-License-Identifier: BSD-3-Clause
# Host-side helpers shared by tests/qemu/run.sh and tests/qemu/kick-bench.sh (bash, sourced).
#
# After qg_init BUILD_DIR:
#   QG_DIR       BUILD_DIR/qemu (guest files in $QG_DIR/guest, one dir per case run)
#   QG_ACCEL     "-accel tcg -cpu max" or "-accel kvm -cpu host"
#   QG_DRIVER    virtio | vnet   (env VNET_GUEST_DRIVER)
#   QG_DRVNAME   net_virtio | net_vnet
#   QG_PLUGIN    path of librte_net_vnet.so when QG_DRIVER=vnet

QG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QG_QEMU=qemu-system-x86_64
# Where vnet's plugin goes in the guest (root-owned 0755 dirs, not pmds-23.0).
QG_GUEST_PLUGIN=/opt/vnet/librte_net_vnet.so

qg_log() { echo "qemu: $*" >&2; }

# qg_find_plugin BUILD_DIR: path of librte_net_vnet.so in the build dir, or nothing
qg_find_plugin() {
	if [ -f "$1/librte_net_vnet.so" ]; then
		echo "$1/librte_net_vnet.so"
	else
		find "$1" -name librte_net_vnet.so -type f 2>/dev/null | head -1
	fi
}

# Driver when VNET_GUEST_DRIVER is unset. "virtio" until vnet's virtio-pci probe claims
# devices; then flip to "auto" (= vnet if BUILD_DIR has librte_net_vnet.so, else virtio).
QG_DEFAULT_DRIVER=auto

# qg_init BUILD_DIR [DRIVER]: build/refresh the guest files, pick the accelerator.
qg_init() {
	local build=$1
	QG_DRIVER=${2:-${VNET_GUEST_DRIVER:-$QG_DEFAULT_DRIVER}}
	if [ "$QG_DRIVER" = auto ]; then
		QG_DRIVER=virtio
		[ -n "$(qg_find_plugin "$build")" ] && QG_DRIVER=vnet
	fi
	mkdir -p "$build/qemu"
	QG_DIR=$(cd "$build/qemu" && pwd)
	QG_PLUGIN=
	local gb_args=()
	case "$QG_DRIVER" in
	virtio) QG_DRVNAME=net_virtio ;;
	vnet)
		QG_DRVNAME=net_vnet
		QG_PLUGIN=$(qg_find_plugin "$build")
		if [ -z "$QG_PLUGIN" ]; then
			qg_log "VNET_GUEST_DRIVER=vnet but no librte_net_vnet.so under $build"
			return 1
		fi
		gb_args=(--plugin "$QG_PLUGIN")
		;;
	*) qg_log "VNET_GUEST_DRIVER must be virtio or vnet, not '$QG_DRIVER'"; return 1 ;;
	esac
	"$QG_HERE/guest-build.sh" "${gb_args[@]}" "$QG_DIR/guest" || return 1
	qg_pick_accel
}

# qg_pick_accel: KVM only if the CPU advertises vmx/svm AND a short probe boot works
# (kvm_pvm here exposes /dev/kvm but cannot run these guests), else TCG.
qg_pick_accel() {
	QG_ACCEL="-accel tcg -cpu max"
	[ "${VNET_QEMU_ACCEL:-}" = tcg ] && return 0
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ]; then
		local d=$QG_DIR/kvm-probe
		rm -rf "$d"
		mkdir -p "$d"
		printf '. /lib/vnet/lib.sh\nvnet_result kvm-probe PASS\n' >"$d/test.sh"
		qg_initrd "$d" none
		QG_ACCEL="-accel kvm -cpu host"
		if qg_run "$d" 60 "" -smp 1 -machine pc && grep -q "VNET-RESULT kvm-probe PASS" "$d/console.log"; then
			qg_log "accelerator: kvm (probe boot ok)"
			return 0
		fi
		QG_ACCEL="-accel tcg -cpu max"
		qg_log "accelerator: tcg (kvm probe boot failed)"
	else
		qg_log "accelerator: tcg (no vmx/svm in /proc/cpuinfo)"
	fi
}

# qg_header CASE: shell header of a guest test script (driver selection for lib.sh)
qg_header() {
	local dflag=
	[ "$QG_DRIVER" = vnet ] && dflag="-d $QG_GUEST_PLUGIN"
	local devargs=
	[ -n "${VNET_DEVARGS:-}" ] && [ "$QG_DRIVER" = vnet ] && devargs=",${VNET_DEVARGS#,}"
	cat <<-EOF
		VNET_CASE='$1'
		VNET_DFLAG='$dflag'
		VNET_DRIVER='$QG_DRVNAME'
		VNET_DEVARGS='$devargs'
		. /lib/vnet/lib.sh
	EOF
}

# qg_initrd DIR [none]: DIR/initrd = base + driver archive + DIR/test.sh
qg_initrd() {
	local d=$1 g=$QG_DIR/guest parts
	(cd "$d" && mkdir -p c && cp test.sh c/test.sh && cd c &&
		printf '.\ntest.sh\n' | cpio -o -H newc -R 0:0 --quiet >../case.cpio)
	rm -rf "$d/c"
	parts=("$g/base.cpio")
	if [ "${2:-}" != none ]; then
		case "$QG_DRIVER" in
		virtio) parts+=("$g/virtio-pmd.cpio") ;;
		vnet) parts+=("$g/plugin.cpio") ;;
		esac
	fi
	cat "${parts[@]}" "$d/case.cpio" >"$d/initrd"
}

# qg_run DIR TIMEOUT APPEND QEMU_ARGS...: boot the guest (kernel + DIR/initrd), console in
# DIR/console.log, command line in DIR/cmdline. Returns QEMU's status (124 = timed out).
qg_run() {
	local d=$1 t=$2 app=$3 rc
	shift 3
	local cmd=($QG_QEMU $QG_ACCEL -m 1024 -nodefaults -display none -monitor none
		-serial "file:$d/console.log" -no-reboot
		-kernel "$QG_DIR/guest/vmlinuz" -initrd "$d/initrd"
		-append "console=ttyS0 quiet panic=-1 $app" "$@")
	printf '%q ' "${cmd[@]}" >"$d/cmdline"
	echo >>"$d/cmdline"
	: >"$d/console.log"
	timeout -k 5 "$t" "${cmd[@]}" </dev/null >"$d/qemu.out" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "QEMU TIMED OUT after ${t}s" >>"$d/console.log"
	return $rc
}

# qg_nic ID NETDEV_ARGS DEVICE_EXTRA ADDR: -netdev/-device pair for one virtio-net-pci NIC
qg_nic() {
	echo "-netdev $2,id=$1 -device virtio-net-pci,netdev=$1,romfile=,addr=$4${3:+,$3}"
}

# qg_trace_counts FILE: "kicks notifies" lines counted in a QEMU trace log
qg_trace_counts() {
	local k n
	k=$(grep -c 'virtio_queue_notify' "$1" 2>/dev/null)
	n=$(grep -c 'virtio_notify' "$1" 2>/dev/null)
	echo "${k:-0} ${n:-0}"
}

# qg_stats CONSOLE: sum of TX packets over all ports from VNET-STATS lines
qg_tx_total() {
	awk '/^VNET-STATS/ { for (i = 1; i <= NF; i++) if ($i ~ /^tx=/) { sub("tx=", "", $i); s += $i } }
	     END { print s + 0 }' "$1"
}

# qg_peer_start DIR TIMEOUT PEER_ARGS...: start tests/qemu/peer.py in the background (log
# DIR/peer.log, JSON DIR/peer.result) and wait for its UDP port. Sets QG_PEER_PID and
# QG_PEER_NETDEV (the -netdev socket,udp=... arguments for the guest NIC).
qg_peer_start() {
	local d=$1 t=$2 qport i
	shift 2
	qport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	rm -f "$d/peer.port"
	timeout -k 5 "$t" /usr/bin/python3 "$QG_HERE/peer.py" --qemu-port "$qport" \
		--port-file "$d/peer.port" --result "$d/peer.result" "$@" >"$d/peer.log" 2>&1 &
	QG_PEER_PID=$!
	for i in $(seq 50); do [ -s "$d/peer.port" ] && break; sleep 0.1; done
	QG_PEER_NETDEV="socket,udp=127.0.0.1:$(cat "$d/peer.port" 2>/dev/null),localaddr=127.0.0.1:$qport"
}

# qg_pingpong_script NAME DURATION: guest script body for a ping-pong run: one NIC
# (uio_pci_generic), testpmd macswap --port-topology=loop, plain "start" (no tx_first: the
# guest only ever forwards the peer's lone frames), DURATION s. Uses $QG_PP_HMAC as the peer MAC.
qg_pingpong_script() {
	cat <<-EOF
		set -- \$(vnet_nics)
		vnet_bind uio_pci_generic "\$1" || exit 1
		vnet_testpmd /tmp/tp.log $2 0 -l 0,1 -n 1 --file-prefix tp \$(vnet_a "\$1") -- \\
			--total-num-mbufs=4096 --forward-mode=macswap --port-topology=loop --eth-peer=0,$QG_PP_HMAC
		vnet_check_driver /tmp/tp.log 1 || exit 1
	EOF
}
QG_PP_GMAC=52:54:00:00:00:10
QG_PP_HMAC=02:00:00:00:00:99

# qg_json_get FILE KEY.KEY...: a value from a JSON file (empty if missing)
qg_json_get() {
	/usr/bin/python3 - "$@" <<-'EOF' 2>/dev/null
		import json, sys
		v = json.load(open(sys.argv[1]))
		for k in sys.argv[2].split("."):
		    v = v[k]
		print(v)
	EOF
}

# ---- tap offload boot (run.sh tap_offload_case, tcp-bench.sh) ----
# Six virtio-net-pci NICs on tap backends with vnet_hdr=on, in three pairs; pair N's taps
# <prefix>aN / <prefix>bN go into the namespaces QG_OFF_NSA / QG_OFF_NSB (10.77.N.1 / .2,
# MACs 02:77:00:00:0N:0a / 0b, static neighbours, no IPv6, tcp_no_metrics_save=1). Pair 1:
# defaults; pair 2: host_mtu=9000,mrg_rxbuf=on; pair 3: host_mtu=9000,mrg_rxbuf=off.
# tests/qemu/offnet.py serve (root namespace, ip netns exec per action) moves the traffic when
# guest/offload-test.sh asks. Host tools: tcpdump, ethtool, iproute2 (nstat), iperf3.
QG_OFF_NSA= QG_OFF_NSB= QG_OFF_PPID= QG_OFF_DIR=
qg_offload_tools() {
	local p missing=()
	for p in tcpdump ethtool iproute2 iperf3 iputils-ping python3; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	qg_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
}
qg_offload_cleanup() {
	local p
	if [ -n "$QG_OFF_DIR" ] && [ -s "$QG_OFF_DIR/qemu.pid" ]; then
		p=$(cat "$QG_OFF_DIR/qemu.pid")
		kill -0 "$p" 2>/dev/null && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "${QG_QEMU##*/}" ] &&
			kill "$p" 2>/dev/null
	fi
	[ -n "$QG_OFF_PPID" ] && kill "$QG_OFF_PPID" 2>/dev/null
	[ -n "$QG_OFF_NSA" ] && ip netns del "$QG_OFF_NSA" 2>/dev/null
	[ -n "$QG_OFF_NSB" ] && ip netns del "$QG_OFF_NSB" 2>/dev/null
	QG_OFF_NSA= QG_OFF_NSB= QG_OFF_PPID= QG_OFF_DIR=
}
# qg_offload_boot DIR TIMEOUT: boot DIR/initrd (test.sh = header + P1A..P3B + SESSIONS +
# guest/offload-test.sh), run offnet.py serve, wait. The caller traps qg_offload_cleanup.
# Logs: DIR/console.log, DIR/peer.log (offnet.py serve), DIR/host.json, DIR/*.pcap.
QG_OFF_BDFS="P1A=0000:00:10.0 P1B=0000:00:11.0 P2A=0000:00:12.0 P2B=0000:00:13.0 P3A=0000:00:14.0 P3B=0000:00:15.0"
qg_offload_boot() {
	local d=$1 t=$2 pre=vo$$ i n s qpid nics=() tapo="script=no,downscript=no,vnet_hdr=on,vhost=off"
	local -A nicx=([1]="" [2]=",host_mtu=9000,mrg_rxbuf=on" [3]=",host_mtu=9000,mrg_rxbuf=off")
	QG_OFF_NSA=vnoa$$ QG_OFF_NSB=vnob$$ QG_OFF_DIR=$d
	rm -f "$d/qemu.pid" "$d/host.json" "$d"/*.pcap
	for s in "$QG_OFF_NSA" "$QG_OFF_NSB"; do
		ip netns del "$s" 2>/dev/null
		ip netns add "$s" || return 1
		ip netns exec "$s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.tcp_no_metrics_save=1
		ip -n "$s" link set lo up
	done
	for n in 1 2 3; do
		for s in a b; do
			i=$(printf '0x%x' $((0x10 + (n - 1) * 2)))
			[ $s = b ] && i=$(printf '0x%x' $((0x10 + (n - 1) * 2 + 1)))
			nics+=(-netdev "tap,id=o$s$n,ifname=$pre$s$n,$tapo"
				-device "virtio-net-pci,netdev=o$s$n,romfile=,addr=$i,mac=52:54:00:77:0$n:0$s${nicx[$n]}")
		done
	done
	qg_run "$d" "$t" "vnet.vfio=none" -smp 2 -machine pc "${nics[@]}" \
		-serial "unix:$d/ctl.sock,server=on,wait=off" -pidfile "$d/qemu.pid" &
	qpid=$!
	for i in $(seq 150); do
		n=0
		for s in a1 b1 a2 b2 a3 b3; do ip link show "$pre$s" >/dev/null 2>&1 && n=$((n + 1)); done
		[ $n -eq 6 ] && break
		sleep 0.1
	done
	for n in 1 2 3; do
		local ta=${pre}a$n tb=${pre}b$n ma=02:77:00:00:0$n:0a mb=02:77:00:00:0$n:0b
		ip link set "$ta" netns "$QG_OFF_NSA" && ip link set "$tb" netns "$QG_OFF_NSB" ||
			echo "qemu: cannot move taps $ta/$tb into the namespaces" >>"$d/peer.log"
		ip -n "$QG_OFF_NSA" link set "$ta" address $ma
		ip -n "$QG_OFF_NSB" link set "$tb" address $mb
		[ $n -gt 1 ] && ip -n "$QG_OFF_NSA" link set "$ta" mtu 9000 && ip -n "$QG_OFF_NSB" link set "$tb" mtu 9000
		ip -n "$QG_OFF_NSA" addr add 10.77.$n.1/24 dev "$ta"
		ip -n "$QG_OFF_NSB" addr add 10.77.$n.2/24 dev "$tb"
		ip -n "$QG_OFF_NSA" link set "$ta" up
		ip -n "$QG_OFF_NSB" link set "$tb" up
		ip -n "$QG_OFF_NSA" neigh replace 10.77.$n.2 lladdr $mb dev "$ta" nud permanent
		ip -n "$QG_OFF_NSB" neigh replace 10.77.$n.1 lladdr $ma dev "$tb" nud permanent
	done
	timeout -k 5 $((t + 10)) /usr/bin/python3 "$QG_HERE/offnet.py" serve --console "$d/console.log" \
		--ctl "$d/ctl.sock" --record "$d/host.json" --workdir "$d" --nsa "$QG_OFF_NSA" \
		--nsb "$QG_OFF_NSB" --prefix "$pre" --timeout "$t" \
		--bench-seconds "${VNET_BENCH_SECONDS:-10}" --bench-rate "${VNET_BENCH_RATE:-}" \
		>>"$d/peer.log" 2>&1 &
	QG_OFF_PPID=$!
	wait "$qpid"
	local qrc=$?
	for i in $(seq 50); do kill -0 "$QG_OFF_PPID" 2>/dev/null || break; sleep 0.1; done
	kill "$QG_OFF_PPID" 2>/dev/null
	wait "$QG_OFF_PPID"
	QG_OFF_PPID=
	return $qrc
}
