#!/usr/bin/python3
"""Helper of run.sh: generate the CSV, profile it with pandas + scipy, compare with `stream-entropy profile`.

  generate OUT ROWS            write the benchmark CSV (deterministic: fixed seed)
  pandas CSV OUT --pair X,Y... profile CSV with pandas/scipy; results (nats) to OUT as JSON, timings on stdout
  compare OURS THEIRS          compare every value of both JSON results to 1e-9 relative; exit 1 on a mismatch

The pandas computation is the textbook one: value_counts per column and per pair of columns,
scipy.stats.entropy of each count vector (natural log), H(Y|X) = H(X,Y) - H(X), I = H(X) + H(Y) - H(X,Y),
plus the plug-in standard error sqrt((sum p ln^2 p - H^2) / N) and Good-Turing coverage 1 - f1/N.
"""
import json
import sys
import time

import numpy as np

SEED = 20240611

# name, number of possible values, Zipf exponent, text prefix. "user" has ~200k distinct values in 4M rows.
COLUMNS = [
    ("user", 220_000, 0.75, "u"),
    ("country", 40, 1.1, "c"),
    ("device", 8, 1.1, "d"),
    ("event", 10, 1.1, "e"),
]


def zipf_ids(rng, universe, exponent, rows):
    weights = 1.0 / np.power(np.arange(1, universe + 1, dtype=np.float64), exponent)
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, rng.random(rows), side="right"), universe - 1)


def generate(out, rows):
    rng = np.random.default_rng(SEED)
    columns = []
    for name, universe, exponent, prefix in COLUMNS:
        ids = zipf_ids(rng, universe, exponent, rows)
        # Shuffle the rank -> value mapping so that the frequent values are not simply the small numbers.
        labels = np.char.add(prefix, np.char.zfill(rng.permutation(universe).astype(str), 6))
        columns.append(labels[ids])
        print(f"  {name}: {len(np.unique(ids))} distinct values", file=sys.stderr)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(c[0] for c in COLUMNS) + "\n")
        chunk = 500_000
        for start in range(0, rows, chunk):
            parts = [c[start:start + chunk] for c in columns]
            f.write("\n".join(",".join(row) for row in zip(*parts)) + "\n")


def field_measures(counts, scipy_entropy):
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum()
    h = float(scipy_entropy(counts))  # natural log; normalises the counts itself
    p = counts / n
    lnp = np.log(p)
    variance = float(np.sum(p * (lnp + h) ** 2))  # Var of ln p, two-pass form
    return {
        "count": int(n),
        "distinct": int(len(counts)),
        "entropy": h,
        "standardError": float(np.sqrt(max(variance, 0.0) / n)),
        "coverage": float(1 - np.count_nonzero(counts == 1) / n),
    }


def profile(path, out, pairs):
    started = time.perf_counter()
    import pandas as pd
    from scipy.stats import entropy as scipy_entropy
    imported = time.perf_counter()
    names = [c[0] for c in COLUMNS]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, engine="c")
    loaded = time.perf_counter()
    result = {"rows": int(len(df)), "fields": [], "pairs": []}
    for name in names:
        counts = df[name].value_counts(sort=False).to_numpy()
        result["fields"].append({"name": name, **field_measures(counts, scipy_entropy)})
    for x, y in pairs:
        both = df[[x, y]]  # no missing values in this file, so every row has both
        joint = field_measures(both.value_counts(sort=False).to_numpy(), scipy_entropy)
        hx = float(scipy_entropy(both[x].value_counts(sort=False).to_numpy()))
        hy = float(scipy_entropy(both[y].value_counts(sort=False).to_numpy()))
        result["pairs"].append({
            "x": x,
            "y": y,
            "count": joint["count"],
            "distinctPairs": joint["distinct"],
            "joint": joint["entropy"],
            "jointStandardError": joint["standardError"],
            "entropyX": hx,
            "entropyY": hy,
            "conditionalYGivenX": joint["entropy"] - hx,
            "conditionalXGivenY": joint["entropy"] - hy,
            "mutualInformation": hx + hy - joint["entropy"],
        })
    computed = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    print(f"pandas_import_s={imported - started:.3f} pandas_read_csv_s={loaded - imported:.3f} "
          f"pandas_compute_s={computed - loaded:.3f}")


def compare(ours_path, theirs_path, tolerance=1e-9):
    with open(ours_path, encoding="utf-8") as f:
        ours = json.load(f)
    with open(theirs_path, encoding="utf-8") as f:
        theirs = json.load(f)
    failures = []
    worst = 0.0
    checked = 0

    def check(label, a, b, scale=0.0):
        # Relative to the value itself; a difference of entropies (conditional, MI) is also allowed 1e-9 of the
        # joint entropy it was computed from, since that is all the precision the subtraction can keep.
        nonlocal worst, checked
        checked += 1
        if isinstance(b, int) and not isinstance(b, bool):
            if a != b:
                failures.append(f"{label}: profile {a} != pandas {b}")
            return
        diff = abs(a - b)
        relative = diff / max(abs(a), abs(b)) if diff > 0 else 0.0
        worst = max(worst, relative)
        if diff > tolerance * max(abs(a), abs(b), scale):
            failures.append(f"{label}: profile {a!r} vs pandas {b!r} (relative {relative:.2e})")

    check("rows", ours["rows"], theirs["rows"])
    by_name = {f["name"]: f for f in ours["fields"]}
    for t in theirs["fields"]:
        o = by_name[t["name"]]
        for key in ("count", "distinct", "entropy", "standardError", "coverage"):
            check(f"field {t['name']}.{key}", o[key], t[key])
    by_pair = {(p["x"], p["y"]): p for p in ours["pairs"]}
    for t in theirs["pairs"]:
        o = by_pair[(t["x"], t["y"])]
        for key in ("count", "distinctPairs", "joint", "jointStandardError", "entropyX", "entropyY"):
            check(f"pair {t['x']},{t['y']}.{key}", o[key], t[key])
        for key in ("conditionalYGivenX", "conditionalXGivenY", "mutualInformation"):
            check(f"pair {t['x']},{t['y']}.{key}", o[key], t[key], scale=abs(t["joint"]))
    for failure in failures:
        print("MISMATCH " + failure)
    print(f"compared {checked} values; largest relative difference {worst:.2e}; "
          f"{'all agree' if not failures else str(len(failures)) + ' mismatches'} (tolerance {tolerance:g} relative)")
    return 0 if not failures else 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "generate":
        generate(argv[1], int(argv[2]))
        return 0
    if len(argv) >= 3 and argv[0] == "pandas":
        pairs = [tuple(a.split(",")) for a in argv[3:]]
        profile(argv[1], argv[2], pairs)
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
