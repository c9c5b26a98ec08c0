"""Trains a random forest on data/breast_cancer.csv and writes what mlops train-model collects.

mlops train-model runs this with MLOPS_PARAMS_FILE (params.yaml), MLOPS_SEED, MLOPS_METRICS_FILE and
MLOPS_MODEL_DIR set; run alone it falls back to the same defaults. The same seed gives the same split, the
same forest, the same metrics and a byte-identical model file.

    /usr/bin/python3 train.py
"""

import csv
import json
import os
import time
from pathlib import Path

import joblib
import numpy as np
import sklearn
import yaml
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split

seed = int(os.environ.get("MLOPS_SEED", "42"))
params = yaml.safe_load(Path(os.environ.get("MLOPS_PARAMS_FILE") or "params.yaml").read_text())
data_file = Path(os.environ.get("BREAST_CANCER_CSV", "data/breast_cancer.csv"))
model_dir = Path(os.environ.get("MLOPS_MODEL_DIR", "model"))
metrics_file = Path(os.environ.get("MLOPS_METRICS_FILE", "metrics.json"))

with data_file.open(newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)
features = header[:-1]
X = np.array([[float(v) for v in r[:-1]] for r in rows])
# The positive class is "malignant": the diagnosis the model must not miss.
y = np.array([1 if r[-1] == "malignant" else 0 for r in rows])

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=params["split"]["test_size"], random_state=seed, stratify=y
)
m = params["model"]
clf = RandomForestClassifier(
    n_estimators=m["n_estimators"],
    max_depth=m["max_depth"],
    min_samples_leaf=m["min_samples_leaf"],
    max_features=m["max_features"],
    class_weight=m["class_weight"],
    random_state=seed,
    n_jobs=1,
)
started = time.perf_counter()
clf.fit(X_train, y_train)
fit_seconds = time.perf_counter() - started

pred = clf.predict(X_test)
proba = clf.predict_proba(X_test)[:, 1]
metrics = {
    "accuracy": accuracy_score(y_test, pred),
    "precision": precision_score(y_test, pred),
    "recall": recall_score(y_test, pred),
    "f1": f1_score(y_test, pred),
    "roc_auc": roc_auc_score(y_test, proba),
    "log_loss": log_loss(y_test, proba),
    "data": {"train_rows": int(len(y_train)), "test_rows": int(len(y_test))},
}
metrics = {k: (round(float(v), 6) if not isinstance(v, dict) else v) for k, v in metrics.items()}

model_dir.mkdir(parents=True, exist_ok=True)
joblib.dump(clf, model_dir / "model.joblib")
(model_dir / "model-meta.json").write_text(
    json.dumps(
        {
            "flavor": "sklearn",
            "library": f"scikit-learn=={sklearn.__version__}",
            "estimator": "RandomForestClassifier",
            "features": features,
            "classes": ["benign", "malignant"],
            "positive_class": "malignant",
            "seed": seed,
        },
        indent=2,
    )
    + "\n"
)
metrics_file.parent.mkdir(parents=True, exist_ok=True)
metrics_file.write_text(json.dumps(metrics, indent=2) + "\n")
print(
    f"fit {m['n_estimators']} trees on {len(y_train)} rows in {fit_seconds:.2f} s: "
    f"accuracy {metrics['accuracy']}, f1 {metrics['f1']}, roc_auc {metrics['roc_auc']}"
)
