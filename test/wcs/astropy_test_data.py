"""Reference points for the WCS test headers and files that astropy itself ships
(astropy/wcs/tests/data: real instrument headers -- HST with SIP and lookup
tables, DSS plate solutions, Chandra pixel lists, IRAC SIP, TPV, -TAB -- plus
the maps/ (every projection) and spectra/ (every spectral type) headers).

Usage: python3 astropy_test_data.py OUTDIR
Copies the files into OUTDIR (gunzipping *.gz) and prints JSON: for each
"<file>[<hdu>]", either {"error": ...} where astropy refuses WCS(header,
hdulist), or 30 pixel points with astropy's all_pix2world(origin=0) and the
all_world2pix round trip (points kept only where it converges back).
"""
import gzip, json, os, shutil, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
import astropy.wcs.tests
from astropy.io import fits
from astropy.wcs import WCS

out_dir = sys.argv[1]
data = os.path.join(os.path.dirname(astropy.wcs.tests.__file__), 'data')
names = []
for sub in ('', 'maps', 'spectra'):
    d = os.path.join(data, sub)
    for name in sorted(os.listdir(d)):
        src = os.path.join(d, name)
        if not os.path.isfile(src) or not (name.endswith('.hdr') or name.endswith('.fits') or name.endswith('.fits.gz')):
            continue
        dst_name = (sub + '_' if sub else '') + name.removesuffix('.gz')
        dst = os.path.join(out_dir, dst_name)
        if name.endswith('.gz'):
            with gzip.open(src, 'rb') as f, open(dst, 'wb') as g:
                shutil.copyfileobj(f, g)
        else:
            shutil.copyfile(src, dst)
        names.append(dst_name)

out = {}
rng = np.random.default_rng(3)
for name in names:
    p = os.path.join(out_dir, name)
    if name.endswith('.hdr'):
        txt = open(p, 'rb').read().decode('latin-1')
        sep = '\n' if txt.count('\n') > 2 else ''
        hl = None
        hdus = [(0, fits.Header.fromstring(txt, sep=sep))]
    else:
        hl = fits.open(p)
        hdus = [(i, x.header) for i, x in enumerate(hl)]
    for i, h in hdus:
        key = f'{name}[{i}]'
        try:
            w = WCS(h, hl)
        except Exception as e:
            out[key] = {'error': f'{type(e).__name__}: {str(e)[:200]}'}
            continue
        if w.naxis == 0:
            continue
        shape = [h.get(f'NAXIS{k + 1}', 0) or 600 for k in range(w.naxis)] if w.naxis <= 2 else [600] * w.naxis
        pix = rng.uniform(-20, 1, (30, w.naxis)) + rng.uniform(0, 1, (30, w.naxis)) * np.array(shape, dtype=float)
        world = w.all_pix2world(pix, 0)
        try:
            back = w.all_world2pix(np.nan_to_num(world), 0, tolerance=1e-12, quiet=True)
        except Exception:
            back = np.full_like(world, np.nan)
        good = [[float(v) for v in b] if np.all(np.isfinite(b)) and np.all(np.abs(b - q) < 1e-7) and np.all(np.isfinite(wr)) else None
                for q, b, wr in zip(pix, back, world)]
        out[key] = {'naxis': w.naxis, 'pix': pix.tolist(),
                    'world': [[None if not np.isfinite(v) else float(v) for v in r] for r in world],
                    'pix_back': good}
json.dump(out, sys.stdout)
