#!/usr/bin/env bash
# Runs every benchmark that exists.  Timings live here, never in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
# PyTorch for comparison: Debian's python3-torch, which lives under
# /usr/bin/python3 (a python3 earlier on PATH may lack it).
torch_python=${TN_TORCH_PYTHON:-/usr/bin/python3}

# Wall-clock figures: another busy process on these cores halves them.
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
"$build/bench/gemm"

# The LSTM train step, then PyTorch's on the same machine: one thread
# first (the figure compared), then two for information.
c_line=$("$build/bench/lstm")
printf '%s\n' "$c_line"
rate() { awk '{ for (i = 2; i <= NF; i++) if ($i == "samples/s") print $(i - 1) }'; }
# CPU-time rates on both sides: a busy machine slows wall clocks unevenly.
c_rate=$(printf '%s\n' "$c_line" | grep ' C cpu ' | rate)
if [ -x "$torch_python" ] && "$torch_python" -c 'import torch' 2>/dev/null; then
	torch_lines=$("$torch_python" bench/lstm_torch.py 1 2)
	printf '%s\n' "$torch_lines"
	torch_rate=$(printf '%s\n' "$torch_lines" | grep ' torch cpu ' | head -n 1 | rate)
	awk -v c="$c_rate" -v t="$torch_rate" 'BEGIN {
		printf "lstm C / torch, one thread, CPU time: %.2fx (%.1f vs %.1f samples/s; target 2x)\n",
		       c / t, c, t }'
else
	echo "lstm torch: skipped ($torch_python has no torch; install python3-torch)"
fi

# Indicator kernels (ns/bar, beside TA-Lib's figures), build-features end
# to end, and the correlation matrix beside numpy.
"$build/bench/indicators"
BENCH_ROWS=${BENCH_ROWS:-2000000} bench/features.sh
"$build/bench/corr"
if [ -x "$torch_python" ] && "$torch_python" -c 'import numpy' 2>/dev/null; then
	"$torch_python" bench/corr.py
fi

# fetch-prices against the loopback mock server: 50 symbols at --rate 10.
bench/fetch.sh

# GNN training (one symbol, the universe with -j 2) and prediction
# (cold process, serve mode), then LSTM parent and child training.
bench/gnn.sh
bench/gnn-predict.sh
bench/lstm-train.sh
