#!/usr/bin/env python3
"""numpy.corrcoef on the shape bench/corr.c times: 500 symbols x 1000 days,
one thread.  Prints a skip line when numpy is not importable."""
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
try:
    import numpy as np
except ImportError:
    print("# numpy not importable by %s: no comparison" % sys.executable)
    sys.exit(0)

SYMBOLS, DAYS, MIN_SECONDS = 500, 1000, 1.0
x = np.random.default_rng(1).normal(0, 0.01, (SYMBOLS, DAYS))
reps, t0 = 0, time.perf_counter()
while True:
    np.corrcoef(x)
    reps += 1
    elapsed = time.perf_counter() - t0
    if elapsed >= MIN_SECONDS:
        break
print("numpy.corrcoef %-22s %d symbols x %d days %9.2f ms/matrix"
      % ("(float64)", SYMBOLS, DAYS, 1e3 * elapsed / reps))
