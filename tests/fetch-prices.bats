#!/usr/bin/env bats
# fetch-prices: the command line, the synthetic and file sources, the cache,
# validation, and Yahoo and Stooq over HTTP against tests/mock_server.py on
# 127.0.0.1 (never the real network).  Timing is only ever bounded from
# below (a rate limit or a Retry-After makes runs slower, never faster).

load helper

FIX=$TN_REPO/tests/fixtures/fetch
TICK=fetch-prices

setup() {
	tn_setup
	mock_pid=
	MOCK=$BATS_TEST_TMPDIR/mock
	mkdir -p "$MOCK/yahoo" "$MOCK/stooq" "$MOCK/faults"
	# Nothing reaches the real sources, even by mistake.
	export TICKERNET_YAHOO_URL=http://127.0.0.1:9/unused
	export TICKERNET_STOOQ_URL=http://127.0.0.1:9/unused
}

teardown() {
	if [ -n "$mock_pid" ]; then
		kill "$mock_pid" 2>/dev/null || true
		wait "$mock_pid" 2>/dev/null || true
	fi
}

# Starts the mock server on $MOCK; sets both base URLs to it.
start_mock() {
	local i
	require_command python3
	python3 "$TN_REPO/tests/mock_server.py" "$MOCK" "$@" 3>&- &
	mock_pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$MOCK/port" ] && break
		sleep 0.1
	done
	[ -s "$MOCK/port" ]
	export TICKERNET_YAHOO_URL=http://127.0.0.1:$(cat "$MOCK/port")
	export TICKERNET_STOOQ_URL=$TICKERNET_YAHOO_URL
}

requests() {
	if [ -f "$MOCK/requests.log" ]; then wc -l <"$MOCK/requests.log"; else echo 0; fi
}

# Fast retries for the fault tests.
FAST=(--backoff 0.05 --rate 100)

# -- the command line ---------------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
	run -0 --separate-stderr fetch-prices --help
	[[ ${lines[0]} == "Usage: fetch-prices [OPTION]... [SYMBOL]..." ]]
	[ "$stderr" = "" ]
}

@test "--version exits 0" {
	run -0 fetch-prices --version
	[[ $output == *0.* ]]
}

@test "an unknown option is a usage error" {
	run -2 --separate-stderr fetch-prices --bogus AAPL
	[ "${stderr_lines[1]}" = "Try 'fetch-prices --help' for more information." ]
	[ "$output" = "" ]
}

@test "an invalid symbol argument exits 65 naming it" {
	run -65 --separate-stderr fetch-prices --source synthetic AAPL ../etc
	[ "$stderr" = "fetch-prices: invalid symbol '../etc': bad character '.' at 1" ] ||
		[[ $stderr == "fetch-prices: invalid symbol '../etc': "* ]]
	[ "$output" = "" ]
}

@test "an invalid symbol on standard input names its line" {
	run -65 --separate-stderr fetch-prices --source synthetic <<<$'AAPL\n# c\nA/B'
	[ "$stderr" = "fetch-prices: <stdin>:3: invalid symbol 'A/B': bad character '/' at 2" ]
	[ "$output" = "" ]
}

@test "--start after --end is a usage error" {
	run -2 --separate-stderr fetch-prices --source synthetic --start 2024-02-01 --end 2024-01-01 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: --start is after --end" ]
}

@test "a date that is not YYYY-MM-DD is a usage error" {
	run -2 --separate-stderr fetch-prices --source synthetic --end 2024-13-01 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: --end: not a YYYY-MM-DD date: '2024-13-01'" ]
}

@test "--start and --days together are a usage error" {
	run -2 --separate-stderr fetch-prices --source synthetic --start 2024-01-02 --days 5 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: --start and --days exclude each other" ]
}

@test "an unknown source is a usage error" {
	run -2 --separate-stderr fetch-prices --source bloomberg AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: --source: unknown source 'bloomberg' (yahoo, stooq, file:DIR, synthetic)" ]
}

@test "a bad --rate is a usage error" {
	run -2 --separate-stderr fetch-prices --rate 0 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: --rate: out of range (expected 0.01..1000): '0'" ]
}

@test "no symbols at all is a usage error" {
	run -2 --separate-stderr fetch-prices --source synthetic </dev/null
	[ "${stderr_lines[0]}" = "fetch-prices: no symbols given" ]
}

# -- the synthetic market -----------------------------------------------

@test "the synthetic source writes the prices CSV for the range" {
	run -0 --separate-stderr fetch-prices -s synthetic --start 2024-01-02 --end 2024-01-05 AAPL
	[ "${lines[0]}" = "symbol,date,open,high,low,close,adj_close,volume" ]
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[1]} == AAPL,2024-01-02,* ]]
	[[ ${lines[4]} == AAPL,2024-01-05,* ]]
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: ok: 4 bars 2024-01-02..2024-01-05, 4 fetched, 0 rejected" ]
}

@test "the synthetic market is reproducible byte for byte" {
	fetch-prices -q -s synthetic --seed 7 --end 2024-06-28 --days 300 AAPL MSFT >"$BATS_TEST_TMPDIR/a"
	fetch-prices -q -s synthetic --seed 7 --end 2024-06-28 --days 300 AAPL MSFT >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "a synthetic symbol does not depend on the other symbols asked for" {
	fetch-prices -q -s synthetic --end 2024-06-28 --days 50 AAPL >"$BATS_TEST_TMPDIR/a"
	fetch-prices -q -s synthetic --end 2024-06-28 --days 50 XOM AAPL JPM |
		grep -E '^(symbol|AAPL),' >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "--seed and --signal change the synthetic market" {
	fetch-prices -q -s synthetic --seed 1 --end 2024-06-28 --days 20 AAPL >"$BATS_TEST_TMPDIR/a"
	fetch-prices -q -s synthetic --seed 2 --end 2024-06-28 --days 20 AAPL >"$BATS_TEST_TMPDIR/b"
	fetch-prices -q -s synthetic --seed 1 --signal 0.2 --end 2024-06-28 --days 20 AAPL >"$BATS_TEST_TMPDIR/c"
	! cmp -s "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	! cmp -s "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
}

@test "symbols from standard input are upper-cased, sorted and deduplicated" {
	run -0 --separate-stderr fetch-prices -q -s synthetic --start 2024-01-02 --end 2024-01-02 \
		<<<$'msft # a comment\n\n  aapl\r\nMSFT\n^gspc'
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
$(printf '%s\n' "${lines[@]:1}")" ]
	[[ ${lines[1]} == AAPL,* ]]
	[[ ${lines[2]} == MSFT,* ]]
	[[ ${lines[3]} == ^GSPC,* ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "--asof drops every bar after it" {
	run -0 fetch-prices -q -s synthetic --start 2024-01-02 --end 2024-01-31 --asof 2024-01-05 AAPL
	[[ ${lines[-1]} == AAPL,2024-01-05,* ]]
}

@test "--days counts trading days back from --end" {
	run -0 fetch-prices -q -s synthetic --end 2024-01-16 --days 3 AAPL
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[1]} == AAPL,2024-01-11,* ]]
	[[ ${lines[3]} == AAPL,2024-01-16,* ]]
}

@test "the synthetic source never touches the store" {
	fetch-prices -q -s synthetic --end 2024-01-16 --days 3 AAPL >/dev/null
	[ ! -e "$TICKERNET_STORE" ]
}

@test "-o writes the output to a file" {
	run -0 fetch-prices -q -s synthetic --end 2024-01-16 --days 3 -o "$BATS_TEST_TMPDIR/out.csv" AAPL
	[ "$output" = "" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out.csv")" -eq 4 ]
}

@test "-o a FIFO writes into it instead of replacing it" {
	read_fifo "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/got"
	run -0 fetch-prices -q -s synthetic --end 2024-01-16 --days 3 -o "$BATS_TEST_TMPDIR/fifo" AAPL
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	wait "$fifo_reader"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 4 ]
}

@test "-o a full device exits 74 and leaves the device" {
	dev=$(full_device)
	run -74 --separate-stderr fetch-prices -q -s synthetic --end 2024-01-16 --days 3 -o "$dev" AAPL
	[ "$stderr" = "fetch-prices: $dev: write error: No space left on device" ]
	[ -c "$dev" ]
}

@test "-o keeps the mode of the file it replaces" {
	: >"$BATS_TEST_TMPDIR/out.csv"
	chmod 0600 "$BATS_TEST_TMPDIR/out.csv"
	run -0 fetch-prices -q -s synthetic --end 2024-01-16 --days 3 -o "$BATS_TEST_TMPDIR/out.csv" AAPL
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out.csv")" -eq 4 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/out.csv")" = 600 ]
}

# -- the file source, validation and the cache ---------------------------

@test "the file source reads a Yahoo download CSV and caches it" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/BAD.csv" "$BATS_TEST_TMPDIR/d/AAPL.csv"
	printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,10.25,100\n' \
		>"$BATS_TEST_TMPDIR/d/GOOD.csv"
	run -0 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-01 --end 2024-01-05 good
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
GOOD,2024-01-02,10,11,9,10.5,10.25,100" ]
	[ "$(cat "$TICKERNET_STORE/prices/GOOD.csv")" = "$output" ]
}

@test "validation reports every decision and keeps only the good rows" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/BAD.csv" "$BATS_TEST_TMPDIR/d/BAD.csv"
	run -0 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" \
		--start 2024-01-01 --end 2024-01-12 --report "$BATS_TEST_TMPDIR/r.jsonl" BAD
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
BAD,2024-01-02,100,101,99,100.5,100.5,1000
BAD,2024-01-08,100,101,99,100.5,100.5,1000
BAD,2024-01-09,100,101,99,100.5,100.5,1000" ]
	[ "${stderr_lines[0]}" = "fetch-prices: BAD: sort: rows were not in date order: sorted" ]
	[ "${stderr_lines[1]}" = "fetch-prices: BAD: 2024-01-03: drop: all prices null" ]
	[ "${stderr_lines[2]}" = "fetch-prices: BAD: 2024-01-04: reject: high 99 < low 101" ]
	[ "${stderr_lines[3]}" = "fetch-prices: BAD: 2024-01-05: reject: open 102 outside [low 99, high 101] (--repair clamps it)" ]
	[ "${stderr_lines[4]}" = "fetch-prices: BAD: 2024-01-08: drop: duplicate date: the first row kept" ]
	[ "${stderr_lines[5]}" = "fetch-prices: BAD: 2024-01-10: reject: non-positive or non-finite close -1" ]
	[ "${stderr_lines[6]}" = "fetch-prices: BAD: 2024-01-03: note: 3 NYSE trading days missing, 2024-01-03 to 2024-01-05" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/r.jsonl")" -eq 7 ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/r.jsonl")" = '{"symbol":"BAD","date":"2024-01-03","action":"drop","reason":"all prices null"}' ]
	! grep -q ',2024-01-1' "$TICKERNET_STORE/prices/BAD.csv"
}

@test "--repair clamps an open outside the day's range" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/BAD.csv" "$BATS_TEST_TMPDIR/d/BAD.csv"
	run -0 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --repair \
		--start 2024-01-05 --end 2024-01-05 BAD
	[ "${lines[1]}" = "BAD,2024-01-05,101,101,99,100.5,100.5,1000" ]
	[ "${stderr_lines[0]}" = "fetch-prices: BAD: 2024-01-05: repair: open 102 clamped to 101" ]
}

@test "a Stooq CSV file gets whole volumes and adj_close equal to close" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/STQ.csv" "$BATS_TEST_TMPDIR/d/"
	run -0 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 STQ
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
STQ,2024-01-02,10,11,9,10.5,10.5,1000
STQ,2024-01-03,10,11,9,10.25,10.25,2001" ]
	[ "${stderr_lines[0]}" = "fetch-prices: STQ: note: 2 fractional volumes rounded to whole units" ]
}

@test "a file with a cell that is not a number exits 65 and caches nothing" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/GARBAGE.csv" "$BATS_TEST_TMPDIR/d/"
	run -65 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 GARBAGE
	[ "${stderr_lines[0]}" = "fetch-prices: GARBAGE: $BATS_TEST_TMPDIR/d/GARBAGE.csv:2:5: column 'Close': not a number: 'abc'" ]
	[ "$output" = "" ]
	[ ! -e "$TICKERNET_STORE/prices/GARBAGE.csv" ]
}

@test "a symbol without a file exits 66" {
	mkdir "$BATS_TEST_TMPDIR/d"
	run -66 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 NOPE
	[ "${stderr_lines[0]}" = "fetch-prices: NOPE: $BATS_TEST_TMPDIR/d/NOPE.csv: No such file or directory" ]
	[ "$output" = "" ]
}

@test "one failed symbol exits 1 and the others are still delivered and cached" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/STQ.csv" "$BATS_TEST_TMPDIR/d/"
	run -1 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 NOPE STQ
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == STQ,* ]]
	[ -f "$TICKERNET_STORE/prices/STQ.csv" ]
	[ "${stderr_lines[-1]}" = "fetch-prices: 1 of 2 symbols ok" ]
}

@test "a failed run with -o leaves no output file" {
	mkdir "$BATS_TEST_TMPDIR/d"
	run -66 fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 -o "$BATS_TEST_TMPDIR/out.csv" NOPE
	[ ! -e "$BATS_TEST_TMPDIR/out.csv" ]
}

@test "--offline serves the cache without any source" {
	mkdir "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/STQ.csv" "$BATS_TEST_TMPDIR/d/"
	fetch-prices -q -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 STQ >/dev/null
	rm -r "$BATS_TEST_TMPDIR/d"
	run -0 fetch-prices -q --offline --start 2024-01-03 --end 2024-01-03 STQ
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
STQ,2024-01-03,10,11,9,10.25,10.25,2001" ]
}

@test "--offline exits 66 for a symbol that is not cached" {
	run -66 --separate-stderr fetch-prices --offline --start 2024-01-02 --end 2024-01-03 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: not in the cache ($TICKERNET_STORE/prices/AAPL.csv)" ]
	[ "$output" = "" ]
}

@test "a symbol whose cache is locked by another writer exits 75" {
	require_command flock
	mkdir -p "$TICKERNET_STORE/locks" "$BATS_TEST_TMPDIR/d"
	cp "$FIX/files/STQ.csv" "$BATS_TEST_TMPDIR/d/"
	flock -n "$TICKERNET_STORE/locks/prices-STQ.lock" sleep 30 3>&- &
	holder=$!
	sleep 0.5
	run -75 --separate-stderr fetch-prices -s "file:$BATS_TEST_TMPDIR/d" --start 2024-01-02 --end 2024-01-03 STQ
	kill "$holder"
	[ "${stderr_lines[0]}" = "fetch-prices: STQ: $TICKERNET_STORE/locks/prices-STQ.lock: locked by another writer" ]
}

# -- Yahoo and Stooq over HTTP (the mock server) --------------------------

@test "yahoo bars are fetched, cached, and sent with a browser User-Agent" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	run -0 --separate-stderr fetch-prices --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${#lines[@]}" -eq 11 ]
	[ "${lines[1]}" = "AAPL,2024-01-02,180,181.5,178.75,180.5,180.5,1000000" ]
	[ "${lines[10]}" = "AAPL,2024-01-16,189,190.5,187.75,189.5,189.5,1009000" ]
	cmp <(printf '%s\n' "${lines[@]}") "$TICKERNET_STORE/prices/AAPL.csv"
	[[ $(cat "$MOCK/agents.log") == "Mozilla/5.0 "* ]]
}

@test "a refresh the cache already covers makes no request" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-16 AAPL >"$BATS_TEST_TMPDIR/a"
	[ "$(requests)" -eq 1 ]
	run -0 fetch-prices -q --start 2024-01-05 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 1 ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "an incremental refresh asks only for the tail, from a few cached bars back" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-10 AAPL >/dev/null
	run -0 fetch-prices -q --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 2 ]
	# 5 bars back from 2024-01-10 is 2024-01-04 = 1704326400
	[[ $(sed -n 2p "$MOCK/requests.log") == *"period1=1704326400&period2=1705449600"* ]]
	[ "${#lines[@]}" -eq 11 ]
	cmp <(printf '%s\n' "${lines[@]}") "$TICKERNET_STORE/prices/AAPL.csv"
}

@test "a revised adjusted close in the overlap refetches the whole history" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-10 AAPL >/dev/null
	cp "$FIX/yahoo/AAPL-revised.json" "$MOCK/yahoo/AAPL.json"
	run -0 --separate-stderr fetch-prices --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 3 ]
	[[ $(sed -n 3p "$MOCK/requests.log") == *"period1=1704153600&"* ]]
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: 2024-01-04: refetch: the source revised the cached bars: the whole history fetched again" ]
	[ "${lines[1]}" = "AAPL,2024-01-02,180,181.5,178.75,180.5,178.695,1000000" ]
}

@test "a split in the refreshed range refetches the whole history" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-10 AAPL >/dev/null
	cp "$FIX/yahoo/AAPL-split.json" "$MOCK/yahoo/AAPL.json"
	run -0 --separate-stderr fetch-prices --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 3 ]
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: 2024-01-12: note: split 2:1" ]
	[[ ${stderr_lines[1]} == "fetch-prices: AAPL: "*": refetch: a split: the whole history fetched again" ]]
}

@test "an unknown yahoo symbol exits 66 with Yahoo's message" {
	start_mock
	run -66 --separate-stderr fetch-prices --start 2024-01-02 --end 2024-01-16 NOSUCH
	[ "${stderr_lines[0]}" = "fetch-prices: NOSUCH: yahoo: No data found, symbol may be delisted" ]
	[ "$output" = "" ]
	[ ! -e "$TICKERNET_STORE/prices/NOSUCH.csv" ]
}

@test "a 429 with Retry-After is retried after waiting that long" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	echo "status 429 2" >"$MOCK/faults/AAPL"
	start_mock
	SECONDS=0
	run -0 --separate-stderr fetch-prices "${FAST[@]}" --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$SECONDS" -ge 1 ]
	[ "$(requests)" -eq 2 ]
	[ "${#lines[@]}" -eq 11 ]
}

@test "a 429 that never ends exits 75 and caches nothing" {
	echo "*status 429" >"$MOCK/faults/AAPL"
	start_mock
	run -75 --separate-stderr fetch-prices "${FAST[@]}" --retries 2 --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: yahoo: HTTP 429" ]
	[ "$(requests)" -eq 3 ]
	[ ! -e "$TICKERNET_STORE/prices/AAPL.csv" ]
}

@test "a Retry-After longer than --max-wait fails at once with 75" {
	echo "*status 429 3600" >"$MOCK/faults/AAPL"
	start_mock
	run -75 --separate-stderr fetch-prices "${FAST[@]}" --max-wait 5 --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: yahoo: HTTP 429, Retry-After 3600 s is longer than the 5 s allowed" ]
	[ "$(requests)" -eq 1 ]
}

@test "a 500 is retried and then succeeds" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	printf 'status 500\nstatus 503\n' >"$MOCK/faults/AAPL"
	start_mock
	run -0 --separate-stderr fetch-prices "${FAST[@]}" --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 3 ]
	[ "${#lines[@]}" -eq 11 ]
}

@test "a source that keeps failing exits 69 and the cache stays as it was" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-10 AAPL >/dev/null
	cp "$TICKERNET_STORE/prices/AAPL.csv" "$BATS_TEST_TMPDIR/before"
	echo "*status 500" >"$MOCK/faults/AAPL"
	run -69 --separate-stderr fetch-prices "${FAST[@]}" --retries 2 --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: yahoo: HTTP 500" ]
	[ "$output" = "" ]
	cmp "$BATS_TEST_TMPDIR/before" "$TICKERNET_STORE/prices/AAPL.csv"
}

@test "a response slower than --timeout is retried, then fails with 69" {
	echo "*hang 5" >"$MOCK/faults/AAPL"
	start_mock
	run -69 --separate-stderr fetch-prices "${FAST[@]}" --timeout 0.5 --retries 1 --start 2024-01-02 --end 2024-01-16 AAPL
	[[ ${stderr_lines[0]} == "fetch-prices: AAPL: yahoo: Timeout was reached" ]]
	[ "$(requests)" -eq 2 ]
}

@test "a connection cut before the whole body is retried" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	echo "truncate" >"$MOCK/faults/AAPL"
	start_mock
	run -0 fetch-prices -q "${FAST[@]}" --start 2024-01-02 --end 2024-01-16 AAPL
	[ "$(requests)" -eq 2 ]
	[ "${#lines[@]}" -eq 11 ]
}

@test "truncated JSON exits 65 and caches nothing" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	echo "*cut" >"$MOCK/faults/AAPL"
	start_mock
	run -65 --separate-stderr fetch-prices "${FAST[@]}" --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: yahoo: invalid or truncated JSON" ]
	[ ! -e "$TICKERNET_STORE/prices/AAPL.csv" ]
}

@test "an HTML error page exits 65" {
	echo "*html" >"$MOCK/faults/AAPL"
	start_mock
	run -65 --separate-stderr fetch-prices "${FAST[@]}" --start 2024-01-02 --end 2024-01-16 AAPL
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: yahoo: not JSON: an HTML or XML page" ]
}

@test "the circuit breaker stops calling a failing source and exits 69" {
	for s in A B C D E F G H; do echo "*status 500" >"$MOCK/faults/$s"; done
	start_mock
	run -69 --separate-stderr fetch-prices "${FAST[@]}" -j 1 --retries 3 --breaker 3 \
		--start 2024-01-02 --end 2024-01-16 A B C D E F G H
	[ "$(requests)" -eq 3 ]
	[ "${stderr_lines[-2]}" = "fetch-prices: H: yahoo: not tried: yahoo stopped after 3 failures in a row" ]
	[ "$output" = "" ]
}

@test "the rate limit holds at the server" {
	for s in A B C D E F G H; do cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/$s.json"; done
	start_mock
	run -0 fetch-prices -q --rate 4 -j 8 --start 2024-01-02 --end 2024-01-16 A B C D E F G H
	[ "$(requests)" -eq 8 ]
	# No one-second window holds more than rate + 1 requests, and the
	# eight took at least (8 - 1) / 4 s, less a little for clock skew.
	awk '{ t[NR] = $1 } END {
		for (i = 1; i <= NR; i++) { n = 0
			for (j = i; j <= NR; j++) if (t[j] - t[i] < 1) n++
			if (n > 5) { print "window at " i ": " n; exit 1 } }
		if (t[NR] - t[1] < 1.7) { print "span " t[NR] - t[1]; exit 1 } }' "$MOCK/requests.log"
}

@test "kill -9 during a refresh leaves the cache whole" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --start 2024-01-02 --end 2024-01-10 AAPL >/dev/null
	cp "$TICKERNET_STORE/prices/AAPL.csv" "$BATS_TEST_TMPDIR/before"
	echo "*hang 30" >"$MOCK/faults/AAPL"
	"$BIN/fetch-prices" -q --start 2024-01-02 --end 2024-01-16 AAPL >/dev/null 2>&1 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(requests)" -ge 2 ] && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" || true
	cmp "$BATS_TEST_TMPDIR/before" "$TICKERNET_STORE/prices/AAPL.csv"
	[ -z "$(find "$TICKERNET_STORE/prices" -name '.*.tmp.*')" ]
	run -0 fetch-prices -q --offline --start 2024-01-02 --end 2024-01-10 AAPL
	cmp <(printf '%s\n' "${lines[@]}") "$BATS_TEST_TMPDIR/before"
}

@test "the stooq source reads Stooq's CSV over HTTP" {
	printf 'Date,Open,High,Low,Close,Volume\r\n2024-01-02,10,11,9,10.5,1000\r\n2024-01-03,10,11,9,10.25,2000.5\r\n' \
		>"$MOCK/stooq/aapl.us.csv"
	start_mock
	run -0 fetch-prices -q -s stooq --start 2024-01-02 --end 2024-01-03 AAPL
	[ "$output" = "symbol,date,open,high,low,close,adj_close,volume
AAPL,2024-01-02,10,11,9,10.5,10.5,1000
AAPL,2024-01-03,10,11,9,10.25,10.25,2001" ]
	[[ $(cat "$MOCK/requests.log") == *"/q/d/l/?s=aapl.us&i=d&d1=20240102&d2=20240103" ]]
}

@test "an unknown stooq symbol exits 66" {
	start_mock
	run -66 --separate-stderr fetch-prices -s stooq --start 2024-01-02 --end 2024-01-03 NOSUCH
	[ "${stderr_lines[0]}" = "fetch-prices: NOSUCH: stooq: No data" ]
}

@test "--metrics-file writes Prometheus counters" {
	cp "$FIX/yahoo/AAPL.json" "$MOCK/yahoo/"
	start_mock
	fetch-prices -q --metrics-file "$BATS_TEST_TMPDIR/m.prom" --start 2024-01-02 --end 2024-01-16 AAPL >/dev/null
	grep -qx 'tickernet_fetch_requests_total 1' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_fetch_symbols_ok 1' "$BATS_TEST_TMPDIR/m.prom"
}

# -- recorded real responses (../shared/realdata) --------------------------

@test "real: Yahoo's null bar (WSU.DE) is dropped and reported" {
	require_realdata
	cp "$(realdata_dir)/yahoo/yahoo-finance2/bodies/v8-raw-2023__chart-WSU.DE-2023-08-04-to-2023-08-09.body.json" \
		"$MOCK/yahoo/WSU.DE.json"
	start_mock
	run -0 --separate-stderr fetch-prices --start 2023-08-04 --end 2023-08-09 WSU.DE
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == WSU.DE,2023-08-04,34.25,* ]]
	[[ ${lines[2]} == WSU.DE,2023-08-08,* ]]
	[ "${stderr_lines[0]}" = "fetch-prices: WSU.DE: 2023-08-07: drop: all prices null" ]
}

@test "real: Yahoo's NVDA split response reports the split" {
	require_realdata
	cp "$(realdata_dir)/yahoo/yahoo-finance2/bodies/v8-raw-2024__historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.body.json" \
		"$MOCK/yahoo/NVDA.json"
	start_mock
	run -0 --separate-stderr fetch-prices --start 2021-02-01 --end 2022-01-31 NVDA
	[ "${#lines[@]}" -eq 253 ]
	[ "${stderr_lines[0]}" = "fetch-prices: NVDA: 2021-07-20: note: split 4:1" ]
	[[ ${lines[1]} == NVDA,2021-02-01,* ]]
}

@test "real: an intraday bar of a session still open is not cached" {
	require_realdata
	cp "$(realdata_dir)/yahoo/yfinance-rs/history_chart_AAPL.6mo.2025-09-17-intraday.json" "$MOCK/yahoo/AAPL.json"
	start_mock
	run -0 --separate-stderr fetch-prices --start 2025-03-17 --end 2025-09-17 AAPL
	[[ ${lines[-1]} == AAPL,2025-09-16,* ]]
	[ "${stderr_lines[0]}" = "fetch-prices: AAPL: 2025-05-12: note: dividend 0.26" ]
	[ "${stderr_lines[2]}" = "fetch-prices: AAPL: 2025-09-17: drop: partial bar: the session was still open" ]
}

@test "real: Yahoo's 404 for a delisted symbol exits 66" {
	require_realdata
	cp "$(realdata_dir)/yahoo/yahoo-finance2/bodies/v8-raw-2024__historical-via-chart-SI-2020-01-01-to-2020-01-03.body.json" \
		"$MOCK/yahoo/SI.json"
	echo 404 >"$MOCK/yahoo/SI.status"
	start_mock
	run -66 --separate-stderr fetch-prices --start 2020-01-01 --end 2020-01-03 SI
	[ "${stderr_lines[0]}" = "fetch-prices: SI: yahoo: No data found, symbol may be delisted" ]
}

@test "real: a Stooq CRLF download with fractional volumes" {
	require_realdata
	cp "$(realdata_dir)/stooq/pyfindata-2025-01-08/aapl_us_d.csv" "$MOCK/stooq/aapl.us.csv"
	start_mock
	run -0 fetch-prices -q -s stooq --start 2024-12-30 --end 2025-01-08 AAPL
	[ "${#lines[@]}" -eq 8 ]
	[[ ${lines[1]} =~ ^AAPL,2024-12-30,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9]+$ ]]
}

@test "real: the stocknet PTR file's null row is dropped" {
	require_realdata
	run -0 --separate-stderr fetch-prices -s "file:$(realdata_dir)/prices/stocknet" --start 2016-06-28 --end 2016-06-30 PTR
	[ "${#lines[@]}" -eq 3 ]
	[ "${stderr_lines[0]}" = "fetch-prices: PTR: 2016-06-29: drop: all prices null" ]
}

# -- the manual ------------------------------------------------------------

@test "the man page's examples run" {
	# The synthetic example, verbatim from EXAMPLES.
	run -0 fetch-prices -q --source synthetic --seed 42 --end 2024-05-31 --days 250 AAPL MSFT '^GSPC'
	[ "${#lines[@]}" -eq 751 ]
	mkdir "$BATS_TEST_TMPDIR/downloads"
	cp "$FIX/files/STQ.csv" "$BATS_TEST_TMPDIR/downloads/"
	run -0 fetch-prices -q --source "file:$BATS_TEST_TMPDIR/downloads" --start 2024-01-02 --end 2024-01-03 STQ
	run -0 fetch-prices -q --offline --start 2024-01-02 --end 2024-01-03 STQ
	[ "${#lines[@]}" -eq 3 ]
	grep -q 'fetch\\-prices \\-q \\-\\-source synthetic \\-\\-seed 42 \\-\\-end 2024\\-05\\-31 \\-\\-days 250 AAPL MSFT' "$TN_REPO/man/fetch-prices.1"
}
