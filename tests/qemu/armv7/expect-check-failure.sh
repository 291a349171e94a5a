#!/bin/sh
# Runs a guest given as a negative control and exits 1 only when the guest
# ran to its end and reported failed checks (exit status 1). A pass (0), an
# unexpected exception (2), a timeout or anything else exits 0, which makes
# the should_fail test that uses this script fail.
"$@"
rc=$?
if [ "$rc" -eq 1 ]; then
	echo "negative control: the guest reported failed checks, as it must"
	exit 1
fi
echo "negative control: the guest exited with $rc instead of reporting failed checks"
exit 0
