#!/usr/bin/python3
"""Peers of bench/write.ts: astropy, fitsio and fpack writing the same data.

  /usr/bin/python3 bench/write.py make DIR        # input data (image.fits, table.fits)
  /usr/bin/python3 bench/write.py run DIR RUNS    # JSON: median wall and CPU seconds per tool and task
"""
import json, os, resource, subprocess, sys, time, warnings
import numpy as np
warnings.simplefilter('ignore')
from astropy.io import fits
import fitsio

def make(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(7)
    n = 4096
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    img = (1000 + 200 * np.sin(x / 700.0) * np.cos(y / 900.0) + rng.normal(0, 12, (n, n))).astype(np.float32)
    fits.PrimaryHDU(img).writeto(f'{d}/image.fits', overwrite=True)
    m = 1_000_000
    cols = [
        fits.Column('ID', 'K', array=np.arange(m, dtype=np.int64)),
        fits.Column('RA', 'D', array=rng.uniform(0, 360, m)),
        fits.Column('DEC', 'D', array=rng.uniform(-90, 90, m)),
        fits.Column('MAG', '5E', array=rng.normal(20, 2, (m, 5)).astype(np.float32)),
        fits.Column('FLAG', 'I', array=rng.integers(0, 100, m).astype(np.int16)),
        fits.Column('NAME', '8A', array=np.char.add('obj', (np.arange(m) % 100000).astype('U5'))),
    ]
    fits.BinTableHDU.from_columns(cols).writeto(f'{d}/table.fits', overwrite=True)

def cpu():
    """CPU seconds of this process (all threads) and of its finished children (fpack)."""
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime

def timed(fn, runs):
    ts, cs = [], []
    for _ in range(runs):
        c = cpu(); t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t); cs.append(cpu() - c)
    return [float(np.median(ts)), float(np.median(cs))]

def run(d, runs):
    img = fits.getdata(f'{d}/image.fits')
    tab = fits.getdata(f'{d}/table.fits')
    rec = np.asarray(tab)
    out = f'{d}/peer-out.fits'
    res = {}
    def rm():
        if os.path.exists(out): os.remove(out)
    res['astropy plain'] = timed(lambda: fits.PrimaryHDU(img).writeto(out, overwrite=True), runs)
    res['fitsio plain'] = timed(lambda: (rm(), fitsio.write(out, img, clobber=True)), runs)
    res['astropy rice q4'] = timed(lambda: fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img, compression_type='RICE_1', quantize_level=4)]).writeto(out, overwrite=True), runs)
    res['astropy gzip2 q4'] = timed(lambda: fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img, compression_type='GZIP_2', quantize_level=4)]).writeto(out, overwrite=True), runs)
    res['fitsio rice q4'] = timed(lambda: (rm(), fitsio.write(out, img, compress='RICE', qlevel=4, clobber=True)), runs)
    res['fitsio gzip2 q4'] = timed(lambda: (rm(), fitsio.write(out, img, compress='GZIP_2', qlevel=4, clobber=True)), runs)
    def fp(args):
        if os.path.exists(out + '.fz'): os.remove(out + '.fz')
        subprocess.run(['fpack', *args, '-O', out + '.fz', f'{d}/image.fits'], check=True)
    res['fpack rice q4'] = timed(lambda: fp(['-r', '-q', '4']), runs)
    res['fpack gzip2 q4'] = timed(lambda: fp(['-g2', '-q', '4']), runs)
    res['astropy table 1M'] = timed(lambda: fits.BinTableHDU(tab).writeto(out, overwrite=True), runs)
    res['fitsio table 1M'] = timed(lambda: (rm(), fitsio.write(out, rec, clobber=True)), runs)
    for p in (out, out + '.fz'):
        if os.path.exists(p): os.remove(p)
    print(json.dumps(res))

if __name__ == '__main__':
    if sys.argv[1] == 'make': make(sys.argv[2])
    else: run(sys.argv[2], int(sys.argv[3]))
