#!/usr/bin/env bash
# Install and fetch everything ActPlane needs to build and test (idempotent, as root).
#
#  - Debian packages from bookworm and bookworm-backports (libbpf, bpftool);
#  - the current Debian backports 6.12 kernel (image, headers, kbuild), resolved
#    at fetch time and unpacked under build/kernel/ (nothing goes to /boot);
#  - the newest Debian kernel (the highest linux-image-amd64 of trixie-backports
#    and sid, resolved at fetch time), unpacked under build/kernel-newest/, and
#    a minimal chroot of its Debian release with its headers installed by apt
#    under build/chroot-<suite>/: that kernel is built with a newer gcc and
#    its kbuild tools need a newer libc than bookworm has, so its module is
#    built in there (and DKMS tested, test_dkms.sh).  ACTPLANE_NEWEST=0 skips this;
#  - virtme-ng from trixie through a private apt configuration, unpacked under
#    build/vng/ (the system's apt sources are not touched for trixie);
#  - Node.js (Debian's, unless a node >= 18 is there) and the MCP TypeScript
#    SDK pinned by selftests/host/mcp-client/, installed under build/mcp-client/
#    with npm ci (the real-client test of `actplane mcp`, test_mcp_sdk.sh).
#
# A second run only checks and returns.  Anything missing is named on failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
CACHE=$B/cache
mkdir -p "$CACHE"

say() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (installs Debian packages): sudo make deps"
command -v apt-get >/dev/null || die "apt-get not found: ActPlane's deps script supports Debian 12 (bookworm)"

export DEBIAN_FRONTEND=noninteractive
# apt drops to the _apt user for downloads and signature checks.  Some machines
# (CI among them) have a /dev/null that only root may write, so apt-key, run as
# _apt, cannot even probe for gpgv ("cannot create /dev/null") and every
# repository looks unsigned.  Everything here runs as root anyway.
APT=(apt-get -o APT::Sandbox::User=root)
BPO=/etc/apt/sources.list.d/actplane-bookworm-backports.list

BOOKWORM_PKGS="clang-19 llvm-19 dwarves debootstrap dkms libnl-genl-3-dev libnl-3-dev libyaml-dev
libjson-c-dev libelf-dev zlib1g-dev pkg-config make gcc bc kmod cpio
qemu-system-x86 busybox-static udev python3-requests python3-argcomplete
iproute2 liburing-dev python3 git util-linux file e2fsprogs
gpgv debian-archive-keyring
clang-14 libclang-rt-14-dev"
BPO_PKGS="libbpf-dev bpftool"

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s ' "$p"
	done
}

updated=0
apt_update() {
	[ $updated = 1 ] && return 0
	say "apt-get update"
	"${APT[@]}" update -qq || die "apt-get update failed: is the Debian archive reachable?"
	updated=1
}

# --- bookworm-backports source ------------------------------------------
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	say "adding bookworm-backports to $BPO"
	echo 'deb http://deb.debian.org/debian bookworm-backports main' >"$BPO"
	apt_update
fi

# --- packages --------------------------------------------------------------
# libbpf must be the backports one (>= 1.4): bookworm's 1.1 lacks struct_ops links.
need_bpo=$(missing_pkgs $BPO_PKGS)
if [ -z "$need_bpo" ] && ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libbpf-dev)" ge 1:1.4; then
	need_bpo="libbpf-dev"
fi
need=$(missing_pkgs $BOOKWORM_PKGS)
if [ -n "$need_bpo$need" ]; then
	apt_update
	if [ -n "$need_bpo" ]; then
		say "installing from bookworm-backports: $need_bpo"
		"${APT[@]}" install -y -qq -t bookworm-backports $need_bpo >/dev/null ||
			die "could not install from bookworm-backports: $need_bpo"
	fi
	if [ -n "$need" ]; then
		say "installing: $need"
		"${APT[@]}" install -y -qq --no-install-recommends $need >/dev/null ||
			die "could not install: $need (missing from the archive?)"
	fi
	still=$(missing_pkgs $BOOKWORM_PKGS $BPO_PKGS)
	[ -z "$still" ] || die "packages still missing after install: $still"
fi

# --- Node.js and the MCP SDK (test_mcp_sdk.sh) -------------------------------
# Debian's nodejs and npm unless node >= 18 and npm are there already (from
# NodeSource, say, whose nodejs carries its own npm); then the SDK at the
# version and with the dependencies the committed package-lock.json pins,
# reinstalled only when that lock file changes.
node_ok() {
	command -v npm >/dev/null &&
		node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' 2>/dev/null
}
if ! node_ok; then
	apt_update
	say "installing nodejs npm (Node.js >= 18, for the MCP SDK client test)"
	"${APT[@]}" install -y -qq --no-install-recommends nodejs npm >/dev/null ||
		die "could not install nodejs npm"
	node_ok || die "Node.js >= 18 and npm are needed (node is $(node --version 2>/dev/null || echo missing))"
fi
MC=$top/selftests/host/mcp-client
S=$B/mcp-client
sdk_want=$(sed -n 's|.*"@modelcontextprotocol/sdk": *"\([^"]*\)".*|\1|p' "$MC/package.json")
sdk_have=$(node -p 'require(process.argv[1]).version' \
	"$S/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null || true)
if [ "$sdk_have" != "$sdk_want" ] || ! cmp -s "$MC/package-lock.json" "$S/package-lock.json"; then
	say "installing @modelcontextprotocol/sdk $sdk_want under $S (npm ci)"
	rm -rf "$S"
	mkdir -p "$S"
	cp "$MC/package.json" "$MC/package-lock.json" "$S/"
	( cd "$S" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
		--cache "$CACHE/npm" ) >&2 ||
		die "npm ci of the MCP SDK failed: is registry.npmjs.org reachable?"
	sdk_have=$(node -p 'require(process.argv[1]).version' \
		"$S/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null || true)
	[ "$sdk_have" = "$sdk_want" ] ||
		die "npm ci left @modelcontextprotocol/sdk ${sdk_have:-missing}, not $sdk_want"
fi

# --- guest kernel (Debian backports 6.12) ----------------------------------
K=$B/kernel
resolve_abi() {
	# linux-image-amd64 (backports) depends on linux-image-<abi>-amd64[-unsigned]
	apt-cache show -t bookworm-backports linux-image-amd64 2>/dev/null |
		awk '/^Version:/{v=$2} /^Depends:/{print v" "$0}' | sort -V | tail -n1 |
		grep -o 'linux-image-[0-9][^ ,]*-amd64' | head -n1 |
		sed -e 's/^linux-image-//' -e 's/-amd64$//'
}
abi=$(resolve_abi || true)
if [ -z "$abi" ]; then
	apt_update
	abi=$(resolve_abi || true)
fi
if [ -z "$abi" ] && [ -f "$K/abi" ]; then
	abi=$(cat "$K/abi")
	say "cannot resolve the current backports kernel; keeping the unpacked $abi"
fi
[ -n "$abi" ] || die "cannot resolve linux-image-amd64 in bookworm-backports (apt-cache show failed)"
case "$abi" in 6.12.*) ;; *) say "warning: backports kernel is $abi, not 6.12" ;; esac

if [ "$(cat "$K/abi" 2>/dev/null)" != "$abi" ] || [ ! -f "$K/vmlinuz" ]; then
	say "fetching kernel $abi"
	kdl=$CACHE/kernel-$abi
	mkdir -p "$kdl"
	pkgs="linux-image-$abi-amd64-unsigned linux-headers-$abi-amd64 linux-headers-$abi-common linux-kbuild-$abi"
	( cd "$kdl" && for p in $pkgs; do
		ls "$p"_*.deb >/dev/null 2>&1 || "${APT[@]}" download -qq "$p" >/dev/null ||
			{ apt_update; "${APT[@]}" download -qq "$p" >/dev/null; } ||
			die "cannot download $p"
	done )
	# Unpack in place; the abi file is written last and marks a complete tree.
	rm -rf "$K"
	mkdir -p "$K/root"
	for d in "$kdl"/*.deb; do dpkg -x "$d" "$K/root"; done
	hdr=$K/root/usr/src/linux-headers-$abi-amd64
	common=$K/root/usr/src/linux-headers-$abi-common
	[ -d "$hdr" ] && [ -d "$common" ] || die "kernel headers not found in the downloaded packages"
	# The arch headers' Makefile includes the -common tree by absolute path.
	sed -i "s|/usr/src/linux-headers-$abi-common|$common|g" "$hdr/Makefile"
	# scripts/ and tools/ of the headers are absolute links into /usr/lib/linux-kbuild-*.
	find "$hdr" "$common" -maxdepth 2 -type l | while read -r l; do
		t=$(readlink "$l")
		case "$t" in /usr/lib/linux-kbuild-*|/usr/src/*) ln -sfn "$K/root$t" "$l" ;; esac
	done
	ln -sfn "root/boot/vmlinuz-$abi-amd64" "$K/vmlinuz"
	ln -sfn "root/usr/src/linux-headers-$abi-amd64" "$K/headers"
	ln -sfn "root/lib/modules/$abi-amd64" "$K/modules"
	echo "$abi" >"$K/abi"
	find "$CACHE" -maxdepth 1 -name 'kernel-*' ! -name "kernel-$abi" -exec rm -rf {} +
fi
[ -f "$K/headers/vmlinux" ] || die "headers lack the BTF vmlinux ($K/headers/vmlinux)"

# --- the newest Debian kernel, and a chroot to build its module ------------
# Private apt configuration listing trixie-backports and sid; the higher
# linux-image-amd64 wins.  Its release's chroot gets the headers through apt
# (with the compiler and kbuild they depend on), as on a user's machine.
NK=$B/kernel-newest
newest_kernel() {
	local A=$CACHE/apt-newest opts cand ver abi suite root pkgs p img hdr
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/dl"
	cat >"$A/sources.list" <<-EOF
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
	EOF
	opts=(-o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o Dir::State::status=/dev/null)
	# refresh the package lists once a day (a second `make deps` stays fast)
	if [ -n "$(find "$A/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
		:
	elif ! "${APT[@]}" "${opts[@]}" update -qq; then
		if [ -f "$NK/abi" ]; then
			have="newest kernel $(cat "$NK/abi") (kept: trixie-backports/sid unreachable)"
			return 0
		fi
		die "apt-get update for trixie-backports/sid failed (needed for the newest kernel; ACTPLANE_NEWEST=0 skips it)"
	fi
	# nothing new since the kernel was unpacked and its chroot set up
	root=$(cat "$NK/chroot" 2>/dev/null || true)
	if [ -f "$NK/abi" ] && [ -f "$root/.actplane-ok" ] && [ -x "$root/usr/sbin/dkms" ] &&
	   [ -f "$root/usr/src/linux-headers-$(cat "$NK/abi")-amd64/Makefile" ] &&
	   [ -z "$(find "$A/lists" -maxdepth 1 -name '*_Packages*' -newer "$NK/abi" | head -n1)" ]; then
		have="newest kernel $(cat "$NK/abi") ($(cat "$NK/suite"))"
		return 0
	fi
	# "VERSION SUITE" of each linux-image-amd64, highest first
	cand=$(apt-cache "${opts[@]}" madison linux-image-amd64 |
		awk -F'|' '{gsub(/ /,"",$2); split($3,a," "); s=a[2]; sub(/\/.*/,"",s); print $2, s}' | sort -V -r | head -n1)
	ver=${cand% *} suite=${cand#* }
	[ -n "$ver" ] && [ -n "$suite" ] || die "cannot resolve linux-image-amd64 in trixie-backports/sid"
	abi=$(apt-cache "${opts[@]}" show "linux-image-amd64=$ver" | sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*\)-amd64\( \|,\|$\).*/\1/p' | head -n1)
	[ -n "$abi" ] || die "cannot find the kernel linux-image-amd64 $ver depends on"
	case "$suite" in trixie-backports) root=$B/chroot-trixie ;; *) root=$B/chroot-$suite ;; esac

	if [ "$(cat "$NK/abi" 2>/dev/null)" != "$abi" ] || [ ! -f "$NK/vmlinuz" ]; then
		say "fetching the newest Debian kernel: $abi ($suite)"
		local kdl=$CACHE/kernel-newest-$abi
		mkdir -p "$kdl"
		# 7.x splits the image (linux-binary-unsigned-*, linux-modules-*,
		# linux-base-*); earlier kernels ship linux-image-*-unsigned.
		if apt-cache "${opts[@]}" show "linux-binary-unsigned-$abi-amd64" >/dev/null 2>&1; then
			pkgs="linux-binary-unsigned-$abi-amd64 linux-modules-$abi-amd64 linux-base-$abi-amd64"
		else
			pkgs="linux-image-$abi-amd64-unsigned"
		fi
		( cd "$kdl" && for p in $pkgs; do
			ls "$p"_*.deb >/dev/null 2>&1 || "${APT[@]}" "${opts[@]}" download -qq "$p" >/dev/null ||
				die "cannot download $p"
		done )
		rm -rf "$NK"
		mkdir -p "$NK/root"
		for p in "$kdl"/*.deb; do dpkg -x "$p" "$NK/root"; done
		# virtme-ng finds the modules under <root>/lib/modules/<release>
		[ -e "$NK/root/lib" ] || ln -s usr/lib "$NK/root/lib"
		img=$(ls "$NK"/root/boot/vmlinuz-* "$NK"/root/usr/lib/modules/*/vmlinuz* 2>/dev/null | head -n1 || true)
		[ -n "$img" ] || die "no kernel image in $pkgs"
		mkdir -p "$NK/root/boot"
		[ -f "$NK/root/boot/vmlinuz-$abi-amd64" ] || cp "$img" "$NK/root/boot/vmlinuz-$abi-amd64"
		ln -sfn "root/boot/vmlinuz-$abi-amd64" "$NK/vmlinuz"
		echo "$suite" >"$NK/suite"
		echo "$root" >"$NK/chroot"
		echo "$abi" >"$NK/abi"
		find "$CACHE" -maxdepth 1 -name 'kernel-newest-*' ! -name "kernel-newest-$abi" -exec rm -rf {} +
	fi

	# The chroot: a minimal system of that release, its headers installed by apt.
	hdr=linux-headers-$abi-amd64
	if [ ! -f "$root/.actplane-ok" ]; then
		local base=${suite%-backports}
		say "creating a minimal $base chroot under $root (debootstrap)"
		rm -rf "$root"
		debootstrap --variant=minbase --include=make,bc,dwarves,kmod "$base" "$root" \
			http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 ||
			die "debootstrap $base failed (see $CACHE/debootstrap.log)"
		[ "$suite" = "$base" ] ||
			echo "deb http://deb.debian.org/debian $suite main" >"$root/etc/apt/sources.list.d/$suite.list"
		touch "$root/.actplane-ok"
	fi
	if [ ! -f "$root/usr/src/$hdr/Makefile" ] || [ ! -x "$root/usr/bin/as" ] ||
	   [ ! -x "$root/usr/sbin/dkms" ]; then
		say "installing $hdr in the chroot"
		# (apt's "cannot write log" about /dev/pts is harmless: the log only)
		{ chroot "$root" "${APT[@]}" update -qq &&
		  chroot "$root" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq \
			--no-install-recommends "$hdr" binutils dkms >/dev/null; } 2>"$CACHE/chroot-apt.log" ||
			{ cat "$CACHE/chroot-apt.log" >&2; die "cannot install $hdr in $root"; }
	fi
	[ -f "$root/usr/src/$hdr/vmlinux" ] || die "the newest kernel's headers lack the BTF vmlinux"
	have="newest kernel $abi ($suite)"
}
newest_note=
if [ "${ACTPLANE_NEWEST:-1}" != 0 ]; then
	newest_kernel
	newest_note=", $have"
fi

# --- virtme-ng from trixie (private apt configuration) ----------------------
V=$B/vng
A=$CACHE/apt-trixie
if [ ! -x "$V/usr/bin/vng" ]; then
	say "fetching virtme-ng from trixie (private apt configuration)"

	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/dl"
	echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$A/sources.list"
	opts=(-o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o Dir::State::status=/dev/null)
	"${APT[@]}" "${opts[@]}" update -qq || die "apt-get update for trixie failed (needed for virtme-ng)"
	( cd "$A/dl" && rm -f virtme-ng_*.deb && "${APT[@]}" "${opts[@]}" download -qq virtme-ng ) ||
		die "cannot download virtme-ng from trixie"
	rm -rf "$V"
	dpkg -x "$A"/dl/virtme-ng_*.deb "$V"
	[ -x "$V/usr/bin/vng" ] || die "virtme-ng package has no usr/bin/vng"
fi

say "ok: kernel $abi$newest_note, MCP SDK $sdk_have (node $(node --version)), virtme-ng $(ls "$A"/dl/virtme-ng_*.deb 2>/dev/null | sed 's/.*virtme-ng_//;s/_all.deb//' || echo unpacked)"
