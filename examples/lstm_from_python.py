#!/usr/bin/env python3
"""Load a tickernet LSTM model file in PyTorch and forecast with it.

    python3 examples/lstm_from_python.py MODEL.h5 FEATURES.csv SYMBOL [ASOF]

A tickernet LSTM model (lstm-train(1), tickernet-formats(5)) stores its
parameters under PyTorch's state_dict names and layouts in /state_dict, so
h5py reads them and load_state_dict takes them as they are: no reshaping,
no renaming.  The inputs are built the way lstm_model.h describes, from the
last 60 rows of SYMBOL (build-features --preset lstm) up to ASOF, and
standardised with the statistics stored in the model.  Prints one JSON
object: the daily log returns and, as lstm-predict(1) writes them, the
cumulative returns from the last close and the closes.

Needs h5py and torch (Debian: python3-h5py; torch from pip).
"""
import csv
import json
import math
import sys

import h5py
import numpy as np
import torch
from torch import nn


class LSTMForecaster(nn.Module):
    """The network of lstm_model.h, as PyTorch writes it."""

    def __init__(self, inputs, hidden, layers, fc, horizon, dropout):
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden, layers, batch_first=True,
                            dropout=dropout)
        self.fc1 = nn.Linear(hidden, fc)
        self.fc2 = nn.Linear(fc, horizon)
        self.dropout = dropout

    def forward(self, x):                      # x (B, T, I)
        out, _ = self.lstm(x)                  # (B, T, H)
        z = torch.relu(self.fc1(out[:, -1, :]))
        z = nn.functional.dropout(z, self.dropout, self.training)
        return self.fc2(z)                     # (B, Z)


def load(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        model = LSTMForecaster(int(a["inputs"]), int(a["hidden"]),
                               int(a["layers"]), int(a["fc"]),
                               int(a["horizon"]), float(a["dropout"]))
        state = {k: torch.from_numpy(f["state_dict"][k][()])
                 for k in f["state_dict"]}
        model.load_state_dict(state)           # strict: every name, shape
        columns = [c.decode() if isinstance(c, bytes) else c
                   for c in f["columns"][()]]
        norm = (f["norm/mean"][()], f["norm/std"][()])
        meta = {"context": int(a["context"]),
                "target_scale": float(a["target_scale"])}
    return model.eval(), columns, norm, meta


def window(rows, columns, context):
    """The scale-free inputs of lstm_model.h, (T, I) float32."""
    last = rows[-context:]
    if len(last) < context:
        sys.exit("too little history: %d rows, the model needs %d"
                 % (len(last), context))
    get = [[float(r[c]) for c in columns] for r in last]
    o, h, lo, c, v, rsi, macd = range(7)
    close_t = get[-1][c]
    x = np.zeros((context, 7), dtype=np.float32)
    for t, r in enumerate(get):
        x[t] = [math.log(r[o] / close_t), math.log(r[h] / close_t),
                math.log(r[lo] / close_t), math.log(r[c] / close_t),
                math.log1p(r[v]), (r[rsi] - 50) / 50, r[macd] / close_t]
    x[:, v] -= np.float32(np.mean(x[:, v], dtype=np.float64))
    return x, close_t


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    path, features, symbol = sys.argv[1:4]
    asof = sys.argv[4] if len(sys.argv) == 5 else None
    model, columns, (mean, std), meta = load(path)
    with open(features, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["symbol"] == symbol
                and (asof is None or r["date"] <= asof)]
    x, last_close = window(rows, columns, meta["context"])
    x = (x - mean.astype(np.float32)) / std.astype(np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x).unsqueeze(0))[0].numpy()
    logret = [float(v) * meta["target_scale"] for v in y]
    cum = np.cumsum(logret)
    ret = [math.expm1(s) for s in cum]
    print(json.dumps({"symbol": symbol, "asof": rows[-1]["date"],
                      "last_close": last_close, "log_returns": logret,
                      "return": ret,
                      "close": [last_close * (1 + r) for r in ret]}))


if __name__ == "__main__":
    main()
