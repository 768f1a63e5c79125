#!/usr/bin/env bash
# bench/gnn.sh - gnn-train throughput on the synthetic market:
#   1. one symbol in the original configuration (20 epochs, one snapshot
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
t0=$(now)
"$bin/gnn-train" -q --symbol AAPL "$tmp/f.csv" > "$tmp/one.json"
t1=$(now)
printf 'gnn-train one symbol (20 epochs, batch 1, ~1000 days): %.2f s wall, %s s in the tool\n' \
	"$(echo "$t1 - $t0" | bc)" "$(jq -r .seconds "$tmp/one.json")"
t0=$(now)
"$bin/gnn-train" -q --symbols @data/tier1.txt -j 2 "$tmp/f.csv" > "$tmp/all.json" || true
t1=$(now)
printf "gnn-train %d symbols, -j 2:" "$n"; printf ' %.2f s wall, %s promoted\n' \
	"$(echo "$t1 - $t0" | bc)" "$(jq -s 'map(select(.status=="promoted"))|length' "$tmp/all.json")"
