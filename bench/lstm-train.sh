#!/usr/bin/env bash
# bench/lstm-train.sh - lstm-train end to end on the whole synthetic
# history of ^GSPC (from 2000, about 6,100 trading days): the parent, 20
# epochs with early stopping off, then a child of AAPL by each strategy
# (10 epochs).  Prints wall seconds and the training samples/s from the run
# record (one BLAS thread, as lstm-train always runs).  The original quoted
# 10-15 min for the parent and 2-5 min per child on its hardware.  Run after
# `make` (it needs $TN_BUILD/bin/{fetch-prices,build-features,lstm-train}).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
bin=$build/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TICKERNET_STORE=$tmp/store

"$bin/fetch-prices" -q --source synthetic --seed 1 --start 2000-01-01 \
	--end 2024-05-31 ^GSPC AAPL | "$bin/build-features" --preset lstm >"$tmp/feats.csv"
echo "input: $(grep -c '^\^GSPC,' "$tmp/feats.csv") days of ^GSPC, $(grep -c '^AAPL,' "$tmp/feats.csv") of AAPL"

# run LABEL SYMBOL OPTION...: one training, its figures from the summary
# and the run record
run() {
	local label=$1 sym=$2 t0 t1 summary rate windows
	shift 2
	t0=$(date +%s.%N)
	summary=$("$bin/lstm-train" -q --symbol "$sym" "$@" "$tmp/feats.csv")
	t1=$(date +%s.%N)
	rate=$(tail -n 1 "$TICKERNET_STORE/runs/lstm/$sym.jsonl" | jq .timings.samples_per_s)
	windows=$(tail -n 1 "$TICKERNET_STORE/runs/lstm/$sym.jsonl" | jq .data.train_windows)
	printf 'lstm-train %-34s %7.1f s  %5d epochs  %6d windows  %7.0f samples/s  skill %s\n' \
		"$label" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$summary" | jq .epochs)" \
		"$windows" "$rate" "$(echo "$summary" | jq .skill)"
}

run "parent ^GSPC (20 epochs)" ^GSPC --epochs 20 --patience 20
run "child AAPL freeze (10 epochs)" AAPL --parent ^GSPC --strategy freeze \
	--epochs 10 --patience 10
run "child AAPL finetune (10 epochs)" AAPL --parent ^GSPC --strategy finetune \
	--epochs 10 --patience 10 --force
