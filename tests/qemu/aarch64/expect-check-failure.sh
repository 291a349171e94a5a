#!/bin/sh
# Runs a negative-control guest: "$@" is the whole QEMU command line.
# Exits 1 (which the should_fail test counts as the expected failure) only
# when the guest ran to its end and reported failed checks: QEMU's exit
# status 1 and the guest's "RESULT: checks failed" line. Anything else
# (the checks passed, the guest crashed, QEMU did not start, a timeout)
# exits 99, which meson reports as an error even for should_fail tests.
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q 'RESULT: checks failed'; then
	echo "negative control: the guest reported failed checks, as it must"
	exit 1
fi
echo "negative control: exit status $rc without failed checks reported"
exit 99
