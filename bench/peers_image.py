"""astropy and fitsio timings for the image-read benchmark: prints JSON {name: [ms, ...]}."""
import json
import sys
import time

import numpy as np
from astropy.io import fits
import fitsio

path, runs = sys.argv[1], int(sys.argv[2])
y0, x0, n = 1000, 1200, 512
res = {}


def timed(name, fn):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    res[name] = ts


def astropy_full():
    with fits.open(path, memmap=False) as f:
        d = f[0].data
        d = d.astype(d.dtype.newbyteorder("="), copy=False)  # materialise in native order
        d[0, 0]


def astropy_cut():
    with fits.open(path) as f:  # memmap (default) + section: reads only the rows
        f[0].section[y0:y0 + n, x0:x0 + n]


def fitsio_full():
    d = fitsio.read(path)
    d[0, 0]


def fitsio_cut():
    with fitsio.FITS(path) as f:
        f[0][y0:y0 + n, x0:x0 + n]


timed("astropy full", astropy_full)
timed("fitsio full", fitsio_full)
timed("astropy cutout", astropy_cut)
timed("fitsio cutout", fitsio_cut)
print(json.dumps(res))
