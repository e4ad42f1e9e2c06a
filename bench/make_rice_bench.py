#!/usr/bin/python3
"""Make the input of bench/rice-decode.ts: a synthetic 4096x4096 int16 sky image
(written by astropy), Rice-compressed by fpack with row tiles (4096 px) and with
32x32 tiles (1024 px), and each .fz's tiles dumped into a flat file:

    u32le ntiles, then per tile: u32le npix, u32le nbytes, bytes

Usage: /usr/bin/python3 bench/make_rice_bench.py [OUTDIR]   (default /tmp/fitsflow-bench)
Keep the outputs out of the repository (about 100 MB).
"""
import os
import struct
import subprocess
import sys

import numpy as np
from astropy.io import fits

out_dir = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fitsflow-bench'
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(4096)
n = 4096
# Sky background with read noise plus a few hundred stars: typical int16 CCD data.
img = 1000.0 + rng.normal(0.0, 12.0, (n, n))
yy, xx = np.mgrid[0:64, 0:64]
for _ in range(400):
    y, x = rng.integers(0, n - 64, 2)
    flux = rng.uniform(500, 20000)
    img[y:y + 64, x:x + 64] += flux * np.exp(-((yy - 32) ** 2 + (xx - 32) ** 2) / (2 * 2.5 ** 2))
img = np.clip(np.round(img), -32768, 32767).astype(np.int16)
raw = os.path.join(out_dir, 'sky_int16.fits')
fits.PrimaryHDU(img).writeto(raw, overwrite=True)

for name, tile_opt in (('rows', []), ('32x32', ['-t', '32,32'])):
    fz = os.path.join(out_dir, f'sky_int16_{name}.fits.fz')
    if os.path.exists(fz):
        os.remove(fz)
    subprocess.run(['fpack', '-r', *tile_opt, '-O', fz, raw], check=True)
    hdu = fits.open(fz, disable_image_compression=True)[1]
    assert hdu.header['ZCMPTYPE'] == 'RICE_1' and hdu.header['ZVAL1'] == 32 and hdu.header['ZVAL2'] == 2
    t1, t2 = hdu.header['ZTILE1'], hdu.header['ZTILE2']
    col = hdu.data['COMPRESSED_DATA']
    with open(os.path.join(out_dir, f'sky_int16_{name}.tiles'), 'wb') as f:
        f.write(struct.pack('<I', len(col)))
        for tile in col:
            b = np.asarray(tile, dtype=np.uint8).tobytes()
            f.write(struct.pack('<II', t1 * t2, len(b)))
            f.write(b)
    print(fz, os.path.getsize(fz), 'bytes,', len(col), 'tiles of', t1 * t2, 'px')
# The expected pixels, for the bench's correctness check.
img.astype('<i2').tofile(os.path.join(out_dir, 'sky_int16.raw'))
