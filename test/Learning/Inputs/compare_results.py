"""Compares two results.json of 'scnc-train test' run on different backends:
compare_results.py A B. Everything a run decides (predictions, truth, file
indices, labels, confusion matrix, accuracy) must be equal; prints the
accuracy and each file's evaluator."""
import json
import sys

a, b = (json.load(open(p)) for p in sys.argv[1:3])
for key in ("predictions", "truth", "file_index", "labels", "confusion",
            "accuracy", "correct", "total"):
    assert a[key] == b[key], "%s differs: %r against %r" % (key, a[key], b[key])
print("same predictions, confusion and accuracy (%g)" % a["accuracy"])
for r in (a, b):
    print("evaluator: %s" % r["protocol"]["evaluator"])
