#!/usr/bin/env python3
"""Peer for `marsad train`/`eval`/`classify`: scikit-learn TfidfVectorizer(analyzer="char_wb",
ngram_range=(2, 5)) + LinearSVC (or LogisticRegression), one binary model per label, on the
same train/test files. Prints one JSON line: per-label binary macro-F1 (OSACT's metric) and F1,
and the time spent training and predicting.

Inputs are JSON lines {"text", "labels"} (what `marsad train --write-split` writes) or the
OSACT 2022 CSV (parsed line by line: Id first, four labels last, the tweet in between; the
file's row 7395 trap), chosen by extension.

Run in a venv outside the repository: python3 -m venv /tmp/venv-sklearn &&
/tmp/venv-sklearn/bin/pip install scikit-learn
"""
import argparse
import json
import re
import sys
import time


def read(path, labels):
    texts, ys = [], []
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                o = json.loads(line)
                texts.append(o["text"])
                ys.append([lab in o["labels"] for lab in labels])
        return texts, ys
    # OSACT 2022 CSV, line by line.
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            m = re.match(r"^([^,\t]*)[,\t](.*)$", line)
            rest = m.group(2)
            tail = []
            for _ in range(4):
                i = max(rest.rfind(","), rest.rfind("\t"))
                tail.insert(0, rest[i + 1:])
                rest = rest[:i]
            off, hate = tail[0], tail[1]
            text = rest
            if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
                text = text[1:-1].replace('""', '"')
            elif text.startswith('"'):
                text = text[1:]
            text = text.replace("<LF>", "\n")
            got = {"offensive": off.strip() == "OFF", "hate": hate.strip() != "NOT_HS"}
            texts.append(text)
            ys.append([got[lab] for lab in labels])
    return texts, ys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--labels", default="offensive,hate")
    ap.add_argument("--model", choices=["svc", "lr"], default="svc")
    ap.add_argument("--class-weight", default="none", choices=["none", "balanced"])
    a = ap.parse_args()
    labels = a.labels.split(",")
    t0 = time.perf_counter()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    t_import = time.perf_counter() - t0
    tr_x, tr_y = read(a.train, labels)
    te_x, te_y = read(a.test, labels)
    t1 = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    xtr = vec.fit_transform(tr_x)
    cw = None if a.class_weight == "none" else "balanced"
    models = []
    for k in range(len(labels)):
        y = [r[k] for r in tr_y]
        clf = LinearSVC(C=1.0, class_weight=cw) if a.model == "svc" else LogisticRegression(
            C=10.0, max_iter=2000, class_weight=cw)
        clf.fit(xtr, y)
        models.append(clf)
    t_train = time.perf_counter() - t1
    t2 = time.perf_counter()
    xte = vec.transform(te_x)
    preds = [m.predict(xte) for m in models]
    t_pred = time.perf_counter() - t2
    out = {"peer": f"sklearn char_wb(2,5)+{a.model}", "class_weight": a.class_weight,
           "train_examples": len(tr_x), "test_examples": len(te_x),
           "train_seconds": round(t_train, 3), "predict_seconds": round(t_pred, 3),
           "import_seconds": round(t_import, 3),
           "predict_per_second": round(len(te_x) / t_pred), "labels": {}}
    for k, lab in enumerate(labels):
        y = [r[k] for r in te_y]
        out["labels"][lab] = {
            "macro_f1": round(f1_score(y, preds[k], average="macro"), 4),
            "f1": round(f1_score(y, preds[k]), 4),
            "support": int(sum(y)),
        }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
