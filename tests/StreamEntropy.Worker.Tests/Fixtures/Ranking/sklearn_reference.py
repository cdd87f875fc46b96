"""Computes expected-mutual-information.json from features.csv with scikit-learn, independently of StreamEntropy.

sklearn.metrics.mutual_info_score(labels_true, labels_pred) is the plug-in (maximum-likelihood) mutual information of
the contingency table of two label vectors, in nats. Run offline once (Debian: apt-get install python3-sklearn; then
/usr/bin/python3 sklearn_reference.py); the output is checked in and the tests only read it, so CI never needs scikit-learn.
"""
import csv
import json

import sklearn
from sklearn.metrics import mutual_info_score

with open("features.csv", newline="") as f:
    rows = list(csv.DictReader(f))

target = "label"
features = [name for name in rows[0] if name != target]
values = {name: mutual_info_score([r[target] for r in rows], [r[name] for r in rows]) for name in features}
ranking = sorted(features, key=lambda name: (-values[name], name))

with open("expected-mutual-information.json", "w") as f:
    json.dump({
        "note": "sklearn.metrics.mutual_info_score(label, feature) over features.csv, plug-in estimator, in nats; "
                "computed offline by sklearn_reference.py with scikit-learn " + sklearn.__version__,
        "rows": len(rows),
        "target": target,
        "unit": "nats",
        "mutualInformation": {name: values[name] for name in features},
        "ranking": ranking,
    }, f, indent=2)
    f.write("\n")
