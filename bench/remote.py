#!/usr/bin/python3
"""Inputs of bench/remote.ts: a synthetic 4096x4096 int16 sky image (astropy),
Rice tile-compressed by fpack with row tiles (fpack's default) and with
256x256 tiles.

Usage: /usr/bin/python3 bench/remote.py [OUTDIR]   (default /tmp/fitsflow-bench-remote)
"""
import os
import subprocess
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fitsflow-bench-remote'
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(4096)
n = 4096
img = 1000.0 + rng.normal(0.0, 12.0, (n, n))
yy, xx = np.mgrid[0:64, 0:64]
for _ in range(400):
    y, x = rng.integers(0, n - 64, 2)
    img[y:y + 64, x:x + 64] += rng.uniform(500, 20000) * np.exp(-((yy - 32) ** 2 + (xx - 32) ** 2) / (2 * 2.5 ** 2))
img = np.clip(np.round(img), -32768, 32767).astype(np.int16)
plain = os.path.join(out, 'sky_int16.fits')
fits.PrimaryHDU(img).writeto(plain, overwrite=True)
for name, args in (('sky_rows.fits.fz', []), ('sky_256.fits.fz', ['-t', '256,256'])):
    dst = os.path.join(out, name)
    if os.path.exists(dst):
        os.remove(dst)
    subprocess.run(['fpack', '-r', *args, '-O', dst, plain], check=True)
print('wrote', out)
