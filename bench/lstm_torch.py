#!/usr/bin/python3
"""bench/lstm_torch.py - PyTorch's training throughput for the model and
loop of bench/lstm.c: nn.LSTM(7, 128, num_layers=2, batch_first=True),
nn.Linear(128, 1) on the last timestep, MSE loss, Adam, batch 32 of 60
timesteps.  One train step is zero-grad, forward, loss, backward, Adam
step.  Prints one line per thread count; bench/run.sh runs it with
Debian's /usr/bin/python3 (python3-torch) when that has torch.

Usage: lstm_torch.py [THREADS...]   (default: 1 2)
"""
import sys
import time

import torch

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
    while True:
        loss = step()
        steps += 1
        elapsed = time.perf_counter() - t0
        if steps >= MIN_STEPS and elapsed >= MIN_SECONDS:
            break
    if not torch.isfinite(loss):
        sys.exit(f"lstm_torch.py: loss is {loss.item()}")
    rate = steps * BATCH / elapsed
    print(f"lstm train step torch {rate:8.1f} samples/s "
          f"{step_flops() * steps / elapsed * 1e-9:8.2f} GFLOP/s "
          f"({steps} steps, {elapsed / steps * 1e3:.2f} ms/step, "
          f"torch {torch.__version__}, {threads} thread"
          f"{'s' if threads > 1 else ''})", flush=True)


def main():
    threads = [int(a) for a in sys.argv[1:]] or [1, 2]
    for n in threads:
        if n < 1:
            sys.exit(f"lstm_torch.py: bad thread count {n}")
        bench(n)


if __name__ == "__main__":
    main()
