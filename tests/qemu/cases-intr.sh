# SPDX-License-Identifier: BSD-3-Clause
#
# Guest tier, interrupts (sourced by tests/qemu/run.sh; uses its helpers). One boot, vnet only:
#   lsc-vfio      testpmd (LSC on by default: dev_flags has RTE_ETH_DEV_INTR_LSC) on a tap NIC
#                 bound to vfio-pci (config changes on MSI-X vector 0): QMP set_link off, on ->
#                 "Port 0: link state change event" each time within 10 s (latency printed)
#   lsc-uio       the same testpmd, port 1 on uio_pci_generic (INTx: the ISR register tells a
#                 config change from a queue interrupt)
#   announce      mac_addr add + mac_addr set on the tap NIC, QMP announce-self: RARPs from
#                 both MACs (QEMU sends only the NIC's configured one) on the host side of the
#                 tap, and QEMU's virtio_net_handle_announce trace (the driver's ack)
#   l3fwd-power   dpdk-l3fwd-power --interrupt-only on a legacy-only NIC (vfio MSI-X: the
#                 legacy config moves by 4 bytes), peer testpmd csum on a hub: sleeps and wakes,
#                 no wake-up while idle, every frame forwarded
#   l3fwd-power-recover  l3fwd-power on a modern vfio NIC with test_bad_desc_ms: the device sets
#                 DEVICE_NEEDS_RESET while the lcore sleeps on its RX interrupt; after the
#                 recovery, traffic wakes it and every frame is forwarded (vfio eventfds kept)
#   rxq-intr-uio  l3fwd-power on the uio NIC: refused with a clear error
# Guest script: guest/intr-test.sh; host side: intrnet.py (QMP, tap capture, verdict).

QG_INTR_CASES=(lsc-vfio lsc-uio announce l3fwd-power l3fwd-power-recover rxq-intr-uio)
intr_ns= intr_ppid= intr_dir=
intr_cleanup() {
	local p
	if [ -n "$intr_dir" ] && [ -s "$intr_dir/qemu.pid" ]; then
		p=$(cat "$intr_dir/qemu.pid")
		kill -0 "$p" 2>/dev/null && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "${QG_QEMU##*/}" ] &&
			kill "$p" 2>/dev/null
	fi
	[ -n "$intr_ppid" ] && kill "$intr_ppid" 2>/dev/null
	[ -n "$intr_ns" ] && ip netns del "$intr_ns" 2>/dev/null
	intr_ns= intr_ppid= intr_dir=
}
intr_case() {
	local c any= why= t0=$SECONDS
	for c in "${QG_INTR_CASES[@]}"; do selected "$c" && any=1; done
	selected intr && any=1
	[ -n "$any" ] || return 0
	if [ "$QG_DRIVER" != vnet ]; then
		for c in "${QG_INTR_CASES[@]}"; do skip "$c" "vnet-only (driver $QG_DRVNAME)"; done
		return 0
	fi
	[ -c /dev/net/tun ] || why="no /dev/net/tun"
	ip netns list >/dev/null 2>&1 || why="ip netns does not work"
	if [ -n "$why" ]; then
		for c in "${QG_INTR_CASES[@]}"; do skip "$c" "$why"; done
		return 0
	fi
	newcase intr
	local d=$cd_ tap=vi$$t i qpid
	intr_ns=vnei$$ intr_dir=$d
	trap 'intr_cleanup' EXIT
	trap 'intr_cleanup; exit 130' INT TERM
	{
		echo "T=0000:00:10.0 U=0000:00:11.0 A=0000:00:12.0 C=0000:00:13.0"
		cat "$QG_HERE/guest/intr-test.sh"
	} >>"$d/test.sh"
	qg_initrd "$d"
	ip netns del "$intr_ns" 2>/dev/null
	ip netns add "$intr_ns"
	ip netns exec "$intr_ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	rm -f "$d/host.json" "$d/trace.log"
	# shellcheck disable=SC2046
	qg_run "$d" 420 "vnet.vfio=noiommu" -smp 3 -machine pc \
		-netdev "tap,id=nt,ifname=$tap,script=no,downscript=no,vhost=off" \
		-device "virtio-net-pci,netdev=nt,id=nict,addr=0x10,mac=52:54:00:00:00:20,romfile=" \
		-netdev hubport,hubid=1,id=nu \
		-device "virtio-net-pci,netdev=nu,id=nicu,addr=0x11,mac=52:54:00:00:00:21,romfile=" \
		$(qg_nic na hubport,hubid=0 "disable-modern=on,mac=52:54:00:00:00:0a" 0x12) \
		$(qg_nic nc hubport,hubid=0 "mac=52:54:00:00:00:0c" 0x13) \
		-qmp "unix:$d/qmp.sock,server=on,wait=off" -serial "unix:$d/ctl.sock,server=on,wait=off" \
		-trace virtio_net_handle_announce -trace virtio_net_announce_notify -D "$d/trace.log" \
		-pidfile "$d/qemu.pid" &
	qpid=$!
	for i in $(seq 100); do ip link show "$tap" >/dev/null 2>&1 && break; sleep 0.1; done
	ip link set "$tap" netns "$intr_ns" && ip -n "$intr_ns" link set "$tap" up ||
		echo "qemu: cannot move tap $tap into namespace $intr_ns" >>"$d/peer.log"
	ip netns exec "$intr_ns" timeout -k 5 430 /usr/bin/python3 "$QG_HERE/intrnet.py" serve \
		--console "$d/console.log" --qmp "$d/qmp.sock" --ctl "$d/ctl.sock" --tap "$tap" \
		--record "$d/host.json" --timeout 425 >>"$d/peer.log" 2>&1 &
	intr_ppid=$!
	wait "$qpid"
	for i in $(seq 30); do kill -0 "$intr_ppid" 2>/dev/null || break; sleep 0.1; done
	kill "$intr_ppid" 2>/dev/null
	wait "$intr_ppid"
	intr_ppid=
	intr_cleanup
	trap - EXIT INT TERM
	/usr/bin/python3 "$QG_HERE/intrnet.py" check --record "$d/host.json" --trace "$d/trace.log" \
		--want-mac 02:00:00:aa:bb:01 --want-mac 02:00:00:aa:bb:22 >"$d/verdict.log" 2>&1
	local done_ok=1 ok detail line
	grep -q "^VNET-DONE" "$d/console.log" && done_ok=0
	for c in "${QG_INTR_CASES[@]}"; do
		selected "$c" || selected intr || continue
		ok=1
		if [ "$c" = announce ]; then
			line=$(grep -a "^VNET-CASE announce " "$d/verdict.log" | tail -n 1)
			detail=${line#VNET-CASE announce }
			case "$line" in "VNET-CASE announce PASS"*) ok=0 ;; esac
			[ -n "$line" ] || detail="no verdict ($(tail -n 3 "$d/verdict.log" | tr '\n' ' '))"
			grep -aq "guest announce: 2 RARP frame(s) sent on TX queue 0, ack sent" \
				"$d/console.log" || { ok=1; detail="$detail; no vnet 'guest announce' log line"; }
		else
			line=$(grep -a "^VNET-RESULT $c " "$d/console.log" | tail -n 1)
			detail=${line#VNET-RESULT $c }
			case "$line" in "VNET-RESULT $c PASS"*) ok=0 ;; esac
			[ -n "$line" ] || detail="no result line"
		fi
		[ $done_ok -eq 0 ] || { ok=1; detail="guest did not finish; $detail"; }
		detail=${detail#PASS }
		detail=${detail#FAIL }
		finish "$c" "$d" $ok "($detail)"
		case_t0=$SECONDS
	done
	echo "intr boot: $((SECONDS - t0))s in all"
}
intr_case
