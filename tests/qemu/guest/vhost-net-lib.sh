# Helpers of the vhost-net guest scripts (vhost-net-test.sh, vhost-net-bench.sh): the host
# side concatenates this file and one of them into the guest's test.sh (after lib.sh).
# Namespaces nsa (tap0, 10.77.0.1) and nsb (tap1, 10.77.0.2); testpmd in the background
# with its commands through a fifo.

M=/lib/vnet-modules/stock
# iproute2's ip by path: busybox's ash runs its own applets first (and busybox's ip has no netns)
IP=/usr/sbin/ip
A=10.77.0.1 B=10.77.0.2 MA=02:77:00:00:00:0a MB=02:77:00:00:00:0b

# wait_log LOG PATTERN SECONDS: until LOG has a line matching PATTERN (grep -E)
wait_log() {
	i=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $(($3 * 5)) ] || { echo "vnet: timeout waiting for '$2' in $1"; return 1; }
		sleep 0.2
	done
}

vn_load() { # vn_load [vhost params]: the modules in dependency order
	for m in tun tap vhost_iotlb; do
		grep -q "^$m " /proc/modules || insmod $M/$m.ko || return 1
	done
	grep -q "^vhost " /proc/modules || insmod $M/vhost.ko "$@" || return 1
	grep -q "^vhost_net " /proc/modules || insmod $M/vhost_net.ko || return 1
	i=0
	while [ ! -c /dev/vhost-net ] || [ ! -c /dev/net/tun ]; do
		i=$((i + 1)); [ $i -le 50 ] || return 1; sleep 0.1
	done
}

# tp_start TAG EAL/APP ARGS...: interactive testpmd in the background, commands through the
# fifo /tmp/TAG.in (fd 5), output line-buffered in /tmp/TAG.log
tp_start() {
	tp_tag=$1
	shift
	tp_log=/tmp/$tp_tag.log
	: >"$tp_log"
	rm -f "/tmp/$tp_tag.in"
	mkfifo "/tmp/$tp_tag.in"
	timeout 300 stdbuf -oL dpdk-testpmd "$@" <"/tmp/$tp_tag.in" >>"$tp_log" 2>&1 &
	tp_pid=$!
	exec 5>"/tmp/$tp_tag.in"
	tp_t0=$(date +%s)
}
tp() { echo "$*" >&5; }
# tp_quit: stop, statistics, quit; waits for testpmd; tp_rc = its exit status
tp_quit() {
	tp stop
	sleep 1
	tp "show port xstats all"
	sleep 1
	tp quit
	exec 5>&-
	wait "$tp_pid"
	tp_rc=$?
	echo "----- testpmd $tp_tag (exit $tp_rc, $(($(date +%s) - tp_t0)) s) -----"
	grep -v -E -e '^ *[a-z_0-9]+: 0$' -e '^testpmd> *$' "$tp_log" | grep -v '^$'
	echo "----- end of testpmd $tp_tag -----"
}
# tp_forwarding: wait for "start" to take effect (0) or testpmd to fail (1)
tp_forwarding() {
	wait_log "$tp_log" 'packet forwarding - ports=|Fail to|Port [0-9]+ can not be set|EAL: Error|No probed' 90 &&
		grep -q 'packet forwarding - ports=' "$tp_log"
}
# xstat PORT NAME: from the last "show port xstats all" in the log
xstat() {
	awk -v want="$1" -v name="$2" '/NIC extended statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) }
	     p == want && $1 == name ":" { v = $2 } END { print v + 0 }' "$tp_log"
}

vdevs() { # vdevs EXTRA: the two vhost-net ports
	echo "--vdev net_vnet_user0,path=/dev/vhost-net,iface=tap0$1 --vdev net_vnet_user1,path=/dev/vhost-net,iface=tap1$1"
}
vdevs_virtio() { # vdevs_virtio EXTRA: the same with DPDK's net_virtio_user (vhost-kernel backend)
	echo "--vdev net_virtio_user0,path=/dev/vhost-net,iface=tap0,queue_size=256$1 --vdev net_virtio_user1,path=/dev/vhost-net,iface=tap1,queue_size=256$1"
}

# ns_up NS TAP ADDR MAC PEER PEERMAC: move TAP into a new namespace NS and configure it
ns_up() {
	$IP netns add "$1" || return 1
	$IP netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
		echo 1 > /proc/sys/net/ipv4/tcp_no_metrics_save'
	i=0
	while ! $IP link show "$2" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -le 50 ] || { echo "vnet: no tap $2"; return 1; }; sleep 0.1
	done
	$IP link set "$2" netns "$1" &&
		$IP -n "$1" link set lo up &&
		$IP -n "$1" link set "$2" address "$4" &&
		$IP -n "$1" addr add "$3/24" dev "$2" &&
		$IP -n "$1" link set "$2" up &&
		$IP -n "$1" neigh replace "$5" lladdr "$6" dev "$2" nud permanent
}
ns_pair() { ns_up nsa tap0 $A $MA $B $MB && ns_up nsb tap1 $B $MB $A $MA; }
ns_down() { $IP netns del nsa 2>/dev/null; $IP netns del nsb 2>/dev/null; }

# ping_ok FROM-NS TO-ADDR COUNT: every echo answered
ping_ok() {
	out=$($IP netns exec "$1" ping -c "$3" -w $(($3 * 4 + 4)) "$2" 2>&1)
	echo "$out" | tail -n 2
	echo "$out" | grep -q "$3 packets transmitted, $3 packets received"
}

# tcp_start TO-NS PORT: a receiver writing /tmp/rx.PORT (vnet-tcpx, tests/qemu/guest/tcpx.c:
# busybox's nc writes 1 KB at a time, too slow in a TCG guest for Linux to build GSO frames)
tcp_start() {
	rm -f "/tmp/rx.$2"
	$IP netns exec "$1" timeout 200 vnet-tcpx recv "$2" "/tmp/rx.$2" &
	eval "rxpid_$2=\$!"
}
# tcp_send FROM-NS ADDR PORT FILE; tcp_check PORT FILE: receiver done, same sha256
tcp_send() { $IP netns exec "$1" timeout 200 vnet-tcpx send "$2" "$3" "$4"; }
tcp_check() {
	eval "wait \$rxpid_$1"
	a=$(sha256sum <"$2" | cut -c1-64)
	b=$(sha256sum <"/tmp/rx.$1" | cut -c1-64)
	[ -s "$2" ] && [ "$a" = "$b" ] || { echo "vnet: port $1: $(wc -c <"/tmp/rx.$1") of $(wc -c <"$2") bytes, sha256 differs"; return 1; }
}
# tcp_both SIZE: SIZE bytes A->B and B->A (port 5001 / 5002), byte for byte; sets tcp_secs
tcp_both() {
	head -c "$1" /dev/urandom >/tmp/a.bin
	head -c "$1" /dev/urandom >/tmp/b.bin
	t0=$(date +%s)
	tcp_start nsb 5001
	tcp_start nsa 5002
	sleep 1
	ok_=0
	tcp_send nsa $B 5001 /tmp/a.bin || { echo "vnet: nc A->B failed"; ok_=1; }
	tcp_send nsb $A 5002 /tmp/b.bin || { echo "vnet: nc B->A failed"; ok_=1; }
	tcp_check 5001 /tmp/a.bin || ok_=1
	tcp_check 5002 /tmp/b.bin || ok_=1
	[ $ok_ -eq 0 ] || return 1
	tcp_secs=$(($(date +%s) - t0 - 1))
	echo "vnet: TCP $1 bytes A->B and B->A intact (${tcp_secs} s)"
}
tapstat() { $IP netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# after_quit: the taps (vnet created them) and the kernel's vhost workers are gone
after_quit() {
	local aq=
	$IP -n nsa link show tap0 >/dev/null 2>&1 && aq="tap0 still exists after testpmd quit"
	$IP -n nsb link show tap1 >/dev/null 2>&1 && aq="${aq:+$aq; }tap1 still exists"
	if ps | grep -q '\[vhost-[0-9]'; then
		sleep 2
		ps | grep -q '\[vhost-[0-9]' && aq="${aq:+$aq; }vhost worker threads left: $(ps | grep '\[vhost-' | head -2)"
	fi
	[ -z "$aq" ] || { echo "vnet: $aq"; return 1; }
}

IO="-i --forward-mode=io --total-num-mbufs=8192 --txd=256 --rxd=256 --disable-link-check"
EAL="$VNET_DFLAG -l 0,1 -n 1 --no-pci"
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
