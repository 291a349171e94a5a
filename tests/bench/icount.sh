#!/bin/sh
# SPDX-License-Identifier: MIT
#
# icount.sh BUILD_DIR [CASE...] - instruction counts of iopgt_map(),
# iopgt_unmap() and iopgt_lookup() on the fixed workloads of iopgt-icount,
# under callgrind, so that two versions of the library can be compared.
#
# BUILD_DIR is any build directory holding tests/bench/iopgt-icount (build
# it with `ninja -C BUILD_DIR tests/bench/iopgt-icount`; compare builds of
# the same buildtype, debugoptimized by default). CASE is a case of
# iopgt-icount with its sync suffix (see there); without any, all of them.
#
# For each case and each function it measures, one callgrind run with
# --toggle-collect=FUNCTION: only instructions executed inside that
# function (and what it calls: the library's internals and the test's
# allocator and sync callback) are counted. The count is the "totals:" line
# of the callgrind output file. The workloads are deterministic, so a
# count repeats exactly from one run to the next on the same binary.
#
# Work sizes (in iopgt-icount.c): map cases 1 GiB, mapped and unmapped one
# page per call, three times (4K: 786432 calls of each); one4k 100000
# map/unmap pairs; lookups 1000000 over 64 MiB of 4K pages. No size was
# reduced for valgrind: the whole script takes about a minute on two cores.
#
# IOPGT_ICOUNT_IDENT=1 passes through to the program (see iopgt-icount.c).
#
# Output: one line per case and function: calls made, instructions, and
# instructions per call, and the checksum the program printed (equal
# checksums: the same tables and the same dirty bytes).
#
# ICOUNT_OUT_DIR=DIR keeps the callgrind output files there (for
# callgrind_annotate); otherwise they go to a temporary directory that is
# removed.
set -eu

usage() {
	echo "usage: $0 BUILD_DIR [CASE...]" >&2
	exit 1
}

[ $# -ge 1 ] || usage
build=$1
shift
prog=$build/tests/bench/iopgt-icount
if [ ! -x "$prog" ]; then
	echo "$0: no $prog (ninja -C $build tests/bench/iopgt-icount)" >&2
	exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "$0: valgrind not found (Debian/Ubuntu: apt-get install valgrind)" >&2
	exit 1
fi

if [ $# -eq 0 ]; then
	set -- map4k:0 map4k:1 map2m:0 map2m:1 map16k:0 map16k:1 map64k:0 map64k:1 \
		one4k:0 one4k:1 sg64:0 sg64:1 lookup_lpae lookup_v7s xlate_lpae xlate_v7s \
		xlate_blk xlate_v7sblk bulk4k:0 bulk4k:1 bulk2m:0 bulk2m:1 map4k_v7s:0 map4k_v7s:1 blk_v7s:0 blk_v7s:1 \
		bulk1m_v7s:0 bulk1m_v7s:1
fi

if [ -n "${ICOUNT_OUT_DIR:-}" ]; then
	out=$ICOUNT_OUT_DIR
	mkdir -p "$out"
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	trap 'exit 130' INT TERM
fi

# resolve every symbol at startup: no lazy binding inside a measured call
LD_BIND_NOW=1
export LD_BIND_NOW

printf '%-14s %-14s %10s %14s %10s  %s\n' case function calls Ir Ir/call checksum
for c in "$@"; do
	case $c in
	lookup_*) fns=iopgt_lookup ;;
	xlate_*) fns=iopgt_translate ;;
	sg64*) fns="iopgt_map_sg iopgt_unmap" ;;
	*) fns="iopgt_map iopgt_unmap" ;;
	esac
	for fn in $fns; do
		f=$out/$(echo "$c" | tr ':' '_').$fn
		if ! valgrind --tool=callgrind --callgrind-out-file="$f.out" \
			--toggle-collect="$fn" "$prog" "$c" >"$f.txt" 2>"$f.log"; then
			echo "$0: $c failed:" >&2
			cat "$f.txt" "$f.log" >&2
			exit 1
		fi
		line=$(grep '^iopgt-icount ' "$f.txt" || true)
		calls=$(printf '%s\n' "$line" | sed -n "s/.* $fn=\([0-9]*\).*/\1/p")
		sum=$(printf '%s\n' "$line" | sed -n 's/.* checksum=\([0-9a-f]*\).*/\1/p')
		ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f.out")
		[ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f.out")
		if [ -z "$calls" ] || [ -z "$ir" ] || [ "$ir" -eq 0 ]; then
			echo "$0: $c $fn: no count (calls '${calls}', Ir '${ir}')" >&2
			exit 1
		fi
		awk -v c="$c" -v fn="$fn" -v n="$calls" -v ir="$ir" -v s="$sum" 'BEGIN {
			printf "%-14s %-14s %10d %14d %10.1f  %s\n", c, fn, n, ir, ir / n, s }'
	done
done
