# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Guest tier, sourced by tests/qemu/run.sh: secondary processes and hot-unplug on virtio-pci
# (vnet only), one boot for all three cases (guest script: guest/mp-test.sh):
#   mp-guest-procinfo  dpdk-proc-info --stats/--xstats/--show-port-private attached to a
#                      testpmd primary forwarding on two vfio-pci NICs
#   mp-guest-dumpcap   dpdk-dumpcap (a secondary) captures 50 packets of port 0 as pcapng
#   mp-guest-symmetric DPDK's symmetric_mp on two more NICs with 2 queue pairs (multi-queue
#                      taps): primary on queue 0, secondary on queue 1; the host sends 64 UDP
#                      flows into one tap (mp_tapflows.py) and counts them out of the other
#   hotunplug-rmv      QMP device_del of the second NIC (i440fx, ACPI hotplug) while a testpmd
#                      forwards on it: testpmd gets the removal event, closes and detaches the
#                      port, the kernel drops the function, QMP's DEVICE_DELETED arrives
# The guest gets dpdk-proc-info, dpdk-dumpcap, symmetric_mp (built from dpdk-doc's source)
# and a link of vnet into its default plugin directory (dumpcap takes no -d) in an extra
# initramfs part.

QG_MP_SMP_SRC=/usr/share/dpdk/examples/multi_process/symmetric_mp/main.c
QG_MP_CASES=(mp-guest-procinfo mp-guest-dumpcap mp-guest-symmetric hotunplug-rmv)

# qg_mp_cpio DIR: DIR/mp.cpio with the extra binaries and the plugin link
qg_mp_cpio() {
	local d=$1 r=$1/mp-root pmds
	pmds=$(awk -F= '$1 == "PMDSDIR" { print $2 }' "$QG_DIR/guest/guest.env")
	[ -n "$pmds" ] || pmds=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
	rm -rf "$r"
	mkdir -p "$r/usr/bin" "$r$pmds"
	cp -L /usr/bin/dpdk-proc-info /usr/bin/dpdk-dumpcap "$r/usr/bin/" || return 1
	# shellcheck disable=SC2046 # pkg-config prints words
	cc -O2 -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) "$QG_MP_SMP_SRC" \
		-o "$r/usr/bin/dpdk-symmetric-mp" $(pkg-config --libs libdpdk) >"$d/smp-build.log" 2>&1 ||
		{ cat "$d/smp-build.log" >&2; return 1; }
	ln -s "$QG_GUEST_PLUGIN" "$r$pmds/librte_net_vnet.so"
	(cd "$r" && find . | cpio -o -H newc -R 0:0 --quiet >"$d/mp.cpio") || return 1
	rm -rf "$r"
}

mp_guest_case() {
	local c any= d qrc ok detail t0=$SECONDS boot
	for c in "${QG_MP_CASES[@]}"; do selected "$c" && any=1; done
	[ -n "$any" ] || return 0
	if [ "$QG_DRIVER" != vnet ]; then
		for c in "${QG_MP_CASES[@]}"; do selected "$c" && skip "$c" "vnet-only (driver $QG_DRVNAME)"; done
		return 0
	fi
	local need
	for need in /usr/bin/dpdk-proc-info /usr/bin/dpdk-dumpcap "$QG_MP_SMP_SRC" /dev/net/tun; do
		[ -e "$need" ] && continue
		for c in "${QG_MP_CASES[@]}"; do selected "$c" && skip "$c" "no $need"; done
		return 0
	done
	local tc=vnmpc$$ td=vnmpd$$ tapo="queues=2,vhost=off,script=no,downscript=no"
	local nico="romfile=,mq=on,vectors=6"
	newcase mp-guest
	d=$cd_
	cat "$QG_HERE/guest/mp-test.sh" >>"$d/test.sh"
	qg_initrd "$d"
	qg_mp_cpio "$d" || { echo "FAIL mp-guest: cannot build the extra initramfs part"; failed=$((failed + 1)); return 0; }
	cat "$d/mp.cpio" >>"$d/initrd"
	# QEMU in the background; the QMP helper deletes NIC "nicb" once the guest is ready
	qg_run "$d" 300 "vnet.vfio=noiommu" -smp 2 -machine pc \
		-qmp "unix:$d/qmp.sock,server=on,wait=off" \
		$(qg_nic na hubport,hubid=0 "id=nica" 0x10) $(qg_nic nb hubport,hubid=0 "id=nicb" 0x11) \
		-netdev "tap,id=nc,ifname=$tc,$tapo" \
		-device "virtio-net-pci,netdev=nc,id=nicc,addr=0x12,mac=52:54:00:00:00:12,$nico" \
		-netdev "tap,id=nd,ifname=$td,$tapo" \
		-device "virtio-net-pci,netdev=nd,id=nicd,addr=0x13,mac=52:54:00:00:00:13,$nico" &
	local qpid=$!
	/usr/bin/python3 "$QG_HERE/mp_tapflows.py" --console "$d/console.log" \
		--marker "VNET-MP-SMP-READY" --tx "$tc" --rx "$td" --timeout 280 >"$d/tapflows.log" 2>&1 &
	local fpid=$!
	/usr/bin/python3 "$QG_HERE/qmp_unplug.py" --qmp "$d/qmp.sock" --console "$d/console.log" \
		--marker "VNET-MP-UNPLUG-READY" --device nicb --timeout 280 >"$d/qmp.log" 2>&1
	wait "$fpid"
	wait "$qpid"
	qrc=$?
	cat "$d/tapflows.log" >>"$d/console.log"
	boot=$((SECONDS - t0))
	cat "$d/qmp.log" >>"$d/console.log"
	for c in "${QG_MP_CASES[@]}"; do
		selected "$c" || continue
		ok=1
		detail=$(grep -a "^VNET-RESULT $c " "$d/console.log" | tail -n 1 | cut -d' ' -f4-)
		grep -qa "^VNET-RESULT $c PASS" "$d/console.log" && ok=0
		if [ "$c" = mp-guest-symmetric ]; then
			if grep -qE "TAPFLOWS sent [0-9]+ received [1-9]" "$d/tapflows.log"; then
				detail+="; host: $(grep -o 'sent.*' "$d/tapflows.log")"
			else
				ok=1
				detail+="; host: $(tail -n 1 "$d/tapflows.log")"
			fi
		fi
		if [ "$c" = hotunplug-rmv ]; then
			local secs
			secs=$(awk '/QMP-UNPLUG DEVICE_DELETED/ { print int($(NF - 1)) }' "$d/qmp.log")
			if [ -n "$secs" ] && [ "$secs" -lt 8 ]; then
				detail+="; $(grep -o 'DEVICE_DELETED.*' "$d/qmp.log")"
			elif [ -n "$secs" ]; then
				ok=1
				detail+="; DEVICE_DELETED only after $secs s (Linux re-sends the request"
				detail+=" every 10 s: the first one was not acted on)"
			else
				ok=1
				detail+="; $(tail -n 1 "$d/qmp.log")"
			fi
		fi
		grep -qa "^VNET-DONE rc=0" "$d/console.log" || { ok=1; detail+=" (guest did not finish: qemu $qrc)"; }
		case_t0=$t0
		finish "$c" "$d" $ok "($detail)"
	done
	echo "mp-guest boot: ${boot}s for ${QG_MP_CASES[*]}"
}
