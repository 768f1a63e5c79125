#!/usr/bin/env bash
# make demo: the nightly pipeline on the embedded default data (the
# synthetic market, offline).  It runs every step whose tool exists and
# says plainly which steps cannot run yet.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
bin=$build/bin

# step TOOL ISSUE WHAT: reports whether the step can run.
missing=0
step() {
	if [ -x "$bin/$1" ]; then
		printf '  %-14s ready\n' "$1"
	else
		printf '  %-14s not built yet (issue %s): %s\n' "$1" "$2" "$3"
		missing=$((missing + 1))
	fi
}

echo "tickernet demo: the nightly pipeline on the synthetic market, offline"
echo
step fetch-prices 3 "synthetic prices for the 50 TIER_1 symbols and ^GSPC"
step build-features 4 "point-in-time features"
step corr-graph 4 "the correlation graph"
step gnn-train 6 "per-symbol GNN models"
step gnn-predict 6 "next-day predictions"
step lstm-train 7 "the parent and child LSTM forecasters"
step lstm-predict 7 "multi-day forecasts"
step cache-prune 8 "keeping the store bounded"
echo
if [ "$missing" -gt 0 ]; then
	echo "$missing of 8 pipeline tools do not exist yet, so the pipeline cannot run."
	echo "What exists: the shared library (common/), its tests (make test) and"
	echo "the GEMM benchmark (make bench)."
	exit 0
fi
echo "every tool is built; the full pipeline lands with issue 8"
