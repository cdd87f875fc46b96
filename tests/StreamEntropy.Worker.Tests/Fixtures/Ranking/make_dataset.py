"""Writes features.csv: 2 000 rows of a 3-class label and 8 features of different dependence on it.

Run once with the standard library only (python3 make_dataset.py); the CSV is checked in, so tests never run this.
"""
import csv
import random

rng = random.Random(20261205)
LABELS = ["a", "b", "c"]
BANDS = ["18-25", "26-40", "41-60", "60+"]
COUNTRIES = ["DE", "FR", "IT", "ES", "PL"]
DEVICES = ["ios", "android", "web"]


def follow(label, share, choices):
    """choices[index of label] with probability share, else a uniform draw from choices."""
    return choices[LABELS.index(label)] if rng.random() < share else rng.choice(choices)


rows = []
for _ in range(2000):
    label = rng.choices(LABELS, weights=[5, 3, 2])[0]
    band = follow(label, 0.7, BANDS)
    rows.append({
        "label": label,
        "leak": "L_" + label,                                           # a copy: I = H(label)
        "user.age_band": band,                                          # strong
        "device": follow(label, 0.4, DEVICES),                          # moderate
        "user.tier": "gold" if band in ("41-60", "60+") and rng.random() < 0.8 else "basic",  # through age_band only
        "weak": follow(label, 0.1, ["p", "q", "r", "s"]),               # weak
        "user.country": rng.choice(COUNTRIES),                          # independent
        "session": "s%03d" % rng.randrange(400),                        # independent, 400 values: plug-in bias only
        "constant": "k",                                                # I = 0
    })

with open("features.csv", "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
