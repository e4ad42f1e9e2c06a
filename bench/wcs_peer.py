"""astropy peer for bench/wcs.ts: times all_pix2world / all_world2pix on the
same 1,000,000 points, on request, so both libraries run interleaved in one
session on the same (noisy, shared) machine.

Protocol (stdin → stdout, one JSON object per line):
  {"case": NAME, "file": PATH}            → {"ok": true}        (load the WCS)
  {"run": NAME, "dir": "p2w"|"w2p"}       → {"ms": float}       (one timed call)
  {"check": NAME}                         → {"world": [[...]*8], "pix": [[...]*8]}
Points: x = (k mod 1000)·0.5, y = floor(k / 1000)·0.5 for k < 1,000,000 (0-based).
Run by bench/wcs.ts with Debian's /usr/bin/python3 (astropy 5.2.1, wcslib 7.12)."""
import json
import sys
import time
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

warnings.simplefilter("ignore")
N = 1_000_000
k = np.arange(N)
pix = np.stack([(k % 1000) * 0.5, (k // 1000) * 0.5], axis=1)
wcs = {}
world = {}
for line in sys.stdin:
    req = json.loads(line)
    if "case" in req:
        w = WCS(fits.getheader(req["file"]))
        wcs[req["case"]] = w
        world[req["case"]] = w.all_pix2world(pix, 0)
        out = {"ok": True}
    elif "run" in req:
        w = wcs[req["run"]]
        t = time.perf_counter()
        if req["dir"] == "p2w":
            w.all_pix2world(pix, 0)
        else:
            w.all_world2pix(world[req["run"]], 0)
        out = {"ms": (time.perf_counter() - t) * 1000}
    else:
        name = req["check"]
        sel = np.arange(0, N, N // 8)
        back = wcs[name].all_world2pix(world[name][sel], 0, tolerance=1e-12)
        out = {"world": world[name][sel].tolist(), "pix": back.tolist()}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
