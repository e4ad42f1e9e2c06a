#!/usr/bin/python3
"""Make the input of bench/gzip-quantize.ts: a 4096 x 4096 float32 image
(sky + noise + a few stars), compressed by CFITSIO's fpack as GZIP_2 with
row tiles and SUBTRACTIVE_DITHER_1 (q = 4), its tiles dumped to one binary
file, plus the SHA-256 of the image funpack decodes (NaNs as 0x7FC00000).
Also times astropy 5.2.1 reading the whole file, for comparison.

    /usr/bin/python3 bench/make_gzip2_bench_tiles.py [OUT_DIR]   (default /tmp/fitsflow-bench)

Dump layout (little-endian): "GZQ1", u32 ntiles, u32 npix per tile,
i32 ZDITHER0, 64 bytes of ASCII hex SHA-256; then per tile: f64 ZSCALE,
f64 ZZERO, u32 byte count, the COMPRESSED_DATA bytes.
"""
import hashlib
import os
import struct
import subprocess
import sys
import time

import numpy as np
from astropy.io import fits

out_dir = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fitsflow-bench'
os.makedirs(out_dir, exist_ok=True)
n = 4096
rng = np.random.default_rng(7)
img = 1000.0 + rng.normal(0.0, 10.0, (n, n))
yy, xx = np.mgrid[0:64, 0:64]
star = np.exp(-((yy - 32) ** 2 + (xx - 32) ** 2) / (2 * 2.5 ** 2))
for _ in range(400):
    y, x = rng.integers(0, n - 64, 2)
    img[y:y + 64, x:x + 64] += rng.uniform(100, 30000) * star
img = img.astype(np.float32)
raw = os.path.join(out_dir, 'bench.fits')
fz = raw + '.fz'
fits.PrimaryHDU(img).writeto(raw, overwrite=True)
if os.path.exists(fz):
    os.remove(fz)
subprocess.run(['fpack', '-g2', '-q42', '4', '-O', fz, raw], check=True)

t0 = time.perf_counter()
with fits.open(fz) as h:
    data = h[1].data
    data.sum()
astropy_ms = (time.perf_counter() - t0) * 1000
t0 = time.perf_counter()
ref = subprocess.run(['funpack', '-S', fz], capture_output=True, check=True).stdout
funpack_ms = (time.perf_counter() - t0) * 1000
import io
with fits.open(io.BytesIO(ref)) as h:
    pix = next(x.data for x in h if x.data is not None).astype('>f4')
bits = pix.view('>u4').copy()
bits[np.isnan(pix)] = 0x7FC00000
digest = hashlib.sha256(bits.tobytes()).hexdigest()

with fits.open(fz, disable_image_compression=True) as h:
    hdr, table = h[1].header, h[1].data
    assert hdr['ZCMPTYPE'] == 'GZIP_2' and hdr['ZTILE2'] == 1
    with open(os.path.join(out_dir, 'gzip2_f32_4096.tiles'), 'wb') as f:
        f.write(b'GZQ1' + struct.pack('<IIi', len(table), n, hdr['ZDITHER0']) + digest.encode())
        for i in range(len(table)):
            cell = bytes(table['COMPRESSED_DATA'][i])
            f.write(struct.pack('<ddI', table['ZSCALE'][i], table['ZZERO'][i], len(cell)) + cell)
print('file %s: %d bytes; astropy %.0f ms, funpack -S %.0f ms' % (fz, os.path.getsize(fz), astropy_ms, funpack_ms))
