#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-freestanding-symbols.sh NM ALLOWLIST ARCHIVE
#
# Lists every undefined symbol of the objects in ARCHIVE that no object of
# ARCHIVE defines, and fails unless each one is named in ALLOWLIST (one
# symbol per line; '#' starts a comment). NM is the nm of the target's
# toolchain (aarch64-linux-gnu-nm, arm-none-eabi-nm, ...).
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 NM ALLOWLIST ARCHIVE" >&2
	exit 2
fi
nm=$1
allowlist=$2
archive=$3

[ -f "$archive" ] || { echo "$0: no such archive: $archive" >&2; exit 2; }
[ -f "$allowlist" ] || { echo "$0: no such allow-list: $allowlist" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Symbols defined anywhere in the archive (global or weak, any section).
"$nm" --defined-only -g "$archive" 2>/dev/null |
	awk 'NF >= 3 { print $3 }' | sort -u >"$tmp/defined"
# Symbols some object needs.
"$nm" --undefined-only -g "$archive" 2>/dev/null |
	awk 'NF >= 2 { print $NF }' | sort -u >"$tmp/undefined"
# Allowed ones.
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$allowlist" | sort -u >"$tmp/allowed"

comm -23 "$tmp/undefined" "$tmp/defined" >"$tmp/external"
comm -23 "$tmp/external" "$tmp/allowed" >"$tmp/bad"

nobj=$("$nm" -A --defined-only "$archive" 2>/dev/null | awk -F: '{ print $2 }' | sort -u | wc -l)
next=$(wc -l <"$tmp/external")
echo "$archive: $nobj object(s) with definitions, $next external symbol(s)"
if [ -s "$tmp/external" ]; then
	sed 's/^/  external: /' "$tmp/external"
fi

if [ -s "$tmp/bad" ]; then
	echo "FAIL: symbols needed from outside the library and not allowed:" >&2
	while read -r sym; do
		users=$("$nm" -A --undefined-only -g "$archive" 2>/dev/null |
			awk -v s="$sym" '$NF == s { split($1, a, ":"); print a[2] }' |
			sort -u | tr '\n' ' ')
		echo "  $sym  (used by: $users)" >&2
	done <"$tmp/bad"
	exit 1
fi
echo "OK: every external symbol is in $(basename "$allowlist")"
