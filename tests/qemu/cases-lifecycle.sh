# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Guest cases of the port lifecycle (vnet_lifecycle.c), sourced by tests/qemu/run.sh: one boot,
# three results (see tests/qemu/README, "lifecycle"):
#   queue-ring-reset       modern NICs (QEMU 7.2 offers VIRTIO_F_RING_RESET): rxq 0 stopped
#                          while port 0's TX and port 1 forward, started again; txq 0 the same
#   queue-no-ring-reset    queue_reset=off: queue_stop of a started queue -> -ENOTSUP
#                          ("Function not supported in PMD"); a deferred RX queue starts
#   recovery-pci-bad-desc  devargs test_bad_desc_ms: vnet posts one zero-length descriptor,
#                          QEMU marks the device broken and sets NEEDS_RESET, vnet recovers
#                          by itself and the port forwards again in the same testpmd run
#   packed-ring-reset      packed rings (packed=on): rxq 0 and txq 0 of port 0 reset and
#                          started again
#   packed-recovery        packed rings: the malformed descriptor and the recovery
# vnet only. Needs the functions and variables of run.sh (newcase, finish, skip, selected,
# vnet_only, qg_*).

LC_CASES=(queue-ring-reset queue-no-ring-reset recovery-pci-bad-desc packed-ring-reset
	packed-recovery)

lifecycle_case() {
	local c any=0
	for c in "${LC_CASES[@]}"; do selected "$c" && any=1; done
	[ $any -eq 1 ] || return 0
	if [ "$QG_DRIVER" != vnet ]; then
		for c in "${LC_CASES[@]}"; do selected "$c" && vnet_only "$c"; done
		return 0
	fi
	newcase lifecycle
	local d=$cd_ t0=$SECONDS
	cat >>"$d/test.sh" <<-'EOF'
		# lc_tp LOG SCRIPT ARGS...: interactive testpmd fed SCRIPT ("@sleep N" lines wait)
		lc_tp() {
			log=$1 script=$2
			shift 2
			echo "$script" | while IFS= read -r l; do
				case "$l" in
				"@sleep "*) sleep "${l#@sleep }" ;;
				*) echo "$l"; sleep 1 ;;
				esac
			done | timeout 170 dpdk-testpmd $VNET_DFLAG "$@" -i >"$log" 2>&1
			rc=$?
			lc_unecho "$log"
			echo "----- testpmd output ($log, exit $rc) -----"
			grep -v -E -e '^ *[a-z_0-9]+: [0-9]+$' -e '^testpmd> *$' "$log" | grep -v '^$'
			echo "----- end of testpmd output -----"
			return $rc
		}
		# as vnet_unecho (lib.sh), for this script's commands too
		lc_unecho() {
			nl=$(printf '\001')
			cmd="(port [0-9]+ (rxq|txq) [0-9]+ (start|stop|deferred_start (on|off))|port (stop|start) [0-9]+|show port (info|xstats) all|start( tx_first( [0-9]+)?)?|stop|quit)"
			tr '\n' '\001' <"$1" |
				sed -E ":a; s/testpmd> $cmd?\r?$nl//; ta; :b; s/([0-9]|$nl)$cmd\r?$nl/\1/; tb; s/testpmd> //g" |
				tr '\001' '\n' >"$1.unecho" && mv "$1.unecho" "$1"
		}
		# lc_win LOG WINDOW PORT: "rx tx" of PORT in the WINDOW-th "stop" (1-based, 2 ports)
		lc_win() {
			vnet_port_stats "$1" | sed -n "$((2 * ($2 - 1) + $3 + 1))p" | awk '{ print $2, $3 }'
		}
		lc_res() { echo "VNET-RESULT $*"; }
		# lc_rt NAME LOG WINDOW PORT: sets NAMEr and NAMEt (rx, tx of that window)
		lc_rt() {
			v=$(lc_win "$2" "$3" "$4")
			eval "$1r=\${v%% *}; $1t=\${v##* }"
		}
		# lc_rc STATUS: a new verdict (why), testpmd's exit STATUS first
		lc_rc() { why=; [ "$1" -eq 0 ] || why="testpmd exit $1; "; }
		# lc_need LOG STRING...: each STRING must be in LOG
		lc_need() {
			l=$1
			shift
			for s in "$@"; do grep -q "$s" "$l" || why="${why}log lacks '$s'; "; done
		}
		# lc_busy WHAT COUNT...: every COUNT above 1000 (forwarded), else WHAT is a failure
		lc_busy() {
			w=$1
			shift
			for v in "$@"; do [ "${v:-0}" -gt 1000 ] || { why="${why}$w; "; return; }; done
		}
		# lc_verdict CASE DETAIL: PASS with DETAIL, or FAIL with what went wrong
		lc_verdict() { if [ -z "$why" ]; then lc_res "$1" PASS "$2"; else lc_res "$1" FAIL "$why"; fi; }
		set -- $(vnet_nics)
		[ $# -eq 6 ] || { lc_res lifecycle FAIL "expected 6 virtio-net functions, found $#"; exit 1; }
		vnet_bind vfio-pci "$1" "$2" "$3" "$4" "$5" "$6" || exit 1
		TPA="--total-num-mbufs=4096 --forward-mode=io"

		# ---- 1. RING_RESET: queue stop/start while the other queues forward ----
		VNET_CASE=queue-ring-reset
		S='show port info all
		start tx_first
		@sleep 4
		stop
		port 0 rxq 0 stop
		start tx_first
		@sleep 4
		stop
		port 0 rxq 0 start
		port 0 txq 0 stop
		start tx_first
		@sleep 4
		stop
		port 0 txq 0 start
		start tx_first
		@sleep 4
		stop
		show port xstats all
		quit'
		lc_tp /tmp/a.log "$(echo "$S" | sed 's/^[ \t]*//')" -l 0,1 -n 1 --file-prefix lca \
			$(vnet_a "$1" "$2") -- $TPA
		lc_rc $?
		vnet_check_driver /tmp/a.log 2 >/dev/null || why="${why}driver; "
		f=$(vnet_fw_features /tmp/a.log 0)
		[ -n "$f" ] && [ $(( (f >> 40) & 1 )) -eq 1 ] || why="${why}RING_RESET not negotiated (features $f); "
		grep -q "Function not supported\|Please stop\|Bad arguments" /tmp/a.log && why="${why}a queue command failed; "
		lc_rt a0 /tmp/a.log 1 0
		lc_rt a1 /tmp/a.log 1 1
		lc_rt b0 /tmp/a.log 2 0
		lc_rt b1 /tmp/a.log 2 1
		lc_rt c0 /tmp/a.log 3 0
		lc_rt c1 /tmp/a.log 3 1
		lc_rt e0 /tmp/a.log 4 0
		lc_rt e1 /tmp/a.log 4 1
		echo "lifecycle: windows p0 rx/tx p1 rx/tx: 1: $a0r/$a0t $a1r/$a1t; 2 (rxq0 stopped): $b0r/$b0t $b1r/$b1t; 3 (txq0 stopped): $c0r/$c0t $c1r/$c1t; 4: $e0r/$e0t $e1r/$e1t"
		lc_busy "window 1 did not forward" "$a0r" "$a0t" "$a1r" "$a1t"
		[ "${b0r:-x}" = 0 ] || why="${why}port 0 received ${b0r:-?} with rxq 0 stopped; "
		lc_busy "port 0 TX / port 1 RX did not go on while rxq 0 was stopped" "$b0t" "$b1r"
		[ "${c0t:-x}" = 0 ] || why="${why}port 0 sent ${c0t:-?} with txq 0 stopped; "
		lc_busy "rxq 0 did not forward after its restart (or port 1 TX stalled)" "$c0r" "$c1t"
		lc_busy "window 4 did not forward on every queue" "$e0r" "$e0t" "$e1r" "$e1t"
		lc_verdict queue-ring-reset "rxq0 stopped: p0 rx 0, p0 tx $b0t, p1 rx $b1r; txq0 stopped: p0 tx 0, p0 rx $c0r; restarted: $e0r/$e0t $e1r/$e1t"

		# ---- 2. queue_reset=off: -ENOTSUP for a started queue, deferred start works ----
		VNET_CASE=queue-no-ring-reset
		S='show port info all
		port 0 rxq 0 stop
		port stop 0
		port 0 rxq 0 deferred_start on
		port start 0
		start tx_first
		@sleep 4
		stop
		port 0 rxq 0 start
		start tx_first
		@sleep 4
		stop
		quit'
		lc_tp /tmp/b.log "$(echo "$S" | sed 's/^[ \t]*//')" -l 0,1 -n 1 --file-prefix lcb \
			$(vnet_a "$3" "$4") -- $TPA
		lc_rc $?
		f=$(vnet_fw_features /tmp/b.log 0)
		[ -n "$f" ] && [ $(( (f >> 40) & 1 )) -eq 0 ] || why="${why}RING_RESET negotiated with queue_reset=off (features $f); "
		n=$(grep -c "Function not supported in PMD" /tmp/b.log)
		[ "$n" -eq 1 ] || why="${why}expected 1 'Function not supported in PMD' (the started rxq stop), saw $n; "
		grep -q "needs VIRTIO_F_RING_RESET" /tmp/b.log || why="${why}no driver log naming RING_RESET; "
		lc_rt a0 /tmp/b.log 1 0
		lc_rt b0 /tmp/b.log 2 0
		lc_rt b1 /tmp/b.log 2 1
		echo "lifecycle: deferred rxq0: p0 rx/tx $a0r/$a0t; after its start: p0 $b0r/$b0t p1 $b1r/$b1t"
		[ "${a0r:-x}" = 0 ] || why="${why}deferred rxq 0 received ${a0r:-?} before its start; "
		lc_busy "port 0 TX did not forward while rxq 0 was deferred" "$a0t"
		lc_busy "deferred rxq 0 did not forward after its start" "$b0r" "$b1t"
		lc_verdict queue-no-ring-reset "stop of a started rxq: -ENOTSUP; deferred rxq0: rx 0, then $b0r after queue_start"

		# ---- 3. PCI recovery after one malformed descriptor ----
		VNET_CASE=recovery-pci-bad-desc
		S='start tx_first
		@sleep 10
		stop
		start tx_first
		@sleep 4
		stop
		show port xstats all
		quit'
		lc_tp /tmp/c.log "$(echo "$S" | sed 's/^[ \t]*//')" -l 0,1 -n 1 --file-prefix lcc \
			-a "$1,test_bad_desc_ms=2500" -a "$2" -- $TPA
		lc_rc $?
		lc_need /tmp/c.log "test_bad_desc_ms: posted one zero-length descriptor" \
			"set DEVICE_NEEDS_RESET" "Port 0: error recovering event" \
			"recovered after 1 attempt" "Port 0: error recovery successful event"
		grep -q "error recovery failed" /tmp/c.log && why="${why}recovery failed; "
		lc_rt b0 /tmp/c.log 2 0
		lc_rt b1 /tmp/c.log 2 1
		echo "lifecycle: after the recovery: p0 rx/tx $b0r/$b0t p1 $b1r/$b1t"
		lc_busy "no forwarding after the recovery" "$b0r" "$b0t" "$b1r" "$b1t"
		ms=$(sed -n 's/.*recovered after 1 attempt(s) (\([0-9]*\) ms.*/\1/p' /tmp/c.log | head -n 1)
		lc_verdict recovery-pci-bad-desc "NEEDS_RESET -> recovered in ${ms} ms, same testpmd run forwards again: $b0r/$b0t $b1r/$b1t"

		# ---- 4. packed rings: RING_RESET queue stop/start (no test devarg armed) ----
		VNET_CASE=packed-ring-reset
		S='show port info all
		start tx_first
		@sleep 3
		stop
		port 0 rxq 0 stop
		port 0 txq 0 stop
		start tx_first
		@sleep 3
		stop
		port 0 rxq 0 start
		port 0 txq 0 start
		start tx_first
		@sleep 3
		stop
		quit'
		lc_tp /tmp/d.log "$(echo "$S" | sed 's/^[ \t]*//')" -l 0,1 -n 1 --file-prefix lcd \
			$(vnet_a "$5" "$6") -- $TPA
		lc_rc $?
		grep -q "Function not supported\|Please stop\|Bad arguments" /tmp/d.log && why="${why}a queue command failed; "
		f=$(vnet_fw_features /tmp/d.log 0)
		[ -n "$f" ] && [ $(( (f >> 34) & 1 )) -eq 1 ] && [ $(( (f >> 40) & 1 )) -eq 1 ] || why="${why}PACKED + RING_RESET not both negotiated (features $f); "
		lc_rt a0 /tmp/d.log 1 0
		lc_rt b0 /tmp/d.log 2 0
		lc_rt c0 /tmp/d.log 3 0
		lc_rt c1 /tmp/d.log 3 1
		echo "lifecycle: packed: p0 rx/tx: 1: $a0r/$a0t; 2 (rxq0+txq0 stopped): $b0r/$b0t; 3 (started again): $c0r/$c0t $c1r/$c1t"
		lc_busy "window 1 did not forward" "$a0r" "$a0t"
		[ "${b0r:-x}" = 0 ] && [ "${b0t:-x}" = 0 ] || why="${why}port 0 forwarded ${b0r:-?}/${b0t:-?} with both queues stopped; "
		lc_busy "no forwarding after the queues restarted" "$c0r" "$c0t" "$c1r" "$c1t"
		lc_verdict packed-ring-reset "packed: rxq0+txq0 stopped: p0 0/0; restarted: $c0r/$c0t $c1r/$c1t"

		# ---- 5. packed rings: the recovery after one malformed descriptor ----
		VNET_CASE=packed-recovery
		S='start tx_first
		@sleep 10
		stop
		start tx_first
		@sleep 4
		stop
		quit'
		lc_tp /tmp/e.log "$(echo "$S" | sed 's/^[ \t]*//')" -l 0,1 -n 1 --file-prefix lce \
			-a "$5,test_bad_desc_ms=2500" -a "$6" -- $TPA
		lc_rc $?
		lc_need /tmp/e.log "zero-length descriptor on tx queue 0 (packed ring" "Port 0: error recovering event" \
			"recovered after 1 attempt" "Port 0: error recovery successful event"
		grep -q "error recovery failed" /tmp/e.log && why="${why}recovery failed; "
		lc_rt e0 /tmp/e.log 2 0
		lc_rt e1 /tmp/e.log 2 1
		echo "lifecycle: packed: after the recovery: p0 rx/tx $e0r/$e0t p1 $e1r/$e1t"
		lc_busy "no forwarding after the recovery" "$e0r" "$e0t" "$e1r" "$e1t"
		ms=$(sed -n 's/.*recovered after 1 attempt(s) (\([0-9]*\) ms.*/\1/p' /tmp/e.log | head -n 1)
		lc_verdict packed-recovery "packed: recovered in ${ms} ms, then $e0r/$e0t $e1r/$e1t"
		exit 0
	EOF
	qg_initrd "$d"
	local nics
	nics="$(qg_nic n0 hubport,hubid=0 "disable-legacy=on" 0x10) $(qg_nic n1 hubport,hubid=0 "disable-legacy=on" 0x11)"
	nics="$nics $(qg_nic n2 hubport,hubid=1 "disable-legacy=on,queue_reset=off" 0x12)"
	nics="$nics $(qg_nic n3 hubport,hubid=1 "disable-legacy=on,queue_reset=off" 0x13)"
	nics="$nics $(qg_nic n4 hubport,hubid=2 "disable-legacy=on,packed=on" 0x14)"
	nics="$nics $(qg_nic n5 hubport,hubid=2 "disable-legacy=on,packed=on" 0x15)"
	# shellcheck disable=SC2086
	qg_run "$d" 420 "vnet.vfio=noiommu" -smp 2 -machine pc $nics
	local boot=$((SECONDS - t0)) ok detail line
	for c in "${LC_CASES[@]}"; do
		selected "$c" || continue
		ok=1
		line=$(grep -a "^VNET-RESULT $c " "$d/console.log" | tail -n 1)
		detail=${line#VNET-RESULT $c }
		case "$detail" in PASS*) ok=0 ;; esac
		[ -n "$line" ] || detail="no result line"
		grep -q "^VNET-DONE" "$d/console.log" || { ok=1; detail="guest did not finish; $detail"; }
		# QEMU reports each malformed descriptor (split case, then packed case) on stderr
		local nwant=0 seen
		seen=$(grep -c "zero sized buffers are not allowed" "$d/qemu.out")
		[ "$c" = recovery-pci-bad-desc ] && nwant=1
		[ "$c" = packed-recovery ] && nwant=2
		if [ "$seen" -lt $nwant ]; then
			ok=1
			detail="QEMU reported $seen malformed descriptor(s), expected $nwant; $detail"
		fi
		case_t0=$t0
		finish "$c" "$d" $ok "($detail)"
	done
	echo "lifecycle boot: ${boot}s for the five cases"
}

lifecycle_case
