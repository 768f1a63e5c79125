#!/usr/bin/env bash
# bench/gnn.sh - gnn-train throughput on the synthetic market:
#   1. one symbol in the original configuration (up to 20 epochs with the
#      default early stopping, then all 20; one snapshot
#      per step, hidden 64, 4 heads, 10 peers) on ~1000 trading days;
#   2. all TIER_1 symbols (data/tier1.txt, 46) with -j 2.
# Targets (issue 6): < 0.6 s per symbol, < 15 s for the universe.
# Usage: TN_BUILD=build bench/gnn.sh   (timings live here, never in tests)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TN_BUILD:-build}/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TICKERNET_STORE=$tmp/store
tier1=$(grep -v '^#' data/tier1.txt | tr '\n' ' ')
n=$(wc -w <<<"$tier1")
# shellcheck disable=SC2086
"$bin/fetch-prices" -q --source synthetic --signal 0.5 --seed 1 \
	--end 2024-05-31 --days 1080 $tier1 | "$bin/build-features" -p gnn > "$tmp/f.csv"
now() { date +%s.%N; }
# with the default early stopping, then all 20 epochs (--patience 100);
# five runs each, as the machine may be shared: the median and the best
# wall time, and the median CPU time (user + system)
runs=5
for patience in default 100; do
	opt=()
	[ "$patience" = default ] || opt=(--patience "$patience")
	: > "$tmp/times"
	for _ in $(seq $runs); do
		TIMEFORMAT='%R %U %S'
		{ time "$bin/gnn-train" -q --force --symbol AAPL "${opt[@]}" \
			"$tmp/f.csv" > "$tmp/one.json" 2> /dev/null; } 2>> "$tmp/times"
	done
	printf 'gnn-train one symbol (batch 1, ~1000 days, patience %s): %d epochs, ' \
		"$patience" "$(jq -r .epochs "$tmp/one.json")"
	med() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'; }
	printf 'wall median %s s, best %s s; CPU median %s s (%d runs)\n' \
		"$(cut -d' ' -f1 "$tmp/times" | med)" \
		"$(cut -d' ' -f1 "$tmp/times" | sort -n | head -n 1 | xargs printf %.2f)" \
		"$(awk '{ print $2 + $3 }' "$tmp/times" | med)" "$runs"
done
t0=$(now)
"$bin/gnn-train" -q --symbols @data/tier1.txt -j 2 "$tmp/f.csv" > "$tmp/all.json" || true
t1=$(now)
printf "gnn-train %d symbols, -j 2:" "$n"; printf ' %.2f s wall, %s promoted\n' \
	"$(echo "$t1 - $t0" | bc)" "$(jq -s 'map(select(.status=="promoted"))|length' "$tmp/all.json")"
