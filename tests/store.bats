#!/usr/bin/env bats
# The store's file safety from the outside: atomic replacement under
# injected faults (tests/shims/faultfs.c) and writer-lock contention,
# through the drivers in tests/drivers.

load helper

setup() {
	tn_setup
	dir=$BATS_TEST_TMPDIR/d
	mkdir -p "$dir"
	target=$dir/target.csv
	# larger than stdio's buffer, so a fault lands in the middle
	head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/new"
	printf 'symbol,date,close\nAAPL,2024-05-31,189.9\n' >"$target"
	cp "$target" "$BATS_TEST_TMPDIR/old"
	holder=
}

teardown() {
	if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
		kill "$holder"
		wait "$holder" || true
	fi
}

atomic-write() {
	timeout "$TN_TEST_TIMEOUT" "$DRIVERS/atomic-write" "$@"
}

lock-hold() {
	timeout "$TN_TEST_TIMEOUT" "$DRIVERS/lock-hold" "$@"
}

# faulty VAR=VALUE... -- ARGS: atomic-write ARGS under the fault shim.
faulty() {
	local -a faults=()
	while [ "$1" != -- ]; do
		faults+=("$1")
		shift
	done
	shift
	timeout "$TN_TEST_TIMEOUT" env LD_PRELOAD="$SHIMS/faultfs.so" \
		"${faults[@]}" "$DRIVERS/atomic-write" "$@"
}

# The directory holds target.csv and nothing else: no temporary left over.
only_target_left() {
	local left
	left=$(ls -A "$dir")
	if [ "$left" != target.csv ]; then
		echo "left in $dir: $left" >&2
		return 1
	fi
}

# Starts lock-hold in the background and waits until it holds the lock.
start_holder() {
	local i
	# fd 3 closed: bats waits for whoever still has it open
	"$DRIVERS/lock-hold" "$@" >"$BATS_TEST_TMPDIR/holder.out" 2>&1 3>&- &
	holder=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^locked ' "$BATS_TEST_TMPDIR/holder.out" && return 0
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
	done
	echo "holder did not take the lock:" >&2
	cat "$BATS_TEST_TMPDIR/holder.out" >&2
	return 1
}

@test "atomic-write creates a new file with exactly the input bytes" {
	rm "$target"
	run -0 atomic-write "$target" <"$BATS_TEST_TMPDIR/new"
	cmp "$BATS_TEST_TMPDIR/new" "$target"
	only_target_left
}

@test "atomic-write replaces an existing file with the new content" {
	run -0 atomic-write "$target" <"$BATS_TEST_TMPDIR/new"
	cmp "$BATS_TEST_TMPDIR/new" "$target"
	only_target_left
}

@test "atomic-write by name replaces an existing file the same way" {
	run -0 atomic-write -p "$target" <"$BATS_TEST_TMPDIR/new"
	cmp "$BATS_TEST_TMPDIR/new" "$target"
	only_target_left
}

@test "a disk that fills up mid-write exits 74 and keeps the old file whole" {
	run -74 --separate-stderr faulty TN_FAULT_PATH=target.csv \
		TN_FAULT_WRITE_AFTER=4096 -- "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: write: No space left on device" ]
	cmp "$BATS_TEST_TMPDIR/old" "$target"
	only_target_left
}

@test "a disk that fills up during a write by name exits 74 and keeps the old file" {
	run -74 --separate-stderr faulty TN_FAULT_PATH=target.csv \
		TN_FAULT_WRITE_AFTER=4096 -- -p "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: write: No space left on device" ]
	cmp "$BATS_TEST_TMPDIR/old" "$target"
	only_target_left
}

@test "a failing fsync exits 74 and keeps the old file whole" {
	run -74 --separate-stderr faulty TN_FAULT_PATH=target.csv \
		TN_FAULT_FSYNC=file -- "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: fsync: Input/output error" ]
	cmp "$BATS_TEST_TMPDIR/old" "$target"
	only_target_left
}

@test "a failing fsync of a file written by name exits 74 and keeps the old file" {
	run -74 --separate-stderr faulty TN_FAULT_PATH=target.csv \
		TN_FAULT_FSYNC=file -- -p "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: fsync: Input/output error" ]
	cmp "$BATS_TEST_TMPDIR/old" "$target"
	only_target_left
}

@test "a failing rename exits 74 and keeps the old file whole" {
	run -74 --separate-stderr faulty TN_FAULT_PATH=target.csv \
		TN_FAULT_RENAME=1 -- "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: rename: Input/output error" ]
	cmp "$BATS_TEST_TMPDIR/old" "$target"
	only_target_left
}

@test "a failing directory fsync exits 74 after the new file is in place" {
	run -74 --separate-stderr faulty TN_FAULT_PATH="$dir" \
		TN_FAULT_FSYNC=dir -- "$target" <"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $target: fsync directory: Input/output error" ]
	cmp "$BATS_TEST_TMPDIR/new" "$target"
	only_target_left
}

@test "the fault shim leaves files that do not match its path alone" {
	run -0 faulty TN_FAULT_PATH=some-other-file TN_FAULT_WRITE_AFTER=0 \
		TN_FAULT_FSYNC=1 TN_FAULT_RENAME=1 -- "$target" \
		<"$BATS_TEST_TMPDIR/new"
	cmp "$BATS_TEST_TMPDIR/new" "$target"
}

@test "atomic-write into a missing directory exits 73" {
	run -73 --separate-stderr atomic-write "$dir/no/such/x.csv" \
		<"$BATS_TEST_TMPDIR/new"
	[ "$stderr" = "atomic-write: $dir/no/such/x.csv: create temporary file: No such file or directory" ]
	[ ! -e "$dir/no" ]
}

@test "a second writer on a held lock exits 75 with one error line" {
	start_holder "$dir/locks" gnn-AAPL 30
	run -75 --separate-stderr lock-hold "$dir/locks" gnn-AAPL 0
	[ "$stderr" = "lock-hold: $dir/locks/gnn-AAPL.lock: lock busy" ]
	[ "$output" = "" ]
}

@test "a lock on another key is not blocked by the held one" {
	start_holder "$dir/locks" gnn-AAPL 30
	run -0 lock-hold "$dir/locks" gnn-MSFT 0
	[ "$output" = "locked $dir/locks/gnn-MSFT.lock" ]
}

@test "the lock is free again once its holder exits" {
	start_holder "$dir/locks" lstm-NVDA 2
	run -75 lock-hold "$dir/locks" lstm-NVDA 0
	wait "$holder"
	run -0 lock-hold "$dir/locks" lstm-NVDA 0
	[ "$output" = "locked $dir/locks/lstm-NVDA.lock" ]
}

@test "a waiting writer gets the lock when the holder finishes" {
	start_holder "$dir/locks" prices-AAPL 1
	run -0 lock-hold "$dir/locks" prices-AAPL 0 20
	[ "$output" = "locked $dir/locks/prices-AAPL.lock" ]
}

@test "a waiting writer gives up with 75 at its deadline" {
	start_holder "$dir/locks" prices-AAPL 30
	run -75 --separate-stderr lock-hold "$dir/locks" prices-AAPL 0 1
	[ "$stderr" = "lock-hold: $dir/locks/prices-AAPL.lock: lock busy" ]
}

@test "a killed holder does not leave its lock behind" {
	start_holder "$dir/locks" gnn-AAPL 30
	kill -KILL "$holder"
	wait "$holder" || true
	run -0 lock-hold "$dir/locks" gnn-AAPL 0
}

@test "a lock key that could leave the lock directory is a usage error" {
	run -2 --separate-stderr lock-hold "$dir/locks" ../x 0
	[ "${stderr_lines[0]}" = "lock-hold: ../x: invalid lock key" ]
	[ ! -e "$dir/locks" ]
	[ ! -e "$dir/x.lock" ]
}

@test "the helper gives each test its own store" {
	[ "$TICKERNET_STORE" = "$BATS_TEST_TMPDIR/store" ]
}

@test "the helper names every tool once, wrapped in timeout" {
	local t
	for t in $TN_TOOLS; do
		declare -F "$t" >/dev/null
		declare -f "$t" | grep -q 'timeout'
	done
}

@test "the helper's timeout stops a tool that hangs" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\nexec sleep 30\n' >"$BATS_TEST_TMPDIR/bin/gnn-predict"
	chmod +x "$BATS_TEST_TMPDIR/bin/gnn-predict"
	BIN=$BATS_TEST_TMPDIR/bin TN_TEST_TIMEOUT=1 run -124 gnn-predict --serve
}

@test "missing real data fails under CI instead of skipping" {
	TN_REALDATA=$BATS_TEST_TMPDIR/none CI=1 run -1 --separate-stderr require_realdata
	[ "$stderr" = "require_realdata: $BATS_TEST_TMPDIR/none is missing, and CI must have it" ]
	TN_REALDATA=$BATS_TEST_TMPDIR CI=1 run -0 require_realdata
}
