#!/usr/bin/env bats
# lstm-predict: forecasts, trading-day dates, fallbacks, staleness, --asof,
# CSV, and the PyTorch cross-check of examples/lstm_from_python.py.
#
# Models come from tests/drivers/lstm-model-write (PyTorch's initialisation
# from a seed, scalers fitted on the features, the store metadata), so the
# suite does not depend on training: what is tested here is the predictor.

load helper

# The synthetic market ends on a Friday before the July 4th week, so the
# forecast dates cross a weekend and a holiday.
END=2024-06-28
DAYS=200

setup_file() {
	local dir=$BATS_FILE_TMPDIR
	export TICKERNET_STORE=$dir/fixture-store
	"$BIN/fetch-prices" -q --source synthetic --end "$END" --days "$DAYS" \
		AAPL MSFT ^GSPC > "$dir/prices.csv"
	"$BIN/build-features" --preset lstm < "$dir/prices.csv" > "$dir/feats.csv"
	# AAPL: a model trained to 2024-06-27, current.
	"$DRIVERS/lstm-model-write" -f "$dir/feats.csv" -s AAPL -d 2024-06-27 \
		-t 20240628T060000Z -S 7 "$dir/aapl.h5"
	# An older AAPL version, trained to 2024-03-28.
	"$DRIVERS/lstm-model-write" -f "$dir/feats.csv" -s AAPL -d 2024-03-28 \
		-t 20240329T060000Z -S 3 "$dir/aapl-old.h5"
	# A parent-like model trained to early January, for --asof tests.
	"$DRIVERS/lstm-model-write" -f "$dir/feats.csv" -s ^GSPC -d 2024-01-02 \
		-t 20240103T060000Z -S 5 "$dir/early.h5"
	[ -s "$dir/feats.csv" ] && [ -s "$dir/aapl.h5" ] && [ -s "$dir/early.h5" ]
}

setup() {
	tn_setup
	F=$BATS_FILE_TMPDIR/feats.csv
	MODELS=$TICKERNET_STORE/models/lstm
}

# install_model SYMBOL FILE STAMP [current]: puts FILE into the store as
# version STAMP, and makes it current when the 4th argument is "current".
install_model() {
	mkdir -p "$MODELS/$1"
	cp "$2" "$MODELS/$1/$3.h5"
	if [ "${4:-}" = current ]; then
		ln -sfn "$3.h5" "$MODELS/$1/current.h5"
	fi
}

# field JSON FILTER: jq -r on one line of JSON.
field() {
	printf '%s\n' "$1" | jq -r "$2"
}

@test "a symbol with a model gets a pre-trained forecast of five days" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	run -0 --separate-stderr lstm-predict "$F"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(field "$output" .symbol)" = AAPL ]
	[ "$(field "$output" .status)" = pre-trained ]
	[ "$(field "$output" .model)" = lstm ]
	[ "$(field "$output" .asof)" = "$END" ]
	[ "$(field "$output" .model_version)" = 20240628T060000Z ]
	[ "$(field "$output" .last_train_date)" = 2024-06-27 ]
	[ "$(field "$output" '.forecast | length')" -eq 5 ]
	[ "$(field "$output" .last_close)" = \
	  "$(awk -F, -v d="$END" '$1 == "AAPL" && $2 == d { print $6 }' "$F")" ]
}

@test "forecast dates skip the weekend and Independence Day" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" '[.forecast[].date] | join(" ")')" = \
	  "2024-07-01 2024-07-02 2024-07-03 2024-07-05 2024-07-08" ]
}

@test "forecast dates skip Juneteenth and Good Friday" {
	run -0 --separate-stderr lstm-predict --model "$BATS_FILE_TMPDIR/early.h5" \
		--symbols AAPL --asof 2024-06-14 "$F"
	[ "$(field "$output" '[.forecast[].date] | join(" ")')" = \
	  "2024-06-17 2024-06-18 2024-06-20 2024-06-21 2024-06-24" ]
	run -0 --separate-stderr lstm-predict --model "$BATS_FILE_TMPDIR/early.h5" \
		--symbols AAPL --asof 2024-03-27 "$F"
	[ "$(field "$output" '.asof')" = 2024-03-27 ]
	[ "$(field "$output" '[.forecast[].date] | join(" ")')" = \
	  "2024-03-28 2024-04-01 2024-04-02 2024-04-03 2024-04-04" ]
}

@test "each close is last_close times one plus the cumulative return" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --symbols AAPL,MSFT "$F" > "$BATS_TEST_TMPDIR/out.json"
	run -0 python3 - "$BATS_TEST_TMPDIR/out.json" <<'EOF'
import json, math, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    for d in o["forecast"]:
        assert d["close"] == o["last_close"] * (1 + d["return"]), (o["symbol"], d)
    # the fallback's daily log returns are equal, so log1p(return) grows
    # linearly: the returns are cumulative, not daily
    if o["status"] == "fallback":
        r = [math.log1p(d["return"]) for d in o["forecast"]]
        for h, v in enumerate(r, 1):
            assert abs(v - h * r[0]) < 1e-12, r
print("ok")
EOF
	[ "$output" = ok ]
}

@test "CSV rows carry the same numbers as the JSON lines" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --symbols AAPL,MSFT "$F" > "$BATS_TEST_TMPDIR/out.json"
	lstm-predict --symbols AAPL,MSFT -f csv "$F" > "$BATS_TEST_TMPDIR/out.csv"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out.csv")" = symbol,asof,date,horizon,return,close ]
	run -0 python3 - "$BATS_TEST_TMPDIR/out.json" "$BATS_TEST_TMPDIR/out.csv" <<'EOF'
import csv, json, sys
rows = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    for h, d in enumerate(o["forecast"], 1):
        rows.append([o["symbol"], o["asof"], d["date"], h, d["return"], d["close"]])
with open(sys.argv[2], newline="") as f:
    rd = csv.reader(f)
    next(rd)
    got = [[r[0], r[1], r[2], int(r[3]), float(r[4]), float(r[5])] for r in rd]
assert got == rows, (got, rows)
assert len(rows) == 10
print("ok")
EOF
	[ "$output" = ok ]
}

@test "the same input and model give the same bytes" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --symbols AAPL,MSFT --now 2024-06-29T00:00:00Z "$F" > "$BATS_TEST_TMPDIR/a"
	lstm-predict --symbols AAPL,MSFT --now 2024-06-29T00:00:00Z "$F" > "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "--asof gives what a cut input gives: nothing after the date is read" {
	awk -F, 'NR == 1 || $2 <= "2024-05-15"' "$F" > "$BATS_TEST_TMPDIR/cut.csv"
	lstm-predict --model "$BATS_FILE_TMPDIR/early.h5" --symbols AAPL,MSFT \
		--asof 2024-05-15 "$F" > "$BATS_TEST_TMPDIR/a"
	lstm-predict --model "$BATS_FILE_TMPDIR/early.h5" --symbols AAPL,MSFT \
		--now 2024-05-16T00:00:00Z "$BATS_TEST_TMPDIR/cut.csv" > "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	grep -q '"asof":"2024-05-15"' "$BATS_TEST_TMPDIR/a"
}

@test "--asof uses the newest version trained on or before the date" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl-old.h5" 20240329T060000Z
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	run -0 --separate-stderr lstm-predict --asof 2024-04-30 "$F"
	[ "$(field "$output" .status)" = pre-trained ]
	[ "$(field "$output" .model_version)" = 20240329T060000Z ]
	[ "$(field "$output" .last_train_date)" = 2024-03-28 ]
	run -0 --separate-stderr lstm-predict --asof 2024-06-28 "$F"
	[ "$(field "$output" .model_version)" = 20240628T060000Z ]
}

@test "--asof before every version's training data falls back with the reason" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl-old.h5" 20240329T060000Z
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	run -0 --separate-stderr lstm-predict --asof 2024-03-01 "$F"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .reason)" = \
	  "no model version in $MODELS/AAPL was trained on data ending on or before 2024-03-01" ]
}

@test "--asof refuses a --model trained on later data" {
	run -0 --separate-stderr lstm-predict --model "$BATS_FILE_TMPDIR/aapl.h5" \
		--symbols AAPL --asof 2024-05-01 "$F"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .reason)" = \
	  "model 20240628T060000Z was trained on data up to 2024-06-27, after --asof 2024-05-01" ]
}

@test "a symbol without a model falls back to 20-day momentum" {
	run -0 --separate-stderr lstm-predict --symbols MSFT "$F"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .baseline)" = momentum_20 ]
	[ "$(field "$output" .model_version)" = null ]
	[ "$(field "$output" .stale)" = false ]
	[ "$(field "$output" .reason)" = \
	  "no model: $MODELS/MSFT/current.h5 does not exist" ]
	# momentum: the mean of the last 20 daily log returns of close, per day
	run -0 python3 - "$F" "$output" <<'EOF'
import csv, json, math, sys
c = [float(r["close"]) for r in csv.DictReader(open(sys.argv[1])) if r["symbol"] == "MSFT"]
mu = sum(math.log(c[i] / c[i - 1]) for i in range(len(c) - 20, len(c))) / 20
o = json.loads(sys.argv[2])
assert abs(o["forecast"][0]["return"] - math.expm1(mu)) < 1e-12, (o, mu)
assert abs(o["forecast"][4]["return"] - math.expm1(5 * mu)) < 1e-12
print("ok")
EOF
	[ "$output" = ok ]
}

@test "a symbol with under 21 closes falls back to zero returns" {
	awk -F, 'NR == 1 || $2 >= "2024-06-10"' "$F" > "$BATS_TEST_TMPDIR/short.csv"
	run -0 --separate-stderr lstm-predict --symbols MSFT "$BATS_TEST_TMPDIR/short.csv"
	[ "$(field "$output" .baseline)" = zero ]
	[ "$(field "$output" '[.forecast[].return] | unique | join(",")')" = 0 ]
}

@test "a truncated model falls back with the reason" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	truncate -s 50000 "$MODELS/AAPL/20240628T060000Z.h5"
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .model_version)" = null ]
	[ "$(field "$output" .reason)" = \
	  "$MODELS/AAPL/20240628T060000Z.h5: cannot open HDF5 file" ]
	[ "$(field "$output" '.forecast | length')" -eq 5 ]
}

@test "a flipped byte in a state_dict dataset fails its checksum: fallback" {
	require_command h5dump
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	local model=$MODELS/AAPL/20240628T060000Z.h5
	h5dump -d /state_dict/lstm.weight_hh_l0 -b LE -o "$BATS_TEST_TMPDIR/w.bin" \
		"$model" > /dev/null
	# flip one byte inside the dataset's stored data, found by content
	run -0 python3 - "$model" "$BATS_TEST_TMPDIR/w.bin" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
w = open(sys.argv[2], "rb").read()
at = data.find(w[4096:4160])
assert at > 0 and data.find(w[4096:4160], at + 1) < 0
data[at + 7] ^= 0x10
open(sys.argv[1], "wb").write(data)
print("flipped")
EOF
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q 'state_dict'
	field "$output" .reason | grep -qi 'checksum'
}

@test "a model of another format version falls back with the reason" {
	"$DRIVERS/lstm-model-write" -F 99 -d 2024-06-27 "$BATS_TEST_TMPDIR/v99.h5"
	install_model AAPL "$BATS_TEST_TMPDIR/v99.h5" 20240628T060000Z current
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q 'version 99'
}

@test "a file that is not HDF5 falls back with the reason" {
	mkdir -p "$MODELS/AAPL"
	echo 'not a model' > "$MODELS/AAPL/20240628T060000Z.h5"
	ln -s 20240628T060000Z.h5 "$MODELS/AAPL/current.h5"
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" .reason)" = \
	  "$MODELS/AAPL/20240628T060000Z.h5: not an HDF5 file" ]
}

@test "a current.h5 pointing at a missing version falls back with the reason" {
	mkdir -p "$MODELS/AAPL"
	ln -s 20240628T060000Z.h5 "$MODELS/AAPL/current.h5"
	run -0 --separate-stderr lstm-predict "$F"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q "^$MODELS/AAPL/20240628T060000Z.h5: "
}

@test "features the model needs missing from the input: fallback naming the column" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	cut -d, -f1-7,9- "$F" > "$BATS_TEST_TMPDIR/norsi.csv"
	run -0 --separate-stderr lstm-predict "$BATS_TEST_TMPDIR/norsi.csv"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q "^features missing: no column 'rsi_14'"
}

@test "too little history for the window: fallback saying how much" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	awk -F, 'NR == 1 || $2 >= "2024-05-16"' "$F" > "$BATS_TEST_TMPDIR/short.csv"
	run -0 --separate-stderr lstm-predict "$BATS_TEST_TMPDIR/short.csv"
	[ "$(field "$output" .status)" = fallback ]
	[ "$(field "$output" .reason)" = \
	  "too little history: 30 complete days up to 2024-06-28, the model needs 60" ]
}

@test "a model turns stale 24 hours after the trading day that follows its data" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	# trained to Thursday 2024-06-27: the next trading day is Friday the
	# 28th, which ends at 2024-06-29T00:00Z; stale 24 hours later
	run -0 lstm-predict --now 2024-06-29T23:59:59Z "$F"
	[ "$(field "$output" .stale)" = false ]
	run -0 lstm-predict --now 2024-06-30T00:00:01Z "$F"
	[ "$(field "$output" .stale)" = true ]
	run -0 lstm-predict --now 2024-06-30T00:00:01Z --max-age 48 "$F"
	[ "$(field "$output" .stale)" = false ]
}

@test "a model trained before a weekend stays fresh over it" {
	"$DRIVERS/lstm-model-write" -f "$F" -s AAPL -d 2024-06-21 "$BATS_TEST_TMPDIR/fri.h5"
	# Friday's data: next trading day Monday the 24th, stale after Tuesday 24:00
	run -0 lstm-predict --model "$BATS_TEST_TMPDIR/fri.h5" --symbols AAPL \
		--now 2024-06-25T23:00:00Z "$F"
	[ "$(field "$output" .stale)" = false ]
	run -0 lstm-predict --model "$BATS_TEST_TMPDIR/fri.h5" --symbols AAPL \
		--now 2024-06-26T00:00:01Z "$F"
	[ "$(field "$output" .stale)" = true ]
}

@test "--model forecasts every symbol of the input" {
	run -0 --separate-stderr lstm-predict --model "$BATS_FILE_TMPDIR/aapl.h5" "$F"
	[ "$(printf '%s\n' "$output" | jq -r .symbol | tr '\n' ' ')" = "AAPL MSFT ^GSPC " ]
	[ "$(printf '%s\n' "$output" | jq -r .status | sort -u)" = pre-trained ]
}

@test "-o writes the same bytes as standard output" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --now 2024-06-29T00:00:00Z "$F" > "$BATS_TEST_TMPDIR/a"
	run -0 lstm-predict --now 2024-06-29T00:00:00Z -o "$BATS_TEST_TMPDIR/b" "$F"
	[ -z "$output" ]
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "features on standard input" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --now 2024-06-29T00:00:00Z "$F" > "$BATS_TEST_TMPDIR/a"
	lstm-predict --now 2024-06-29T00:00:00Z - < "$F" > "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "a symbol that is not in the input gets an error line and exit 1" {
	run -1 --separate-stderr lstm-predict --symbols MSFT,NVDA "$F"
	[ "$stderr" = "lstm-predict: NVDA: no rows in $F" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(field "${lines[1]}" .status)" = error ]
	[ "$(field "${lines[1]}" .message)" = "NVDA: no rows in $F" ]
	[ "$(field "${lines[0]}" .status)" = fallback ]
}

@test "no symbol with a model exits 66" {
	run -66 --separate-stderr lstm-predict "$F"
	[ "$output" = "" ]
	[ "$stderr" = "lstm-predict: $F: no symbol of the input has a model in $TICKERNET_STORE/models/lstm: name symbols with --symbols for baseline forecasts" ]
}

@test "a missing input file exits 66" {
	run -66 --separate-stderr lstm-predict "$BATS_TEST_TMPDIR/none.csv"
	[ "$stderr" = "lstm-predict: $BATS_TEST_TMPDIR/none.csv: No such file or directory" ]
}

@test "input without a close column exits 65" {
	printf 'symbol,date,open\nAAPL,2024-06-28,1\n' > "$BATS_TEST_TMPDIR/x.csv"
	run -65 --separate-stderr lstm-predict --symbols AAPL "$BATS_TEST_TMPDIR/x.csv"
	[ "$stderr" = "lstm-predict: $BATS_TEST_TMPDIR/x.csv: no column 'close' (build-features --preset lstm)" ]
}

@test "a non-numeric feature exits 65 naming line and column" {
	printf 'symbol,date,close\nAAPL,2024-06-28,abc\n' > "$BATS_TEST_TMPDIR/x.csv"
	run -65 --separate-stderr lstm-predict --symbols AAPL "$BATS_TEST_TMPDIR/x.csv"
	[[ "$stderr" == "lstm-predict: $BATS_TEST_TMPDIR/x.csv:2:3: "* ]]
	[ "$output" = "" ]
}

@test "a bad symbol in --symbols exits 2" {
	run -2 --separate-stderr lstm-predict --symbols AAPL,a/b "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --symbols: bad symbol 'a/b': bad character '/' at 2" ]
	[ "${stderr_lines[1]}" = "Try 'lstm-predict --help' for more information." ]
}

@test "a bad --asof exits 2" {
	run -2 --separate-stderr lstm-predict --asof 2024-02-30 "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --asof: not a date (YYYY-MM-DD): '2024-02-30'" ]
}

@test "a bad --format exits 2" {
	run -2 --separate-stderr lstm-predict --format xml "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --format: not json or csv: 'xml'" ]
}

@test "a bad --now exits 2" {
	run -2 --separate-stderr lstm-predict --now yesterday "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --now: not YYYY-MM-DDTHH:MM:SSZ: 'yesterday'" ]
}

@test "a negative --max-age exits 2" {
	run -2 --separate-stderr lstm-predict --max-age -1 "$F"
	[[ "${stderr_lines[0]}" == "lstm-predict: --max-age: "* ]]
}

@test "two input files exit 2" {
	run -2 --separate-stderr lstm-predict "$F" "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: too many arguments: one features file at most" ]
}

@test "-o a FIFO writes into it instead of replacing it" {
	read_fifo "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/got"
	run -0 lstm-predict --symbols MSFT -o "$BATS_TEST_TMPDIR/fifo" "$F"
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	wait "$fifo_reader"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(lstm-predict --symbols MSFT "$F")" ]
}

@test "-o a full device exits 74 and leaves the device" {
	dev=$(full_device)
	run -74 --separate-stderr lstm-predict --symbols MSFT -o "$dev" "$F"
	[ "$stderr" = "lstm-predict: $dev: write error: No space left on device" ]
	[ -c "$dev" ]
}

@test "-o keeps the mode of the file it replaces" {
	: >"$BATS_TEST_TMPDIR/out.json"
	chmod 0600 "$BATS_TEST_TMPDIR/out.json"
	run -0 lstm-predict --symbols MSFT -o "$BATS_TEST_TMPDIR/out.json" "$F"
	[ -s "$BATS_TEST_TMPDIR/out.json" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/out.json")" = 600 ]
}

@test "an output in a missing directory exits 73 and writes nothing" {
	run -73 --separate-stderr lstm-predict --symbols MSFT -o "$BATS_TEST_TMPDIR/no/out.json" "$F"
	[[ "$stderr" == "lstm-predict: $BATS_TEST_TMPDIR/no/out.json: "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
}

@test "--help prints the usage and exits 0; --version exits 0" {
	run -0 lstm-predict --help
	[[ "${lines[0]}" == "Usage: lstm-predict [OPTION]... [FEATURES.csv]" ]]
	run -0 lstm-predict --version
}

@test "the man page's examples run" {
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	install_model ^GSPC "$BATS_FILE_TMPDIR/early.h5" 20240103T060000Z current
	cd "$BATS_TEST_TMPDIR"
	cp "$F" feats.csv
	cp "$BATS_FILE_TMPDIR/prices.csv" prices.csv
	ln -s "$TICKERNET_STORE" store
	PATH=$BIN:$PATH
	run -0 bash -c 'build-features --preset lstm < prices.csv | lstm-predict'
	[ "${#lines[@]}" -eq 2 ]
	run -0 bash -c 'lstm-predict --symbols AAPL,MSFT --format csv < feats.csv'
	[ "${#lines[@]}" -eq 11 ]
	run -0 bash -c 'lstm-predict --asof 2023-12-29 < feats.csv'
	[ "$(printf '%s\n' "$output" | jq -r .status | tr '\n' ' ')" = "fallback fallback " ]
	run -0 bash -c 'lstm-predict --model store/models/lstm/^GSPC/current.h5 < feats.csv'
	[ "${#lines[@]}" -eq 3 ]
	run -0 bash -c 'lstm-predict --auto-train --parent ^GSPC --symbols AAPL,MSFT < feats.csv'
	[ "$(printf '%s\n' "$output" | jq -r .status | tr '\n' ' ')" = "pre-trained pre-trained " ]
	rm "$MODELS/AAPL/current.h5"
	run -0 bash -c "lstm-predict < feats.csv | jq -r 'select(.status == \"fallback\") | .symbol'"
	[ "$output" = "" ]
}

@test "PyTorch's forward on the model loaded with load_state_dict matches to 1e-5" {
	/usr/bin/python3 -c 'import torch, h5py' 2>/dev/null || skip
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	lstm-predict --symbols AAPL "$F" > "$BATS_TEST_TMPDIR/c.json"
	run -0 /usr/bin/python3 "$TN_REPO/examples/lstm_from_python.py" \
		"$MODELS/AAPL/current.h5" "$F" AAPL
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/py.json"
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/py.json" <<'EOF'
import json, sys
c = json.loads(open(sys.argv[1]).read())
p = json.loads(open(sys.argv[2]).read())
assert c["status"] == "pre-trained" and c["asof"] == p["asof"]
assert c["last_close"] == p["last_close"]
for d, r in zip(c["forecast"], p["return"]):
    assert abs(d["return"] - r) < 1e-5, (d, r)
assert len(c["forecast"]) == len(p["return"]) == 5
print("max diff %.3g" % max(abs(d["return"] - r) for d, r in zip(c["forecast"], p["return"])))
EOF
}

# install_parent: the fixture's ^GSPC model as the store's current parent.
install_parent() {
	"$DRIVERS/lstm-model-write" -f "$F" -s ^GSPC -d 2024-06-27 -t 20240628T050000Z \
		"$BATS_TEST_TMPDIR/parent.h5"
	install_model ^GSPC "$BATS_TEST_TMPDIR/parent.h5" 20240628T050000Z current
}

@test "--auto-train trains a missing child from the parent, then forecasts with it" {
	install_parent
	run -0 --separate-stderr lstm-predict --auto-train --epochs 1 --symbols MSFT "$F"
	[ "$(field "$output" .status)" = pre-trained ]
	local version
	version=$(field "$output" .model_version)
	[ "$(readlink "$MODELS/MSFT/current.h5")" = "$version.h5" ]
	[ "$(field "$output" .last_train_date)" = "$END" ]
	[ "$(jq -r .tool "$TICKERNET_STORE/runs/lstm/MSFT.jsonl")" = lstm-predict ]
	# a second request uses it and trains nothing
	run -0 --separate-stderr lstm-predict --auto-train --epochs 1 --symbols MSFT "$F"
	[ "$(field "$output" .model_version)" = "$version" ]
	[ "$(ls "$MODELS/MSFT" | grep -c '^2.*\.h5$')" -eq 1 ]
}

@test "--metrics-file counts forecasts by status, auto-trains and model age" {
	install_parent
	install_model AAPL "$BATS_FILE_TMPDIR/aapl.h5" 20240628T060000Z current
	# KO is not in the input: an error line, exit 1
	run -1 --separate-stderr lstm-predict --auto-train --epochs 1 --symbols AAPL,MSFT,KO \
		--now 2024-07-01T00:00:00Z --metrics-file "$BATS_TEST_TMPDIR/m.prom" "$F"
	local m=$BATS_TEST_TMPDIR/m.prom
	grep -qx 'tickernet_lstm_predict_forecasts_total{status="pre-trained"} 2' "$m"
	grep -qx 'tickernet_lstm_predict_forecasts_total{status="error"} 1' "$m"
	grep -qx 'tickernet_lstm_predict_auto_trains_total{result="promoted"} 1' "$m"
	grep -qx 'tickernet_lstm_predict_exit_status 1' "$m"
	# AAPL's data end 2024-06-27: 24:00 that day to 2024-07-01T00:00Z
	grep -qx 'tickernet_lstm_predict_model_data_age_hours{symbol="AAPL"} 72' "$m"
	# the same staleness as AAPL's answer says
	local stale
	stale=$(field "${lines[0]}" 'if .stale then 1 else 0 end')
	grep -qx "tickernet_lstm_predict_model_stale{symbol=\"AAPL\"} $stale" "$m"
	grep -q '^# TYPE tickernet_lstm_predict_forecasts_total counter$' "$m"
}

@test "--metrics-file is written when the run fails, with its exit status" {
	run -65 --separate-stderr lstm-predict --symbols MSFT --metrics-file "$BATS_TEST_TMPDIR/m.prom" <<<"x,y"
	grep -qx 'tickernet_lstm_predict_exit_status 65' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_lstm_predict_forecasts_total{status="fallback"} 0' "$BATS_TEST_TMPDIR/m.prom"
	! grep -q '^tickernet_lstm_predict_forecasts_total ' "$BATS_TEST_TMPDIR/m.prom"
	run -0 --separate-stderr lstm-predict --symbols MSFT --metrics-file "$BATS_TEST_TMPDIR/no/dir/m.prom" "$F"
	[[ $stderr == "lstm-predict: $BATS_TEST_TMPDIR/no/dir/m.prom: "* ]]
	[ "$(field "$output" .status)" = fallback ]
	run -2 --separate-stderr lstm-predict --metrics-file "" "$F"
}

@test "two concurrent --auto-train requests train the model once" {
	install_parent
	lstm-predict --auto-train --epochs 2 --symbols MSFT "$F" > "$BATS_TEST_TMPDIR/a" &
	lstm-predict --auto-train --epochs 2 --symbols MSFT "$F" > "$BATS_TEST_TMPDIR/b"
	wait
	[ "$(ls "$MODELS/MSFT" | grep -c '^2.*\.h5$')" -eq 1 ]
	[ "$(jq -r .model_version "$BATS_TEST_TMPDIR/a")" = \
	  "$(jq -r .model_version "$BATS_TEST_TMPDIR/b")" ]
	[ "$(wc -l < "$TICKERNET_STORE/runs/lstm/MSFT.jsonl")" -eq 1 ]
}

@test "--auto-train with the symbol's lock busy falls back with the reason" {
	install_parent
	"$DRIVERS/lock-hold" "$TICKERNET_STORE/locks" lstm-MSFT 10 > "$BATS_TEST_TMPDIR/held" &
	while [ ! -s "$BATS_TEST_TMPDIR/held" ]; do sleep 0.1; done
	run -0 --separate-stderr lstm-predict --auto-train --lock-wait 0 --symbols MSFT "$F"
	kill %1 2>/dev/null || true
	wait || true
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q '^auto-train: .*lstm-MSFT.lock: MSFT: locked by another writer$'
	[ ! -e "$MODELS/MSFT/current.h5" ]
}

@test "--auto-train without a parent falls back with the reason" {
	run -0 --separate-stderr lstm-predict --auto-train --symbols MSFT "$F"
	[ "$(field "$output" .status)" = fallback ]
	field "$output" .reason | grep -q '^auto-train: --parent: '
}

@test "--auto-train and --model together exit 2" {
	run -2 --separate-stderr lstm-predict --auto-train --model x.h5 "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --auto-train and --model exclude each other" ]
}

@test "a bad --strategy exits 2" {
	run -2 --separate-stderr lstm-predict --auto-train --strategy scratch "$F"
	[ "${stderr_lines[0]}" = "lstm-predict: --strategy: not freeze or finetune: 'scratch'" ]
}
