#!/usr/bin/env bash
# bench/features.sh - build-features CSV to CSV in rows per second on a
# large synthetic prices file (BENCH_ROWS, default 10,000,000), for each
# preset; and pandas doing the same work (read_csv, rolling/ewm, to_csv)
# when /usr/bin/python3 has pandas.  Run after `make bench` (it needs
# $TN_BUILD/bench/features and $TN_BUILD/bin/build-features).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
rows=${BENCH_ROWS:-10000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/bench/features"
"$build/bench/features" --generate "$rows" >"$tmp/prices.csv"
echo "input: $rows rows, $(du -m "$tmp/prices.csv" | cut -f1) MB"
# timings on a busy machine mean little: say how busy it was
echo "cpus: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# seconds COMMAND...: wall time of one run, output discarded
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

for preset in gnn lstm default; do
	s=$(seconds "$build/bin/build-features" --preset "$preset" "$tmp/prices.csv")
	[ "$preset" = gnn ] && gnn_seconds=$s
	printf 'build-features --preset %-8s %6.2f s  %10.0f rows/s\n' "$preset" "$s" \
		"$(echo "$rows / $s" | bc -l)"
done

if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
	cat >"$tmp/gnn.py" <<'PY'
import sys, numpy as np, pandas as pd
p = pd.read_csv(sys.argv[1])
f = p.adj_close / p.close
c = p.adj_close
g = p.groupby("symbol", sort=False)
lr = np.log(c / g.adj_close.shift(1))
out = pd.DataFrame({"symbol": p.symbol, "date": p.date, "close": c, "logret_1": lr})
lg = lr.groupby(p.symbol, sort=False)
out["vol_20"] = lg.rolling(20).std().reset_index(level=0, drop=True)
out["mom_20"] = lg.rolling(20).mean().reset_index(level=0, drop=True)
out["volnorm_20"] = p.volume / g.volume.rolling(20).mean().reset_index(level=0, drop=True)
out.dropna().to_csv(sys.stdout, index=False)
PY
	s=$(seconds /usr/bin/python3 "$tmp/gnn.py" "$tmp/prices.csv")
	printf 'pandas gnn features           %6.2f s  %10.0f rows/s\n' "$s" \
		"$(echo "$rows / $s" | bc -l)"
	printf 'build-features --preset gnn: %.1fx pandas\n' \
		"$(echo "$s / $gnn_seconds" | bc -l)"
else
	echo "pandas: not installed in /usr/bin/python3; no comparison"
fi
