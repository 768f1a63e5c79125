#!/usr/bin/env bash
# Runs every benchmark that exists.  Timings live here, never in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TN_BUILD:-build}
"$build/bench/gemm"
