#!/usr/bin/env bash
# bench/gnn-predict.sh - gnn-predict latency and throughput on the
# synthetic market, with a model in the original configuration (hidden 64,
# 4 heads, 10 peers, lookback 60; few epochs, since only the shape counts):
#   1. a whole cold process: start, load the model, predict one symbol
#      (pipeline mode, and serve mode with the prediction caches off);
#   2. serve mode, warm: the same request answered from the memory cache,
#      per prediction and per second;
#   3. serve mode, computed: the model in the LRU, each prediction made
#      afresh (--ttl 0) from the price files, which stay parsed while
#      unchanged.
# Targets (issue 6): < 10 ms cold, < 10 us per warm prediction, > 10,000
# predictions/s in serve mode.
# Usage: TN_BUILD=build bench/gnn-predict.sh   (timings live here only)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TN_BUILD:-build}/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TICKERNET_STORE=$tmp/store
syms="AAPL MSFT NVDA GOOGL AMZN META JPM XOM JNJ PG KO"
# shellcheck disable=SC2086
"$bin/fetch-prices" -q --source synthetic --seed 1 --end 2024-05-31 \
	--days 1080 $syms > "$tmp/p.csv"
"$bin/build-features" -p gnn < "$tmp/p.csv" > "$tmp/f.csv"
"$bin/gnn-train" -q --epochs 2 --symbol AAPL "$tmp/f.csv" > /dev/null
# the store's price cache, one file per symbol
mkdir -p "$TICKERNET_STORE/prices"
awk -F, -v d="$TICKERNET_STORE/prices" 'NR == 1 { h = $0; next }
	!($1 in seen) { seen[$1] = 1; print h > (d "/" $1 ".csv") }
	{ print >> (d "/" $1 ".csv") }' "$tmp/p.csv"
# the lookback window of every node is all pipeline mode needs
awk -F, 'NR == 1 || $2 >= "2024-01-01"' "$tmp/f.csv" > "$tmp/window.csv"

now() { date +%s.%N; }
# hyperfine, where installed, gives the mean and the best of many cold
# starts without a shell in between; the loops below give the same
# figures on a machine without it.
if command -v hyperfine > /dev/null; then
	hyperfine -N --warmup 5 --runs 100 --style basic \
		"$bin/gnn-predict --symbols AAPL $tmp/window.csv" \
		"$bin/gnn-predict --help" 2>&1 | grep -E 'Benchmark|Time|Range'
fi
runs=50
t0=$(now)
for _ in $(seq $runs); do
	"$bin/gnn-predict" --symbols AAPL "$tmp/window.csv" > /dev/null
done
t1=$(now)
printf 'cold process, pipeline (start+load+predict): %.2f ms\n' \
	"$(echo "($t1 - $t0) * 1000 / $runs" | bc -l)"
t0=$(now)
for _ in $(seq $runs); do
	echo '{"symbol":"AAPL"}' | "$bin/gnn-predict" --serve --ttl 0 > /dev/null
done
t1=$(now)
printf 'cold process, serve, uncached (start+load+features+predict): %.2f ms\n' \
	"$(echo "($t1 - $t0) * 1000 / $runs" | bc -l)"
t0=$(now)
for _ in $(seq $runs); do
	"$bin/gnn-predict" --help > /dev/null
done
t1=$(now)
printf 'for scale, a process that only prints --help: %.2f ms\n' \
	"$(echo "($t1 - $t0) * 1000 / $runs" | bc -l)"

n=200000
awk -v n=$n 'BEGIN { while (n-- > 0) print "{\"symbol\":\"AAPL\"}" }' > "$tmp/req"
"$bin/gnn-predict" --serve --metrics-file "$tmp/m.prom" < "$tmp/req" > /dev/null
t0=$(now)
"$bin/gnn-predict" --serve < "$tmp/req" > /dev/null
t1=$(now)
printf 'serve, warm (memory cache), %d requests: %.2f us each, %.0f predictions/s\n' \
	$n "$(echo "($t1 - $t0) * 1000000 / $n" | bc -l)" "$(echo "$n / ($t1 - $t0)" | bc -l)"
grep 'latency_seconds\|cache_hits' "$tmp/m.prom" | grep -v '^#' || true

n=2000
awk -v n=$n 'BEGIN { while (n-- > 0) print "{\"symbol\":\"AAPL\"}" }' > "$tmp/req"
t0=$(now)
"$bin/gnn-predict" --serve --ttl 0 < "$tmp/req" > /dev/null
t1=$(now)
printf 'serve, computed (model in the LRU, --ttl 0), %d requests: %.1f us each, %.0f predictions/s\n' \
	$n "$(echo "($t1 - $t0) * 1000000 / $n" | bc -l)" "$(echo "$n / ($t1 - $t0)" | bc -l)"
