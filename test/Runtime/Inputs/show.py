"""Prints what scnc-run -o wrote (runtime lit tests): for each .npy file
its name, dtype and shape, then its rows ('%g' values, at most argv[1]);
for summary.json its keys and layers."""
import json
import os
import sys

import numpy as np

n = int(sys.argv[1])
for path in sys.argv[2:]:
    name = os.path.basename(path)
    if name.endswith(".json"):
        with open(path) as f:
            j = json.load(f)
        print("%s: network %s, mode %s, dt_ms %g, ticks %d, duration_ms %g, "
              "synaptic_events %d, neuron_updates %d" %
              (name, j["network"], j["mode"], j["dt_ms"], j["ticks"],
               j["duration_ms"], j["synaptic_events"], j["neuron_updates"]))
        for l in j["layers"]:
            print("  %s %s neurons %d spikes %d rate_hz %g voltages %s" %
                  (l["name"], l["kind"], l["neurons"], l["spikes"],
                   l["rate_hz"], l["voltages_recorded"]))
        continue
    a = np.load(path)
    print("%s: %s %s" % (name, a.dtype, a.shape))
    for row in a[:n]:
        print("  " + " ".join("%g" % v for v in row))
