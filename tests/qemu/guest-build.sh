#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds what a vnet QEMU test guest needs, from Debian packages, at test time.
#   tests/qemu/guest-build.sh [--plugin PATH] OUTDIR
#
# OUTDIR gets:
#   vmlinuz          Debian's kernel (linux-image-<abi>-amd64, dpkg-deb -x, never installed)
#   base.cpio        busybox /init, modules (uio, uio_pci_generic, stock vfio stack and the
#                    vfio stack rebuilt with CONFIG_VFIO_NOIOMMU), dpdk-testpmd + its ldd
#                    closure + libgcc_s.so.1, dpdk-l2fwd, the EAL plugins bus_pci, bus_vdev,
#                    mempool_ring in pmds-23.0 (and no net driver), coreutils' stdbuf,
#                    the vhost-net modules (tun, tap, vhost_iotlb, vhost, vhost_net, not
#                    loaded by /init) and iproute2's ip with its libraries
#   virtio-pmd.cpio  DPDK's net_virtio in pmds-23.0 (append only for the baseline runs)
#   plugin.cpio      with --plugin: PATH as /opt/vnet/librte_net_vnet.so (root, 0755 dirs)
#   guest.env        KVER=…, DPDK=…, KEY=… (what was built)
# A test initramfs is these archives concatenated with a small cpio holding /test.sh
# (the kernel unpacks concatenated newc archives in order; later files win).
# The expensive part is cached under $VNET_GUEST_CACHE (default /var/cache/vnet/guest), keyed
# on the kernel ABI+version, the DPDK and busybox versions and the guest files' contents.
# Needs root (apt-get, cpio ownership). Env: VNET_GUEST_CACHE, VNET_GUEST_REBUILD=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
plugin=
while [ $# -gt 0 ]; do
	case "$1" in
	--plugin) plugin=$2; shift 2 ;;
	--plugin=*) plugin=${1#*=}; shift ;;
	-h | --help) sed -n '3,24p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--plugin PATH] OUTDIR" >&2; exit 2; }
out=$1
[ "$(id -u)" -eq 0 ] || { echo "guest-build: must run as root" >&2; exit 1; }
[ -z "$plugin" ] || [ -f "$plugin" ] || { echo "guest-build: no plugin $plugin" >&2; exit 1; }

log() { echo "guest-build: $*" >&2; }

# iproute2 and the libraries its ip links (Debian 12), downloaded next to the kernel .debs
IP_DEBS="iproute2 libbpf1 libmnl0 libbsd0 libcap2 libmd0 libelf1 zlib1g"

# ---- packages (apt-get update at most once) ----
pkgs=(qemu-system-x86 busybox-static cpio dpdk dpdk-doc libdpdk-dev pkg-config gcc libc6-dev
      make xz-utils libelf1 libgcc-s1 python3 dpkg-dev)
updated=0
apt_update() {
	[ $updated -eq 1 ] && return 0
	log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	updated=1
}
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

kernel_abi() { apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }'; }
abi=$(kernel_abi)
if [ -z "$abi" ]; then
	apt_update
	abi=$(kernel_abi)
fi
[ -n "$abi" ] || { log "cannot resolve linux-image-amd64's kernel ABI"; exit 1; }
kpkgver=$(apt-cache show "linux-image-$abi" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
dpdkver=$(dpkg-query -W -f='${Version}' dpdk)
bbver=$(dpkg-query -W -f='${Version}' busybox-static)
gsum=$(cat "$0" "$here/guest/init" "$here/guest/lib.sh" "$here/guest/tcpx.c" | sha256sum | cut -c1-12)
key="k${abi}_${kpkgver}-d${dpdkver}-b${bbver}-g${gsum}"
key=${key//[^A-Za-z0-9._-]/_}
cache=${VNET_GUEST_CACHE:-/var/cache/vnet/guest}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

build_base() { # build into $1
	local dst=$1 w=$1/work root=$1/root
	mkdir -p "$w" "$root"
	local t0=$SECONDS
	log "building guest base $key (kernel $abi $kpkgver)"
	# The source package is named after the major.minor (linux-source-6.1).
	local mm
	mm=$(echo "$abi" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	local flav=${abi##*-} # amd64
	local base=${abi%-"$flav"}  # 6.1.0-56
	mkdir -p "$cache/debs"
	(
		cd "$cache/debs"
		for p in "linux-image-$abi" "linux-source-$mm" "linux-headers-$abi" \
			"linux-headers-$base-common" "linux-kbuild-$mm"; do
			ls "${p}"_*.deb >/dev/null 2>&1 && continue
			apt-get download "$p" >/dev/null 2>&1 || {
				apt_update
				apt-get download "$p" >/dev/null
			}
		done
	)
	# -- kernel and stock modules
	# keep only the .debs of this kernel in the download cache
	ls "$cache"/debs/linux-*.deb | grep -F -v -e "_${kpkgver}_" | xargs -r rm -f || true
	local debs=$cache/debs
	dpkg-deb -x "$debs"/linux-image-"$abi"_*.deb "$w/img"
	cp "$w/img/boot/vmlinuz-$abi" "$dst/vmlinuz"
	local kmod=$w/img/lib/modules/$abi/kernel sm=$root/usr/lib/vnet-modules/stock
	mkdir -p "$sm" "$root/usr/lib/vnet-modules/noiommu"
	cp "$kmod/drivers/uio/uio.ko" "$kmod/drivers/uio/uio_pci_generic.ko" \
		"$kmod/virt/lib/irqbypass.ko" "$kmod/drivers/vfio/vfio.ko" \
		"$kmod/drivers/vfio/vfio_iommu_type1.ko" "$kmod/drivers/vfio/vfio_virqfd.ko" \
		"$kmod/drivers/vfio/pci/vfio-pci-core.ko" "$kmod/drivers/vfio/pci/vfio-pci.ko" "$sm/"
	# vhost-net backend cases (guest/vhost-net-test.sh loads them: tun, tap, vhost_iotlb,
	# vhost, vhost_net, in that order)
	cp "$kmod/drivers/net/tun.ko" "$kmod/drivers/net/tap.ko" "$kmod/drivers/vhost/vhost_iotlb.ko" \
		"$kmod/drivers/vhost/vhost.ko" "$kmod/drivers/vhost/vhost_net.ko" "$sm/"
	# -- vfio rebuilt with CONFIG_VFIO_NOIOMMU (Debian's kernel has it off)
	local kb=$w/kb
	mkdir -p "$kb"
	for d in "$debs"/linux-headers-"$abi"_*.deb "$debs"/linux-headers-"$base"-common_*.deb \
		"$debs"/linux-kbuild-"$mm"_*.deb; do
		dpkg-deb -x "$d" "$kb"
	done
	local hdr=$kb/usr/src/linux-headers-$abi
	sed -i "s,^include /usr/src/,include $kb/usr/src/," "$hdr/Makefile"
	dpkg-deb --fsys-tarfile "$debs"/linux-source-"$mm"_*.deb |
		tar -xO "./usr/src/linux-source-$mm.tar.xz" |
		tar -xJ -C "$w" "linux-source-$mm/drivers/vfio"
	local vsrc=$w/linux-source-$mm/drivers/vfio
	make -C "$hdr" M="$vsrc" KCFLAGS=-DCONFIG_VFIO_NOIOMMU=1 -j"$(nproc)" modules \
		>"$w/vfio-build.log" 2>&1 || { tail -30 "$w/vfio-build.log" >&2; return 1; }
	cp "$vsrc/vfio.ko" "$vsrc/vfio_iommu_type1.ko" "$vsrc/vfio_virqfd.ko" \
		"$vsrc/pci/vfio-pci-core.ko" "$vsrc/pci/vfio-pci.ko" "$root/usr/lib/vnet-modules/noiommu/"
	# -- userspace: merged-/usr layout like the host
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,etc,opt,root}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	mkdir -p "$root/var"
	ln -s ../run "$root/var/run"
	cp /bin/busybox "$root/usr/bin/busybox"
	ln -s busybox "$root/usr/bin/sh"
	install -m 0755 "$here/guest/init" "$root/init"
	mkdir -p "$root/usr/lib/vnet"
	install -m 0644 "$here/guest/lib.sh" "$root/usr/lib/vnet/lib.sh"
	# l2fwd from the dpdk-doc example, against the installed DPDK
	cc -O2 -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) \
		/usr/share/dpdk/examples/l2fwd/main.c -o "$w/dpdk-l2fwd" $(pkg-config --libs libdpdk) \
		2>"$w/l2fwd-build.log" || { cat "$w/l2fwd-build.log" >&2; return 1; }
	install -m 0755 "$w/dpdk-l2fwd" "$root/usr/bin/dpdk-l2fwd"
	# l3fwd-power (RX interrupts: cases-intr.sh), from the same examples, the same way
	cc -O2 -DALLOW_EXPERIMENTAL_API $(pkg-config --cflags libdpdk) \
		/usr/share/dpdk/examples/l3fwd-power/main.c \
		/usr/share/dpdk/examples/l3fwd-power/perf_core.c -o "$w/dpdk-l3fwd-power" \
		$(pkg-config --libs libdpdk) 2>"$w/l3fwd-power-build.log" ||
		{ cat "$w/l3fwd-power-build.log" >&2; return 1; }
	install -m 0755 "$w/dpdk-l3fwd-power" "$root/usr/bin/dpdk-l3fwd-power"
	# the bulk TCP sender/receiver of the vhost-net cases
	cc -O2 -Wall "$here/guest/tcpx.c" -o "$root/usr/bin/vnet-tcpx" || return 1
	cp -L /usr/bin/dpdk-testpmd "$root/usr/bin/dpdk-testpmd"
	# stdbuf -oL: line-buffered testpmd output for the tap cases (tests/qemu/guest/mq-test.sh)
	cp /usr/bin/stdbuf "$root/usr/bin/stdbuf"
	mkdir -p "$root/usr/libexec/coreutils"
	cp /usr/libexec/coreutils/libstdbuf.so "$root/usr/libexec/coreutils/libstdbuf.so"
	local pmds
	pmds=$(pkg-config --variable=pmdsdir libdpdk 2>/dev/null ||
		echo /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0)
	[ -d "$pmds" ] || pmds=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
	{
		ldd /usr/bin/dpdk-testpmd "$w/dpdk-l2fwd" "$w/dpdk-l3fwd-power" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }'
		echo /lib/x86_64-linux-gnu/libgcc_s.so.1
		for l in bus_pci bus_vdev mempool_ring; do
			ls "$pmds"/librte_"$l".so*
		done
	} | sort -u >"$w/files0"
	# testpmd finds pmds-23.0 libraries through its RUNPATH; l2fwd needs the /usr/lib links
	# (symlinks into pmds-23.0, as on the host)
	with_lib_links <"$w/files0" >"$w/files"
	while read -r f; do copy_chain "$f" "$root"; done <"$w/files"
	echo "$pmds" >"$dst/pmdsdir"
	# iproute2's ip (busybox's has no netns) and its libraries, from the .debs (extracted,
	# never installed on the host)
	local ipd=$w/iproute2
	mkdir -p "$ipd"
	(
		cd "$cache/debs"
		for p in $IP_DEBS; do
			ls "${p}"_*.deb >/dev/null 2>&1 && continue
			apt-get download "$p" >/dev/null 2>&1 || { apt_update; apt-get download "$p" >/dev/null; }
		done
	)
	for p in $IP_DEBS; do dpkg-deb -x "$(ls "$cache"/debs/"${p}"_*.deb | head -1)" "$ipd"; done
	local ipbin=$ipd/bin/ip
	[ -x "$ipbin" ] || ipbin=$ipd/sbin/ip
	install -m 0755 "$ipbin" "$root/usr/sbin/ip"
	mkdir -p "$root/usr/lib/x86_64-linux-gnu"
	LD_LIBRARY_PATH=$ipd/lib/x86_64-linux-gnu:$ipd/usr/lib/x86_64-linux-gnu ldd "$ipbin" |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r f; do
		case "$f" in
		"$ipd"/*) cp -L "$f" "$root/usr/lib/x86_64-linux-gnu/$(basename "$f")" ;;
		*) copy_chain "$f" "$root" ;;
		esac
	done
	mkdir -p "$root/etc/iproute2"
	# ld.so cache for the guest
	printf '/usr/lib/x86_64-linux-gnu\n/usr/local/lib\n' >"$root/etc/ld.so.conf"
	ldconfig -r "$root" 2>/dev/null || true
	chmod 0755 "$root"
	mk_cpio "$root" "$dst/base.cpio"
	# net_virtio, only for the baseline runs
	local vr=$w/virtio-root
	mkdir -p "$vr"
	ls "$pmds"/librte_net_virtio.so* | with_lib_links >"$w/vfiles"
	while read -r f; do copy_chain "$f" "$vr"; done <"$w/vfiles"
	mk_cpio "$vr" "$dst/virtio-pmd.cpio"
	cat >"$dst/guest.env" <<-EOF
		KVER=$abi
		KPKG=$kpkgver
		DPDK=$dpdkver
		BUSYBOX=$bbver
		KEY=$key
		PMDSDIR=$pmds
	EOF
	rm -rf "$w" "$root"
	log "guest base built in $((SECONDS - t0)) s: $(du -sh "$dst/base.cpio" | cut -f1) base.cpio"
}

# copy_chain PATH ROOT: copy PATH into ROOT at its canonical (merged-/usr) location,
# following and recreating each symlink on the way (the /usr/lib bus libraries are links into
# pmds-23.0 and must stay so: the bus libraries may exist only once in the process).
copy_chain() {
	local p=$1 root=$2 d t n=0
	while :; do
		d=$(realpath "$(dirname "$p")")
		mkdir -p "$root$d"
		if [ -L "$p" ]; then
			t=$(readlink "$p")
			[ -e "$root$d/$(basename "$p")" ] || [ -L "$root$d/$(basename "$p")" ] ||
				ln -s "$t" "$root$d/$(basename "$p")"
			case "$t" in /*) p=$t ;; *) p=$d/$t ;; esac
			n=$((n + 1))
			[ $n -lt 20 ] || return 1
		else
			[ -e "$root$d/$(basename "$p")" ] || cp "$p" "$root$d/$(basename "$p")"
			return 0
		fi
	done
}

# with_lib_links: copy stdin to stdout, adding for each file in pmds-23.0 the same name in the
# library directory above it if the host has it (the host's symlink into pmds-23.0)
with_lib_links() {
	local f l
	while read -r f; do
		echo "$f"
		case "$f" in
		*/dpdk/pmds-*/*)
			l=${f%/dpdk/pmds-*}/$(basename "$f")
			if [ -e "$l" ] || [ -L "$l" ]; then echo "$l"; fi
			;;
		esac
	done
}

# mk_cpio DIR OUT: newc archive of DIR's content (directories first), owned by root.
mk_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

dir=$cache/$key
if [ "${VNET_GUEST_REBUILD:-0}" = 1 ] || [ ! -f "$dir/guest.env" ]; then
	rm -rf "$dir" "$cache"/tmp.*
	build_base "$cache/tmp.$$"
	mv "$cache/tmp.$$" "$dir"
	# keep only the newest few builds
	ls -1dt "$cache"/k* 2>/dev/null | tail -n +4 | xargs -r rm -rf
else
	log "guest base $key cached"
fi
flock -u 9

mkdir -p "$out"
for f in vmlinuz base.cpio virtio-pmd.cpio guest.env; do
	rm -f "$out/$f"
	ln "$dir/$f" "$out/$f" 2>/dev/null || cp "$dir/$f" "$out/$f"
done
rm -f "$out/plugin.cpio"
if [ -n "$plugin" ]; then
	pr=$(mktemp -d)
	chmod 0755 "$pr"
	install -d -m 0755 "$pr/opt" "$pr/opt/vnet"
	install -m 0755 "$plugin" "$pr/opt/vnet/librte_net_vnet.so"
	mk_cpio "$pr" "$out/plugin.cpio"
	rm -rf "$pr"
	echo "PLUGIN=$(realpath "$plugin")" >>"$out/guest.env.tmp"
fi
[ -f "$out/guest.env.tmp" ] && { cat "$out/guest.env" "$out/guest.env.tmp" >"$out/guest.env.new"; \
	rm -f "$out/guest.env" "$out/guest.env.tmp"; mv "$out/guest.env.new" "$out/guest.env"; }
log "guest files in $out ($(cat "$out/guest.env" | tr '\n' ' '))"
