#!/usr/bin/env bats
# gnn-predict: pipeline mode, serve mode, the model LRU and prediction
# caches, fallback on every kind of unusable model, staleness, metrics,
# determinism, a retrain under a reading server, and bad inputs.

load helper

SYMS="AAPL MSFT NVDA JPM XOM KO"
FAST="--epochs 2 --batch-size 8 --hidden 8 --heads 2 -k 3 --seed 1"
# Before the models' stale moment (they are trained to 2024-05-31), and
# long after it.
FRESH=2024-06-01T12:00:00Z
LATER=2024-06-10T00:00:00Z

# The store's price cache from a prices CSV: one file per symbol.
split_prices() {
	mkdir -p "$TICKERNET_STORE/prices"
	awk -F, -v d="$TICKERNET_STORE/prices" 'NR == 1 { h = $0; next }
		!($1 in seen) { seen[$1] = 1; print h > (d "/" $1 ".csv") }
		{ print >> (d "/" $1 ".csv") }' "$1"
}

# Prices and features of the synthetic market, two trained models (AAPL,
# JPM) and the store's price cache, built once with the tools themselves.
setup_file() {
	local dir=$BATS_FILE_TMPDIR s
	export TICKERNET_STORE=$dir/fixture-store
	timeout 120 "$BIN/fetch-prices" -q --source synthetic --seed 1 \
		--end 2024-05-31 --days 300 $SYMS > "$dir/prices.csv"
	timeout 120 "$BIN/build-features" -p gnn < "$dir/prices.csv" > "$dir/f.csv"
	[ "$(wc -l < "$dir/f.csv")" -gt 1500 ] || {
		echo "fixture f.csv was not built" >&2
		return 1
	}
	for s in AAPL JPM; do
		timeout 120 "$BIN/gnn-train" $FAST --symbol $s "$dir/f.csv" > /dev/null || {
			echo "fixture model $s was not trained" >&2
			return 1
		}
	done
	split_prices "$dir/prices.csv"
}

setup() {
	tn_setup
	cp -a "$BATS_FILE_TMPDIR/fixture-store" "$TICKERNET_STORE"
	F=$BATS_FILE_TMPDIR/f.csv
	MODELS=$TICKERNET_STORE/models/gnn
}

field() {
	printf '%s\n' "$1" | jq -r "$2"
}

current_file() {
	printf '%s/%s\n' "$MODELS/$1" "$(readlink "$MODELS/$1/current.h5")"
}

# ---- pipeline mode ------------------------------------------------------

@test "pipeline mode predicts every symbol with a model, one line each" {
	run -0 --separate-stderr gnn-predict --now $FRESH "$F"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(field "${lines[0]}" .symbol)" = AAPL ]
	[ "$(field "${lines[1]}" .symbol)" = JPM ]
	v=$(readlink "$MODELS/AAPL/current.h5")
	printf '%s\n' "${lines[0]}" | jq -e --arg v "${v%.h5}" '
		.asof == "2024-05-31" and .model == "gnn" and .status == "pre-trained"
		and (.predicted_return | type) == "number"
		and (.last_close | type) == "number"
		and ((.predicted_price - .last_close * (.predicted_return | exp)) | fabs) < 1e-9
		and .model_version == $v and (.model_age_hours | type) == "number"
		and .stale == false and (has("reason") | not)'
	[ "$stderr" = "" ]
}

@test "a symbol without a model gets the momentum baseline and the reason" {
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols MSFT,aapl "$F"
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[1]}" | jq -e --arg m "$MODELS/MSFT/current.h5" '
		.symbol == "MSFT" and .status == "fallback" and .baseline == "momentum_20"
		and .reason == "no model: \($m) does not exist"
		and .model_version == null and .model_age_hours == null and .stale == false'
	# momentum_20: the mean of the last 20 daily log returns of close
	want=$(awk -F, '$1 == "MSFT" { c[n++] = $3 } END {
		s = 0; for (i = n - 20; i < n; i++) s += log(c[i] / c[i - 1]);
		printf "%.12f", s / 20 }' "$F")
	got=$(field "${lines[1]}" '.predicted_return * 1e12 | round / 1e12')
	awk -v a="$want" -v b="$got" 'BEGIN { exit !((a - b) ^ 2 < 1e-20) }'
}

@test "a symbol missing from the input is an error line and exit 1" {
	run -1 --separate-stderr gnn-predict --now $FRESH --symbols ZZZ,AAPL "$F"
	[ "$(field "${lines[0]}" .status)" = pre-trained ]
	[ "${lines[1]}" = '{"symbol":"ZZZ","asof":null,"model":"gnn","status":"error","message":"ZZZ: no data in '"$F"'"}' ]
	[ "$stderr" = "gnn-predict: ZZZ: no data in $F" ]
}

@test "the same input and --now give the same bytes" {
	a=$(gnn-predict --now $FRESH --symbols AAPL,JPM,MSFT "$F")
	b=$(gnn-predict --now $FRESH --symbols AAPL,JPM,MSFT < "$F")
	[ "$a" = "$b" ]
}

# train_early SYMBOL: a version of SYMBOL trained on the data up to
# 2024-04-30, then one on all of it made current again (both forced past
# the gate), so the store holds an older-data version before current.
train_early() {
	awk -F, 'NR == 1 || $2 <= "2024-04-30"' "$F" > "$BATS_TEST_TMPDIR/early.csv"
	gnn-train $FAST --force --symbol "$1" "$BATS_TEST_TMPDIR/early.csv" > "$BATS_TEST_TMPDIR/early.json"
	gnn-train $FAST --force --symbol "$1" "$F" > /dev/null
	jq -r .model_version "$BATS_TEST_TMPDIR/early.json"
}

@test "--asof predicts from the data up to that date with a model trained by then" {
	local early
	early=$(train_early AAPL)
	run -0 --separate-stderr gnn-predict --now $FRESH --asof 2024-05-04 --symbols AAPL "$F"
	[ "$(field "$output" .asof)" = 2024-05-03 ]
	[ "$(field "$output" .status)" = pre-trained ]
	# not the current model (trained to 2024-05-31): the one trained to April
	[ "$(field "$output" .model_version)" = "$early" ]
	[ "$(field "$output" .model_version).h5" != "$(readlink "$MODELS/AAPL/current.h5")" ]
	# on or after the current model's data end, the current model
	run -0 --separate-stderr gnn-predict --now $FRESH --asof 2024-05-31 --symbols AAPL "$F"
	[ "$(field "$output" .model_version).h5" = "$(readlink "$MODELS/AAPL/current.h5")" ]
}

@test "--asof before every version's training data falls back with the reason" {
	run -0 --separate-stderr gnn-predict --now $FRESH --asof 2024-05-04 --symbols AAPL "$F"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .reason)" = "no model version in $MODELS/AAPL was trained on data ending on or before 2024-05-04" ]
}

@test "serve mode answers an asof request with the model trained by then" {
	local early
	early=$(train_early JPM)
	run -0 --separate-stderr gnn-predict --serve --now $FRESH <<'EOF'
{"symbol":"JPM","asof":"2024-05-10"}
{"symbol":"JPM","asof":"2024-04-01"}
{"symbol":"JPM"}
EOF
	[ "$(field "${lines[0]}" .model_version)" = "$early" ]
	[ "$(field "${lines[1]}" .status)" = fallback ]
	[[ "$(field "${lines[1]}" .reason)" == "no model version in "*" on or before 2024-04-01" ]]
	[ "$(field "${lines[2]}" .model_version).h5" = "$(readlink "$MODELS/JPM/current.h5")" ]
}

# ---- fallback ------------------------------------------------------------

@test "a truncated model falls back with the reason" {
	f=$(current_file AAPL)
	truncate -s 20000 "$f"
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$F"
	printf '%s\n' "$output" | jq -e '.status == "fallback" and .baseline == "momentum_20"
		and .model_version == null and (.predicted_return | type) == "number"'
	[[ "$(field "$output" .reason)" == "unusable model: $f: "* ]]
}

@test "a flipped byte in a parameter fails its Fletcher32 checksum: fallback" {
	require_command h5dump
	f=$(current_file AAPL)
	h5dump -d /state_dict/gcn2.lin.weight -b LE -o "$BATS_TEST_TMPDIR/w.bin" "$f" > /dev/null
	run -0 python3 - "$f" "$BATS_TEST_TMPDIR/w.bin" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
w = open(sys.argv[2], "rb").read()
at = data.find(w[64:128])
assert at > 0 and data.find(w[64:128], at + 1) < 0
data[at + 5] ^= 0x10
open(sys.argv[1], "wb").write(data)
print("flipped")
EOF
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$F"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q 'gcn2.lin.weight'
	field "$output" .reason | grep -qi 'checksum'
}

@test "a model of another format version falls back with the reason" {
	f=$(current_file AAPL)
	run -0 python3 - "$f" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
at = d.find(b"format_version\x00\x00")
# name (16), datatype message (16), scalar dataspace (8), then the int64
assert at > 0 and d[at + 40:at + 48] == (1).to_bytes(8, "little")
d[at + 40] = 99
open(sys.argv[1], "wb").write(d)
print("patched")
EOF
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$F"
	[ "$(field "$output" .status)" = fallback ]
	[[ "$(field "$output" .reason)" == *"format_version 99 is newer than this program reads (1): upgrade tickernet" ]]
}

@test "a file that is not HDF5 falls back with the reason" {
	f=$(current_file AAPL)
	echo 'not a model' > "$f"
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$F"
	[ "$(field "$output" .reason)" = "unusable model: $f: not an HDF5 file" ]
}

@test "a feature the model needs missing from the input: fallback" {
	cut -d, -f1-4,6- "$F" > "$BATS_TEST_TMPDIR/novol.csv"
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$BATS_TEST_TMPDIR/novol.csv"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .reason)" = "features missing: no column 'vol_20' in $BATS_TEST_TMPDIR/novol.csv" ]
}

@test "a peer missing from the input: fallback" {
	peer=$(h5dump -d /nodes "$(current_file AAPL)" | grep -o '"[A-Z]*"' | sed -n 2p | tr -d '"')
	[ -n "$peer" ]
	grep -v "^$peer," "$F" > "$BATS_TEST_TMPDIR/nopeer.csv"
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$BATS_TEST_TMPDIR/nopeer.csv"
	[ "$(field "$output" .reason)" = "features missing: peer $peer has no data in $BATS_TEST_TMPDIR/nopeer.csv" ]
}

@test "too little history for the lookback: fallback" {
	awk -F, 'NR == 1 || $2 >= "2024-04-20"' "$F" > "$BATS_TEST_TMPDIR/short.csv"
	run -0 --separate-stderr gnn-predict --now $FRESH --symbols AAPL "$BATS_TEST_TMPDIR/short.csv"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q '^not enough history: '
}

# ---- staleness -------------------------------------------------------------

@test "a model past --max-age is stale" {
	run -0 gnn-predict --now $LATER --symbols AAPL "$F"
	[ "$(field "$output" .stale)" = true ]
	# the last snapshot with a target is 2024-05-30, a Thursday: the next
	# trading day is 2024-05-31, stale 24 h after its end
	[ "$(h5dump -a last_train_date "$(current_file AAPL)" | grep -c '"2024-05-30"')" -eq 1 ]
	run -0 gnn-predict --now 2024-06-01T23:59:59Z --symbols AAPL "$F"
	[ "$(field "$output" .stale)" = false ]
	run -0 gnn-predict --now 2024-06-02T00:00:01Z --symbols AAPL "$F"
	[ "$(field "$output" .stale)" = true ]
	run -0 gnn-predict --now 2024-06-01T00:00:01Z --max-age 0 --symbols AAPL "$F"
	[ "$(field "$output" .stale)" = true ]
}

# ---- serve mode -------------------------------------------------------------

@test "serve mode answers each request with one line, bad ones with errors" {
	run -0 --separate-stderr gnn-predict --serve --now $FRESH <<'EOF'
{"symbol":"AAPL"}
not json
{"symbol":"MSFT"}
{"symbol":"a/b"}

{"symbol":"JPM","asof":"2024-05-31"}
{"symbol":"JPM","asof":"yesterday"}
{}
{"symbol":"ZZZ"}
EOF
	[ "${#lines[@]}" -eq 8 ]
	[ "$(field "${lines[0]}" .status)" = pre-trained ]
	[ "${lines[1]}" = '{"symbol":null,"asof":null,"model":"gnn","status":"error","message":"<stdin>:2: invalid JSON near column 1"}' ]
	[ "$(field "${lines[2]}" .status)" = fallback ]
	[ "$(field "${lines[3]}" .message)" = "<stdin>:4: field 'symbol': 'a/b': bad character '/' at 2" ]
	printf '%s\n' "${lines[4]}" | jq -e '.symbol == "JPM" and .asof == "2024-05-31" and .status == "pre-trained"'
	[ "$(field "${lines[5]}" .message)" = "<stdin>:7: field 'asof': not a date (YYYY-MM-DD): 'yesterday'" ]
	[ "$(field "${lines[6]}" .message)" = "<stdin>:8: field 'symbol': missing" ]
	[ "$(field "${lines[7]}" .message)" = "ZZZ: no prices: $TICKERNET_STORE/prices/ZZZ.csv: No such file or directory" ]
	[[ "$stderr" == *"gnn-predict: <stdin>:2: invalid JSON near column 1"* ]]
}

@test "serve mode computes features from the price cache exactly as the pipeline" {
	a=$(gnn-predict --now $FRESH --symbols AAPL,JPM,MSFT "$F")
	b=$(printf '{"symbol":"%s"}\n' AAPL JPM MSFT | gnn-predict --serve --now $FRESH)
	[ "$a" = "$b" ]
}

@test "a second request is served from the memory cache" {
	run -0 --separate-stderr gnn-predict --serve -v --now $FRESH \
		--metrics-file "$BATS_TEST_TMPDIR/m.prom" <<'EOF'
{"symbol":"AAPL"}
{"symbol":"AAPL"}
EOF
	[ "${lines[0]}" = "${lines[1]}" ]
	[[ "$stderr" == *"AAPL: pre-trained in "*" us (computed)"* ]]
	[[ "$stderr" == *"AAPL: cached in "*" us (memory cache)"* ]]
	grep -qx 'tickernet_gnn_predict_cache_hits_total{cache="memory"} 1' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_gnn_predict_cache_misses_total 1' "$BATS_TEST_TMPDIR/m.prom"
}

@test "the store's prediction cache serves the next process, and --ttl 0 turns caching off" {
	echo '{"symbol":"AAPL"}' | gnn-predict --serve --now $FRESH > "$BATS_TEST_TMPDIR/a"
	[ -f "$TICKERNET_STORE/predictions/gnn/AAPL.json" ]
	[ "$(sed -n 2p "$TICKERNET_STORE/predictions/gnn/AAPL.json")" = "$(cat "$BATS_TEST_TMPDIR/a")" ]
	run -0 --separate-stderr gnn-predict --serve -v --now $FRESH <<< '{"symbol":"AAPL"}'
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/a")" ]
	[[ "$stderr" == *"(store cache)"* ]]
	run -0 --separate-stderr gnn-predict --serve -v --ttl 0 --now $FRESH \
		<<< $'{"symbol":"AAPL"}\n{"symbol":"AAPL"}'
	[[ "$stderr" != *"cache)"* ]]
}

# serve as a coprocess: one request in, its answer out
ask() {
	echo "{\"symbol\":\"$1\"}" >&"${SRV[1]}"
	read -r -t 30 answer <&"${SRV[0]}"
}

# The last row's close and adjusted close, 1 higher: the same size.
bump_last_close() {
	awk -F, -v OFS=, '{ last = $0 } NR > 1 { print prev } { prev = $0 }
		END { $0 = last; $6 = sprintf("%.2f", $6 + 1); $7 = $6; print }' "$1"
}

@test "serve mode keeps parsed price files until they change, in place or by rename" {
	local p=$TICKERNET_STORE/prices s
	coproc SRV { gnn-predict --serve --ttl 0 --now $FRESH 2> /dev/null; }
	ask AAPL
	a=$answer
	ask AAPL
	[ "$answer" = "$a" ]
	# the target's file rewritten in place: same inode, same size
	bump_last_close "$p/AAPL.csv" > "$BATS_TEST_TMPDIR/new"
	[ "$(wc -c < "$BATS_TEST_TMPDIR/new")" -eq "$(wc -c < "$p/AAPL.csv")" ]
	cat "$BATS_TEST_TMPDIR/new" > "$p/AAPL.csv"
	ask AAPL
	b=$answer
	[ "$b" != "$a" ]
	[ "$(field "$b" .last_close)" != "$(field "$a" .last_close)" ]
	[ "$b" = "$(gnn-predict --serve --ttl 0 --now $FRESH <<< '{"symbol":"AAPL"}')" ]
	# every peer's file replaced by rename, as fetch-prices writes
	for s in MSFT NVDA JPM XOM KO; do
		bump_last_close "$p/$s.csv" > "$p/.$s.tmp"
		mv "$p/.$s.tmp" "$p/$s.csv"
	done
	ask AAPL
	[ "$(field "$answer" .last_close)" = "$(field "$b" .last_close)" ]
	[ "$answer" != "$b" ]
	[ "$answer" = "$(gnn-predict --serve --ttl 0 --now $FRESH <<< '{"symbol":"AAPL"}')" ]
	eval "exec ${SRV[1]}>&-"
	wait "$SRV_PID"
}

@test "serve mode answers a model with more nodes than it keeps price files for" {
	# 70 nodes, above the 64 price files serve mode keeps, then a 71st
	# symbol, which evicts one, then the model again
	local d=$BATS_TEST_TMPDIR syms
	export TICKERNET_STORE=$d/big
	syms=$(for i in $(seq -w 1 70); do printf 'S%s ' "$i"; done)
	fetch-prices -q --source synthetic --seed 1 --end 2024-05-31 --days 200 \
		$syms X71 > "$d/p.csv"
	build-features -p gnn < "$d/p.csv" > "$d/f.csv"
	gnn-train -q --epochs 1 --hidden 8 --heads 2 -k 69 --seed 1 --symbol S01 \
		"$d/f.csv" > /dev/null
	split_prices "$d/p.csv"
	run -0 gnn-predict --serve --ttl 0 --now $FRESH <<'EOF'
{"symbol":"S01"}
{"symbol":"X71"}
{"symbol":"S01"}
EOF
	[ "${#lines[@]}" -eq 3 ]
	[ "$(field "${lines[0]}" .status)" = pre-trained ]
	[ "${lines[2]}" = "${lines[0]}" ]
	[ "$(field "${lines[1]}" .status)" = fallback ]
	[ "${lines[0]}" = "$(gnn-predict --now $FRESH --symbols S01 "$d/f.csv")" ]
}

@test "a cached prediction expires after --ttl" {
	echo '{"symbol":"AAPL"}' | gnn-predict --serve --now 2024-06-01T00:00:00Z > /dev/null
	run -0 --separate-stderr gnn-predict --serve -v --ttl 1h --now 2024-06-01T00:30:00Z <<< '{"symbol":"AAPL"}'
	[[ "$stderr" == *"(store cache)"* ]]
	run -0 --separate-stderr gnn-predict --serve -v --ttl 1h --now 2024-06-01T02:00:00Z <<< '{"symbol":"AAPL"}'
	[[ "$stderr" == *"(computed)"* ]]
}

@test "the model LRU evicts the least recently used model" {
	run -0 --separate-stderr gnn-predict --serve -v --ttl 0 --cache-size 1 --now $FRESH \
		--metrics-file "$BATS_TEST_TMPDIR/m.prom" <<'EOF'
{"symbol":"AAPL"}
{"symbol":"JPM"}
{"symbol":"AAPL"}
EOF
	[ "$(grep -c 'model cache: evicted' <<< "$stderr")" -eq 2 ]
	[[ "$stderr" == *"model cache: evicted AAPL "* ]]
	grep -qx 'tickernet_gnn_predict_model_evictions_total 2' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_gnn_predict_model_loads_total 3' "$BATS_TEST_TMPDIR/m.prom"
	run -0 --separate-stderr gnn-predict --serve -v --ttl 0 --now $FRESH <<'EOF'
{"symbol":"AAPL"}
{"symbol":"JPM"}
{"symbol":"AAPL"}
EOF
	[[ "$stderr" != *evicted* ]]
}

@test "metrics carry predictions, fallbacks, latency and staleness" {
	gnn-predict --now $LATER --symbols AAPL,MSFT --metrics-file "$BATS_TEST_TMPDIR/m.prom" "$F" > /dev/null
	m=$BATS_TEST_TMPDIR/m.prom
	grep -qx 'tickernet_gnn_predict_predictions_total{status="pre-trained"} 1' "$m"
	grep -qx 'tickernet_gnn_predict_fallbacks_total 1' "$m"
	grep -qx 'tickernet_gnn_predict_latency_seconds_count 2' "$m"
	grep -qx 'tickernet_gnn_predict_model_stale{symbol="AAPL"} 1' "$m"
	grep -q '^tickernet_gnn_predict_model_age_hours{symbol="AAPL"} ' "$m"
}

@test "retraining a symbol while the server reads it never gives an error or a torn read" {
	local n=200
	(
		for i in 1 2 3; do
			gnn-train $FAST --seed $i --force --symbol AAPL "$F" > /dev/null || exit 1
		done
	) &
	trainer=$!
	for i in $(seq $n); do
		echo '{"symbol":"AAPL"}'
		sleep 0.002
	done | gnn-predict --serve --ttl 0 --now $FRESH > "$BATS_TEST_TMPDIR/out"
	wait $trainer
	[ "$(wc -l < "$BATS_TEST_TMPDIR/out")" -eq $n ]
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/out" | sort -u)" = pre-trained ]
	[ "$(ls "$MODELS/AAPL" | grep -c '^2.*\.h5$')" -eq 4 ]
}

@test "an example of the man page: stale predictions with jq" {
	run -0 bash -c "'$BIN/gnn-predict' --now $LATER '$F' | jq -c 'select(.stale) | .symbol'"
	[ "$output" = $'"AAPL"\n"JPM"' ]
}

# ---- bad inputs ---------------------------------------------------------

@test "an unknown option is a usage error" {
	run -2 --separate-stderr gnn-predict --bogus
	[[ "${stderr_lines[0]}" == *"gnn-predict: unrecognized option '--bogus'" ]]
	[ "${stderr_lines[1]}" = "Try 'gnn-predict --help' for more information." ]
}

@test "a bad --cache-size is a usage error" {
	run -2 --separate-stderr gnn-predict --cache-size 0 "$F"
	[[ "${stderr_lines[0]}" == "gnn-predict: --cache-size: "* ]]
}

@test "a bad --ttl is a usage error" {
	run -2 --separate-stderr gnn-predict --serve --ttl soon
	[ "${stderr_lines[0]}" = "gnn-predict: --ttl: not a duration (N[smhd]): 'soon'" ]
}

@test "a bad --now is a usage error" {
	run -2 --separate-stderr gnn-predict --now 2024-06-01 "$F"
	[ "${stderr_lines[0]}" = "gnn-predict: --now: not YYYY-MM-DDTHH:MM:SSZ: '2024-06-01'" ]
}

@test "a bad symbol in --symbols is a usage error" {
	run -2 --separate-stderr gnn-predict --symbols 'AAPL,../x' "$F"
	[[ "${stderr_lines[0]}" == "gnn-predict: --symbols: bad symbol '../x': "* ]]
}

@test "--serve with a file argument is a usage error" {
	run -2 --separate-stderr gnn-predict --serve "$F"
	[ "${stderr_lines[0]}" = "gnn-predict: --serve reads requests on stdin: no file arguments" ]
}

@test "a missing features file exits 66" {
	run -66 --separate-stderr gnn-predict "$BATS_TEST_TMPDIR/nope.csv"
	[ "$stderr" = "gnn-predict: $BATS_TEST_TMPDIR/nope.csv: No such file or directory" ]
}

@test "a features CSV without close exits 65" {
	cut -d, -f1,2,4- "$F" > "$BATS_TEST_TMPDIR/noclose.csv"
	run -65 --separate-stderr gnn-predict "$BATS_TEST_TMPDIR/noclose.csv"
	[ "$stderr" = "gnn-predict: $BATS_TEST_TMPDIR/noclose.csv: no column 'close' (build-features --preset gnn)" ]
}

@test "a malformed features CSV exits 65" {
	printf 'symbol,date,close\nAAPL,2024-13-01,1\n' > "$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr gnn-predict --symbols AAPL "$BATS_TEST_TMPDIR/bad.csv"
	[[ "$stderr" == "gnn-predict: $BATS_TEST_TMPDIR/bad.csv:2:"* ]]
}

@test "no symbol of the input with a model exits 66" {
	run -66 --separate-stderr gnn-predict --store "$BATS_TEST_TMPDIR/empty" "$F"
	[ "$stderr" = "gnn-predict: $F: no symbol of the input has a model in $BATS_TEST_TMPDIR/empty/models/gnn: name symbols with --symbols for baseline predictions" ]
}

@test "--help and --version exit 0" {
	run -0 gnn-predict --help
	[[ "${lines[0]}" == "Usage: gnn-predict [OPTION]... [FEATURES.csv]" ]]
	run -0 gnn-predict --version
}
