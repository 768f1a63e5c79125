#!/usr/bin/env bash
# hpo.sh - random search over gnn-train or lstm-train options, the trials
# run in parallel, each in its own store, ranked by a validation metric
# read from the trials' run records: an Optuna sweep done the Unix way.
#
#   hpo.sh [OPTION]... FEATURES.csv
#
#   -m, --model M        gnn (default) or lstm
#   -y, --symbol SYM     the symbol tuned on (default AAPL)
#   -n, --trials N       trials (default 20), no two alike
#   -P, --parallel N     trials at once (default: CPU cores)
#       --space FILE     the search space: one option a line, then the
#                        values drawn from, e.g. "--lr 0.0003 0.001 0.003"
#                        (default: the model's space below)
#       --fixed OPTS     options every trial gets, after the drawn ones
#                        (so they win), e.g. "--epochs 5"
#       --metric NAME    ranking metric of the run record's .metrics: mse
#                        (default), mae, skill, dir_acc, ic (mse and mae
#                        rank low first, the others high first)
#       --seed N         the draw's seed, and every trial's --seed (default 1)
#   -s, --store DIR      each trial's store starts as a copy of DIR (for an
#                        lstm child's --parent, say); default: empty
#   -w, --workdir DIR    the trials' directories (default ./hpo-STAMP)
#   -h, --help           this help
#
# Default spaces:
#   gnn:  --lr 0.0003 0.001 0.003; --hidden 16 32 64; --dropout 0 0.1 0.2;
#         --optimizer adam adamw; --neighbours 5 10; --batch-size 1 4
#   lstm: --lr 0.0003 0.001 0.003; --hidden 32 64 128; --context 20 40 60;
#         --batch-size 16 32 64
# WORKDIR/trials.tsv lists each trial's options; WORKDIR/trial-N/ holds
# its store, summary.json and stderr; WORKDIR/ranking.tsv is the table
# printed: rank, trial, metric, skill, dir_acc, best_epoch, options, best
# first, failed trials last.  The validation split ranks the trials, so
# the winner's score is optimistic: confirm it on later data (--asof)
# before relying on it.  Trials run with xargs -P.  Tools are taken from
# $TN_BIN when set, else from PATH.
set -euo pipefail

prog=hpo

# A trial, run by xargs: hpo.sh --run-trial WORKDIR N.
if [ "${1:-}" = --run-trial ]; then
	work=$2
	n=$3
	dir=$work/trial-$n
	IFS=$'\t' read -r tool symbol features fixed <"$work/setup.tsv"
	opts=$(awk -F'\t' -v n="$n" '$1 == n { print $2 }' "$work/trials.tsv")
	read -ra fixed_opts <<<"$fixed"
	read -ra trial_opts <<<"$opts"
	rc=0
	"$tool" -q --store "$dir/store" --symbol "$symbol" "${trial_opts[@]}" "${fixed_opts[@]}" \
		"$features" >"$dir/summary.json" 2>"$dir/stderr" || rc=$?
	echo "$rc" >"$dir/rc"
	printf '%s: trial %s: exit %s\n' "$prog" "$n" "$rc" >&2
	exit 0
fi

model=gnn
symbol=AAPL
trials=20
par=$(nproc 2>/dev/null || echo 2)
space=
fixed=
metric=mse
seed=1
base_store=
work=

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '/^set -euo/d; s/^# \{0,1\}//'
}

bad_usage() {
	echo "$prog: $1" >&2
	echo "Try 'hpo.sh --help' for more information." >&2
	exit 2
}

# count NAME VALUE: VALUE is a positive whole number.
count() {
	case $2 in
	'' | *[!0-9]* | 0) bad_usage "$1: '$2' is not a positive number" ;;
	esac
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-m | --model | -y | --symbol | -n | --trials | -P | --parallel | --space | \
	--fixed | --metric | --seed | -s | --store | -w | --workdir)
		[ $# -ge 2 ] || bad_usage "option '$1' needs an argument" ;;
	-*) bad_usage "unknown option '$1'" ;;
	*) break ;;
	esac
	case $1 in
	-m | --model) model=$2 ;;
	-y | --symbol) symbol=$(printf '%s\n' "$2" | tr '[:lower:]' '[:upper:]') ;;
	-n | --trials) count "$1" "$2"; trials=$2 ;;
	-P | --parallel) count "$1" "$2"; par=$2 ;;
	--space) space=$2 ;;
	--fixed) fixed=$2 ;;
	--metric) metric=$2 ;;
	--seed) count "$1" "1$2"; seed=$2 ;;
	-s | --store) base_store=$2 ;;
	-w | --workdir) work=$2 ;;
	esac
	shift 2
done
[ $# -eq 1 ] || bad_usage "one FEATURES.csv is needed"
features=$1
case $model in
gnn | lstm) ;;
*) bad_usage "--model: gnn or lstm, not '$model'" ;;
esac
case $metric in
mse | mae) order=asc ;;
skill | dir_acc | ic | r2) order=desc ;;
*) bad_usage "--metric: mse, mae, skill, dir_acc, ic or r2, not '$metric'" ;;
esac
if [ -n "${TN_BIN:-}" ]; then
	PATH=$TN_BIN:$PATH
fi
tool=$(command -v "$model-train") || { echo "$prog: $model-train: not found (set TN_BIN)" >&2; exit 69; }
command -v jq >/dev/null || { echo "$prog: jq is not installed" >&2; exit 69; }
[ -r "$features" ] || { echo "$prog: $features: cannot read" >&2; exit 66; }
features=$(cd "$(dirname "$features")" && pwd)/$(basename "$features")
[ -z "$space" ] || [ -r "$space" ] || { echo "$prog: $space: cannot read" >&2; exit 66; }
[ -z "$base_store" ] || [ -d "$base_store" ] || { echo "$prog: $base_store: no such store" >&2; exit 66; }

[ -n "$work" ] || work=./hpo-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$work" || exit 73
work=$(cd "$work" && pwd)

if [ -z "$space" ]; then
	space=$work/space.txt
	if [ "$model" = gnn ]; then
		cat <<-'EOF'
			--lr 0.0003 0.001 0.003
			--hidden 16 32 64
			--dropout 0 0.1 0.2
			--optimizer adam adamw
			--neighbours 5 10
			--batch-size 1 4
		EOF
	else
		cat <<-'EOF'
			--lr 0.0003 0.001 0.003
			--hidden 32 64 128
			--context 20 40 60
			--batch-size 16 32 64
		EOF
	fi >"$space"
fi

# The draw: every trial picks one value per option, reproducibly from --seed.
awk -v seed="$seed" -v trials="$trials" '
	/^[[:space:]]*(#|$)/ { next }
	{ opt[++n] = $1; nv[n] = NF - 1; for (i = 2; i <= NF; i++) val[n, i - 1] = $i }
	END {
		srand(seed)
		# Without repeats: a small space gives fewer trials than asked.
		for (t = 1; t <= trials && tries < 100 * trials; tries++) {
			line = ""
			for (o = 1; o <= n; o++)
				line = line (o > 1 ? " " : "") opt[o] " " val[o, 1 + int(rand() * nv[o])]
			if (line in drawn)
				continue
			drawn[line] = 1
			printf "%d\t%s\n", t++, line
		}
	}' "$space" >"$work/trials.tsv"
trials=$(wc -l <"$work/trials.tsv")
[ "$trials" -gt 0 ] || { echo "$prog: $space: no options to draw" >&2; exit 65; }
printf '%s\t%s\t%s\t%s\n' "$tool" "$symbol" "$features" "--seed $seed $fixed" >"$work/setup.tsv"

for n in $(seq 1 "$trials"); do
	rm -rf "$work/trial-$n"
	mkdir -p "$work/trial-$n"
	if [ -n "$base_store" ]; then
		cp -a --reflink=auto "$base_store" "$work/trial-$n/store"
	fi
done
echo "$prog: $trials trials of $model-train on $symbol, $par at once, in $work" >&2
seq 1 "$trials" | xargs -P "$par" -n 1 "$0" --run-trial "$work"

# The ranking: each trial's last run record (its store has only its own).
for n in $(seq 1 "$trials"); do
	record=$work/trial-$n/store/runs/$model/$symbol.jsonl
	opts=$(awk -F'\t' -v n="$n" '$1 == n { print $2 }' "$work/trials.tsv")
	if [ -s "$record" ]; then
		tail -n 1 "$record"
	else
		echo '{}'
	fi | jq -c --argjson n "$n" --arg opts "$opts" --arg m "$metric" \
		'{trial: $n, status: (.status // "failed"), value: .metrics[$m]?,
		  skill: .metrics.skill?, dir_acc: .metrics.dir_acc?, best_epoch, opts: $opts}'
done | jq -rs --arg order "$order" '
	(map(select(.status != "failed" and .value != null))
		| sort_by(if $order == "asc" then .value else -.value end)) as $ok
	| ($ok + map(select(.status == "failed" or .value == null)))
	| to_entries[]
	| [.key + 1, .value.trial, (.value.value // "failed"), (.value.skill // "-"),
	   (.value.dir_acc // "-"), (.value.best_epoch // "-"), .value.opts] | @tsv' >"$work/ranking.tsv"

printf '%-4s %-5s %12s %9s %7s %4s  %s\n' rank trial "$metric" skill dir_acc best options
awk -F'\t' 'function num(v, f) { return v ~ /^-?[0-9.e+-]+$/ && v != "-" ? sprintf(f, v) : v }
	{ printf "%-4s %-5s %12s %9s %7s %4s  %s\n", $1, $2, num($3, "%.6g"), num($4, "%.4f"),
		num($5, "%.3f"), $6, $7 }' "$work/ranking.tsv"
n_failed=$(awk -F'\t' '$3 == "failed"' "$work/ranking.tsv" | wc -l)
best=$(awk -F'\t' 'NR == 1 && $3 != "failed" { print "trial " $2 ": " $7 }' "$work/ranking.tsv")
echo "$prog: best ${best:-none}; $n_failed of $trials trials failed; $work/ranking.tsv" >&2
[ -n "$best" ] || exit 1
