#!/usr/bin/python3
"""bench/lstm_torch.py - PyTorch's training throughput for the model and
loop of bench/lstm.c: nn.LSTM(7, 128, num_layers=2, batch_first=True),
nn.Linear(128, 1) on the last timestep, MSE loss, Adam, batch 32 of 60
timesteps.  One train step is zero-grad, forward, loss, backward, Adam
step.  Prints one line per thread count; bench/run.sh runs it with
Debian's /usr/bin/python3 (python3-torch) when that has torch.

Debian's torch does its GEMMs in the pthread OpenBLAS, which
torch.set_num_threads does not reach: left alone it runs as many BLAS
threads as there are cores, so "1 thread" used 1.8 cores of 2.  Each run
pins OpenBLAS to the same count.  And OpenBLAS 0.3.21 takes recent Xeons
for a Prescott (SSE3 kernels, about 4x slower); common/gemm.c names the
kernel family from the CPU's instruction sets through OPENBLAS_CORETYPE,
and this script does the same before torch loads OpenBLAS, so both sides
run the same GEMM kernels.  Both figures come as wall-clock and as CPU
time of the process (the latter counts only this process on a shared
machine).

Usage: lstm_torch.py [THREADS...]   (default: 1 2)
"""
import ctypes
import os
import sys
import time


def openblas_coretype():
    """The kernel family common/gemm.c would name, from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:
        return None
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= set(flags):
        return "SkylakeX"
    if {"avx2", "fma"} <= set(flags):
        return "Haswell"
    return None


if "OPENBLAS_CORETYPE" not in os.environ and openblas_coretype():
    os.environ["OPENBLAS_CORETYPE"] = openblas_coretype()

import torch  # noqa: E402  (after OPENBLAS_CORETYPE: OpenBLAS reads it on load)

try:
    OPENBLAS = ctypes.CDLL("libopenblas.so.0")
    OPENBLAS.openblas_get_corename.restype = ctypes.c_char_p
except (OSError, AttributeError):
    OPENBLAS = None

# The original configuration (issue 5), as in bench/lstm.c.
BATCH, SEQ, INPUT, HIDDEN, LAYERS = 32, 60, 7, 128, 2
LR = 1e-3
WARMUP_STEPS = 5
MIN_STEPS, MIN_SECONDS = 20, 3.0
SEED = 1


class Forecaster(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(INPUT, HIDDEN, num_layers=LAYERS,
                                  batch_first=True)
        self.fc = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1]).squeeze(1)


def step_flops():
    """The GEMM FLOPs of one step, counted as bench/lstm.c counts them."""
    g = 4 * HIDDEN
    flops = 0
    for layer in range(LAYERS):
        width = HIDDEN if layer else INPUT
        flops += 2 * BATCH * SEQ * g * (width + HIDDEN)           # forward
        flops += 2 * BATCH * SEQ * g * (HIDDEN + width + HIDDEN)  # backward
        if layer:
            flops += 2 * BATCH * SEQ * g * HIDDEN  # gradient of layer below
    return flops + 3 * 2 * BATCH * HIDDEN


def bench(threads):
    torch.set_num_threads(threads)
    if OPENBLAS:
        OPENBLAS.openblas_set_num_threads(threads)
    torch.manual_seed(SEED)
    model = Forecaster()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    x = torch.randn(BATCH, SEQ, INPUT)
    target = torch.randn(BATCH)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        opt.step()
        return loss

    for _ in range(WARMUP_STEPS):
        step()
    steps = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while True:
        loss = step()
        steps += 1
        elapsed = time.perf_counter() - t0
        if steps >= MIN_STEPS and elapsed >= MIN_SECONDS:
            break
    cpu = time.process_time() - c0
    if not torch.isfinite(loss):
        sys.exit(f"lstm_torch.py: loss is {loss.item()}")
    core = OPENBLAS.openblas_get_corename().decode() if OPENBLAS else "?"
    print(f"lstm train step torch     {steps * BATCH / elapsed:8.1f} samples/s "
          f"{step_flops() * steps / elapsed * 1e-9:8.2f} GFLOP/s "
          f"({steps} steps, {elapsed / steps * 1e3:.2f} ms/step, "
          f"torch {torch.__version__}, OpenBLAS {core}, {threads} thread"
          f"{'s' if threads > 1 else ''})", flush=True)
    # with more than one thread CPU time sums the threads: a rate per
    # core-second, not comparable with the wall-clock figure
    print(f"lstm train step torch cpu {steps * BATCH / cpu:8.1f} samples/s "
          f"{step_flops() * steps / cpu * 1e-9:8.2f} GFLOP/s "
          f"({cpu / steps * 1e3:.2f} ms/step of CPU time)", flush=True)


def main():
    threads = [int(a) for a in sys.argv[1:]] or [1, 2]
    for n in threads:
        if n < 1:
            sys.exit(f"lstm_torch.py: bad thread count {n}")
        bench(n)


if __name__ == "__main__":
    main()
