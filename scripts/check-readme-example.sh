#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-readme-example.sh README FILE
#
# The README quotes FILE in a fenced code block that directly follows the
# line "<!-- quote: FILE -->" (FILE as written relative to the top of the
# source tree, e.g. examples/minimal.c). Fails unless the block and the
# file are identical.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 README FILE" >&2
	exit 2
fi
readme=$1
file=$2
name=examples/$(basename "$file")

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

awk -v marker="<!-- quote: $name -->" '
	state == 0 && $0 == marker { state = 1; next }
	state == 1 && /^```/ { state = 2; next }
	state == 1 { state = 0 }
	state == 2 && /^```[[:space:]]*$/ { state = 3; found = 1; next }
	state == 2 { print }
	END { exit found ? 0 : 1 }
' "$readme" >"$tmp" || {
	echo "FAIL: $readme has no code block after \"<!-- quote: $name -->\"" >&2
	exit 1
}

if ! diff -u "$file" "$tmp"; then
	echo "FAIL: the code block in $readme differs from $name (diff above:" \
	     "- file, + README)" >&2
	exit 1
fi
echo "OK: $readme quotes $name exactly ($(wc -l <"$file") lines)"
