"""astropy peer for the WCS tests: reads a JSON list of cases on stdin, prints
results as JSON. Each case: {"cards": [80-char strings], "key": " ",
"pix": [[x, y, ...], ...]} (0-based pixels). Each result: {"ok": true,
"world": [...], "pix_back": [...]} with null for NaN, or {"ok": false,
"error": "..."} when astropy refuses the header.

Run with Debian's /usr/bin/python3 (astropy 5.2.1 on wcslib 7.12)."""
import json
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

warnings.simplefilter("ignore")


def nulls(a):
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in a]


def run(case):
    hdr = fits.Header.fromstring("".join(c.ljust(80) for c in case["cards"]))
    key = case.get("key", " ")
    try:
        w = WCS(hdr, key=key)
    except Exception as e:  # astropy refuses the header
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    pix = np.array(case["pix"], dtype=float).reshape(-1, w.naxis)
    try:
        world = w.all_pix2world(pix, 0)
    except Exception as e:
        return {"ok": False, "error": f"transform: {type(e).__name__}: {e}"}
    out = {"ok": True, "naxis": int(w.naxis), "world": nulls(world)}
    try:
        back = w.all_world2pix(np.nan_to_num(world, nan=0.0), 0, tolerance=1e-12, quiet=True)
        good = []
        for p, b, wr in zip(pix, back, world):
            if np.all(np.isfinite(wr)) and np.all(np.isfinite(b)) and np.all(np.abs(b - p) < 1e-7):
                good.append([float(v) for v in b])
            else:
                good.append(None)
        out["pix_back"] = good
    except Exception:
        out["pix_back"] = [None] * len(pix)
    return out


cases = json.load(sys.stdin)
json.dump([run(c) for c in cases], sys.stdout)
