#!/usr/bin/python3
"""Generate the 4096x4096 compressed images of bench/compressed-read.mjs (into /tmp, not the repo).

Usage: /usr/bin/python3 bench/compressed-make.py [outdir]   (default /tmp/fitsflow-bench-tiled)

A sky-like image: a smooth background, Gaussian noise and a few thousand stars,
as int16 (BZERO-free counts) and float32. Compressed with fpack (CFITSIO):
  rice_i16.fits.fz   fpack -r        RICE_1 int16, row tiles
  rice_f32.fits.fz   fpack -r -q 4   RICE_1 quantized float32 (SUBTRACTIVE_DITHER_1), row tiles
  gzip2_f32.fits.fz  fpack -g2 -q 4  GZIP_2 quantized float32, row tiles
  hcomp_i16.fits.fz  fpack -h        HCOMPRESS_1 lossless int16, 16-row tiles
"""
import os, subprocess, sys
import numpy as np
from astropy.io import fits

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fitsflow-bench-tiled'
os.makedirs(out, exist_ok=True)
n = 4096
rng = np.random.default_rng(20240611)
y, x = np.mgrid[0:n, 0:n].astype(np.float32)
sky = 1000 + 200 * np.sin(x / 700.0) * np.cos(y / 900.0)
img = sky + rng.normal(0, 12, (n, n)).astype(np.float32)
for _ in range(3000):
    cx, cy = rng.uniform(0, n, 2)
    amp = rng.lognormal(6, 1.2)
    x0, x1 = int(max(cx - 12, 0)), int(min(cx + 13, n))
    y0, y1 = int(max(cy - 12, 0)), int(min(cy + 13, n))
    yy, xx = np.mgrid[y0:y1, x0:x1]
    img[y0:y1, x0:x1] += amp * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 1.8 ** 2))
i16 = np.clip(img, -32768, 32767).astype(np.int16)
f32 = img.astype(np.float32)

fits.PrimaryHDU(i16).writeto(f'{out}/i16.fits', overwrite=True)
fits.PrimaryHDU(f32).writeto(f'{out}/f32.fits', overwrite=True)
jobs = [
    ('rice_i16.fits.fz', ['-r'], 'i16.fits'),
    ('rice_f32.fits.fz', ['-r', '-q', '4'], 'f32.fits'),
    ('gzip2_f32.fits.fz', ['-g2', '-q', '4'], 'f32.fits'),
    ('hcomp_i16.fits.fz', ['-h'], 'i16.fits'),
]
for name, args, src in jobs:
    dst = f'{out}/{name}'
    if os.path.exists(dst):
        os.remove(dst)
    subprocess.run(['fpack', *args, '-O', dst, f'{out}/{src}'], check=True)
    print(name, os.path.getsize(dst))
