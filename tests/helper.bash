# helper.bash - what every tests/<tool>.bats loads first (`load helper`).
#
# Names each binary once, wrapped in timeout so a hang fails the test
# instead of stalling CI, points the store at the test's own temp dir, and
# decides what a missing fixture means: a skip on a laptop, a failure in CI.
#
#   BUILD     the build dir, $TN_BUILD (default "build") made absolute
#   BIN       $BUILD/bin, the tools
#   DRIVERS   $BUILD/tests/drivers, test-only programs
#   SHIMS     $BUILD/tests/shims, LD_PRELOAD libraries (faultfs.so)
#   TN_TEST_TIMEOUT   seconds one tool run may take (default 120)
#
# A .bats file that needs its own setup() calls tn_setup from it.

# run -N and run --separate-stderr
bats_require_minimum_version 1.5.0

TN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TN_BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$TN_REPO/$BUILD ;;
esac
BIN=$BUILD/bin
DRIVERS=$BUILD/tests/drivers
SHIMS=$BUILD/tests/shims
TN_TEST_TIMEOUT=${TN_TEST_TIMEOUT:-120}
# After the timeout's TERM, this long before KILL, for a tool stuck
# ignoring TERM.
TN_TEST_KILL_AFTER=10

TN_TOOLS="fetch-prices build-features corr-graph gnn-train gnn-predict \
lstm-train lstm-predict cache-prune"

# One function per tool: `fetch-prices AAPL` runs $BIN/fetch-prices AAPL.
# BIN and TN_TEST_TIMEOUT are read at each call, so a test may change them.
for tn_tool in $TN_TOOLS; do
	eval "$tn_tool() {
		timeout -k \"\$TN_TEST_KILL_AFTER\" \"\$TN_TEST_TIMEOUT\" \\
			\"\$BIN/$tn_tool\" \"\$@\"
	}"
done
unset tn_tool

# The real market data the tests may use: ../shared/realdata next to the
# repository, or $TN_REALDATA.
realdata_dir() {
	printf '%s\n' "${TN_REALDATA:-$TN_REPO/../shared/realdata}"
}

# Skips the test when the real data is absent; under CI ($CI set) that is a
# failure instead, since CI is supposed to have it.
require_realdata() {
	local dir
	dir=$(realdata_dir)
	[ -d "$dir" ] && return 0
	if [ -n "${CI:-}" ]; then
		echo "require_realdata: $dir is missing, and CI must have it" >&2
		return 1
	fi
	skip "no real data in $dir"
}

# The same for a command the suite needs (h5dump, jq, python3).
require_command() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${CI:-}" ]; then
		echo "require_command: $1 is missing, and CI must have it" >&2
		return 1
	fi
	skip "$1 is not installed"
}

# No test touches ./store: each gets an empty store of its own.
tn_setup() {
	export TICKERNET_STORE=$BATS_TEST_TMPDIR/store
}

setup() {
	tn_setup
}

# full_device: a path whose writes fail with ENOSPC, like /dev/full.  As
# root it is a private node in the test's temp dir, so that a tool that
# wrongly replaced its -o by rename would harm nothing.
full_device() {
	if [ "$(id -u)" = 0 ] &&
	   mknod -m 666 "$BATS_TEST_TMPDIR/full" c 1 7 2>/dev/null; then
		printf '%s\n' "$BATS_TEST_TMPDIR/full"
	else
		printf '%s\n' /dev/full
	fi
}

# read_fifo FIFO FILE: a background reader copying FIFO to FILE, given up
# after 10 s so that a tool that never opens the FIFO cannot hang the test.
# Its pid is in $fifo_reader.
read_fifo() {
	mkfifo "$1"
	timeout 10 cat "$1" >"$2" 3>&- &
	fifo_reader=$!
}
