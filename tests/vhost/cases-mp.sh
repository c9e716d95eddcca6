# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Host tier, sourced by tests/vhost/run.sh: secondary processes on net_vnet_user ports and the
# private dump (eth_dev_priv_dump) through telemetry and dpdk-proc-info.
#
# mp-secondary: backend dpdk-testpmd flowgen on two net_vhost ports (2 queue pairs each:
# it sends on both queues and drains what comes back); DPDK's symmetric_mp example as the
# primary (queue 0 of both vnet ports) and as a secondary (queue 1), built from dpdk-doc's
# source. Checks, all while traffic flows:
#  - the secondary attached (vhost-user memory and kick fds over "vnet_mp") and forwards on
#    queue 1 of both ports: per-queue xstats read by dpdk-proc-info (a third process)
#    --xstats, and the secondary's own counters at exit;
#  - dpdk-proc-info --stats sees the port counters, --show-port-private the vnet dump;
#  - vnet-mp-test (one more secondary): info, link, stats, xstats, burst mode and the dump
#    answer; promiscuous off, MTU, MAC set and port stop are refused with -E_RTE_SECONDARY
#    and the primary keeps forwarding;
#  - telemetry /ethdev/dump_priv,<port> from the primary: port, features, every queue's ring
#    line (no broken queue), kick moderation; its packet counts are live (above the
#    xstats read before);
#  - after the secondary exits: the primary keeps forwarding on queue 0 and queue 1's
#    counters stop (nobody else polls it).

# mp_xstat FILE PORT NAME: value of xstat NAME of PORT in a dpdk-proc-info --xstats output
mp_xstat() {
	awk -v p="$2" -v n="$3:" '
		/NIC extended statistics for port/ {
			for (i = 1; i < NF; i++) if ($i == "port") cur = $(i + 1) + 0
			seen = 1
		}
		seen && cur == p && $1 == n { print $2; exit }' "$1"
}

# mp_secondary_case NAME zc|copy [VNET-DEVARGS]: zero-copy (--single-file-segments) or copy
# mode (EAL's default layout: the secondary maps vnet's bounce buffers too)
mp_secondary_case() {
	local name=$1 mem=$2 vnx=${3:-} memargs=() src=/usr/share/dpdk/examples/multi_process/symmetric_mp/main.c
	local smp="$build/tests/vhost/dpdk-symmetric-mp" be pri sec fpp fail_="" detail=""
	local s0="$work/mp0.sock" s1="$work/mp1.sock" belog plog slog p q v x1 x2 x3 tel rc
	selected "$name" || return 0
	if [ ! -f "$src" ]; then
		skip "$name" "no $src (package dpdk-doc)"
		return 0
	fi
	start_case "$name" || return 0
	fail() { [ -z "$fail_" ] && fail_=$1; }
	[ "$mem" = zc ] && memargs=(--single-file-segments)
	if [ ! -x "$smp" ] || [ "$src" -nt "$smp" ]; then
		# shellcheck disable=SC2046 # pkg-config prints words
		cc -O2 -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) "$src" -o "$smp" \
			$(pkg-config --libs libdpdk) >>"$case_log" 2>&1 || fail "cannot build $src"
	fi
	belog="$logs/$name.backend.log" plog="$logs/$name.primary.log"
	slog="$logs/$name.secondary.log"
	: >"$belog"
	: >"$plog"
	: >"$slog"
	if [ -z "$fail_" ]; then
		next_prefix
		bg_start "$belog" timeout -k 5 120 "$testpmd" --lcores 0@1,1@1 --file-prefix="$fp" \
			--no-pci -m 256 --vdev "net_vhost0,iface=$s0,queues=2" \
			--vdev "net_vhost1,iface=$s1,queues=2" -- --forward-mode=flowgen --rxq=2 \
			--txq=2 --nb-cores=1 --auto-start --stats-period 2 --no-mlockall \
			--total-num-mbufs=16384
		be=$bg_pid
		wait_grep "$belog" "start packet forwarding" 30 "$be" || fail "backend testpmd did not start"
	fi
	if [ -z "$fail_" ]; then
		next_prefix
		fpp=$fp
		bg_start "$plog" timeout -k 5 100 "$smp" -l 0 --file-prefix="$fpp" -d "$plugin" \
			"${memargs[@]}" -m 256 --vdev "net_vnet_user0,path=$s0,queues=2$vnx" \
			--vdev "net_vnet_user1,path=$s1,queues=2$vnx" -- -p 3 --num-procs=2 --proc-id=0
		pri=$bg_pid
		wait_grep "$plog" "Finished Process Init" 40 "$pri" ||
			fail "symmetric_mp primary did not start its ports"
	fi
	if [ -z "$fail_" ]; then
		bg_start "$slog" timeout -k 5 80 "$smp" -l 1 --proc-type=secondary \
			--file-prefix="$fpp" -d "$plugin" "${memargs[@]}" -- -p 3 \
			--num-procs=2 --proc-id=1
		sec=$bg_pid
		if ! wait_grep "$slog" "Finished Process Init" 30 "$sec"; then
			fail "symmetric_mp secondary did not attach"
		elif [ "$(grep -c 'attached in a secondary process (vhost-user; port started)' \
			"$slog")" -ne 2 ]; then
			fail "the secondary did not log both ports attached"
		fi
	fi
	# vnet-mp-test: a secondary that reads (allowed) and tries control operations (refused)
	if [ -z "$fail_" ]; then
		echo "+ vnet-mp-test --proc-type=secondary --file-prefix=$fpp" >>"$case_log"
		timeout -k 5 30 "$build/tests/vhost/vnet-mp-test" -l 0 --proc-type=secondary \
			--file-prefix="$fpp" -d "$plugin" "${memargs[@]}" >>"$case_log" 2>&1 ||
			fail "vnet-mp-test: $(grep -E '^(FAIL|RESULT)' "$case_log" | head -n 2 | tr '\n' ' ')"
		grep -q "^RESULT mp PASS" "$case_log" || fail "vnet-mp-test did not pass"
	fi
	# proc-info: another secondary, while both forward
	pinfo() { # pinfo OUT ARGS...: dpdk-proc-info against the primary
		local out=$1
		shift
		echo "+ dpdk-proc-info $*" >>"$case_log"
		timeout -k 5 30 dpdk-proc-info --file-prefix="$fpp" -d "$plugin" \
			-- "$@" >"$out" 2>&1
		local r=$?
		cat "$out" >>"$case_log"
		return $r
	}
	if [ -z "$fail_" ]; then
		sleep 3
		pinfo "$work/x1" --xstats || fail "dpdk-proc-info --xstats failed"
		for p in 0 1; do
			for x in rx_q0_packets rx_q1_packets tx_q0_packets tx_q1_packets; do
				v=$(mp_xstat "$work/x1" $p $x)
				[ -n "$v" ] && [ "$v" -gt 0 ] || fail "port $p $x=${v:-missing} after 3 s"
			done
		done
		x1=$(mp_xstat "$work/x1" 0 rx_q0_packets)
	fi
	if [ -z "$fail_" ]; then
		pinfo "$work/st" --stats || fail "dpdk-proc-info --stats failed"
		v=$(awk '/RX-packets:/ { print $2; exit }' "$work/st")
		[ -n "$v" ] && [ "$v" -gt 0 ] || fail "proc-info --stats: RX-packets=${v:-missing}"
		pinfo "$work/pp" --show-port-private || fail "dpdk-proc-info --show-port-private failed"
		for s in "vnet port 0: net_vnet_user0" "vnet port 1: net_vnet_user1" \
			"transport: vhost-user" "state: started" "queue pairs: device 2, configured rx 2 tx 2"; do
			grep -qF "$s" "$work/pp" || fail "--show-port-private lacks \"$s\""
		done
		grep -qE '^negotiated features: 0x[0-9a-f]+ .*VERSION_1' "$work/pp" ||
			fail "--show-port-private: no negotiated features with VERSION_1"
		if [ -n "$vnx" ]; then
			grep -q "^rx burst: split ring" "$work/pp" || fail "packed=0: not a split ring"
			grep -q "^tx burst: split ring, zero-copy, coalesced kicks" "$work/pp" ||
				fail "kick_coalesce=auto: not the coalescing TX variant"
			grep -q "^ kick moderation: adaptive threshold [0-9]" "$work/pp" ||
				fail "kick_coalesce=auto: no adaptive moderation state in the dump"
		fi
		if [ "$mem" = copy ]; then
			grep -q "^rx burst: .*copy mode" "$work/pp" || fail "not in copy mode"
			grep -q "bounce buffers mapped" "$slog" ||
				fail "the secondary did not map the bounce buffers"
		fi
	fi
	if [ -z "$fail_" ]; then
		for p in 0 1; do
			tel=$("$py" "$here/telemetry.py" "$fpp" "/ethdev/dump_priv,$p" 2>>"$case_log")
			echo "telemetry /ethdev/dump_priv,$p: $tel" >>"$case_log"
			# the dump as lines, checked in Python (JSON string with escapes)
			if ! "$py" - "$p" "$x1" "$tel" >>"$case_log" 2>&1 <<-'EOF'; then
				import json, re, sys
				port, x1, raw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
				d = json.loads(raw)["/ethdev/dump_priv"]
				lines = d.splitlines()
				def need(cond, what):
				    if not cond:
				        print("dump_priv,%d: %s" % (port, what)); sys.exit(1)
				need(lines[0] == "vnet port %d: net_vnet_user%d" % (port, port), "first line " + lines[0])
				need("state: started" in lines, "not started")
				neg = [l for l in lines if l.startswith("negotiated features: ")]
				need(neg and "VERSION_1" in neg[0].split(), "negotiated features")
				for dirn in ("rxq", "txq"):
				    for q in (0, 1):
				        i = [k for k, l in enumerate(lines) if l.startswith("%s %d: packets " % (dirn, q))]
				        need(i, "no %s %d line" % (dirn, q))
				        ring = lines[i[0] + 1]
				        need(re.match(r" vq %d (split|packed) size \d+ free \d+ .* kicks \d+ suppressed \d+ broken no$"
				                      % (2 * q + (dirn == "txq")), ring), "ring line of %s %d: %r" % (dirn, q, ring))
				        pk = int(lines[i[0]].split()[3])
				        need(pk > 0, "%s %d packets %d" % (dirn, q, pk))
				        if port == 0 and dirn == "rxq" and q == 0:
				            need(pk > x1, "rxq 0 packets %d not above the earlier xstats %d" % (pk, x1))
				need(sum(1 for l in lines if l.startswith(" kick moderation: ")) == 2, "kick moderation lines")
				print("dump_priv,%d OK: %d lines, %d bytes" % (port, len(lines), len(d)))
			EOF
				fail "telemetry /ethdev/dump_priv,$p contents (see log)"
			fi
		done
	fi
	if [ -z "$fail_" ]; then
		kill -TERM "$sec"
		wait "$sec"
		rc=$?
		for p in 0 1; do
			read -r v q < <(awk -v p="Port $p:" 'index($0, p) == 1 { print $5, $8 }' "$slog" |
				tr -d ,)
			[ -n "$v" ] && [ "$v" -gt 0 ] && [ "${q:-0}" -gt 0 ] ||
				fail "secondary at exit (rc $rc): port $p RX ${v:-?} TX ${q:-?}"
		done
		# (timeout passes SIGTERM on to the program and its group: it may print twice)
		[ -z "$fail_" ] && detail="secondary forwarded $(grep -m 2 -E '^Port [01]:' "$slog" |
			tr '\n' ' ')on queue 1;"
	fi
	if [ -z "$fail_" ]; then
		sleep 1
		pinfo "$work/x2" --xstats || fail "dpdk-proc-info --xstats after the secondary exited"
		sleep 2
		pinfo "$work/x3" --xstats || fail "dpdk-proc-info --xstats (third read)"
		x2=$(mp_xstat "$work/x2" 0 rx_q0_packets)
		x3=$(mp_xstat "$work/x3" 0 rx_q0_packets)
		[ -n "$x2" ] && [ -n "$x3" ] && [ "$x3" -gt "$x2" ] ||
			fail "primary stopped forwarding after the secondary exited (rx_q0 $x2 -> $x3)"
		v=$(mp_xstat "$work/x2" 0 rx_q1_packets)
		q=$(mp_xstat "$work/x3" 0 rx_q1_packets)
		[ -n "$v" ] && [ "$v" = "$q" ] ||
			fail "rx_q1_packets moved after the secondary exited ($v -> $q)"
		kill -0 "$pri" 2>/dev/null || fail "primary died"
		detail+=" primary rx_q0 $x2 -> $x3 after it exited, dump_priv + proc-info checked"
	fi
	[ -n "${sec:-}" ] && bg_stop "$sec"
	[ -n "${pri:-}" ] && bg_stop "$pri"
	[ -n "${be:-}" ] && bg_stop "$be"
	cat "$plog" "$slog" >>"$case_log"
	if [ -n "$fail_" ]; then
		finish 1 "$fail_"
	else
		finish 0 "$detail"
	fi
}

mp_secondary_case mp-secondary zc
mp_secondary_case mp-secondary-copy copy
mp_secondary_case mp-secondary-split zc ,packed=0,kick_coalesce=auto
