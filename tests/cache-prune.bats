#!/usr/bin/env bats
# cache-prune on stores built by hand: ages with touch -d and version
# stamps from date(1), current.h5 with ln -s.

load helper

setup() {
	tn_setup
	store=$TICKERNET_STORE
	now=$(date +%s)
	mkdir -p "$store"/models/gnn "$store"/models/lstm \
		"$store"/predictions/gnn "$store"/prices "$store"/runs/gnn
}

# stamp DAYS: the version stamp of DAYS days before the test began (one
# fixed "now", so a stamp computed twice is the same).
stamp() {
	date -u -d "@$((now - $1 * 86400))" +%Y%m%dT%H%M%SZ
}

# versions KIND SYMBOL DAYS...: one version file DAYS days old for each.
versions() {
	local kind=$1 symbol=$2 d
	shift 2
	mkdir -p "$store/models/$kind/$symbol"
	for d in "$@"; do
		echo "model $d" >"$store/models/$kind/$symbol/$(stamp "$d").h5"
	done
}

# current KIND SYMBOL DAYS: current.h5 points at the version DAYS old.
current() {
	ln -sfn "$(stamp "$3").h5" "$store/models/$1/$2/current.h5"
}

# has_version KIND SYMBOL DAYS: that version is still there.
has_version() {
	[ -f "$store/models/$1/$2/$(stamp "$3").h5" ]
}

count_versions() {
	find "$store/models/$1/$2" -name '*Z.h5' | wc -l
}

listing() {
	(cd "$store" && find . -printf '%p %y %s %T@ %l\n' | LC_ALL=C sort)
}

# lines ACTION: the paths of the output lines with that action.
lines() {
	printf '%s\n' "$output" | jq -r --arg a "$1" 'select(.action == $a) | .path'
}

start_holder() {
	local i
	"$DRIVERS/lock-hold" "$@" >"$BATS_TEST_TMPDIR/holder.out" 2>&1 3>&- &
	holder=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^locked ' "$BATS_TEST_TMPDIR/holder.out" && return 0
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/holder.out" >&2
	return 1
}

teardown() {
	if [ -n "${holder:-}" ]; then
		kill "$holder" 2>/dev/null || true
		wait "$holder" 2>/dev/null || true
	fi
}

# ---- model versions ----

@test "the newest 7 versions are kept by default and older ones removed" {
	versions gnn AAPL 1 2 3 4 5 6 7 8 9 10
	current gnn AAPL 1
	run -0 cache-prune
	[ "$(count_versions gnn AAPL)" -eq 7 ]
	! has_version gnn AAPL 8
	! has_version gnn AAPL 10
	has_version gnn AAPL 7
	[ "$(lines remove | wc -l)" -eq 3 ]
}

@test "--keep sets how many versions are kept per symbol and kind" {
	versions gnn AAPL 1 2 3 4 5
	versions lstm AAPL 1 2 3 4 5
	run -0 cache-prune --keep 2
	[ "$(count_versions gnn AAPL)" -eq 2 ]
	[ "$(count_versions lstm AAPL)" -eq 2 ]
	has_version gnn AAPL 1
	has_version gnn AAPL 2
}

@test "--keep-days keeps versions younger than D days beyond --keep" {
	versions gnn AAPL 1 2 3 4 5 20 30
	run -0 cache-prune --keep 1 --keep-days 10
	[ "$(count_versions gnn AAPL)" -eq 5 ]
	! has_version gnn AAPL 20
	! has_version gnn AAPL 30
}

@test "--keep keeps the newest N even when they are older than --keep-days" {
	versions gnn AAPL 20 30 40 50
	run -0 cache-prune --keep 2 --keep-days 10
	has_version gnn AAPL 20
	has_version gnn AAPL 30
	! has_version gnn AAPL 40
}

@test "the current version is never removed even when it is the oldest" {
	versions gnn AAPL 1 2 3 40
	current gnn AAPL 40
	run -0 cache-prune --keep 0
	[ "$(count_versions gnn AAPL)" -eq 1 ]
	has_version gnn AAPL 40
	[ -L "$store/models/gnn/AAPL/current.h5" ]
}

@test "a dangling current.h5 is reported and left in place" {
	versions gnn AAPL 1
	current gnn AAPL 5
	run -0 cache-prune
	[ "$(printf '%s\n' "$output" | jq -r 'select(.action == "report") | .reason')" = "dangling current.h5" ]
	[ "$(lines report)" = "$store/models/gnn/AAPL/current.h5" ]
	[ -L "$store/models/gnn/AAPL/current.h5" ]
}

@test "a current.h5 pointing out of its directory is reported and its versions left alone" {
	versions gnn AAPL 1 2 3
	ln -s ../../../../outside.h5 "$store/models/gnn/AAPL/current.h5"
	run -0 cache-prune --keep 0
	[ "$(count_versions gnn AAPL)" -eq 3 ]
	[ "$(lines report)" = "$store/models/gnn/AAPL/current.h5" ]
}

# ---- predictions, temporary files, prices ----

@test "prediction files past the TTL are removed and fresh ones kept" {
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	echo '{}' >"$store/predictions/gnn/MSFT.json"
	touch -d '25 hours ago' "$store/predictions/gnn/AAPL.json"
	touch -d '23 hours ago' "$store/predictions/gnn/MSFT.json"
	run -0 cache-prune
	[ ! -e "$store/predictions/gnn/AAPL.json" ]
	[ -e "$store/predictions/gnn/MSFT.json" ]
}

@test "--ttl sets the prediction lifetime" {
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	touch -d '3 hours ago' "$store/predictions/gnn/AAPL.json"
	run -0 cache-prune --ttl 2h
	[ ! -e "$store/predictions/gnn/AAPL.json" ]
}

@test "stale temporary files are removed and fresh ones kept" {
	versions gnn AAPL 1
	touch -d '2 hours ago' "$store/models/gnn/AAPL/.old.h5.tmp.AbC123" \
		"$store/prices/.AAPL.csv.tmp.xyzXYZ" "$store/runs/gnn/.AAPL.jsonl.tmp.q1w2e3"
	touch -d '10 minutes ago' "$store/models/gnn/AAPL/.new.h5.tmp.ZzZ999"
	touch -d '2 hours ago' "$store/prices/.hidden-but-not-temp"
	run -0 cache-prune
	[ ! -e "$store/models/gnn/AAPL/.old.h5.tmp.AbC123" ]
	[ ! -e "$store/prices/.AAPL.csv.tmp.xyzXYZ" ]
	[ ! -e "$store/runs/gnn/.AAPL.jsonl.tmp.q1w2e3" ]
	[ -e "$store/models/gnn/AAPL/.new.h5.tmp.ZzZ999" ]
	[ -e "$store/prices/.hidden-but-not-temp" ]
}

@test "--grace sets when a temporary file is stale" {
	touch -d '10 minutes ago' "$store/prices/.AAPL.csv.tmp.xyzXYZ"
	run -0 cache-prune --grace 5m
	[ ! -e "$store/prices/.AAPL.csv.tmp.xyzXYZ" ]
}

@test "prices are kept unless --universe is given" {
	echo x >"$store/prices/XOM.csv"
	run -0 cache-prune
	[ -e "$store/prices/XOM.csv" ]
}

@test "--universe LIST removes cached prices of other symbols" {
	echo x >"$store/prices/AAPL.csv"
	echo x >"$store/prices/XOM.csv"
	echo x >"$store/prices/^GSPC.csv"
	run -0 cache-prune --universe 'aapl,^GSPC'
	[ -e "$store/prices/AAPL.csv" ]
	[ -e "$store/prices/^GSPC.csv" ]
	[ ! -e "$store/prices/XOM.csv" ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.action == "remove") | .reason')" = "outside the universe" ]
}

@test "--universe FILE reads symbols one a line with comments" {
	echo x >"$store/prices/AAPL.csv"
	echo x >"$store/prices/XOM.csv"
	printf '# tier 1\nAAPL\n\nMSFT # later\n' >"$BATS_TEST_TMPDIR/universe"
	run -0 cache-prune --universe "$BATS_TEST_TMPDIR/universe"
	[ -e "$store/prices/AAPL.csv" ]
	[ ! -e "$store/prices/XOM.csv" ]
}

# ---- --max-size ----

@test "--max-size evicts the least recently used predictions first" {
	head -c 1000 /dev/zero >"$store/predictions/gnn/AAPL.json"
	head -c 1000 /dev/zero >"$store/predictions/gnn/MSFT.json"
	head -c 1000 /dev/zero >"$store/predictions/gnn/NVDA.json"
	touch -d '3 hours ago' "$store/predictions/gnn/MSFT.json"
	touch -d '2 hours ago' "$store/predictions/gnn/AAPL.json"
	touch -d '1 hour ago' "$store/predictions/gnn/NVDA.json"
	versions gnn AAPL 1 2
	run -0 cache-prune --max-size 2000
	[ "$(lines remove)" = "$store/predictions/gnn/MSFT.json
$store/predictions/gnn/AAPL.json" ]
	[ -e "$store/predictions/gnn/NVDA.json" ]
	[ "$(count_versions gnn AAPL)" -eq 2 ]
}

@test "--max-size then evicts old versions oldest first, never the current one" {
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	versions gnn AAPL 1 2 3 4
	current gnn AAPL 4
	run -1 --separate-stderr cache-prune --max-size 0
	[ ! -e "$store/predictions/gnn/AAPL.json" ]
	[ "$(count_versions gnn AAPL)" -eq 1 ]
	has_version gnn AAPL 4
	[ "$(lines remove | sed -n 2p)" = "$store/models/gnn/AAPL/$(stamp 3).h5" ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.action == "report") | .reason')" = "still over --max-size (27 bytes)" ]
	[ "$stderr" = "cache-prune: $store: still over --max-size (27 bytes)" ]
}

@test "--max-size accepts K, M and G suffixes" {
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	run -0 cache-prune --max-size 1K
	[ -e "$store/predictions/gnn/AAPL.json" ]
	run -0 cache-prune --max-size 2G
	run -0 cache-prune --max-size 5M
}

# ---- dry run and output ----

@test "--dry-run changes nothing and prints would-remove lines" {
	versions gnn AAPL 1 2 3 4 5 6 7 8 9
	current gnn AAPL 9
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	touch -d '2 days ago' "$store/predictions/gnn/AAPL.json"
	touch -d '2 hours ago' "$store/prices/.AAPL.csv.tmp.xyzXYZ"
	echo x >"$store/prices/XOM.csv"
	before=$(listing)
	run -0 cache-prune --dry-run --universe AAPL --keep 0
	[ "$(listing)" = "$before" ]
	[ "$(lines would-remove | wc -l)" -eq 11 ]
	[ -z "$(lines remove)" ]
	[ "$(printf '%s\n' "$output" | tail -n 1 | jq -r .dry_run)" = true ]
}

@test "every output line is JSON with action, path, reason and bytes, then totals" {
	versions gnn AAPL 1 2 3
	current gnn AAPL 9
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	touch -d '2 days ago' "$store/predictions/gnn/AAPL.json"
	run -0 cache-prune --keep 1
	printf '%s\n' "$output" | jq -e . >/dev/null
	printf '%s\n' "$output" | sed '$d' |
		jq -e 'has("action") and has("path") and has("reason") and (.bytes | type == "number")' >/dev/null
	[ "$(printf '%s\n' "$output" | tail -n 1)" = '{"action":"totals","dry_run":false,"files":3,"bytes":19,"reports":1,"failed":0,"store_bytes":27}' ]
}

@test "the output is sorted by path" {
	versions gnn MSFT 1 2 3
	versions gnn AAPL 1 2 3
	versions lstm AAPL 1 2 3
	run -0 cache-prune --keep 1
	[ "$(lines remove)" = "$(lines remove | LC_ALL=C sort)" ]
	[ "$(lines remove | wc -l)" -eq 6 ]
}

@test "-v prints a summary on stderr" {
	versions gnn AAPL 1 2
	run -0 --separate-stderr cache-prune -v --keep 1
	[ "$stderr" = "cache-prune: removed 1 files (8 bytes); 0 reports, 0 failed; store 8 bytes" ]
}

@test "--metrics-file writes the counts" {
	versions gnn AAPL 1 2
	run -0 cache-prune --keep 1 --metrics-file "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_prune_files 1' "$BATS_TEST_TMPDIR/m.prom"
}

# ---- safety ----

@test "a symlink inside the store pointing outside is not followed" {
	echo keep >"$BATS_TEST_TMPDIR/outside.json"
	touch -d '3 days ago' "$BATS_TEST_TMPDIR/outside.json"
	ln -s "$BATS_TEST_TMPDIR/outside.json" "$store/predictions/gnn/AAPL.json"
	run -1 --separate-stderr cache-prune --max-size 0 --ttl 1s
	[ -e "$BATS_TEST_TMPDIR/outside.json" ]
	[ "$(lines report | head -n 1)" = "$store/predictions/gnn/AAPL.json" ]
}

@test "a symbol directory that is a symlink out of the store is not traversed" {
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
	for d in 1 2 3; do
		echo x >"$BATS_TEST_TMPDIR/elsewhere/$(stamp "$d").h5"
	done
	touch -d '2 hours ago' "$BATS_TEST_TMPDIR/elsewhere/.x.tmp.abcdef"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$store/models/gnn/EVIL"
	run -1 --separate-stderr cache-prune --keep 0 --max-size 0
	[ "$(find "$BATS_TEST_TMPDIR/elsewhere" -type f | wc -l)" -eq 4 ]
	[ "$(lines report | head -n 1)" = "$store/models/gnn/EVIL" ]
}

@test "an area that is a symlink out of the store is not traversed" {
	rm -r "$store/predictions/gnn"
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
	echo x >"$BATS_TEST_TMPDIR/elsewhere/AAPL.json"
	touch -d '3 days ago' "$BATS_TEST_TMPDIR/elsewhere/AAPL.json"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$store/predictions/gnn"
	run -0 cache-prune
	[ -e "$BATS_TEST_TMPDIR/elsewhere/AAPL.json" ]
	[ "$(lines report)" = "$store/predictions/gnn" ]
}

@test "a version file that is a symlink is reported and its target kept" {
	versions gnn AAPL 1
	echo x >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$store/models/gnn/AAPL/$(stamp 9).h5"
	run -0 cache-prune --keep 0
	[ -e "$BATS_TEST_TMPDIR/target" ]
	[ "$(lines report)" = "$store/models/gnn/AAPL/$(stamp 9).h5" ]
}

@test "a symbol whose lock is held keeps its versions and is reported as skipped" {
	versions gnn AAPL 1 2 3
	versions gnn MSFT 1 2 3
	start_holder "$store/locks" gnn-AAPL 30
	run -0 cache-prune --keep 1
	[ "$(count_versions gnn AAPL)" -eq 3 ]
	[ "$(count_versions gnn MSFT)" -eq 1 ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.action == "report") | "\(.path) \(.reason)"')" = "$store/models/gnn/AAPL lock busy, skipped" ]
}

@test "--fail-on-busy exits 75 when a lock was busy, after doing the rest" {
	versions gnn AAPL 1 2 3
	versions gnn MSFT 1 2 3
	start_holder "$store/locks" gnn-AAPL 30
	run -75 cache-prune --keep 1 --fail-on-busy
	[ "$(count_versions gnn AAPL)" -eq 3 ]
	[ "$(count_versions gnn MSFT)" -eq 1 ]
}

@test "--wait waits for a busy lock and then prunes" {
	versions gnn AAPL 1 2 3
	start_holder "$store/locks" gnn-AAPL 1
	run -0 cache-prune --keep 1 --wait=20
	[ "$(count_versions gnn AAPL)" -eq 1 ]
}

@test "a dry run creates no lock files" {
	versions gnn AAPL 1 2 3
	run -0 cache-prune --dry-run --keep 1
	[ ! -e "$store/locks" ]
}

@test "a file that cannot be removed is reported and exits 1" {
	[ "$(id -u)" -ne 0 ] || skip "root removes files from read-only directories"
	versions gnn AAPL 1 2 3
	chmod a-w "$store/models/gnn/AAPL"
	run -1 --separate-stderr cache-prune --keep 1
	chmod u+w "$store/models/gnn/AAPL"
	[ "$(count_versions gnn AAPL)" -eq 3 ]
	[[ $stderr == *"cannot remove: Permission denied"* ]]
}

@test "an empty store is fine" {
	run -0 cache-prune
	[ "$output" = '{"action":"totals","dry_run":false,"files":0,"bytes":0,"reports":0,"failed":0,"store_bytes":0}' ]
}

@test "the store comes from --store before TICKERNET_STORE" {
	mkdir -p "$BATS_TEST_TMPDIR/other/models/gnn"
	versions gnn AAPL 1 2
	run -0 cache-prune --store "$BATS_TEST_TMPDIR/other" --keep 1
	[ "$(count_versions gnn AAPL)" -eq 2 ]
}

# ---- bad usage ----

@test "a missing store exits 66" {
	run -66 --separate-stderr cache-prune --store "$BATS_TEST_TMPDIR/nope"
	[ "$stderr" = "cache-prune: $BATS_TEST_TMPDIR/nope: no store here: No such file or directory" ]
}

@test "a world-writable store without the sticky bit is refused" {
	chmod 0777 "$store"
	run -66 --separate-stderr cache-prune
	[ "$stderr" = "cache-prune: $store: world-writable store, refusing" ]
}

@test "a locks area that is a symlink is refused with 74" {
	mkdir "$BATS_TEST_TMPDIR/locks"
	ln -s "$BATS_TEST_TMPDIR/locks" "$store/locks"
	run -74 --separate-stderr cache-prune
	[ "$stderr" = "cache-prune: $store/locks: a symbolic link; refusing to lock through it" ]
}

@test "--keep rejects a negative number" {
	run -2 --separate-stderr cache-prune --keep -1
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --keep: out of range (expected 0..1000000): '-1'" ]
}

@test "--keep-days rejects text" {
	run -2 --separate-stderr cache-prune --keep-days x
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --keep-days: not an integer (expected 0..100000): 'x'" ]
}

@test "--ttl rejects a bad duration" {
	run -2 --separate-stderr cache-prune --ttl 1y
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --ttl: not a duration (N[smhdw]): '1y'" ]
}

@test "--grace rejects a negative duration" {
	run -2 --separate-stderr cache-prune --grace -5m
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --grace: not a duration (N[smhdw]): '-5m'" ]
}

@test "--max-size rejects a bad size" {
	run -2 --separate-stderr cache-prune --max-size 10X
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --max-size: not a size (N[KMGT]): '10X'" ]
}

@test "--universe rejects a bad symbol" {
	run -2 --separate-stderr cache-prune --universe 'AAPL,B@D'
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --universe: bad symbol 'B@D': bad character '@' at 2" ]
}

@test "--universe with a bad symbol in a file exits 65 naming the line" {
	printf 'AAPL\nno/pe\n' >"$BATS_TEST_TMPDIR/universe"
	run -65 --separate-stderr cache-prune --universe "$BATS_TEST_TMPDIR/universe"
	[[ $stderr == "cache-prune: $BATS_TEST_TMPDIR/universe:2: bad symbol 'no/pe': "* ]]
}

@test "--universe with a missing file exits 66" {
	run -66 --separate-stderr cache-prune --universe "$BATS_TEST_TMPDIR/none"
	[ "$stderr" = "cache-prune: $BATS_TEST_TMPDIR/none: No such file or directory" ]
}

@test "--universe with no symbols is a usage error" {
	run -2 --separate-stderr cache-prune --universe ,
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --universe: no symbols in ','" ]
}

@test "--wait rejects a bad number" {
	run -2 --separate-stderr cache-prune --wait=soon
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --wait: not an integer (expected -1..86400): 'soon'" ]
}

@test "an empty --store is a usage error" {
	run -2 --separate-stderr cache-prune --store ''
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: --store: empty directory name" ]
}

@test "an argument is a usage error" {
	run -2 --separate-stderr cache-prune store
	[ "$(printf '%s\n' "$stderr" | head -n 1)" = "cache-prune: unexpected argument 'store'" ]
}

@test "an unknown option is a usage error" {
	run -2 --separate-stderr cache-prune --frobnicate
	[[ $(printf '%s\n' "$stderr" | head -n 1) == *"cache-prune: unrecognized option '--frobnicate'" ]]
}

@test "--help prints the usage and exits 0" {
	run -0 cache-prune --help
	[ "${lines[0]}" = "usage: cache-prune [options]" ]
}

@test "--version exits 0" {
	run -0 cache-prune --version
	[[ $output == "cache-prune (tickernet) "* ]]
}

@test "a file vanishing between the listing and its removal is not an error" {
	# the walk lists prices/XOM.csv, then waits for its lock; the file
	# goes meanwhile
	echo x >"$store/prices/XOM.csv"
	start_holder "$store/locks" prices-XOM 2
	cache-prune --universe AAPL --wait=20 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pruner=$!
	sleep 0.5
	rm "$store/prices/XOM.csv"
	rc=0
	wait "$pruner" || rc=$?
	[ "$rc" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/out"
	[ "$(jq -c "[.action, .files, .failed]" "$BATS_TEST_TMPDIR/out")" = '["totals",0,0]' ]
}

# ---- the man page's examples ----

@test "man page example: the dry-run listing of would-remove paths" {
	versions gnn AAPL 1 2 3 4 5 6 7 8
	before=$(listing)
	export -f cache-prune
	export BIN TN_TEST_TIMEOUT TN_TEST_KILL_AFTER
	run -0 bash -c "cache-prune --dry-run | jq -r 'select(.action == \"would-remove\") | .path'"
	[ "$output" = "$store/models/gnn/AAPL/$(stamp 8).h5" ]
	[ "$(listing)" = "$before" ]
}

@test "man page example: bytes freed per reason" {
	export -f cache-prune
	export BIN TN_TEST_TIMEOUT TN_TEST_KILL_AFTER
	versions gnn AAPL 1 2 3 4 5 6 7 8 9
	echo '{}' >"$store/predictions/gnn/AAPL.json"
	touch -d '2 days ago' "$store/predictions/gnn/AAPL.json"
	run -0 bash -c 'cache-prune | jq -s -c '\''map(select(.action == "remove")) | group_by(.reason)
    | map({reason: .[0].reason, bytes: map(.bytes) | add})'\'''
	[ "$output" = '[{"reason":"expired prediction","bytes":3},{"reason":"old version","bytes":16}]' ]
}
