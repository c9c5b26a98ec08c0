#!/usr/bin/python3
"""Makes test/fixtures/drift-vectors.json: drift statistics computed by scipy/numpy on seeded samples.

Run with Debian's python3-scipy: /usr/bin/python3 scripts/drift-vectors.py
The committed JSON lets the tests run without Python. Definitions follow Evidently: PSI and Jensen-Shannon
on Sturges bins of the combined data (numerical, > 20 unique reference values) or one bin per value,
Wasserstein normed by the reference's population std (floored at 0.001), chi-square with expected counts
scaled by n_cur/n_ref.
"""
import json
import pathlib

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261122)
out = {"scipy": scipy.__version__, "numpy": np.__version__, "ks": [], "wasserstein": [], "binned": [], "chi2": [], "z": []}


def r(x):
    return [float(v) for v in np.round(x, 6)]


def ks_case(name, a, b):
    a, b = np.array(r(a)), np.array(r(b))
    res = stats.ks_2samp(a, b)
    out["ks"].append({"name": name, "a": list(a), "b": list(b), "statistic": float(res.statistic), "pvalue": float(res.pvalue)})


ks_case("equal n, small shift", rng.normal(0, 1, 60), rng.normal(0.3, 1, 60))
ks_case("unequal n", rng.normal(0, 1, 80), rng.normal(0.2, 1.2, 130))
ks_case("ties (integers)", rng.integers(0, 8, 200), rng.integers(1, 9, 150))
ks_case("no drift", rng.normal(0, 1, 500), rng.normal(0, 1, 700))
ks_case("strong drift", rng.normal(0, 1, 300), rng.normal(1.5, 1, 400))
ks_case("asymptotic, large n", rng.normal(0, 1, 12000), rng.normal(0.02, 1, 11000))
ks_case("asymptotic, en ~ 100", rng.normal(0, 1, 100), rng.normal(0.1, 1, 10500))
ks_case("asymptotic, en ~ 300", rng.normal(0, 1, 305), rng.normal(0.0, 1, 12000))
ks_case("asymptotic, big D", rng.normal(0, 1, 400), rng.normal(0.8, 1, 11000))


def w_case(name, a, b):
    a, b = np.array(r(a)), np.array(r(b))
    w = stats.wasserstein_distance(a, b)
    out["wasserstein"].append({"name": name, "a": list(a), "b": list(b), "distance": float(w), "normed": float(w / max(np.std(a), 0.001))})


w_case("shift", rng.normal(0, 1, 400), rng.normal(0.5, 1, 300))
w_case("scale", rng.exponential(2, 250), rng.exponential(3, 350))
w_case("constant reference", np.full(50, 3.0), rng.normal(3, 0.01, 80))


def binned(a, b, categorical):
    a, b = np.asarray(a), np.asarray(b)
    if not categorical and len(np.unique(a)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([a, b]), bins="sturges")
        p = np.histogram(a, bins)[0] / len(a)
        q = np.histogram(b, bins)[0] / len(b)
        edges = [float(e) for e in bins]
    else:
        keys = sorted(set(a.tolist()) | set(b.tolist()))
        p = np.array([np.sum(a == k) for k in keys]) / len(a)
        q = np.array([np.sum(b == k) for k in keys]) / len(b)
        edges = None
    return p, q, edges


def fill(x):
    x = x.copy()
    m = min(x[x != 0])
    np.place(x, x == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return x


def b_case(name, a, b, categorical=False):
    if not categorical:
        a, b = np.array(r(a)), np.array(r(b))
    p, q, edges = binned(a, b, categorical)
    pf, qf = fill(p), fill(q)
    psi = float(np.sum((pf - qf) * np.log(pf / qf)))
    js = float(distance.jensenshannon(p, q))
    out["binned"].append({"name": name, "categorical": categorical, "a": list(a) if categorical else list(a), "b": list(b),
                          "edges": edges, "refShares": [float(v) for v in p], "curShares": [float(v) for v in q], "psi": psi, "js": js})


b_case("numeric shift", rng.normal(0, 1, 1000), rng.normal(0.3, 1, 800))
b_case("numeric with empty bins", np.concatenate([rng.normal(0, 1, 500), [9.0]]), rng.normal(4, 1, 500))
b_case("few values", rng.integers(0, 5, 300).astype(float), rng.integers(0, 6, 200).astype(float))
b_case("categories", list(rng.choice(["a", "b", "c", "d"], 400, p=[0.4, 0.3, 0.2, 0.1])), list(rng.choice(["a", "b", "c", "e"], 300, p=[0.25, 0.25, 0.25, 0.25])), True)


def chi_case(name, ref, cur):
    ref, cur = np.array(ref, float), np.array(cur, float)
    exp = ref * cur.sum() / ref.sum()
    res = stats.chisquare(cur, exp)
    out["chi2"].append({"name": name, "ref": list(ref), "cur": list(cur), "statistic": float(res.statistic), "pvalue": float(res.pvalue)})


chi_case("three categories", [120, 80, 50], [100, 95, 60])
chi_case("strong", [500, 300, 200, 100], [200, 300, 300, 300])
chi_case("tiny p", [5000, 3000, 2000], [2000, 3000, 5000])


def z_case(name, h1, n1, h2, n2):
    p1, p2 = h1 / n1, h2 / n2
    p = (h1 + h2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    out["z"].append({"name": name, "refHits": h1, "nRef": n1, "curHits": h2, "nCur": n2, "statistic": float(z), "pvalue": float(2 * stats.norm.sf(abs(z)))})


z_case("similar", 300, 1000, 320, 1000)
z_case("different", 300, 1000, 450, 900)
z_case("far tail", 100, 1000, 600, 1000)

pathlib.Path(__file__).resolve().parent.parent.joinpath("test/fixtures/drift-vectors.json").write_text(json.dumps(out) + "\n")
print("wrote test/fixtures/drift-vectors.json")
