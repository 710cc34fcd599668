"""Checks the accuracy in a results.json of 'scnc-train test' against a
bound: check_accuracy.py RESULTS [--min A] [--max A]."""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("results")
ap.add_argument("--min", type=float)
ap.add_argument("--max", type=float)
a = ap.parse_args()
acc = json.load(open(a.results))["accuracy"]
if a.min is not None:
    assert acc >= a.min, "accuracy %g below %g" % (acc, a.min)
    print("accuracy %g >= %g" % (acc, a.min))
if a.max is not None:
    assert acc <= a.max, "accuracy %g above %g" % (acc, a.max)
    print("accuracy %g <= %g" % (acc, a.max))
