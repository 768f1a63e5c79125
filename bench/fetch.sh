#!/usr/bin/env bash
# bench/fetch.sh - fetch-prices refreshing 50 symbols from the loopback
# mock server (tests/mock_server.py) with 50 ms of latency per request, at
# --rate 10 -j 8: the rate limit makes 5 s the ideal; the figure is how
# close the tool comes to it.  Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

mock=$tmp/mock
mkdir -p "$mock/yahoo" "$mock/faults"
symbols=$( { grep -v '^#' data/tier1.txt; printf '%s\n' BRK-B IBM KO PEP; } | head -n 50)
for s in $symbols; do
	sed "s/\"symbol\":\"AAPL\"/\"symbol\":\"$s\"/" \
		tests/fixtures/fetch/yahoo/AAPL.json >"$mock/yahoo/$s.json"
done
python3 tests/mock_server.py "$mock" --latency 50 &
pid=$!
for _ in $(seq 100); do
	[ -s "$mock/port" ] && break
	sleep 0.05
done
TICKERNET_YAHOO_URL=http://127.0.0.1:$(cat "$mock/port")
export TICKERNET_YAHOO_URL
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$build/bin/fetch-prices" -q --store "$tmp/store" --rate 10 -j 8 \
	--start 2024-01-02 --end 2024-01-16 $symbols >"$tmp/prices.csv"
t1=$(date +%s.%N)
n=$(wc -l <"$mock/requests.log")
awk -v a="$t0" -v b="$t1" -v n="$n" -v rows="$(($(wc -l <"$tmp/prices.csv") - 1))" 'BEGIN {
	printf "fetch-prices: %d symbols, %d requests, %d rows in %.2f s at --rate 10 -j 8, 50 ms latency (ideal 5.00 s)\n",
	       50, n, rows, b - a }'
