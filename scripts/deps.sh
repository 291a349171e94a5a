# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Sourced by scripts/demo and scripts/test: install missing Debian packages.
#
# ensure_packages PKG...   PKG may carry an architecture (libcmocka-dev:arm64);
#                          a foreign architecture is added to dpkg first.
# Nothing is installed (and apt is not touched) when every package is there.

pkg_installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "error: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

ensure_packages() {
	local missing=() arches=() pkg arch
	for pkg in "$@"; do
		pkg_installed "$pkg" || missing+=("$pkg")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "packages: all ${#} present"
		return 0
	fi
	echo "packages: installing ${missing[*]}"
	for pkg in "${missing[@]}"; do
		case $pkg in
		*:*) arch=${pkg##*:}
		     if [ "$arch" != "$(dpkg --print-architecture)" ] &&
			! dpkg --print-foreign-architectures | grep -qx "$arch"; then
			     arches+=("$arch")
		     fi ;;
		esac
	done
	for arch in $(printf '%s\n' "${arches[@]}" | sort -u); do
		echo "packages: adding dpkg architecture $arch"
		as_root dpkg --add-architecture "$arch"
	done
	export DEBIAN_FRONTEND=noninteractive
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}
