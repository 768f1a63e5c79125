#!/usr/bin/env bash
# nightly-retrain.sh - the nightly batch: refresh prices (and the store's
# price cache that gnn-predict --serve reads), rebuild features and the
# correlation graph, retrain every symbol's GNN in parallel, the LSTM
# parent then its children, prune the store, print a summary and write a
# metrics file.
#
#   nightly-retrain.sh [OPTION]...
#
#   -u, --universe FILE   symbols, one a line, '#' comments
#                         (default: data/tier1.txt beside this script)
#   -s, --store DIR       the store (default $TICKERNET_STORE, else ./store)
#   -w, --workdir DIR     this run's files (default STORE/nightly/STAMP)
#   -j, --jobs N          training processes at once (default 2)
#       --source SRC      fetch-prices source: yahoo (default), stooq,
#                         file:DIR or synthetic
#       --offline         the price cache only, no network
#       --seed N          training seed, and the synthetic market's (default 1)
#       --signal S        the synthetic market's lead-lag signal (default 0)
#       --index SYM       the LSTM parent (default ^GSPC)
#       --days N          trading days of history (default 1260)
#       --gnn-epochs N    GNN epochs (default 20)
#       --lstm-epochs N   the LSTM parent's epochs (default 20)
#       --child-epochs N  each LSTM child's epochs (default 10)
#       --strategy S      LSTM children: freeze (default) or finetune
#       --gnn-opts OPTS   more gnn-train options, split on blanks
#       --lstm-opts OPTS  more lstm-train options for the parent
#       --keep N          model versions cache-prune keeps (default 7)
#       --keep-runs N     work dirs kept under STORE/nightly (default 14)
#       --metrics-file F  Prometheus text metrics, replaced atomically
#   -h, --help            this help
#
# One run at a time: an overlapping run (cron firing while the last one is
# still busy) exits 75 at once.  Every step runs even when an earlier
# symbol failed; the exit status is 0 only when nothing failed (1 when a
# symbol or a step failed, 2 bad usage, 66 no universe, 69 a tool missing,
# 75 another run holds the lock), so cron mails the output of a bad night.
# The work dir keeps prices.csv, features-{gnn,lstm}.csv, graph.json,
# summary.jsonl (every training summary plus "model"), summary.txt (the
# table), failed.txt and steps.tsv.  Tools are taken from $TN_BIN when set,
# else from PATH.
#
# crontab (weekdays at 06:30, after the US close has settled):
#   30 6 * * 1-5  /usr/local/share/tickernet/nightly-retrain.sh -s /var/lib/tickernet
# systemd: examples/tickernet-nightly.service and .timer.
set -euo pipefail

prog=nightly-retrain
universe=
store=${TICKERNET_STORE:-./store}
work=
jobs=2
source=yahoo
offline=()
seed=1
signal=0
index=^GSPC
days=1260
gnn_epochs=20
lstm_epochs=20
child_epochs=10
strategy=freeze
gnn_opts=
lstm_opts=
keep=7
keep_runs=14
metrics_file=

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '/^set -euo/d; s/^# \{0,1\}//'
}

bad_usage() {
	echo "$prog: $1" >&2
	echo "Try 'nightly-retrain.sh --help' for more information." >&2
	exit 2
}

# need_arg OPTION COUNT: an option's argument is there.
need_arg() {
	[ "$2" -ge 2 ] || bad_usage "option '$1' needs an argument"
}

# count NAME VALUE: VALUE is a whole number.
count() {
	case $2 in
	'' | *[!0-9]*) bad_usage "$1: '$2' is not a whole number" ;;
	esac
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--offline) offline=(--offline); shift; continue ;;
	-u | --universe | -s | --store | -w | --workdir | -j | --jobs | --source | \
	--seed | --signal | --index | --days | --gnn-epochs | --lstm-epochs | \
	--child-epochs | --strategy | --gnn-opts | --lstm-opts | --keep | \
	--keep-runs | --metrics-file) need_arg "$1" $# ;;
	*) bad_usage "unknown option '$1'" ;;
	esac
	case $1 in
	-u | --universe) universe=$2 ;;
	-s | --store) store=$2 ;;
	-w | --workdir) work=$2 ;;
	-j | --jobs) count "$1" "$2"; jobs=$2 ;;
	--source) source=$2 ;;
	--seed) count "$1" "$2"; seed=$2 ;;
	--signal) signal=$2 ;;
	--index) index=$2 ;;
	--days) count "$1" "$2"; days=$2 ;;
	--gnn-epochs) count "$1" "$2"; gnn_epochs=$2 ;;
	--lstm-epochs) count "$1" "$2"; lstm_epochs=$2 ;;
	--child-epochs) count "$1" "$2"; child_epochs=$2 ;;
	--strategy) strategy=$2 ;;
	--gnn-opts) gnn_opts=$2 ;;
	--lstm-opts) lstm_opts=$2 ;;
	--keep) count "$1" "$2"; keep=$2 ;;
	--keep-runs) count "$1" "$2"; keep_runs=$2 ;;
	--metrics-file) metrics_file=$2 ;;
	esac
	shift 2
done
[ "$jobs" -ge 1 ] || bad_usage "-j: at least 1"
case $strategy in
freeze | finetune) ;;
*) bad_usage "--strategy: freeze or finetune, not '$strategy'" ;;
esac
read -ra gnn_extra <<<"$gnn_opts"
read -ra lstm_extra <<<"$lstm_opts"
index=$(printf '%s\n' "$index" | tr '[:lower:]' '[:upper:]')

here=$(cd "$(dirname "$0")" && pwd)
[ -n "$universe" ] || universe=$here/../data/tier1.txt
[ -r "$universe" ] || { echo "$prog: $universe: cannot read the universe" >&2; exit 66; }
if [ -n "${TN_BIN:-}" ]; then
	PATH=$TN_BIN:$PATH
fi
for tool in fetch-prices build-features corr-graph gnn-train lstm-train cache-prune jq flock; do
	command -v "$tool" >/dev/null || { echo "$prog: $tool: not found (set TN_BIN)" >&2; exit 69; }
done

mkdir -p "$store/locks" || exit 73
export TICKERNET_STORE=$store
# One run at a time, for the whole batch: fd 9 holds the lock until the
# script and every tool it started have exited.
exec 9>"$store/locks/nightly.lock"
if ! flock -n 9; then
	echo "$prog: another run holds $store/locks/nightly.lock" >&2
	exit 75
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$work" ] || work=$store/nightly/$stamp
mkdir -p "$work" || exit 73
work=$(cd "$work" && pwd)
failed=0
started=$EPOCHREALTIME
# since T0: seconds from $EPOCHREALTIME T0 until now.
since() {
	awk -v t0="$1" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", t1 - t0 }'
}
: >"$work/steps.tsv"
: >"$work/failed.txt"

# step NAME COMMAND...: runs one step, notes its exit status and seconds in
# steps.tsv, and marks the run failed when it failed.
step() {
	local name=$1 t0 rc=0
	shift
	t0=$EPOCHREALTIME
	"$@" || rc=$?
	printf '%s\t%s\t%s\n' "$name" "$rc" "$(since "$t0")" >>"$work/steps.tsv"
	if [ "$rc" -ne 0 ]; then
		echo "$prog: $name: exit $rc" >&2
		failed=1
	fi
	return 0
}

# to FILE COMMAND...: runs COMMAND with its standard output in FILE.
# shellcheck disable=SC2317 # run through step
to() {
	local out=$1
	shift
	"$@" >"$out"
}

# fail SYMBOL MODEL WHY: a symbol that did not get its model tonight.
fail() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$work/failed.txt"
}

# The universe, upper-cased, checked against the tools' symbol syntax: a
# bad line fails that symbol, not the night (the tools refuse a whole list
# with one bad symbol in it).
symbol_re='^\^?[A-Z0-9][A-Z0-9.=-]{0,15}$'
: >"$work/children.txt"
sed 's/#.*//' "$universe" | tr '[:lower:]' '[:upper:]' | tr -d ' \t\r' | grep -v '^$' |
	awk '!seen[$0]++' >"$work/universe.txt" || true
[[ $index =~ $symbol_re ]] || bad_usage "--index: '$index' is not a symbol"
while IFS= read -r sym; do
	if [[ ! $sym =~ $symbol_re ]]; then
		echo "$prog: $universe: '$sym' is not a symbol" >&2
		fail "$sym" all "not a symbol"
	elif [ "$sym" != "$index" ]; then
		printf '%s\n' "$sym" >>"$work/children.txt"
	fi
done <"$work/universe.txt"
{ cat "$work/children.txt"; echo "$index"; } >"$work/symbols.txt"

# Prices.  The synthetic market bypasses the price cache, so its bars are
# put into the cache through fetch-prices --source file: (validated,
# locked, atomic): gnn-predict --serve then answers from tonight's bars.
# shellcheck disable=SC2317 # run through step
fetch() {
	local synth=()
	[ "$source" != synthetic ] || synth=(--seed "$seed" --signal "$signal")
	fetch-prices -q --source "$source" "${offline[@]}" --days "$days" "${synth[@]}" \
		<"$work/symbols.txt" >"$work/fetched.csv"
}
# shellcheck disable=SC2317 # run through step
cache_synthetic() {
	local first
	rm -rf "$work/bars"
	mkdir "$work/bars"
	awk -F, -v d="$work/bars" 'NR == 1 { h = $0; next }
		!($1 in seen) { seen[$1] = 1; print h > (d "/" $1 ".csv") }
		{ print >> (d "/" $1 ".csv") }' "$work/fetched.csv"
	first=$(awk -F, 'NR > 1 && (first == "" || $2 < first) { first = $2 } END { print first }' "$work/fetched.csv")
	cut -d, -f1 "$work/fetched.csv" | sed 1d | uniq |
		fetch-prices -q --source "file:$work/bars" --start "$first" >"$work/prices.csv"
	rm -rf "$work/bars"
}
step fetch fetch
if [ "$source" = synthetic ] && [ -s "$work/fetched.csv" ]; then
	step price-cache cache_synthetic
else
	cp "$work/fetched.csv" "$work/prices.csv"
fi
cut -d, -f1 "$work/prices.csv" | sed 1d | uniq >"$work/fetched.txt"
grep -vxF -f "$work/fetched.txt" "$work/symbols.txt" | while IFS= read -r sym; do
	fail "$sym" all "no prices"
done || true
grep -xF -f "$work/fetched.txt" "$work/children.txt" >"$work/train.txt" || true

step features-gnn build-features -q --preset gnn -o "$work/features-gnn.csv" "$work/prices.csv"
step features-lstm build-features -q --preset lstm -o "$work/features-lstm.csv" "$work/prices.csv"
# The graph is the night's record of the market (gnn-train builds its own
# point-in-time graphs per snapshot from the features).
step corr-graph corr-graph -q --lookback 60 --threshold 0.3 -o "$work/graph.json" "$work/features-gnn.csv"

for out in gnn-train lstm-parent lstm-children; do
	: >"$work/$out.jsonl"
done
if [ -s "$work/train.txt" ]; then
	step gnn-train to "$work/gnn-train.jsonl" gnn-train -q \
		--symbols-file "$work/train.txt" -j "$jobs" --epochs "$gnn_epochs" --seed "$seed" \
		"${gnn_extra[@]}" "$work/features-gnn.csv"
fi
if grep -qxF -- "$index" "$work/fetched.txt"; then
	step lstm-parent to "$work/lstm-parent.jsonl" lstm-train -q \
		--symbol "$index" --epochs "$lstm_epochs" --seed "$seed" \
		"${lstm_extra[@]}" "$work/features-lstm.csv"
fi
# Children start from the parent in service: tonight's, or the last good
# one when tonight's was kept or failed.
if [ -s "$work/train.txt" ] && [ -e "$store/models/lstm/$index/current.h5" ]; then
	step lstm-children to "$work/lstm-children.jsonl" lstm-train -q \
		--symbols-file "$work/train.txt" --parent "$index" --strategy "$strategy" \
		-j "$jobs" --epochs "$child_epochs" --seed "$seed" "$work/features-lstm.csv"
fi
step cache-prune to "$work/cache-prune.jsonl" cache-prune -q --keep "$keep"

# Every summary line with the model it is about; then every symbol that
# should have a model and has no promoted or kept summary counts as failed.
{
	jq -c '. + {model: "gnn"}' "$work/gnn-train.jsonl"
	jq -c '. + {model: "lstm"}' "$work/lstm-parent.jsonl" "$work/lstm-children.jsonl"
} >"$work/summary.jsonl" || failed=1
expect() {
	sed 's/$/\tgnn/' "$work/train.txt"
	{ grep -xF -- "$index" "$work/fetched.txt" || true; cat "$work/train.txt"; } | sed 's/$/\tlstm/'
}
jq -r 'select(.status == "promoted" or .status == "kept") | [.symbol, .model] | @tsv' \
	"$work/summary.jsonl" >"$work/trained.tsv"
expect | grep -vxF -f "$work/trained.tsv" | while IFS=$'\t' read -r sym model; do
	why=$(jq -r --arg s "$sym" --arg m "$model" \
		'select(.symbol == $s and .model == $m) | .error // .status' "$work/summary.jsonl" | head -n 1)
	fail "$sym" "$model" "${why:-not trained}"
done || true

# The table: one line per symbol and model, skill beside the baselines'.
{
	printf '%-10s %-5s %-9s %9s %9s %9s %7s %8s\n' symbol model status skill momentum dir_acc epochs seconds
	jq -r '[.symbol, .model, .status, (.skill // "-"), (.baselines.momentum.skill // "-"),
		(.dir_acc // "-"), (.epochs // "-"), (.seconds // "-")] | @tsv' "$work/summary.jsonl" |
		awk -F'\t' 'function num(v, f) { return v == "-" ? "-" : sprintf(f, v) }
			{ printf "%-10s %-5s %-9s %9s %9s %9s %7s %8s\n", $1, $2, $3,
				num($4, "%.4f"), num($5, "%.4f"), num($6, "%.3f"), $7, num($8, "%.1f") }'
	awk -F'\t' '$2 == "all" { printf "%-10s %-5s %-9s %s\n", $1, "-", "failed", $3 }' "$work/failed.txt"
} | tee "$work/summary.txt"

n_symbols=$({ cat "$work/universe.txt"; echo "$index"; } | sort -u | wc -l)
n_failed=$(cut -f1 "$work/failed.txt" | sort -u | wc -l)
[ "$n_failed" -eq 0 ] || failed=1
elapsed=$(since "$started")
printf '%s: %d symbols, %d failed, %.1fs; outputs in %s\n' "$prog" "$n_symbols" "$n_failed" "$elapsed" "$work"
if [ "$n_failed" -gt 0 ]; then
	echo "$prog: failed:" >&2
	sed 's/^/  /' "$work/failed.txt" >&2
fi

if [ -n "$metrics_file" ]; then
	now=$(date +%s)
	last_ok=
	if [ "$failed" -eq 0 ]; then
		last_ok=$now
	elif [ -r "$metrics_file" ]; then
		last_ok=$(awk '$1 == "tickernet_nightly_last_success_timestamp_seconds" { print $2 }' "$metrics_file")
	fi
	tmp=$(mktemp "$(dirname "$metrics_file")/.nightly-metrics.XXXXXX")
	{
		echo "# HELP tickernet_nightly_last_run_timestamp_seconds End of the last nightly run."
		echo "# TYPE tickernet_nightly_last_run_timestamp_seconds gauge"
		echo "tickernet_nightly_last_run_timestamp_seconds $now"
		echo "# HELP tickernet_nightly_last_success_timestamp_seconds End of the last run that failed nothing."
		echo "# TYPE tickernet_nightly_last_success_timestamp_seconds gauge"
		[ -z "$last_ok" ] || echo "tickernet_nightly_last_success_timestamp_seconds $last_ok"
		echo "# HELP tickernet_nightly_duration_seconds Duration of the last nightly run."
		echo "# TYPE tickernet_nightly_duration_seconds gauge"
		echo "tickernet_nightly_duration_seconds $elapsed"
		echo "# HELP tickernet_nightly_symbols Symbols in the universe of the last run."
		echo "# TYPE tickernet_nightly_symbols gauge"
		echo "tickernet_nightly_symbols $n_symbols"
		echo "# HELP tickernet_nightly_failed_symbols Symbols with a failure in the last run."
		echo "# TYPE tickernet_nightly_failed_symbols gauge"
		echo "tickernet_nightly_failed_symbols $n_failed"
		echo "# HELP tickernet_nightly_models Models trained in the last run, by model and status."
		echo "# TYPE tickernet_nightly_models gauge"
		jq -r '[.model, .status] | @tsv' "$work/summary.jsonl" | sort | uniq -c |
			awk '{ printf "tickernet_nightly_models{model=\"%s\",status=\"%s\"} %d\n", $2, $3, $1 }'
		echo "# HELP tickernet_nightly_step_seconds Duration of each step of the last run."
		echo "# TYPE tickernet_nightly_step_seconds gauge"
		awk -F'\t' '{ printf "tickernet_nightly_step_seconds{step=\"%s\"} %s\n", $1, $3 }' "$work/steps.tsv"
		echo "# HELP tickernet_nightly_step_exit_status Exit status of each step of the last run."
		echo "# TYPE tickernet_nightly_step_exit_status gauge"
		awk -F'\t' '{ printf "tickernet_nightly_step_exit_status{step=\"%s\"} %s\n", $1, $2 }' "$work/steps.tsv"
	} >"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$metrics_file"
fi

# Old work dirs go (only the default ones, named by their stamp).
if [ "$keep_runs" -gt 0 ] && [ -d "$store/nightly" ]; then
	find "$store/nightly" -mindepth 1 -maxdepth 1 -type d -name '????????T??????Z' |
		sort -r | tail -n +"$((keep_runs + 1))" | while IFS= read -r old; do
		rm -rf -- "$old"
	done
fi
exit "$failed"
