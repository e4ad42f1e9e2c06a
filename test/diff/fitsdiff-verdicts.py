"""Verdicts of astropy's FITSDiff for the pairs listed in a JSON file.

Input: [{"a": path, "b": path, "opts": {ignore_keywords: [...], rtol: ..., ...}}, ...]
Output (stdout): a JSON list of "identical" | "different" | "error: ..." in the same order.
Run with Debian's /usr/bin/python3 (astropy 5.2).
"""
import json
import sys
import warnings

from astropy.io import fits

warnings.simplefilter("ignore")
pairs = json.load(open(sys.argv[1]))
out = []
for p in pairs:
    try:
        d = fits.FITSDiff(p["a"], p["b"], **p.get("opts", {}))
        out.append("identical" if d.identical else "different")
    except Exception as e:  # astropy cannot read one of the files
        out.append("error: %s" % type(e).__name__)
print(json.dumps(out))
