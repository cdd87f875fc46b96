#!/usr/bin/env python3
"""Writes the replay bench's synthetic stream and worker configurations (issue 16).

A stationary stream: FIELDS categorical fields f0, f1, ... each drawing one of ten values v0..v9 with equal
probability (10% each), independently, row by row, from a seeded generator; at 1000 rows/s and one-second tumbling
windows, every window holds 1000 rows. The first window becomes the drift reference; WINDOWS more are scored.

Configurations written next to the data:
  defaults.json   the fields, the 1 s tumbling window, no rules: the default rules (field-psi, pair-mi)
  defaults-nofdr.json  the default rules spelled out, with FalseDiscoveryRate 0 (no correction)
  gate-fdr.json   one lenient rule, gTestLog10P >= 2 gated at -log10 p >= 2, raise/clear after 1 window, FDR q = 0.05
  gate-nofdr.json the same rule with FalseDiscoveryRate 0 (no correction)
  auto-gated.json PSI with a threshold calibrated from the reference ("auto": the first 10 windows are the reference,
                  each scored against the other 9; mean + 3 sigma per field), gated at -log10 p >= 6, FDR q = 0.05
  auto.json       the same auto PSI rule without a gate (so without false-discovery control)

Usage: generate.py OUTDIR [--fields 200] [--windows 200] [--rows-per-window 1000] [--seed 16]
"""
import argparse
import json
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("outdir")
parser.add_argument("--fields", type=int, default=200)
parser.add_argument("--windows", type=int, default=200)
parser.add_argument("--rows-per-window", type=int, default=1000)
parser.add_argument("--seed", type=int, default=16)
args = parser.parse_args()

os.makedirs(args.outdir, exist_ok=True)
names = [f"f{i}" for i in range(args.fields)]
values = [f"v{k}" for k in range(10)]
rng = random.Random(args.seed)
rows = (args.windows + 1) * args.rows_per_window
with open(os.path.join(args.outdir, "stream.csv"), "w", encoding="utf-8", newline="\n") as out:
    out.write(",".join(names) + "\n")
    for _ in range(rows):
        out.write(",".join(rng.choices(values, k=args.fields)) + "\n")

window_size = f"00:00:{args.rows_per_window / 1000:06.3f}"
base = {
    "Fields": [{"Name": n} for n in names],
    "Windows": [{"Name": "1s", "Kind": "Tumbling", "Size": window_size}],
}
gate = {"Name": "gate", "Metric": "gTestLog10P", "Threshold": 2, "MinimumSignificance": 2,
        "RaiseAfter": 1, "ClearAfter": 1, "ClearThreshold": 1}
auto = {"Name": "psi-auto", "Metric": "psi", "Threshold": "auto"}
defaults_nofdr = [
    {"Name": "field-psi", "Metric": "psi", "Threshold": 0.1, "ClearThreshold": 0.05, "MinimumSignificance": 6, "FalseDiscoveryRate": 0},
    {"Name": "pair-mi", "Metric": "miChange", "Threshold": 0.1, "ClearThreshold": 0.05, "MinimumSignificance": 6, "FalseDiscoveryRate": 0},
]
configs = {
    "defaults.json": base,
    "defaults-nofdr.json": {**base, "Drift": {"Rules": defaults_nofdr}},
    "gate-fdr.json": {**base, "Drift": {"Rules": [{**gate, "FalseDiscoveryRate": 0.05}]}},
    "gate-nofdr.json": {**base, "Drift": {"Rules": [{**gate, "FalseDiscoveryRate": 0}]}},
    "auto-gated.json": {**base, "Drift": {"Rules": [{**auto, "MinimumSignificance": 6}]}},
    "auto.json": {**base, "Drift": {"Rules": [auto]}},
}
for file, section in configs.items():
    with open(os.path.join(args.outdir, file), "w", encoding="utf-8") as out:
        json.dump({"StreamEntropy": section}, out, indent=1)
print(f"{rows} rows x {args.fields} fields in {args.outdir}/stream.csv")
