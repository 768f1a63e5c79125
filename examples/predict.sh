#!/usr/bin/env bash
# predict.sh - one symbol's predictions end to end: fetch its prices (and
# its GNN peers'), build the features, and ask gnn-predict for the next
# day and lstm-predict for the next days.  One JSON line from each on
# standard output, the GNN's first.
#
#   predict.sh [OPTION]... SYMBOL
#
#   -s, --store DIR     the store with the models (default $TICKERNET_STORE,
#                       else ./store)
#       --source SRC    fetch-prices source (default yahoo; synthetic,
#                       stooq, file:DIR)
#       --offline       prices from the store's cache only
#       --seed N        the synthetic market's seed (default 1)
#       --signal S      the synthetic market's signal (default 0)
#       --days N        trading days of history fetched (default 300)
#       --asof DATE     predict as of DATE (data and models up to DATE)
#       --peers LIST    the GNN's peers, comma-separated (default: the
#                       nodes in the symbol's model, read with h5dump)
#   -f, --format FMT    json (default) or table
#   -w, --workdir DIR   keep the prices and features CSVs in DIR
#   -h, --help          this help
#
# A symbol without a model gets the tools' documented fallback (status
# "fallback"), not an error.  Exit status: 0 when both answered, 2 bad
# usage, else the first failing tool's.  To serve predictions over the
# network instead, see examples/gnn-serve-socat.sh (gnn-predict --serve
# behind socat).  Tools are taken from $TN_BIN when set, else from PATH.
#
#   predict.sh --source synthetic AAPL | jq -c '{model, status, predicted_return, forecast}'
set -euo pipefail

prog=predict
store=${TICKERNET_STORE:-./store}
source=yahoo
offline=()
seed=1
signal=0
days=300
asof=()
peers=
format=json
work=

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '/^set -euo/d; s/^# \{0,1\}//'
}

bad_usage() {
	echo "$prog: $1" >&2
	echo "Try 'predict.sh --help' for more information." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--offline) offline=(--offline); shift; continue ;;
	-s | --store | --source | --seed | --signal | --days | --asof | --peers | \
	-f | --format | -w | --workdir)
		[ $# -ge 2 ] || bad_usage "option '$1' needs an argument" ;;
	-*) bad_usage "unknown option '$1'" ;;
	*) break ;;
	esac
	case $1 in
	-s | --store) store=$2 ;;
	--source) source=$2 ;;
	--seed) seed=$2 ;;
	--signal) signal=$2 ;;
	--days) days=$2 ;;
	--asof) asof=(--asof "$2") ;;
	--peers) peers=$2 ;;
	-f | --format) format=$2 ;;
	-w | --workdir) work=$2 ;;
	esac
	shift 2
done
[ $# -eq 1 ] || bad_usage "one SYMBOL is needed"
symbol=$(printf '%s\n' "$1" | tr '[:lower:]' '[:upper:]')
case $format in
json | table) ;;
*) bad_usage "--format: json or table, not '$format'" ;;
esac
if [ -n "${TN_BIN:-}" ]; then
	PATH=$TN_BIN:$PATH
fi
export TICKERNET_STORE=$store

if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/predict.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# The GNN reads its peers' features too: the nodes its model was trained on.
model=$store/models/gnn/$symbol/current.h5
if [ -z "$peers" ] && [ -r "$model" ] && command -v h5dump >/dev/null; then
	peers=$(h5dump -d /nodes -w 0 "$model" | sed -n '/DATA {/,/}/p' |
		grep -o '"[^"]*"' | tr -d '"' | paste -sd, -)
fi
{
	echo "$symbol"
	printf '%s\n' "$peers" | tr ',' '\n'
} | grep -v '^$' | awk '!seen[$0]++' >"$work/symbols.txt"

synth=()
[ "$source" != synthetic ] || synth=(--seed "$seed" --signal "$signal")
# A peer without prices only costs the GNN its pre-trained answer (it falls
# back); the symbol's own prices are what must be there.
rc=0
fetch-prices -q --source "$source" "${offline[@]}" --days "$days" "${synth[@]}" \
	"${asof[@]}" <"$work/symbols.txt" >"$work/prices.csv" || rc=$?
# (awk reads to the end: `cut | grep -q` under pipefail fails at random
# when grep's early exit kills cut with SIGPIPE)
if ! awk -F, -v s="$symbol" '$1 == s { found = 1 } END { exit !found }' "$work/prices.csv"; then
	echo "$prog: $symbol: no prices (fetch-prices exit $rc)" >&2
	exit "$((rc == 0 ? 66 : rc))"
fi
build-features -q --preset gnn "${asof[@]}" -o "$work/features-gnn.csv" "$work/prices.csv"
build-features -q --preset lstm "${asof[@]}" -o "$work/features-lstm.csv" "$work/prices.csv"

gnn-predict -q --symbols "$symbol" "${asof[@]}" "$work/features-gnn.csv" >"$work/gnn.json"
lstm-predict -q --symbols "$symbol" "${asof[@]}" "$work/features-lstm.csv" >"$work/lstm.json"

if [ "$format" = json ]; then
	cat "$work/gnn.json" "$work/lstm.json"
	exit 0
fi
jq -r '"\(.symbol) as of \(.asof), last close \(.last_close)",
	"  gnn   \(.status)  next day: return \(.predicted_return)  price \(.predicted_price)  model \(.model_version)  stale \(.stale)"' \
	"$work/gnn.json"
jq -r '"  lstm  \(.status)  model \(.model_version)  stale \(.stale)",
	(.forecast[]? | "        \(.date)  return \(.return)  close \(.close)")' "$work/lstm.json"
