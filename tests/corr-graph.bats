#!/usr/bin/env bats
# corr-graph: the correlation graph from prices or features CSV.

load helper

# dates N: N consecutive calendar days from 2024-01-01, one a line.
dates() {
	local i
	for ((i = 0; i < $1; i++)); do
		date -u -d "2024-01-01 +$i day" +%F
	done
}

# prices SYMBOLS... : prices CSV, 40 days each, on stdout.  Returns mix a
# common factor with loadings 1, 0.5, 0, -0.5, ... and a symbol's own
# noise, deterministic (sines, no RNG).
prices() {
	dates 40 >"$BATS_TEST_TMPDIR/dates"
	printf 'symbol,date,open,high,low,close,adj_close,volume\n'
	local k=0 sym
	for sym in "$@"; do
		awk -v sym="$sym" -v k="$k" '{
			m = sin(NR * 2.1) ; e = sin(NR * 1.3 + k * 0.7) * cos(NR * 0.37 * (k + 1))
			lp += 0.01 * ((1 - 0.5 * k) * m + 0.6 * e)
			p = 100 * exp(lp)
			printf "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,1000\n", sym, $1, p, p, p, p, p
		}' "$BATS_TEST_TMPDIR/dates"
		k=$((k + 1))
	done
}

# to_features: prices CSV on stdin to features CSV with logret_1 (and its
# cube, a monotone transform, as logret_cubed) on stdout.
to_features() {
	awk -F, 'NR == 1 { print "symbol,date,logret_1,logret_cubed"; next }
		$1 != s { s = $1; prev = $7; next }
		{ r = log($7 / prev); prev = $7
		  printf "%s,%s,%.17g,%.17g\n", $1, $2, r, r * r * r }'
}

setup() {
	tn_setup
	prices AAA BBB CCC DDD >"$BATS_TEST_TMPDIR/p.csv"
	P=$BATS_TEST_TMPDIR/p.csv
}

@test "--help prints the usage on stdout and exits 0" {
	run -0 --separate-stderr corr-graph --help
	[[ ${lines[0]} == "usage: corr-graph "* ]]
	[ -z "$stderr" ]
}

@test "an unknown option exits 2 with a hint" {
	run -2 --separate-stderr corr-graph --bogus
	[[ $stderr == *"Try 'corr-graph --help' for more information."* ]]
}

@test "an unknown method exits 2" {
	run -2 --separate-stderr corr-graph --method kendall <"$P"
	[ "${stderr%%$'\n'*}" = "corr-graph: --method: expected pearson or spearman: 'kendall'" ]
}

@test "a threshold outside 0..1 exits 2" {
	run -2 --separate-stderr corr-graph --threshold 1.5 <"$P"
	[[ ${stderr%%$'\n'*} == "corr-graph: --threshold: "* ]]
}

@test "hdf5 output without -o exits 2" {
	run -2 --separate-stderr corr-graph --format hdf5 <"$P"
	[ "${stderr%%$'\n'*}" = "corr-graph: --format hdf5 needs -o FILE" ]
}

@test "--top-k without --target exits 2" {
	run -2 --separate-stderr corr-graph --top-k 3 <"$P"
	[ "${stderr%%$'\n'*}" = "corr-graph: --top-k needs --target" ]
}

@test "min-periods above the lookback exits 2" {
	run -2 --separate-stderr corr-graph --lookback 10 --min-periods 11 <"$P"
	[ "${stderr%%$'\n'*}" = "corr-graph: --min-periods 11 is more than --lookback 10" ]
}

@test "prices give a JSON graph with the contract's members" {
	run -0 --separate-stderr corr-graph --lookback 30 <"$P"
	[ -z "$stderr" ]
	run -0 jq -c '[.asof, .lookback, .threshold, .method, .symbols, (.matrix | length), (.matrix[0] | length)]' <<<"$output"
	[ "$output" = '["2024-02-09",30,0.3,"pearson",["AAA","BBB","CCC","DDD"],4,4]' ]
}

@test "the matrix is symmetric with ones on the diagonal" {
	run -0 corr-graph --lookback 30 <"$P"
	run -0 jq '.matrix as $m | [range(4) as $i | range(4) as $j
		| ($m[$i][$j] == $m[$j][$i]) and ($i != $j or $m[$i][$i] == 1)] | all' <<<"$output"
	[ "$output" = true ]
}

@test "correlations agree with Python's statistics.correlation" {
	require_command python3
	corr-graph --lookback 30 <"$P" >"$BATS_TEST_TMPDIR/g.json"
	run -0 python3 - "$P" "$BATS_TEST_TMPDIR/g.json" <<'EOF'
import csv, json, math, statistics, sys
closes = {}
for row in csv.DictReader(open(sys.argv[1])):
    closes.setdefault(row["symbol"], []).append(float(row["adj_close"]))
g = json.load(open(sys.argv[2]))
rets = {s: [math.log(b / a) for a, b in zip(v, v[1:])][-30:] for s, v in closes.items()}
worst = max(abs(g["matrix"][i][j] - statistics.correlation(rets[a], rets[b]))
            for i, a in enumerate(g["symbols"]) for j, b in enumerate(g["symbols"]))
print(worst)
sys.exit(worst > 2e-6)
EOF
}

@test "features with logret_1 give the same graph as the prices they came from" {
	to_features <"$P" >"$BATS_TEST_TMPDIR/f.csv"
	run -0 corr-graph --lookback 30 <"$P"
	from_prices=$output
	run -0 corr-graph --lookback 30 <"$BATS_TEST_TMPDIR/f.csv"
	[ "$output" = "$from_prices" ]
}

@test "spearman is unchanged by a monotone transform of the returns" {
	to_features <"$P" >"$BATS_TEST_TMPDIR/f.csv"
	run -0 corr-graph --method spearman --lookback 30 <"$BATS_TEST_TMPDIR/f.csv"
	plain=$output
	run -0 corr-graph --method spearman --column logret_cubed --lookback 30 <"$BATS_TEST_TMPDIR/f.csv"
	[ "$output" = "$plain" ]
	[ "$(jq -r .method <<<"$output")" = spearman ]
	run -0 corr-graph --column logret_cubed --lookback 30 <"$BATS_TEST_TMPDIR/f.csv"
	[ "$output" != "$plain" ]
}

@test "--column naming an absent column exits 65" {
	run -65 --separate-stderr corr-graph --column logret_5 <"$P"
	[ "$stderr" = "corr-graph: <stdin>:1: missing column 'logret_5'" ]
}

@test "input with neither returns nor closes exits 65" {
	printf 'symbol,date,rsi_14\nAAA,2024-01-01,50\n' >"$BATS_TEST_TMPDIR/x.csv"
	run -65 --separate-stderr corr-graph "$BATS_TEST_TMPDIR/x.csv"
	[ "$stderr" = "corr-graph: $BATS_TEST_TMPDIR/x.csv:1: no returns: neither a 'logret_1' column (features; see --column) nor 'close' (prices)" ]
}

@test "the graph on a date uses no later returns" {
	run -0 corr-graph --lookback 20 --asof 2024-01-30 <"$P"
	with_future=$output
	awk -F, 'NR == 1 || $2 <= "2024-01-30"' "$P" >"$BATS_TEST_TMPDIR/past.csv"
	run -0 corr-graph --lookback 20 <"$BATS_TEST_TMPDIR/past.csv"
	[ "$output" = "$with_future" ]
	[ "$(jq -r .asof <<<"$output")" = 2024-01-30 ]
}

@test "the window is the last --lookback returns only" {
	run -0 corr-graph --lookback 10 <"$P"
	full=$output
	# 11 prices give the 10 returns of the window
	awk -F, 'NR == 1 || $2 >= "2024-01-30"' "$P" >"$BATS_TEST_TMPDIR/tail.csv"
	run -0 corr-graph --lookback 10 <"$BATS_TEST_TMPDIR/tail.csv"
	[ "$output" = "$full" ]
}

@test "--asof on a day without data uses the last date before it" {
	awk -F, 'NR == 1 || $2 != "2024-01-30"' "$P" >"$BATS_TEST_TMPDIR/gap.csv"
	run -0 corr-graph --lookback 10 --asof 2024-01-30 <"$BATS_TEST_TMPDIR/gap.csv"
	[ "$(jq -r .asof <<<"$output")" = 2024-01-29 ]
}

@test "the CSV edge list has each pair above the threshold once, sorted" {
	run -0 corr-graph --format csv --threshold 0 --lookback 30 <"$P"
	[ "${lines[0]}" = "source,target,corr" ]
	[ "${#lines[@]}" -eq 7 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f1,2 | tr '\n' ' ')" = "AAA,BBB AAA,CCC AAA,DDD BBB,CCC BBB,DDD CCC,DDD " ]
	run -0 corr-graph --format csv --threshold 0.5 --lookback 30 <"$P"
	json=$(corr-graph --lookback 30 <"$P")
	want=$(jq '[.matrix as $m | range(4) as $i | range($i + 1; 4) as $j
		| select(($m[$i][$j] | fabs) >= 0.5)] | length' <<<"$json")
	[ "${#lines[@]}" -eq $((want + 1)) ]
	[ "$want" -ge 1 ]
}

@test "--target adds the top-k neighbours by absolute correlation" {
	run -0 corr-graph --lookback 30 --threshold 0 --target aaa --top-k 2 <"$P"
	[ "$(jq -r .target <<<"$output")" = AAA ]
	run -0 jq -e '(.neighbours | length) == 2 and
		(.neighbours | map(.symbol) | index("AAA") == null) and
		(.neighbours[0].corr | fabs) >= (.neighbours[1].corr | fabs) and
		([.neighbours[].corr] - [.matrix[0][1:][]] == []) and
		((.neighbours[1].corr | fabs) >= ([.matrix[0][1:][] | fabs] | sort | .[-2]))' <<<"$output"
}

@test "neighbours below the threshold are left out" {
	run -0 corr-graph --lookback 30 --threshold 0.99 --target AAA <"$P"
	[ "$(jq -c .neighbours <<<"$output")" = "[]" ]
}

@test "ties in |corr| are broken by symbol" {
	# CCC is a copy of BBB: the same correlation with AAA
	{ grep -v -e '^CCC' -e '^DDD' "$P"; grep '^BBB' "$P" | sed 's/^BBB/CCC/'; grep '^DDD' "$P"; } >"$BATS_TEST_TMPDIR/tie.csv"
	run -0 corr-graph --lookback 30 --threshold 0 --target AAA --top-k 3 <"$BATS_TEST_TMPDIR/tie.csv"
	run -0 jq -e '[.neighbours[].symbol] as $s | ($s | index("CCC")) == ($s | index("BBB")) + 1
		and .neighbours[($s | index("BBB"))].corr == .neighbours[($s | index("CCC"))].corr' <<<"$output"
}

@test "--target restricts the CSV to the target's edges" {
	run -0 corr-graph --format csv --lookback 30 --threshold 0 --target CCC --top-k 2 <"$P"
	[ "${#lines[@]}" -eq 3 ]
	for line in "${lines[@]:1}"; do
		[[ $line == *CCC* ]]
	done
}

@test "a target that is not in the input exits 65" {
	run -65 --separate-stderr corr-graph --target ZZZ <"$P"
	[ "$stderr" = "corr-graph: --target ZZZ: not in the input" ]
}

@test "an invalid target symbol exits 2" {
	run -2 --separate-stderr corr-graph --target 'A/B' <"$P"
	[[ ${stderr%%$'\n'*} == "corr-graph: --target: "* ]]
}

@test "a day a symbol lacks leaves its pairs null under a strict --min-periods" {
	awk -F, '!($1 == "BBB" && $2 == "2024-02-05")' "$P" >"$BATS_TEST_TMPDIR/hole.csv"
	# the missing price removes two returns: 02-05 and 02-06
	run -0 --separate-stderr corr-graph --lookback 10 --min-periods 10 <"$BATS_TEST_TMPDIR/hole.csv"
	[ "$stderr" = "corr-graph: BBB: too few usable returns in the window ending 2024-02-09 (missing, non-finite or all equal): its row is null" ]
	[ "$(jq -c '.matrix[1]' <<<"$output")" = "[null,null,null,null]" ]
	[ "$(jq -c '.matrix[0][2]' <<<"$output")" != null ]
	run -0 --separate-stderr corr-graph --lookback 10 --min-periods 8 <"$BATS_TEST_TMPDIR/hole.csv"
	[ -z "$stderr" ]
	[ "$(jq -c '.matrix[1][1]' <<<"$output")" = 1 ]
	[ "$(jq -c '.matrix[0][1]' <<<"$output")" != null ]
}

@test "a symbol with too few returns in the window is warned about" {
	awk -F, '!($1 == "DDD" && $2 >= "2024-01-20")' "$P" >"$BATS_TEST_TMPDIR/short.csv"
	run -0 --separate-stderr corr-graph --lookback 10 <"$BATS_TEST_TMPDIR/short.csv"
	[ "$stderr" = "corr-graph: DDD: too few usable returns in the window ending 2024-02-09 (missing, non-finite or all equal): its row is null" ]
	run -0 --separate-stderr corr-graph -q --lookback 10 <"$BATS_TEST_TMPDIR/short.csv"
	[ -z "$stderr" ]
}

# same_graph A B: the JSON graphs A and B agree but for their values,
# which differ by at most 1e-6 (the single-precision graph's accuracy).
same_graph() {
	jq -en --argjson a "$1" --argjson b "$2" '
		($a | del(.matrix)) == ($b | del(.matrix)) and
		([$a.matrix, $b.matrix] | transpose | map(transpose) | flatten(1)
		 | all(if .[0] == null or .[1] == null then .[0] == .[1]
		       else (.[0] - .[1] | fabs) <= 1.0000001e-6 end))' >/dev/null
}

@test "--rolling writes one graph a day, each the same as --asof that day" {
	run -0 corr-graph --rolling --lookback 30 <"$P"
	[ "${#lines[@]}" -eq 10 ]
	[ "$(jq -r .asof <<<"${lines[0]}")" = 2024-01-31 ]
	local k asof
	for k in 0 3 9; do
		asof=$(jq -r .asof <<<"${lines[$k]}")
		same_graph "${lines[$k]}" "$(corr-graph --lookback 30 --asof "$asof" <"$P")"
	done
	# and the check can fail
	! same_graph "${lines[3]}" "$(corr-graph --lookback 30 --asof 2024-02-02 <"$P")"
}

@test "--rolling with missing days and a constant stretch matches --asof each day" {
	awk -F, -v OFS=, 'NR > 1 && $1 == "BBB" && $2 >= "2024-01-10" && $2 <= "2024-01-25" { $7 = 50 }
		!(NR > 1 && $1 == "CCC" && ($2 == "2024-01-20" || $2 == "2024-02-01"))' "$P" >"$BATS_TEST_TMPDIR/gappy.csv"
	run -0 corr-graph -q --rolling --lookback 12 --min-obs 5 <"$BATS_TEST_TMPDIR/gappy.csv"
	[ "${#lines[@]}" -gt 20 ]
	local line asof
	for line in "${lines[@]}"; do
		asof=$(jq -r .asof <<<"$line")
		same_graph "$line" "$(corr-graph -q --lookback 12 --min-obs 5 --asof "$asof" <"$BATS_TEST_TMPDIR/gappy.csv")"
	done
}

@test "--metrics-file counts what was read and written" {
	run -0 corr-graph --rolling --lookback 30 --metrics-file "$BATS_TEST_TMPDIR/m.prom" <"$P"
	run -0 grep -v '^#' "$BATS_TEST_TMPDIR/m.prom"
	[[ $output == *$'tickernet_corr_graph_symbols_total 4\n'* ]]
	[[ $output == *$'tickernet_corr_graph_dates_total 40\n'* ]]
	[[ $output == *$'tickernet_corr_graph_graphs_written_total 10\n'* ]]
	[[ $output == *$'tickernet_corr_graph_exit_status 0\n'* ]]
	grep -q '^# TYPE tickernet_corr_graph_graphs_written_total counter$' "$BATS_TEST_TMPDIR/m.prom"
	grep -Eq '^tickernet_corr_graph_duration_seconds [0-9.e-]+$' "$BATS_TEST_TMPDIR/m.prom"
}

@test "--metrics-file is written when the run fails, with its exit status" {
	run -65 --separate-stderr corr-graph --metrics-file "$BATS_TEST_TMPDIR/m.prom" <<<"x,y"
	[[ $stderr == "corr-graph: <stdin>:1: no returns"* ]]
	grep -qx 'tickernet_corr_graph_exit_status 65' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_corr_graph_graphs_written_total 0' "$BATS_TEST_TMPDIR/m.prom"
}

@test "--metrics-file that cannot be written is a warning, not the exit status" {
	run -0 --separate-stderr corr-graph --lookback 30 --metrics-file "$BATS_TEST_TMPDIR/no/such/dir/m.prom" <"$P"
	[[ $stderr == "corr-graph: $BATS_TEST_TMPDIR/no/such/dir/m.prom: "* ]]
	[ "$(jq -r .asof <<<"$output")" = 2024-02-09 ]
	run -2 --separate-stderr corr-graph --metrics-file ""
	[[ $stderr == "corr-graph: --metrics-file: empty name"* ]]
}

@test "--rolling --from starts at that date" {
	run -0 corr-graph --rolling --lookback 30 --from 2024-02-08 <"$P"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .asof <<<"${lines[0]}")" = 2024-02-08 ]
}

@test "hdf5 output has /corr, its symbols and the window's attributes" {
	require_command h5dump
	run -0 corr-graph --format hdf5 -o "$BATS_TEST_TMPDIR/g.h5" --lookback 30 <"$P"
	run -0 h5dump -A "$BATS_TEST_TMPDIR/g.h5"
	[[ $output == *'DATASET "corr"'* ]]
	[[ $output == *'"AAA", "BBB", "CCC", "DDD"'* ]]
	[[ $output == *'"2024-02-09"'* ]]
	[[ $output == *'ATTRIBUTE "lookback"'* ]]
	[[ $output == *'"pearson"'* ]]
	run -0 h5dump -d /corr "$BATS_TEST_TMPDIR/g.h5"
	[[ $output == *"(0,0): 1,"* ]]
}

@test "-o writes the file and nothing on stdout" {
	run -0 corr-graph --lookback 30 -o "$BATS_TEST_TMPDIR/g.json" <"$P"
	[ -z "$output" ]
	[ "$(cat "$BATS_TEST_TMPDIR/g.json")" = "$(corr-graph --lookback 30 <"$P")" ]
}

@test "the same input gives the same bytes" {
	a=$(corr-graph --lookback 30 --target BBB <"$P" | cksum)
	b=$(corr-graph --lookback 30 --target BBB <"$P" | cksum)
	[ "$a" = "$b" ]
}

@test "files on the command line are read in turn" {
	prices AAA BBB >"$BATS_TEST_TMPDIR/ab.csv"
	prices CCC DDD | sed 's/^AAA/CCC/; s/^BBB/DDD/' >"$BATS_TEST_TMPDIR/cd.csv"
	run -0 corr-graph --lookback 30 "$BATS_TEST_TMPDIR/ab.csv" - <"$BATS_TEST_TMPDIR/cd.csv"
	[ "$(jq -c .symbols <<<"$output")" = '["AAA","BBB","CCC","DDD"]' ]
}

@test "a bad date exits 65 naming line and column, and -o is not written" {
	sed '5s/2024-01-04/2024-13-04/' "$P" >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph -o "$BATS_TEST_TMPDIR/out.json" "$BATS_TEST_TMPDIR/bad.csv"
	[[ $stderr == "corr-graph: $BATS_TEST_TMPDIR/bad.csv:5:2: column 'date': "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out.json" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '\.tmp\.' || true)" ]
}

@test "a non-numeric return exits 65 naming line and column" {
	to_features <"$P" | sed '4s/,[^,]*,\([^,]*\)$/,abc,\1/' >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph <"$BATS_TEST_TMPDIR/bad.csv"
	[ "$stderr" = "corr-graph: <stdin>:4:3: column 'logret_1': not a number: 'abc'" ]
}

@test "a symbol's rows in two places exit 65" {
	{ head -n 3 "$P"; grep '^BBB' "$P" | head -n 2; grep '^AAA' "$P" | tail -n +3; } >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph <"$BATS_TEST_TMPDIR/bad.csv"
	[[ $stderr == "corr-graph: <stdin>:6:"* ]]
}

@test "features rows out of date order exit 65" {
	to_features <"$P" | sed '3{h;d};4{G}' >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph <"$BATS_TEST_TMPDIR/bad.csv"
	[ "$stderr" = "corr-graph: <stdin>:4:2: column 'date': AAA: 2024-01-03 is not after 2024-01-04 (dates must increase)" ]
}

@test "a non-positive price exits 65" {
	sed '7s/,1000$/,1000/; 7s/^\(AAA,[^,]*\),[^,]*,/\1,-1,/' "$P" >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph <"$BATS_TEST_TMPDIR/bad.csv"
	[[ $stderr == "corr-graph: <stdin>:7:"* ]]
}

@test "one symbol is too few" {
	prices AAA >"$BATS_TEST_TMPDIR/one.csv"
	run -65 --separate-stderr corr-graph <"$BATS_TEST_TMPDIR/one.csv"
	[ "$stderr" = "corr-graph: need at least 2 symbols, found 1" ]
}

@test "fewer returns than the lookback exits 65" {
	run -65 --separate-stderr corr-graph --lookback 40 <"$P"
	[ "$stderr" = "corr-graph: 39 days of returns up to 2024-02-09, --lookback needs 40" ]
}

@test "an --asof before the data exits 65" {
	run -65 --separate-stderr corr-graph --asof 2020-01-01 <"$P"
	[ "$stderr" = "corr-graph: --asof 2020-01-01: before the first date in the input (2024-01-01)" ]
}

@test "empty input exits 65" {
	run -65 --separate-stderr corr-graph </dev/null
	[ "$stderr" = "corr-graph: <stdin>: empty input (no header)" ]
}

@test "a missing file exits 66" {
	run -66 --separate-stderr corr-graph "$BATS_TEST_TMPDIR/nope.csv"
	[[ $stderr == "corr-graph: $BATS_TEST_TMPDIR/nope.csv: No such file"* ]]
}

@test "real prices: banks correlate more with each other than with tech" {
	require_realdata
	local dir f sym
	dir=$(realdata_dir)/prices/qstk
	{
		echo symbol,date,open,high,low,close,adj_close,volume
		for sym in BAC C GS JPM MSFT WFC XOM; do
			f=$dir/$sym.csv
			tail -n +2 "$f" | sort -t, -k1,1 |
				awk -F, -v s="$sym" '{ printf "%s,%s,%s,%s,%s,%s,%s,%s\n", s, $1, $2, $3, $4, $5, $7, $6 }'
		done
	} >"$BATS_TEST_TMPDIR/real.csv"
	run -0 --separate-stderr corr-graph --lookback 250 --asof 2010-12-31 --target JPM --top-k 3 <"$BATS_TEST_TMPDIR/real.csv"
	[ "$(jq -r .asof <<<"$output")" = 2010-12-31 ]
	[ "$(jq -c '[.neighbours[].symbol] | sort' <<<"$output")" = '["BAC","C","WFC"]' ] ||
		[ "$(jq -c '[.neighbours[].symbol] | sort' <<<"$output")" = '["BAC","GS","WFC"]' ]
	run -0 jq -e '[.matrix[][] | select(. != null) | . >= -1 and . <= 1] | all' <<<"$output"
}

@test "the man page's examples run" {
	cp "$P" "$BATS_TEST_TMPDIR/prices.csv"
	cd "$BATS_TEST_TMPDIR"
	to_features <prices.csv >feats.csv
	corr-graph --lookback 30 --threshold 0.3 <feats.csv >graph.json
	corr-graph --format csv --threshold 0.5 --lookback 30 prices.csv >edges.csv
	corr-graph --lookback 30 --target AAA --top-k 2 <prices.csv | jq -c .neighbours
	corr-graph --rolling --lookback 30 <feats.csv | jq -r .asof >asofs
	corr-graph --format hdf5 -o graph.h5 --lookback 30 <prices.csv
	[ -s graph.json ] && [ -s edges.csv ] && [ -s asofs ] && [ -s graph.h5 ]
}

@test "-o a FIFO writes into it instead of replacing it" {
	read_fifo "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/got"
	run -0 corr-graph --lookback 30 -o "$BATS_TEST_TMPDIR/fifo" <"$P"
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	wait "$fifo_reader"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(corr-graph --lookback 30 <"$P")" ]
}

@test "-o a full device exits 74 and leaves the device" {
	dev=$(full_device)
	run -74 --separate-stderr corr-graph --lookback 30 -o "$dev" <"$P"
	[ "$stderr" = "corr-graph: $dev: write error: No space left on device" ]
	[ -c "$dev" ]
}

@test "hdf5 -o a FIFO exits 73: HDF5 needs a regular file" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -73 --separate-stderr corr-graph --format hdf5 --lookback 30 -o "$BATS_TEST_TMPDIR/fifo" <"$P"
	[[ $stderr == "corr-graph: $BATS_TEST_TMPDIR/fifo: not a regular file: "* ]]
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
}

@test "-o keeps the mode of the file it replaces" {
	: >"$BATS_TEST_TMPDIR/g.json"
	chmod 0600 "$BATS_TEST_TMPDIR/g.json"
	run -0 corr-graph --lookback 30 -o "$BATS_TEST_TMPDIR/g.json" <"$P"
	[ -s "$BATS_TEST_TMPDIR/g.json" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/g.json")" = 600 ]
}

@test "hdf5 -o keeps the mode of the file it replaces" {
	: >"$BATS_TEST_TMPDIR/g.h5"
	chmod 0640 "$BATS_TEST_TMPDIR/g.h5"
	run -0 corr-graph --format hdf5 --lookback 30 -o "$BATS_TEST_TMPDIR/g.h5" <"$P"
	[ -s "$BATS_TEST_TMPDIR/g.h5" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/g.h5")" = 640 ]
}

@test "a header-only input exits 65: no symbols" {
	head -n 1 "$P" >"$BATS_TEST_TMPDIR/hdr.csv"
	run -65 --separate-stderr corr-graph "$BATS_TEST_TMPDIR/hdr.csv"
	[ "$stderr" = "corr-graph: need at least 2 symbols, found 0" ]
}

@test "a bad symbol's control characters are escaped in the one-line error" {
	printf 'symbol,date,logret_1\n"AA\nPL\033[31m",2024-01-02,0.1\n' >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph "$BATS_TEST_TMPDIR/bad.csv"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"'AA\\nPL\\x1b[31m'" ]]
}

@test "a bad date's control characters are escaped in the one-line error" {
	printf 'symbol,date,logret_1\nAAPL,"2024\r\n01",0.1\n' >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr corr-graph "$BATS_TEST_TMPDIR/bad.csv"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"not a YYYY-MM-DD date: '2024\\r\\n01'" ]]
}

@test "blank lines before the header are skipped" {
	{ printf '\n \r\n'; cat "$P"; } >"$BATS_TEST_TMPDIR/blank.csv"
	run -0 corr-graph --lookback 30 "$BATS_TEST_TMPDIR/blank.csv"
	[ "$output" = "$(corr-graph --lookback 30 <"$P")" ]
}

@test "returns that overflow are missing, not ranked" {
	# BBB and CCC swing between 1e308 and 1e-300: every return is +-inf
	awk -F, -v OFS=, '($1 == "BBB" || $1 == "CCC") {
		p = NR % 2 ? "1e308" : "1e-300"; $3 = $4 = $5 = $6 = $7 = p } 1' \
		"$P" >"$BATS_TEST_TMPDIR/swing.csv"
	run -0 --separate-stderr corr-graph --method spearman --lookback 10 "$BATS_TEST_TMPDIR/swing.csv"
	[ "$(jq -c '.matrix[1][2]' <<<"$output")" = null ]
	[ "${stderr_lines[0]}" = "corr-graph: BBB: too few usable returns in the window ending 2024-02-09 (missing, non-finite or all equal): its row is null" ]
}
