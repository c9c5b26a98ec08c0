"""Writes data/breast_cancer.csv from the Wisconsin Diagnostic Breast Cancer data set that ships inside
scikit-learn (Debian package python3-sklearn: sklearn/datasets/data/breast_cancer.csv, loaded by
sklearn.datasets.load_breast_cancer; no download). Run it once; the CSV is committed so validate-data, the
data fingerprint and training all see the same bytes.

    /usr/bin/python3 prepare_data.py
"""

from pathlib import Path

from sklearn.datasets import load_breast_cancer


def main() -> None:
    ds = load_breast_cancer(as_frame=False)
    columns = [name.replace(" ", "_") for name in ds.feature_names] + ["diagnosis"]
    out = Path(__file__).parent / "data" / "breast_cancer.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        f.write(",".join(columns) + "\n")
        for row, target in zip(ds.data, ds.target):
            values = [repr(float(v)) for v in row] + [str(ds.target_names[target])]
            f.write(",".join(values) + "\n")
    print(f"{out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}: {len(ds.data)} rows")


if __name__ == "__main__":
    main()
