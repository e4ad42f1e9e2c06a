#!/usr/bin/python3
"""Peer timings for bench/compressed-read.mjs: fitsio and astropy reading a
compressed image (open + read of HDU 1), whole and a 512x512 cutout.

Usage: /usr/bin/python3 bench/compressed-peers.py FILE RUNS Y0 X0
Prints one JSON object: per measurement {median, min, cpu} in milliseconds
(wall-clock median and minimum, median CPU time of the process).
"""
import json, sys, time, statistics, warnings
warnings.simplefilter('ignore')
import fitsio
from astropy.io import fits

path, runs, y0, x0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
y1, x1 = y0 + 512, x0 + 512


def median_ms(f):
    f()  # warm-up (imports, page cache)
    t, c = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        t.append((time.perf_counter() - t0) * 1000)
        c.append((time.process_time() - c0) * 1000)
    return {'median': statistics.median(t), 'min': min(t), 'cpu': statistics.median(c)}


def fitsio_full():
    with fitsio.FITS(path) as f:
        return f[1].read()


def fitsio_cut():
    with fitsio.FITS(path) as f:
        return f[1][y0:y1, x0:x1]


def astropy_full():
    with fits.open(path) as h:
        return h[1].data.copy()


def astropy_cut():
    # astropy 5.2.1 has no CompImageHDU.section: the whole image is decompressed.
    with fits.open(path) as h:
        return h[1].data[y0:y1, x0:x1].copy()


print(json.dumps({
    'fitsio': median_ms(fitsio_full),
    'fitsio_cut': median_ms(fitsio_cut),
    'astropy': median_ms(astropy_full),
    'astropy_cut': median_ms(astropy_cut),
}))
