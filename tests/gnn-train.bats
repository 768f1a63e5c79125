#!/usr/bin/env bats
# gnn-train: training into the store, the gate, rollback, the summary and
# run record, determinism, the placebo and the injected signal, and every
# bad input with its exit status and message.

load helper

SYMS="AAPL MSFT NVDA GOOGL AMZN META JPM BAC XOM CVX JNJ PFE WMT KO PG HD"
# Small and fast, but the same bytes every run: fixed seeds throughout.
FAST="--epochs 4 --batch-size 8 --lr 3e-3 --hidden 16 --heads 2"

# Features of the synthetic market, built once per file with the tools
# themselves (fetch-prices | build-features --preset gnn).
setup_file() {
	local dir=$BATS_FILE_TMPDIR sig
	export TICKERNET_STORE=$dir/fixture-store
	for sig in 0 1; do
		timeout 120 "$BIN/fetch-prices" -q --source synthetic --seed 3 \
			--signal $sig --end 2024-05-31 --days 600 $SYMS \
			| timeout 120 "$BIN/build-features" -p gnn > "$dir/signal$sig.csv"
		[ "$(wc -l < "$dir/signal$sig.csv")" -gt 9000 ] || {
			echo "fixture signal$sig.csv was not built" >&2
			return 1
		}
	done
	# the learnability pair: a strong signal and its placebo, longer
	for sig in 0 5; do
		timeout 120 "$BIN/fetch-prices" -q --source synthetic --seed 7 \
			--signal $sig --end 2024-05-31 --days 1200 $SYMS \
			| timeout 120 "$BIN/build-features" -p gnn > "$dir/learn$sig.csv"
		[ "$(wc -l < "$dir/learn$sig.csv")" -gt 18000 ] || {
			echo "fixture learn$sig.csv was not built" >&2
			return 1
		}
	done
}

feats() {
	printf '%s\n' "$BATS_FILE_TMPDIR/signal${1:-1}.csv"
}

@test "training a symbol promotes its first model and prints a summary" {
	run --separate-stderr gnn-train $FAST --symbol JPM "$(feats)"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = promoted ]
	v=$(echo "$output" | jq -r .model_version)
	[ "$(echo "$output" | jq -r .current_version)" = "$v" ]
	[ "$(readlink "$TICKERNET_STORE/models/gnn/JPM/current.h5")" = "$v.h5" ]
	echo "$output" | jq -e '.mse > 0 and .n > 0 and (.skill|type) == "number"
		and .baselines.zero.skill == 0 and (.baselines.momentum.mse > 0)
		and .epochs == 4 and .best_epoch >= 0 and .seconds > 0'
}

@test "the model file is self-contained and h5dump reads it" {
	require_command h5dump
	gnn-train $FAST --symbol JPM "$(feats)" >/dev/null
	f=$TICKERNET_STORE/models/gnn/JPM/current.h5
	run h5dump -A "$f"
	[ "$status" -eq 0 ]
	for a in format format_version symbol created_at last_train_date config \
		metrics baselines val_mse tool_version seed gnn_hidden gnn_heads \
		gnn_nodes gnn_features gnn_activation horizon lookback threshold; do
		[[ "$output" == *"ATTRIBUTE \"$a\""* ]] || { echo "no $a"; false; }
	done
	[[ "$output" == *'"tickernet-gnn"'* ]]
	run h5dump -n "$f"
	for d in /state_dict/gcn1.lin.weight /state_dict/gcn2.lin.weight \
		/state_dict/gat.att_src /state_dict/gat.att_dst /state_dict/head.bias \
		/nodes /features /neighbour_corr /norm/feature_mean \
		/norm/feature_std /norm/target_std; do
		[[ "$output" == *"dataset    $d"* ]] || { echo "no $d"; false; }
	done
	run h5dump -d /nodes "$f"
	[[ "$output" == *'(0): "JPM"'* ]]
}

@test "the same seed gives the same parameter bytes" {
	require_command h5dump
	gnn-train $FAST --symbol XOM --seed 7 "$(feats)" >/dev/null
	a=$(ls "$TICKERNET_STORE"/models/gnn/XOM/2*.h5)
	gnn-train $FAST --symbol XOM --seed 7 --force "$(feats)" >/dev/null
	b=$(ls "$TICKERNET_STORE"/models/gnn/XOM/2*.h5 | tail -1)
	[ "$a" != "$b" ]
	for t in gcn1.lin.weight gat.att_src head.weight; do
		diff <(h5dump -d "/state_dict/$t" "$a" | tail -n +3) \
		     <(h5dump -d "/state_dict/$t" "$b" | tail -n +3)
	done
	gnn-train $FAST --symbol XOM --seed 8 --force "$(feats)" >/dev/null
	c=$(ls "$TICKERNET_STORE"/models/gnn/XOM/2*.h5 | tail -1)
	! diff -q <(h5dump -d /state_dict/head.weight "$a" | tail -n +3) \
		<(h5dump -d /state_dict/head.weight "$c" | tail -n +3)
}

@test "the gate keeps a worse model and --force promotes it" {
	gnn-train $FAST --symbol AAPL --epochs 8 "$(feats)" >/dev/null
	first=$(readlink "$TICKERNET_STORE/models/gnn/AAPL/current.h5")
	# one epoch at a silly rate is worse on validation
	run --separate-stderr gnn-train $FAST --symbol AAPL --epochs 1 --lr 0.5 \
		--optimizer sgd --patience 1 "$(feats)"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = kept ]
	[ "$(readlink "$TICKERNET_STORE/models/gnn/AAPL/current.h5")" = "$first" ]
	[ "$(echo "$output" | jq -r .current_version).h5" = "$first" ]
	run --separate-stderr gnn-train $FAST --symbol AAPL --epochs 1 --lr 0.5 \
		--optimizer sgd --patience 1 --force "$(feats)"
	[ "$(echo "$output" | jq -r .status)" = promoted ]
	[ "$(readlink "$TICKERNET_STORE/models/gnn/AAPL/current.h5")" != "$first" ]
}

@test "rollback points current at the previous version" {
	gnn-train $FAST --symbol KO "$(feats)" >/dev/null
	gnn-train $FAST --symbol KO --force --seed 2 "$(feats)" >/dev/null
	first=$(ls "$TICKERNET_STORE"/models/gnn/KO/2*.h5 | head -1)
	run --separate-stderr gnn-train --rollback KO
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = rolled-back ]
	[ "$(readlink "$TICKERNET_STORE/models/gnn/KO/current.h5")" = "$(basename "$first")" ]
}

@test "rollback with no earlier version exits 66" {
	gnn-train $FAST --symbol KO "$(feats)" >/dev/null
	run -66 --separate-stderr gnn-train --rollback KO
	[[ "$stderr" == "gnn-train: KO: no gnn version before "* ]]
}

@test "rollback with no model exits 66" {
	run -66 --separate-stderr gnn-train --rollback KO
	[ "$stderr" = "gnn-train: KO: no current gnn model to roll back" ]
}

@test "each run appends one run record" {
	gnn-train $FAST --symbol PG "$(feats)" >/dev/null
	gnn-train $FAST --symbol PG "$(feats)" >/dev/null
	r=$TICKERNET_STORE/runs/gnn/PG.jsonl
	[ "$(wc -l < "$r")" -eq 2 ]
	jq -e -s 'all(.tool == "gnn-train" and .symbol == "PG" and
		(.epochs|length) == 4 and .config.hidden == 16 and .seed == 1 and
		.data.val_from > .data.train_to and (.nodes[0].symbol == "PG") and
		.baselines.momentum.n == .metrics.n)' "$r"
}

# Learnability and the placebo.  The injected signal is weak per peer (a
# stock's next return loads on its sector's return today, seen only
# through noisy sector peers), so the test uses the strongest loading
# fetch-prices allows (5), five peers, 1200 days and six targets
# averaged.  Measured with these options (after the float-precision GAT
# and 16-bit dropout masks): on this test's market (seed 7) mean skill
# 0.0108 with the signal and -0.0003 on the placebo; market seed 8: 0.031
# and -0.0014; over 11 seeds the signal's mean was 0.0133, 0.0098 at
# worst, the placebo's between -0.0048 and 0.0015.
# The GNN finds only part of what is there: see the man page's LIMITS.
# Fixed seeds, so the bytes and the verdict are the same on every run of
# one machine; the bound sits midway between the two sets of figures, so
# another BLAS kernel's rounding (another CPU) cannot flip it.
LEARN="--epochs 15 --batch-size 8 --lr 3e-3 --hidden 16 --heads 2 --neighbours 5"
SIX=JPM,XOM,AAPL,MSFT,KO,PG

@test "with the injected signal the models have positive skill" {
	run --separate-stderr gnn-train $LEARN --symbols $SIX -j 2 \
		"$BATS_FILE_TMPDIR/learn5.csv"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e -s 'length == 6 and (map(.skill)|add/length) > 0.006'
}

@test "on the placebo market the models have no skill" {
	run --separate-stderr gnn-train $LEARN --symbols $SIX -j 2 \
		"$BATS_FILE_TMPDIR/learn0.csv"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e -s 'length == 6 and (map(.skill)|add/length) < 0.006
		and all(.skill < 0.05)'
}

@test "several symbols with -j train in workers, one summary each" {
	run --separate-stderr gnn-train $FAST --symbols AAPL,MSFT,JPM,XOM -j 2 "$(feats)"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .symbol | sort | tr '\n' ' ')" = "AAPL JPM MSFT XOM " ]
	for s in AAPL MSFT JPM XOM; do
		[ -L "$TICKERNET_STORE/models/gnn/$s/current.h5" ]
	done
}

@test "--symbols @FILE trains the symbols the file lists" {
	printf '# two banks, one on a line with a comment\nJPM, bac # a bank\n\n  XOM\n' \
		> "$BATS_TEST_TMPDIR/syms.txt"
	run --separate-stderr gnn-train $FAST --symbols "@$BATS_TEST_TMPDIR/syms.txt" -j 2 "$(feats)"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .symbol | sort | tr '\n' ' ')" = "BAC JPM XOM " ]
}

@test "--symbols @FILE with a missing file exits 66" {
	run -66 --separate-stderr gnn-train $FAST --symbols "@$BATS_TEST_TMPDIR/nope.txt" "$(feats)"
	[ "$stderr" = "gnn-train: $BATS_TEST_TMPDIR/nope.txt: No such file or directory" ]
	[ "$output" = "" ]
}

@test "--symbols @FILE listing no symbol is a usage error" {
	printf '# nothing yet\n\n , \n' > "$BATS_TEST_TMPDIR/empty.txt"
	run -2 --separate-stderr gnn-train $FAST --symbols "@$BATS_TEST_TMPDIR/empty.txt" "$(feats)"
	[[ "$stderr" == "gnn-train: no symbol to train: give --symbol, --symbols or --symbols-file"* ]]
	[ "$output" = "" ]
}

@test "one symbol failing does not stop the others and the exit status says so" {
	run --separate-stderr gnn-train $FAST --symbols AAPL,ZZZZ,JPM -j 2 "$(feats)"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r 'select(.symbol=="ZZZZ").status')" = failed ]
	[ "$(echo "$output" | jq -r 'select(.symbol=="ZZZZ").error')" = "ZZZZ: not in the features input" ]
	[ "$(echo "$output" | jq -s 'map(select(.status=="promoted"))|length')" -eq 2 ]
}

@test "a non-finite loss stops the symbol with an error in its summary" {
	run --separate-stderr gnn-train $FAST --symbol JPM --optimizer sgd --lr 1e30 "$(feats)"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .status)" = failed ]
	[[ "$(echo "$output" | jq -r .error)" == "non-finite "* ]]
	[ ! -e "$TICKERNET_STORE/models/gnn/JPM/current.h5" ]
}

@test "SIGTERM stops training with 143 and writes nothing" {
	"$BIN/gnn-train" --symbol JPM --epochs 100000 --patience 100000 "$(feats)" \
		> "$BATS_TEST_TMPDIR/out" 2>/dev/null &
	pid=$!
	sleep 1
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" -eq 143 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	[ -z "$(ls -A "$TICKERNET_STORE/models/gnn/JPM" 2>/dev/null)" ]
}

@test "SIGINT stops training with 130" {
	"$BIN/gnn-train" --symbol JPM --epochs 100000 --patience 100000 "$(feats)" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" -eq 130 ]
}

@test "a lock held by another writer exits 75" {
	[ -x "$DRIVERS/lock-hold" ] || skip "no lock-hold driver"
	mkdir -p "$TICKERNET_STORE/locks"
	"$DRIVERS/lock-hold" "$TICKERNET_STORE/locks" gnn-JPM 20 &
	holder=$!
	sleep 0.5
	run -75 --separate-stderr gnn-train $FAST --lock-wait 0 --symbol JPM "$(feats)"
	kill $holder || true
	[[ "$stderr" == *"JPM: locked by another writer" ]]
}

@test "a symbol not in the input exits 66" {
	run -66 --separate-stderr gnn-train $FAST --symbol ZZZZ "$(feats)"
	[ "$stderr" = "gnn-train: ZZZZ: not in the features input" ]
	[ "$(echo "$output" | jq -r .status)" = failed ]
}

@test "a missing feature column exits 65" {
	run -65 --separate-stderr gnn-train --symbol JPM --features logret_1,rsi_14 "$(feats)"
	[ "$stderr" = "gnn-train: $(feats): no column 'rsi_14' (asked for by --features)" ]
}

@test "input without close exits 65" {
	printf 'symbol,date,logret_1\nAAPL,2024-01-02,0.1\n' > "$BATS_TEST_TMPDIR/f.csv"
	run -65 --separate-stderr gnn-train --symbol AAPL "$BATS_TEST_TMPDIR/f.csv"
	[ "$stderr" = "gnn-train: $BATS_TEST_TMPDIR/f.csv: no column 'close' (targets are computed from it)" ]
}

@test "too few days exits 65" {
	head -80 "$(feats)" > "$BATS_TEST_TMPDIR/short.csv"
	run -65 --separate-stderr gnn-train --symbol AAPL "$BATS_TEST_TMPDIR/short.csv"
	[[ "$stderr" == "gnn-train: AAPL: "*" usable days, need 20 for training after a 1-day gap and 5 for validation" ]]
}

@test "a missing input file exits 66" {
	run -66 --separate-stderr gnn-train --symbol AAPL "$BATS_TEST_TMPDIR/nope.csv"
	[ "$stderr" = "gnn-train: $BATS_TEST_TMPDIR/nope.csv: No such file or directory" ]
}

@test "bad CSV exits 65 with its line" {
	printf 'symbol,date,close\nAAPL,2024-01-02,abc\n' > "$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr gnn-train --symbol AAPL "$BATS_TEST_TMPDIR/bad.csv"
	[[ "$stderr" == "gnn-train: $BATS_TEST_TMPDIR/bad.csv:2:"* ]]
}

@test "no symbol is a usage error" {
	run -2 --separate-stderr gnn-train "$(feats)"
	[ "${lines[0]}" = "" ]
	[[ "$stderr" == "gnn-train: no symbol to train: give --symbol, --symbols or --symbols-file"* ]]
}

@test "a bad symbol is a usage error" {
	run -2 --separate-stderr gnn-train --symbol '../x' "$(feats)"
	[[ "$stderr" == "gnn-train: '../x': "* ]]
}

@test "hidden not a multiple of heads is a usage error" {
	run -2 --separate-stderr gnn-train --symbol AAPL --hidden 10 --heads 4 "$(feats)"
	[[ "$stderr" == "gnn-train: --hidden/--heads: hidden 10 is not a multiple of heads 4"* ]]
}

@test "an unknown optimizer is a usage error" {
	run -2 --separate-stderr gnn-train --symbol AAPL --optimizer rmsprop "$(feats)"
	[[ "$stderr" == "gnn-train: --optimizer: not sgd, adam, adamw or adabelief: 'rmsprop'"* ]]
}

@test "a bad number is a usage error" {
	run -2 --separate-stderr gnn-train --symbol AAPL --epochs 0 "$(feats)"
	[[ "$stderr" == "gnn-train: --epochs: "* ]]
}

@test "an unwritable store exits 73" {
	[ "$(id -u)" -ne 0 ] || skip "root ignores permissions"
	mkdir -p "$BATS_TEST_TMPDIR/ro"
	chmod 555 "$BATS_TEST_TMPDIR/ro"
	run -73 --separate-stderr gnn-train $FAST --symbol JPM --store "$BATS_TEST_TMPDIR/ro/store" "$(feats)"
	[[ "$stderr" == "gnn-train: "*"Permission denied" ]]
}

@test "--help and --version exit 0" {
	run -0 gnn-train --help
	[[ "${lines[0]}" == "Usage: gnn-train "* ]]
	run -0 gnn-train --version
	[[ "$output" == "gnn-train (tickernet) "* ]]
}

@test "--metrics-file counts the symbols by status" {
	run --separate-stderr gnn-train $FAST --symbol JPM \
		--metrics-file "$BATS_TEST_TMPDIR/m.prom" "$(feats)"
	[ "$status" -eq 0 ]
	m=$BATS_TEST_TMPDIR/m.prom
	grep -qx '# TYPE tickernet_train_symbols_total counter' "$m"
	grep -qx '# TYPE tickernet_gnn_train_duration_seconds gauge' "$m"
	grep -qx '# TYPE tickernet_gnn_train_last_run_timestamp_seconds gauge' "$m"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="promoted"} 1' "$m"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="kept"} 0' "$m"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="failed"} 0' "$m"
	grep -Eqx 'tickernet_gnn_train_duration_seconds [0-9.e+-]+' "$m"
	grep -Eqx 'tickernet_gnn_train_last_run_timestamp_seconds [0-9]{10}' "$m"
}

@test "--metrics-file with -j counts the workers' summaries, failures too" {
	run --separate-stderr gnn-train $FAST --symbols AAPL,ZZZZ,JPM -j 2 \
		--metrics-file "$BATS_TEST_TMPDIR/m.prom" "$(feats)"
	[ "$status" -eq 1 ]
	m=$BATS_TEST_TMPDIR/m.prom
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="promoted"} 2' "$m"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="kept"} 0' "$m"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="failed"} 1' "$m"
	grep -Eqx 'tickernet_gnn_train_duration_seconds [0-9.e+-]+' "$m"
}

@test "--metrics-file counts a failed single symbol and keeps its exit status" {
	run --separate-stderr gnn-train $FAST --symbol JPM --optimizer sgd --lr 1e30 \
		--metrics-file "$BATS_TEST_TMPDIR/m.prom" "$(feats)"
	[ "$status" -eq 1 ]
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="failed"} 1' "$BATS_TEST_TMPDIR/m.prom"
	grep -qx 'tickernet_train_symbols_total{tool="gnn-train",status="promoted"} 0' "$BATS_TEST_TMPDIR/m.prom"
}

@test "an unwritable --metrics-file is a warning and the exit status stays" {
	run --separate-stderr gnn-train $FAST --symbol JPM \
		--metrics-file "$BATS_TEST_TMPDIR/no/such/m.prom" "$(feats)"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = promoted ]
	[[ "$stderr" == *"gnn-train: $BATS_TEST_TMPDIR/no/such/m.prom: create temporary file: No such file or directory"* ]]
}
