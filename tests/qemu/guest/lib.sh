# Helpers for guest test scripts (busybox sh). Sourced as /lib/vnet/lib.sh.

# vnet_nics: BDFs of all virtio-net PCI functions (1af4:1000 transitional/legacy, 1af4:1041 modern).
vnet_nics() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] || continue
		case "$(cat "$d/device")" in 0x1000 | 0x1041) echo "${d##*/}" ;; esac
	done
}

# vnet_bind DRIVER BDF...: bind each function to DRIVER (uio_pci_generic | vfio-pci).
vnet_bind() {
	drv=$1
	shift
	for b in "$@"; do
		echo "$drv" > "/sys/bus/pci/devices/$b/driver_override"
		echo "$b" > /sys/bus/pci/drivers_probe
		cur=$(basename "$(readlink "/sys/bus/pci/devices/$b/driver" 2>/dev/null)" 2>/dev/null)
		if [ "$cur" != "$drv" ]; then
			echo "VNET-RESULT bind FAIL $b is bound to '${cur:-nothing}', wanted $drv"
			return 1
		fi
		echo "vnet: $b ($(cat /sys/bus/pci/devices/$b/device)) bound to $drv, $(vnet_mode "$b")"
	done
}

# vnet_mode BDF: "mode=legacy|transitional|modern" from the BARs (legacy I/O BAR0, modern
# 64-bit memory BAR4 for the virtio capabilities, as QEMU lays out virtio-net-pci)
vnet_mode() {
	bar() { sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource" | awk '{ print $3 }'; }
	io=0 mem=0
	[ $(($(bar "$1" 0) & 0x100)) -ne 0 ] && io=1
	[ $(($(bar "$1" 4) & 0x200)) -ne 0 ] && mem=1
	case $io$mem in
	10) echo mode=legacy ;;
	11) echo mode=transitional ;;
	01) echo mode=modern ;;
	*) echo mode=unknown ;;
	esac
}

# vnet_result NAME PASS|FAIL DETAIL...
vnet_result() {
	n=$1 r=$2
	shift 2
	echo "VNET-RESULT $n $r $*"
}

# vnet_port_stats FILE: from testpmd's output, print "port rx tx" for each
# "Forward statistics for port N" block after "stop" (the accumulated totals).
vnet_port_stats() {
	awk '/Forward statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1); next }
	     p != "" && /RX-packets:/ { rx[p] = $2 }
	     p != "" && /TX-packets:/ { tx[p] = $2; print p, rx[p], tx[p]; p = "" }' "$1"
}

# The test script's header (written by the host runner) sets:
#   VNET_CASE     case name, for VNET-RESULT lines
#   VNET_DFLAG    "" (net_virtio from pmds-23.0) or "-d /opt/vnet/librte_net_vnet.so"
#   VNET_DRIVER   driver name the ports must report (net_virtio | net_vnet)
#   VNET_DEVARGS  "" or ",key=val,..." appended to every -a BDF

# vnet_a BDF...: "-a BDF<devargs> ..." for EAL
vnet_a() {
	for b in "$@"; do printf -- '-a %s%s ' "$b" "$VNET_DEVARGS"; done
}

# vnet_unecho LOG: remove testpmd's prompt and command echo from LOG. The echo is written
# unbuffered while testpmd's printf output to a file is block-buffered, so a buffer flush can
# split a line ("  TX-packets:testpmd> show port xstats all" ... " 1020321   TX-dropped: 0")
# and the counters would be misread. Joins such lines back.
vnet_unecho() {
	nl=$(printf '\001')
	cmd="(show port (info|xstats) all|show (rxq|txq) info [0-9]+ [0-9]+|start( tx_first( [0-9]+)?)?|stop|quit)"
	# Echoed command lines go, with or without the prompt, wherever a flush put them: at a
	# line start or glued to a number ("TX-packets: 26563show port xstats all", "quit",
	# "9   TX-dropped"); repeat until none is left so consecutive echoes all go.
	tr '\n' '\001' <"$1" |
		sed -E ":a; s/testpmd> $cmd?\r?$nl//; ta; :b; s/([0-9]|$nl)$cmd\r?$nl/\1/; tb; s/testpmd> //g" |
		tr '\001' '\n' >"$1.unecho" && mv "$1.unecho" "$1"
}

# vnet_testpmd LOG DURATION TXFIRST(0|1|N) EAL_ARGS... -- APP_ARGS...
# Interactive testpmd fed by a timed script: show port info, start [tx_first], run DURATION s,
# stop (prints the per-port forward statistics), show port xstats, quit. Bounded by timeout.
# VNET_TP_CMDS (newline-separated) are sent after "show port info all"; vnet_unecho knows only
# "show rxq|txq info P Q" among them.
vnet_testpmd() {
	log=$1 dur=$2 txf=$3
	shift 3
	st=start
	# TXFIRST: 0 = plain start, 1 = one burst per port first, N = N bursts per port first
	case "$txf" in
	0) ;;
	1) st="start tx_first" ;;
	*) st="start tx_first $txf" ;;
	esac
	{
		sleep 1
		echo "show port info all"
		sleep 1
		if [ -n "${VNET_TP_CMDS:-}" ]; then
			echo "$VNET_TP_CMDS"
			sleep 1
		fi
		echo "$st"
		sleep "$dur"
		echo "stop"
		sleep 1
		echo "show port xstats all"
		sleep 1
		echo "quit"
	} | timeout $((dur + 90)) dpdk-testpmd $VNET_DFLAG "$@" -i >"$log" 2>&1
	rc=$?
	vnet_unecho "$log"
	echo "----- testpmd output ($log, exit $rc) -----"
	grep -v -E -e '^ *[a-z_0-9]+: [0-9]+$' -e '^testpmd> *$' "$log" | grep -v '^$'
	echo "----- end of testpmd output -----"
	[ $rc -eq 0 ] || vnet_result "$VNET_CASE" FAIL "testpmd exited with status $rc$([ $rc -eq 139 ] && echo ' (segfault)')"
	# the driver's own kick/notification/deferral counters, if it has any (per port, in port order)
	awk '/NIC extended statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) }
	     /^ *[a-z_0-9]*(kick|notif|deferral)[a-z_0-9]*: [0-9]+$/ { sub(":", "", $1); print "VNET-XSTAT port=" p, $1, $2 }' "$log"
	return $rc
}

# vnet_xstat LOG PORT NAME: value of xstat NAME of PORT from "show port xstats all" in LOG
# (empty if the driver has no such xstat)
vnet_xstat() {
	awk -v want="$2" -v name="$3" '/NIC extended statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) }
	     p == want && $1 == name ":" { print $2; exit }' "$1"
}

# vnet_fw_features LOG PORT: the feature word (hex) from vnet's "Firmware-version: virtio ...
# features 0x..." line of PORT in "show port info" output (empty if absent)
vnet_fw_features() {
	awk -v want="$2" '/Infos for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) }
	     p == want && /^Firmware-version:/ { for (i = 1; i < NF; i++) if ($i == "features") { print $(i + 1); exit } }' "$1"
}

# vnet_check_driver LOG NPORTS: every probed port uses $VNET_DRIVER (EAL probe lines and
# testpmd's "Driver name:" lines when present).
vnet_check_driver() {
	n=$(grep -c "EAL: Probe PCI driver: $VNET_DRIVER " "$1")
	other=$(grep "EAL: Probe PCI driver:" "$1" | grep -v "driver: $VNET_DRIVER " | head -1)
	if [ "$n" -ne "$2" ] || [ -n "$other" ]; then
		vnet_result "$VNET_CASE" FAIL "expected $2 ports probed by $VNET_DRIVER, got $n ${other:+(saw: $other)}"
		return 1
	fi
	if grep -q "Driver name:" "$1"; then
		n=$(grep -c "Driver name: $VNET_DRIVER\$" "$1")
		if [ "$n" -ne "$2" ]; then
			vnet_result "$VNET_CASE" FAIL "show port info: $n of $2 ports have Driver name $VNET_DRIVER"
			return 1
		fi
	fi
	echo "vnet: $2 ports driven by $VNET_DRIVER"
}

# vnet_check_fwd LOG NPORTS MIN [PORTS_TO_CHECK]: stats printed by "stop": every checked port
# (default all) received and sent more than MIN packets. Prints VNET-STATS lines.
vnet_check_fwd() {
	log=$1 np=$2 min=$3 ports=${4:-}
	vnet_port_stats "$log" >/tmp/stats
	while read -r p rx tx; do echo "VNET-STATS port=$p rx=$rx tx=$tx"; done </tmp/stats
	[ "$(wc -l </tmp/stats)" -eq "$np" ] || {
		vnet_result "$VNET_CASE" FAIL "no forward statistics for $np ports (testpmd failed?)"
		return 1
	}
	bad=$(awk -v min="$min" -v ports=" $ports " \
		'(ports == "  " || index(ports, " " $1 " ")) && ($2 <= min || $3 <= min) { printf "port %s rx=%s tx=%s; ", $1, $2, $3 }' /tmp/stats)
	if [ -n "$bad" ]; then
		vnet_result "$VNET_CASE" FAIL "fewer than $min packets: $bad"
		return 1
	fi
	return 0
}

# wait_count FILE STRING N TIMEOUT_S: 0 once FILE has >= N lines with STRING
wait_count() {
	i=0
	while [ $i -lt $(($4 * 20)) ]; do
		n=$(grep -cF -- "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
