#!/usr/bin/env bats
# build-features: features CSV from prices CSV.  Inputs are built from the
# TA-Lib fixture (tests/fixtures/talib, 2,000 bars) with awk, so the
# indicators can be checked against TA-Lib's own numbers through the tool.

load helper

TALIB=$TN_REPO/tests/fixtures/talib
HEADER=symbol,date,open,high,low,close,adj_close,volume

setup() {
	tn_setup
	cd "$BATS_TEST_TMPDIR"
}

# talib_prices SYMBOL [FACTOR]: the TA-Lib input as prices CSV for SYMBOL,
# adj_close = close * FACTOR (default 1).
talib_prices() {
	awk -F, -v sym="$1" -v f="${2:-1}" -v h="$HEADER" '
		NR == 1 { print h; next }
		{ printf "%s,%s,%s,%s,%s,%s,%.17g,%s\n", sym, $1, $2, $3, $4, $5, $5 * f, $6 }
	' "$TALIB/input.csv"
}

# A small valid file: 3 bars of AAA.
small_prices() {
	printf '%s\n' "$HEADER" \
		"AAA,2024-01-02,10,11,9,10,10,100" \
		"AAA,2024-01-03,10,12,9,11,11,200" \
		"AAA,2024-01-04,11,12,10,12,12,300"
}

# column FILE NAME: the values of column NAME of CSV FILE, one a line.
column() {
	awk -F, -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ print $c }' "$1"
}

# agree OURS THEIRS: two columns (files of one value a line) agree to 1e-9
# relative (absolute below 1), with empty cells in the same places.
agree() {
	paste -d, "$1" "$2" | awk -F, '
		{ n++ }
		($1 == "") != ($2 == "") { print "line " NR ": ours \"" $1 "\", TA-Lib \"" $2 "\""; bad++; next }
		$1 == "" { next }
		{ d = $1 - $2; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2; if (s < 1) s = 1
		  if (d > 1e-9 * s) { print "line " NR ": ours " $1 ", TA-Lib " $2; bad++ } }
		END { if (n != 2000) { print n " values, want 2000"; bad++ } exit bad > 0 }'
}

@test "--help prints the usage on stdout and exits 0" {
	run -0 --separate-stderr build-features --help
	[[ ${lines[0]} == "Usage: build-features [-qv] [-f LIST | -p PRESET] [--no-adjust]" ]]
	[ -z "$stderr" ]
}

@test "--version prints the version and exits 0" {
	run -0 build-features --version
	[[ $output == "build-features (tickernet) "* ]]
}

@test "the default features are both presets' columns" {
	talib_prices TEST >prices.csv
	run -0 build-features prices.csv
	[ "${lines[0]}" = "symbol,date,open,high,low,close,volume,logret_1,vol_20,mom_20,volnorm_20,rsi_14,macd_12_26_9" ]
}

@test "--preset gnn writes close, logret_1 and the GNN's three node features" {
	talib_prices TEST >prices.csv
	run -0 build-features --preset gnn prices.csv
	[ "${lines[0]}" = "symbol,date,close,logret_1,vol_20,mom_20,volnorm_20" ]
	# the first row is bar 20, the first with 20 log returns
	[ "$(cut -d, -f1-2 <<<"${lines[1]}")" = "TEST,2015-01-30" ]
	[ "${#lines[@]}" -eq $((1 + 2000 - 20)) ]
}

@test "--preset lstm writes the LSTM's seven inputs and logret_1" {
	talib_prices TEST >prices.csv
	run -0 build-features -p lstm prices.csv
	[ "${lines[0]}" = "symbol,date,open,high,low,close,volume,rsi_14,macd_12_26_9,logret_1" ]
}

@test "warm-up rows are dropped until every feature has a value" {
	talib_prices TEST >prices.csv
	run -0 build-features -f rsi_14,macd_12_26_9 prices.csv
	# MACD(12,26,9) has the longest lookback, 33 bars
	[ "${#lines[@]}" -eq $((1 + 2000 - 33)) ]
	[[ ${lines[1]} != *,, && ${lines[1]} != *, ]]
	[ "$(cut -d, -f2 <<<"${lines[1]}")" = "$(sed -n 35p prices.csv | cut -d, -f2)" ]
}

@test "--keep-warmup writes every row with empty cells during warm-up" {
	talib_prices TEST >prices.csv
	run -0 build-features --keep-warmup -f close,rsi_14 prices.csv
	[ "${#lines[@]}" -eq 2001 ]
	[ "${lines[1]}" = "TEST,2015-01-02,101.13," ]
}

@test "rsi, ema, sma, stddev, atr, roc and obv agree with TA-Lib to 1e-9" {
	talib_prices TEST >prices.csv
	run -0 build-features --no-adjust --keep-warmup \
		-f rsi_14,ema_12,ema_26,sma_20,stddev_20,atr_14,roc_10,obv prices.csv
	printf '%s\n' "$output" >ours.csv
	local ours theirs
	for pair in rsi_14:rsi14 ema_12:ema12 ema_26:ema26 sma_20:sma20 \
		stddev_20:stddev20 atr_14:atr14 roc_10:roc10 obv:obv; do
		ours=${pair%%:*} theirs=${pair#*:}
		column ours.csv "$ours" >a
		column "$TALIB/reference.csv" "$theirs" >b
		agree a b || { echo "^ $ours"; return 1; }
	done
}

@test "macd and bollinger bands agree with TA-Lib to 1e-9" {
	talib_prices TEST >prices.csv
	run -0 build-features --no-adjust --keep-warmup \
		-f macd_12_26_9,macdsignal_12_26_9,macdhist_12_26_9,bbupper_20_2,bbmiddle_20_2,bblower_20_2 \
		prices.csv
	printf '%s\n' "$output" >ours.csv
	local ours theirs
	for pair in macd_12_26_9:macd macdsignal_12_26_9:macd_signal \
		macdhist_12_26_9:macd_hist bbupper_20_2:bb_upper \
		bbmiddle_20_2:bb_middle bblower_20_2:bb_lower; do
		ours=${pair%%:*} theirs=${pair#*:}
		column ours.csv "$ours" >a
		column "$TALIB/reference.csv" "$theirs" >b
		agree a b || { echo "^ $ours"; return 1; }
	done
}

@test "prices are scaled by adj_close/close and volume is left alone" {
	printf '%s\n' "$HEADER" "AAA,2024-01-02,10,12,8,11,5.5,1000" >prices.csv
	run -0 build-features -f open,high,low,close,volume prices.csv
	[ "${lines[1]}" = "AAA,2024-01-02,5,6,4,5.5,1000" ]
}

@test "--no-adjust uses the raw prices" {
	printf '%s\n' "$HEADER" "AAA,2024-01-02,10,12,8,11,5.5,1000" >prices.csv
	run -0 build-features --no-adjust -f open,high,low,close,volume prices.csv
	[ "${lines[1]}" = "AAA,2024-01-02,10,12,8,11,1000" ]
}

@test "an absent adj_close column means no adjustment" {
	printf '%s\n' "symbol,date,open,high,low,close,volume" \
		"AAA,2024-01-02,10,12,8,11,1000" >prices.csv
	run -0 build-features -f open,close prices.csv
	[ "${lines[1]}" = "AAA,2024-01-02,10,11" ]
}

@test "--asof drops the bars after the date" {
	talib_prices TEST >prices.csv
	run -0 build-features --keep-warmup -f close --asof 2015-01-07 prices.csv
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[4]}" = "TEST,2015-01-07,98.11" ]
}

@test "the features of a prefix are the same prefix of the features, for every feature" {
	talib_prices TEST 0.97 >prices.csv
	local every=open,high,low,close,volume,logret_1,ret_1,vol_20,mom_20,volnorm_20,rsi_14,ema_12,sma_20,stddev_20,atr_14,roc_10,obv,macd_12_26_9,macdsignal_12_26_9,macdhist_12_26_9,bbupper_20_2,bbmiddle_20_2,bblower_20_2
	build-features --keep-warmup -f "$every" -o whole.csv prices.csv
	local len
	for len in 1 2 14 15 33 34 35 100 1000 1999; do
		head -n $((len + 1)) prices.csv | build-features --keep-warmup -f "$every" >part.csv
		head -n $((len + 1)) whole.csv | cmp - part.csv || { echo "prefix $len"; return 1; }
	done
	# and with warm-up rows dropped, the same holds
	build-features -f "$every" -o whole.csv prices.csv
	head -n 501 prices.csv | build-features -f "$every" >part.csv
	head -n "$(wc -l <part.csv)" whole.csv | cmp - part.csv
}

@test "--asof gives the same rows as cutting the input at the date" {
	talib_prices TEST >prices.csv
	build-features --asof 2016-03-01 -o asof.csv prices.csv
	awk -F, 'NR == 1 || $2 <= "2016-03-01"' prices.csv | build-features >cut.csv
	cmp asof.csv cut.csv
}

@test "--min-history 286 writes the last 286 bars and agrees with the full history to 1e-6" {
	talib_prices TEST >prices.csv
	run -0 build-features --preset lstm --min-history 286 prices.csv
	[ "${#lines[@]}" -eq $((1 + 286 - 33)) ]
	printf '%s\n' "${lines[-1]}" >served
	build-features --preset lstm prices.csv | tail -n 1 >full
	paste -d, served full | awk -F, '
		{ for (i = 3; i <= 10; i++) { d = $i - $(i + 10); if (d < 0) d = -d
		  s = $(i + 10) < 0 ? -$(i + 10) : $(i + 10); if (s < 1) s = 1
		  if (d > 1e-6 * s) { print "column " i ": " $i " vs " $(i + 10); bad = 1 } } }
		END { exit bad }'
}

@test "--min-history with windowed features only agrees to rounding" {
	talib_prices TEST >prices.csv
	run -0 build-features --preset gnn --min-history 21 prices.csv
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[1]}" >served
	build-features --preset gnn prices.csv | tail -n 1 >full
	[ "$(cut -d, -f1-2 served)" = "$(cut -d, -f1-2 full)" ]
	paste -d, served full | awk -F, '
		{ for (i = 3; i <= 7; i++) { d = $i - $(i + 7); if (d < 0) d = -d
		  s = $(i + 7) < 0 ? -$(i + 7) : $(i + 7); if (s < 1) s = 1
		  if (d > 1e-12 * s) { print "column " i ": " $i " vs " $(i + 7); bad = 1 } } }
		END { exit bad }'
}

@test "each symbol starts its features afresh" {
	{ talib_prices AAA; talib_prices BBB 0.5 | tail -n +2; } >both.csv
	talib_prices BBB 0.5 >bbb.csv
	build-features -o both-feats.csv both.csv
	build-features -o bbb-feats.csv bbb.csv
	grep -c '^AAA,' both-feats.csv
	[ "$(grep -c '^AAA,' both-feats.csv)" -eq $((2000 - 33)) ]
	diff <(grep '^BBB,' both-feats.csv) <(tail -n +2 bbb-feats.csv)
}

@test "the same input gives the same bytes" {
	talib_prices TEST 0.9 >prices.csv
	build-features --keep-warmup -o a.csv prices.csv
	build-features --keep-warmup <prices.csv >b.csv
	cmp a.csv b.csv
}

@test "every number is written as the fewest of %.15g, %.16g, %.17g that reads back" {
	# tickernet-formats(5), Numbers: the form the tools have always
	# written, checked against Python's own printf-style formatting
	require_command python3
	talib_prices TEST 0.98 >prices.csv
	build-features --keep-warmup -o feats.csv prices.csv \
		-f open,high,low,close,volume,logret_1,ret_1,vol_20,mom_20,volnorm_20,rsi_14,ema_10,sma_10,stddev_10,atr_14,roc_10,obv,macd_12_26_9,macdsignal_12_26_9,macdhist_12_26_9,bbupper_20_2,bbmiddle_20_2,bblower_20_2
	run -0 python3 - feats.csv <<'EOF'
import csv, sys
n = bad = 0
with open(sys.argv[1], newline="") as f:
    rows = csv.reader(f)
    next(rows)
    for row in rows:
        for cell in row[2:]:
            if not cell:
                continue
            v = float(cell)
            for digits in (15, 16, 17):
                want = "%.*g" % (digits, v)
                if float(want) == v:
                    break
            n += 1
            if cell != want:
                bad += 1
                if bad <= 5:
                    print("wrote %r, want %r" % (cell, want))
print("%d numbers, %d wrong" % (n, bad))
sys.exit(1 if bad or n < 40000 else 0)
EOF
}

@test "a duplicate date exits 65 with the line and column, and writes nothing" {
	mkdir work && cd work
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300"; } >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:5:2: column 'date': duplicate date 2024-01-04" ]
	# no output and no temporary file left behind
	[ "$(ls -A)" = prices.csv ]
}

@test "an out-of-order date exits 65" {
	{ small_prices; echo "AAA,2024-01-03,11,12,10,12,12,300"; } >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:5:2: column 'date': date 2024-01-03 is out of order (after 2024-01-04)" ]
	[ ! -e out.csv ]
}

@test "a non-numeric cell exits 65" {
	{ small_prices; echo "AAA,2024-01-05,11,12,10,abc,12,300"; } >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:5:6: column 'close': not a number: 'abc'" ]
	[ ! -e out.csv ]
}

@test "a missing column exits 65" {
	printf '%s\n' "symbol,date,open,high,low,volume" "AAA,2024-01-02,1,1,1,1" >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:1: missing column 'close'" ]
	[ ! -e out.csv ]
}

@test "a non-positive price exits 65" {
	{ small_prices; echo "AAA,2024-01-05,11,12,0,12,12,300"; } >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:5:5: column 'low': price must be positive: 0" ]
	[ ! -e out.csv ]
}

@test "a symbol's rows interleaved with another's exit 65" {
	{ small_prices; echo "BBB,2024-01-02,1,1,1,1,1,1"; echo "AAA,2024-01-05,1,1,1,1,1,1"; } >prices.csv
	run -65 --separate-stderr build-features -o out.csv prices.csv
	[ "$stderr" = "build-features: prices.csv:6:1: column 'symbol': rows of AAA are interleaved with another symbol's" ]
	[ ! -e out.csv ]
}

@test "a bad row on stdin is reported as <stdin>" {
	{ small_prices; echo "AAA,2024-01-05,11,12,10,abc,12,300"; } >prices.csv
	run -65 --separate-stderr build-features <prices.csv
	[ "$stderr" = "build-features: <stdin>:5:6: column 'close': not a number: 'abc'" ]
}

@test "a failed run leaves an existing -o file as it was" {
	echo "old content" >out.csv
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300"; } >prices.csv
	run -65 build-features -o out.csv prices.csv
	[ "$(cat out.csv)" = "old content" ]
	[ "$(ls -A | sort | tr '\n' ' ')" = "out.csv prices.csv " ]
}

@test "--skip-bad drops bad rows and counts them on stderr" {
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300";
	  echo "AAA,2024-01-05,11,12,10,abc,12,300"; echo "AAA,2024-01-08,12,13,11,13,13,400"; } >prices.csv
	run -0 --separate-stderr build-features --skip-bad --keep-warmup -f close prices.csv
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[4]}" = "AAA,2024-01-08,13" ]
	[ "${stderr_lines[0]}" = "build-features: prices.csv:5:2: column 'date': duplicate date 2024-01-04: skipped" ]
	[ "${stderr_lines[1]}" = "build-features: prices.csv:6:6: column 'close': not a number: 'abc': skipped" ]
	[ "${stderr_lines[2]}" = "build-features: prices.csv: 2 bad rows skipped" ]
}

@test "an unknown feature is a usage error" {
	run -2 --separate-stderr build-features -f close,rsi_x </dev/null
	[ "${stderr_lines[0]}" = "build-features: --features: 'rsi_x': parameter 'x' is not a decimal integer" ]
	[ "${stderr_lines[1]}" = "Try 'build-features --help' for more information." ]
}

@test "a feature with the wrong parameters is a usage error" {
	run -2 --separate-stderr build-features -f macd_12_26 </dev/null
	[ "${stderr_lines[0]}" = "build-features: --features: 'macd_12_26': macd takes 3 parameters: macd_FAST_SLOW_SIGNAL" ]
}

@test "an unknown preset is a usage error" {
	run -2 --separate-stderr build-features --preset cnn </dev/null
	[ "${stderr_lines[0]}" = "build-features: --preset: unknown preset 'cnn' (default, gnn, lstm)" ]
}

@test "--features and --preset together are a usage error" {
	run -2 --separate-stderr build-features --preset gnn -f close </dev/null
	[ "${stderr_lines[0]}" = "build-features: --features and --preset exclude each other" ]
}

@test "a bad --asof date is a usage error" {
	run -2 --separate-stderr build-features --asof 2024-02-30 </dev/null
	[ "${stderr_lines[0]}" = "build-features: --asof: expected a date YYYY-MM-DD: '2024-02-30'" ]
}

@test "a bad --min-history is a usage error" {
	run -2 --separate-stderr build-features --min-history 0 </dev/null
	[[ ${stderr_lines[0]} == "build-features: --min-history: "* ]]
}

@test "two input files are a usage error" {
	run -2 --separate-stderr build-features a.csv b.csv
	[ "${stderr_lines[0]}" = "build-features: one input file at most (join files with cat)" ]
}

@test "a missing input file exits 66" {
	run -66 --separate-stderr build-features nope.csv
	[ "$stderr" = "build-features: nope.csv: No such file or directory" ]
}

@test "an -o file in a missing directory exits 73" {
	small_prices >prices.csv
	run -73 --separate-stderr build-features -o nodir/out.csv prices.csv
	[[ $stderr == "build-features: nodir/out.csv: "* ]]
}

@test "-o /dev/null is written directly" {
	small_prices >prices.csv
	run -0 --separate-stderr build-features -o /dev/null prices.csv
	[ -z "$output" ] && [ -z "$stderr" ]
}

@test "a full disk on stdout exits 74" {
	talib_prices TEST >prices.csv
	run -74 --separate-stderr bash -c "'$BIN/build-features' prices.csv >/dev/full"
	[[ $stderr == "build-features: "*"No space left on device" ]]
}

@test "empty input is a data error" {
	run -65 --separate-stderr build-features </dev/null
	[[ $stderr == "build-features: <stdin>"* ]]
}

@test "a header-only input writes the header only" {
	echo "$HEADER" >prices.csv
	run -0 build-features --preset gnn prices.csv
	[ "$output" = "symbol,date,close,logret_1,vol_20,mom_20,volnorm_20" ]
}

@test "real AAPL prices from Yahoo give sane features" {
	require_realdata
	local src
	src=$(realdata_dir)/prices/stocknet/AAPL.csv
	awk -F, -v h="$HEADER" 'NR == 1 { print h; next }
		{ print "AAPL," $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 }' "$src" >prices.csv
	run -0 --separate-stderr build-features -o feats.csv prices.csv
	[ -z "$stderr" ]
	# 1258 bars less 33 warm-up rows, plus the header
	[ "$(wc -l <feats.csv)" -eq $((1258 - 33 + 1)) ]
	# close is Yahoo's adjusted close; rsi in [0,100]; vol_20 a few percent
	[ "$(tail -n 1 feats.csv | cut -d, -f1-2,6)" = "AAPL,2017-09-01,164.050003" ]
	awk -F, 'NR > 1 && ($12 < 0 || $12 > 100 || $9 <= 0 || $9 > 0.1 || $11 <= 0) { print; bad = 1 }
		END { exit bad }' feats.csv
	# adjusted open = open * adj_close / close on the first kept row
	awk -F, 'NR == 35 { printf "%.6f\n", $3 * $7 / $6 }' prices.csv >want
	awk -F, 'NR == 2 { printf "%.6f\n", $3 }' feats.csv >got
	cmp want got
}

@test "the man page's examples run" {
	talib_prices TEST >prices.csv
	local line ran=0
	while IFS= read -r line; do
		line=${line//\\-/-}
		[[ $line == "build-features "* ]] || continue
		run -0 --separate-stderr bash -c "PATH='$BIN':\$PATH; $line"
		[ -z "$stderr" ]
		[ -n "$output" ] || [ -s feats.csv ]
		ran=$((ran + 1))
	done < <(sed -n '/^\.EX$/,/^\.EE$/p' "$TN_REPO/man/build-features.1")
	[ "$ran" -eq 3 ]
}

@test "-o a FIFO writes into it instead of replacing it" {
	small_prices >prices.csv
	read_fifo "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/got"
	run -0 build-features -o "$BATS_TEST_TMPDIR/fifo" prices.csv
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	wait "$fifo_reader"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(build-features prices.csv)" ]
}

@test "-o a full device exits 74 and leaves the device" {
	talib_prices TEST >prices.csv
	dev=$(full_device)
	run -74 --separate-stderr build-features -o "$dev" prices.csv
	[[ $stderr == "build-features: $dev: "*"No space left on device" ]]
	[ -c "$dev" ]
}

@test "-o keeps the mode of the file it replaces" {
	small_prices >prices.csv
	: >out.csv
	chmod 0600 out.csv
	run -0 build-features -o out.csv prices.csv
	[ -s out.csv ]
	[ "$(stat -c %a out.csv)" = 600 ]
}

@test "--metrics-file writes the run's counts as Prometheus metrics" {
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300";
	  echo "AAA,2024-01-05,11,12,10,abc,12,300"; echo "BBB,2024-01-08,12,13,11,13,13,400"; } >prices.csv
	run -0 --separate-stderr build-features --skip-bad --keep-warmup -f close \
		--metrics-file m.prom prices.csv
	m=$(cat m.prom)
	for name in rows_read_total rows_written_total bad_rows_total symbols_total; do
		grep -qx "# TYPE tickernet_build_features_$name counter" m.prom
	done
	for name in duration_seconds last_run_timestamp_seconds; do
		grep -qx "# TYPE tickernet_build_features_$name gauge" m.prom
	done
	grep -qx 'tickernet_build_features_rows_read_total 6' m.prom
	grep -qx 'tickernet_build_features_rows_written_total 4' m.prom
	grep -qx 'tickernet_build_features_bad_rows_total 2' m.prom
	grep -qx 'tickernet_build_features_symbols_total 2' m.prom
	grep -Eqx 'tickernet_build_features_duration_seconds [0-9.e+-]+' m.prom
	grep -Eqx 'tickernet_build_features_last_run_timestamp_seconds [0-9]{10}' m.prom
}

@test "--metrics-file without --skip-bad has no bad-rows metric" {
	small_prices >prices.csv
	run -0 build-features -f close --metrics-file m.prom prices.csv
	grep -qx 'tickernet_build_features_rows_read_total 3' m.prom
	grep -qx 'tickernet_build_features_symbols_total 1' m.prom
	! grep -q bad_rows m.prom
}

@test "--metrics-file is written when the run fails" {
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300"; } >prices.csv
	run -65 --separate-stderr build-features --metrics-file m.prom -o out.csv prices.csv
	grep -qx 'tickernet_build_features_rows_read_total 3' m.prom
	grep -Eqx 'tickernet_build_features_duration_seconds [0-9.e+-]+' m.prom
	[ ! -e out.csv ]
}

@test "an unwritable --metrics-file is a warning and the run succeeds" {
	small_prices >prices.csv
	run -0 --separate-stderr build-features -f close \
		--metrics-file "$BATS_TEST_TMPDIR/no/such/dir/m.prom" prices.csv
	[ "${#lines[@]}" -eq 4 ]
	[[ $stderr == "build-features: $BATS_TEST_TMPDIR/no/such/dir/m.prom: "*"No such file or directory" ]]
}

@test "an unwritable --metrics-file does not change a failure's exit status" {
	{ small_prices; echo "AAA,2024-01-04,11,12,10,12,12,300"; } >prices.csv
	run -65 --separate-stderr build-features --metrics-file no/such/m.prom prices.csv
	[ "${stderr_lines[0]}" = "build-features: no/such/m.prom: create temporary file: No such file or directory" ]
	[ "${stderr_lines[1]}" = "build-features: prices.csv:5:2: column 'date': duplicate date 2024-01-04" ]
}
