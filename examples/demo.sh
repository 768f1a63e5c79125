#!/usr/bin/env bash
# make demo: the nightly pipeline on the embedded default data - the
# synthetic market for the 46 TIER_1 symbols (data/tier1.txt) plus ^GSPC,
# offline - then predictions, a table per symbol and plots.
#
# The synthetic market carries a known signal (--signal, default 0.5:
# each stock's next return loads on its sector's return today, which its
# sector peers reveal), so there is something for the GNN to find; run
# with DEMO_SIGNAL=0 for the placebo market, where no model should show
# skill.  Sizes are chosen to finish in a few minutes on 2 cores; every
# knob is an environment variable:
#   DEMO_OUT (demo-out)  DEMO_DAYS (750)  DEMO_JOBS (2)  DEMO_SEED (1)
#   DEMO_SIGNAL (0.5)  DEMO_GNN_EPOCHS (10)  DEMO_LSTM_EPOCHS (5)
#   DEMO_CHILD_EPOCHS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${TN_BUILD:-build}
case $build in /*) ;; *) build=$repo/$build ;; esac
out=${DEMO_OUT:-demo-out}
case $out in /*) ;; *) out=$repo/$out ;; esac
days=${DEMO_DAYS:-750}
jobs=${DEMO_JOBS:-2}
seed=${DEMO_SEED:-1}
signal=${DEMO_SIGNAL:-0.5}
gnn_epochs=${DEMO_GNN_EPOCHS:-10}
lstm_epochs=${DEMO_LSTM_EPOCHS:-5}
child_epochs=${DEMO_CHILD_EPOCHS:-3}

export TN_BIN=$build/bin
export PATH=$TN_BIN:$PATH
rm -rf "$out"
mkdir -p "$out/plots"
store=$out/store
work=$out/nightly
export TICKERNET_STORE=$store

echo "tickernet demo: 46 TIER_1 symbols + ^GSPC, synthetic market (seed $seed, signal $signal), offline"
echo "  $days trading days, GNN $gnn_epochs epochs, LSTM parent $lstm_epochs, children $child_epochs, $jobs workers"
echo
t0=$(date +%s)
rc=0
examples/nightly-retrain.sh -u data/tier1.txt -s "$store" -w "$work" -j "$jobs" \
	--source synthetic --signal "$signal" --seed "$seed" --days "$days" \
	--gnn-epochs "$gnn_epochs" --lstm-epochs "$lstm_epochs" \
	--child-epochs "$child_epochs" --metrics-file "$out/nightly.prom" || rc=$?
t_train=$(($(date +%s) - t0))
echo

# Predictions for every symbol with a model: the GNN's next-day return and
# the LSTM's five trading days.
gnn-predict -q "$work/features-gnn.csv" >"$out/gnn-predictions.jsonl" || rc=1
lstm-predict -q "$work/features-lstm.csv" >"$out/lstm-forecasts.jsonl" || rc=1

# One row per symbol: the GNN's validation skill beside the momentum
# baseline's on the same days (the zero baseline is 0 by definition), its
# next-day forecast, the LSTM child's skill and its 1- and 5-day
# forecasts, and the training seconds of both.
jq -n -r --slurpfile g "$work/gnn-train.jsonl" \
	--slurpfile l <(cat "$work/lstm-parent.jsonl" "$work/lstm-children.jsonl") \
	--slurpfile gp "$out/gnn-predictions.jsonl" \
	--slurpfile lp "$out/lstm-forecasts.jsonl" '
	def idx(a): reduce a[] as $x ({}; .[$x.symbol] = $x);
	def num(x): if x == null then "-" else (x * 10000 | round / 10000 + 0 | tostring) end;
	(idx($g)) as $G | (idx($l)) as $L | (idx($gp)) as $P | (idx($lp)) as $F |
	(($G | keys) + ($L | keys) | unique)[] as $s |
	[$s,
	 ($G[$s].status // "-"), num($G[$s].skill), num($G[$s].baselines.momentum.skill),
	 num($P[$s].predicted_return),
	 ($L[$s].status // "-"), num($L[$s].skill),
	 num($F[$s].forecast[0].return), num($F[$s].forecast[-1].return),
	 num(($G[$s].seconds // 0) + ($L[$s].seconds // 0))] | @tsv' |
	awk -F'\t' 'BEGIN {
		printf "%-7s | %-8s %8s %8s %9s | %-8s %8s %9s %9s | %7s\n",
			"symbol", "gnn", "skill", "mom.skl", "next-day", "lstm",
			"skill", "1-day", "5-day", "train s"
		printf "%s\n", "--------+------------------------------------+---------------------------------------+--------"
	}
	{ printf "%-7s | %-8s %8s %8s %9s | %-8s %8s %9s %9s | %7s\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' | tee "$out/table.txt"

echo
jq -s -r '[.[] | select(.skill != null)] |
	"GNN: \(length) models, mean validation skill \(map(.skill) | add / length * 10000 | round / 10000), " +
	"momentum baseline \(map(.baselines.momentum.skill // 0) | add / length * 10000 | round / 10000); " +
	"\(map(select(.skill > 0)) | length) beat the zero-return baseline"' "$work/gnn-train.jsonl" |
	tee -a "$out/table.txt"

# Plots: price history with the LSTM forecast for a few symbols, and the
# GNN's training and validation loss per epoch.
plot_symbols="AAPL JPM XOM"
for s in $plot_symbols; do
	awk -F, -v s="$s" '$1 == s { print $2, $6 }' "$work/prices.csv" | tail -n 120 >"$out/plots/$s.history"
	jq -r --arg s "$s" 'select(.symbol == $s) | .forecast[] | "\(.date) \(.close)"' \
		"$out/lstm-forecasts.jsonl" >"$out/plots/$s.forecast"
done
for s in $plot_symbols; do
	jq -r '.epochs[] | "\(.epoch) \(.train_loss) \(.val_loss)"' "$store/runs/gnn/$s.jsonl" |
		tail -n "$gnn_epochs" >"$out/plots/$s.loss"
done
if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal pngcairo size 960,540
set datafile separator whitespace
set xdata time
set timefmt '%Y-%m-%d'
set format x '%b %d'
set grid
set key left top
$(for s in $plot_symbols; do
	printf "set output '%s/plots/forecast-%s.png'\n" "$out" "$s"
	printf "set title '%s: last 120 days and the LSTM forecast (synthetic market)'\n" "$s"
	printf "plot '%s/plots/%s.history' using 1:2 with lines title 'adjusted close', " "$out" "$s"
	printf "'%s/plots/%s.forecast' using 1:2 with linespoints title 'forecast'\n" "$out" "$s"
done)
set xdata
set format x '%g'
set xlabel 'epoch'
set ylabel 'loss (standardised MSE)'
set output '$out/plots/gnn-loss.png'
set title 'GNN training and validation loss'
plot $(for s in $plot_symbols; do
	printf "'%s/plots/%s.loss' using 1:2 with lines title '%s train', " "$out" "$s" "$s"
	printf "'%s/plots/%s.loss' using 1:3 with linespoints title '%s validation', " "$out" "$s" "$s"
done | sed 's/, $//')
EOF
else
	echo "demo: gnuplot is missing: no plots (run make deps)" >&2
	rc=1
fi

echo
echo "demo: trained in ${t_train}s; outputs in $out:"
echo "  table.txt                 the table above"
echo "  gnn-predictions.jsonl     next-day predictions (gnn-predict)"
echo "  lstm-forecasts.jsonl      5-day forecasts (lstm-predict)"
echo "  nightly/                  prices, features, graph.json, training summaries"
echo "  store/                    models (models/*/SYM/*.h5, current.h5), runs/ (run records)"
echo "  plots/*.png               forecasts and loss curves"
exit "$rc"
