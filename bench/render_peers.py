#!/usr/bin/python3
"""
Peers of bench/render.ts (Debian's python3: astropy 5.2.1, matplotlib 3.6.3, PIL).

  render_peers.py make DIR        write DIR/image.fits: 4096×4096 float32, sky 1000 ± 10 (gaussian),
                                  2000 gaussian stars, a few NaN
  render_peers.py run DIR ROUNDS  time each task ROUNDS times in this process; print JSON
                                  {task: {"ms": [...], "bytes": n}}

Tasks (what a Python user would write):
  imsave_gray    matplotlib.pyplot.imsave of the 8-bit picture, cmap='gray', vmin 0, vmax 255, origin='lower'
  pil_gray8      PIL Image.fromarray(uint8 picture, flipped).save(PNG) (compress_level 6, the default)
  imsave_viridis imsave of the stretched [0, 1] picture, cmap='viridis', origin='lower'
  pipeline_imsave    fits.getdata + ZScaleInterval + AsinhStretch + imsave(cmap='gray', origin='lower')
  pipeline_pil       fits.getdata + ZScaleInterval + AsinhStretch + np.round(255 s) → uint8 → PIL PNG (grey 8-bit)
"""
import json
import os
import sys
import time

import numpy as np


def make(d):
    from astropy.io import fits
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(2026)
    n = 4096
    img = rng.normal(1000.0, 10.0, (n, n)).astype(np.float32)
    yy, xx = np.mgrid[-12:13, -12:13]
    for _ in range(2000):
        y, x = rng.integers(12, n - 12, 2)
        flux, sigma = rng.uniform(50, 50000), rng.uniform(1.0, 3.0)
        img[y - 12:y + 13, x - 12:x + 13] += (flux * np.exp(-(xx ** 2 + yy ** 2) / (2 * sigma ** 2))).astype(np.float32)
    img[rng.integers(0, n, 50), rng.integers(0, n, 50)] = np.nan
    fits.writeto(os.path.join(d, 'image.fits'), img, overwrite=True)


def run(d, rounds):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from PIL import Image
    from astropy.io import fits
    from astropy.visualization import AsinhStretch, ZScaleInterval

    path = os.path.join(d, 'image.fits')
    data = fits.getdata(path).astype(np.float64)
    s = AsinhStretch()(ZScaleInterval()(data))
    u8 = np.round(255 * s)
    u8[np.isnan(u8)] = 0
    u8 = u8.astype(np.uint8)
    out = os.path.join(d, 'peer.png')

    def imsave_gray():
        plt.imsave(out, u8, cmap='gray', vmin=0, vmax=255, origin='lower')

    def pil_gray8():
        Image.fromarray(np.flipud(u8)).save(out)

    def imsave_viridis():
        plt.imsave(out, s, cmap='viridis', vmin=0, vmax=1, origin='lower')

    def pipeline_imsave():
        x = fits.getdata(path).astype(np.float64)
        plt.imsave(out, AsinhStretch()(ZScaleInterval()(x)), cmap='gray', vmin=0, vmax=1, origin='lower')

    def pipeline_pil():
        x = fits.getdata(path).astype(np.float64)
        v = np.round(255 * AsinhStretch()(ZScaleInterval()(x)))
        v[np.isnan(v)] = 0
        Image.fromarray(np.flipud(v.astype(np.uint8))).save(out)

    res = {}
    for name, f in [('imsave_gray', imsave_gray), ('pil_gray8', pil_gray8), ('imsave_viridis', imsave_viridis),
                    ('pipeline_imsave', pipeline_imsave), ('pipeline_pil', pipeline_pil)]:
        f()  # warm-up (imports, caches)
        ms = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            f()
            ms.append((time.perf_counter() - t0) * 1000)
        res[name] = {'ms': ms, 'bytes': os.path.getsize(out)}
    print(json.dumps(res))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'run':
        run(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
