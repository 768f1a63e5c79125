#!/usr/bin/env bash
# Runs every C unit test and bats suite, and ends with one line of its own:
# "N passed, N failed, N skipped".  Exits 1 when anything failed.
#
# Each suite speaks TAP.  A suite that crashes, times out, or whose plan
# does not match what it ran counts as one more failure, so a test binary
# cannot fail silently.  Logs of failing suites are printed in full.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${TN_BUILD:-build}
export TN_BUILD=$build
# Seconds one unit-test binary or bats file may run before it counts as hung.
suite_timeout=${TN_SUITE_TIMEOUT:-900}

passed=0 failed=0 skipped=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/tickernet-tests.XXXXXX") || exit 1
trap 'rm -rf "$logdir"' EXIT

# count_tap NAME LOG STATUS: adds LOG's results to the totals.
count_tap() {
	local name=$1 log=$2 status=$3
	local ok notok skip plan ran bad=0
	ok=$(grep -cE '^ok [0-9]+' "$log")
	notok=$(grep -cE '^not ok [0-9]+' "$log")
	skip=$(grep -cE '^ok [0-9]+.*# ?[Ss][Kk][Ii][Pp]' "$log")
	plan=$(grep -oE '^1\.\.[0-9]+' "$log" | head -n 1 | cut -d. -f3)
	ran=$((ok + notok))
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
	if [ -z "$plan" ] || [ "$plan" -ne "$ran" ]; then
		echo "# $name: plan ${plan:-missing}, ran $ran" >>"$log"
		bad=1
	fi
	if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "# $name: exited $status with no failing test" >>"$log"
		bad=1
	fi
	if [ "$bad" -eq 1 ]; then
		failed=$((failed + 1))
	fi
	if [ "$bad" -eq 1 ] || [ "$notok" -gt 0 ]; then
		echo "=== $name: FAILED"
		cat "$log"
	else
		printf '%-40s %d passed, %d skipped\n' "$name" "$((ok - skip))" "$skip"
	fi
}

for t in "$build"/tests/test_* "$build"/tests/dbl_*; do
	[ -x "$t" ] || continue
	name=unit/${t##*/}
	log=$logdir/${t##*/}.log
	timeout "$suite_timeout" "$t" >"$log" 2>&1
	count_tap "$name" "$log" $?
done

if ! command -v bats >/dev/null 2>&1; then
	echo "bats is missing: run 'make deps'"
	failed=$((failed + 1))
else
	for f in tests/*.bats; do
		[ -f "$f" ] || continue
		name=${f#tests/}
		log=$logdir/${name%.bats}.log
		timeout "$suite_timeout" bats --tap "$f" >"$log" 2>&1
		count_tap "$name" "$log" $?
	done
fi

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
