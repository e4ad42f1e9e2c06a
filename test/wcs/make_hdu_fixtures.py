"""Build FITS files whose WCS needs more than a header, and astropy's answers.

Usage: /usr/bin/python3 make_hdu_fixtures.py OUTDIR
Writes into OUTDIR:
  hst_like.fits     SCI image: TAN-SIP + CPDIS lookup tables (WCSDVARR,1/2)
                    + D2IM tables (D2IMARR,1/2), as HST/ACS files carry them
  compressed.fits   a Rice tile-compressed image with a TAN WCS and alternate A
  events.fits       an event list (binary table) with TCTYP/TCRPX/... keywords
and prints JSON: {name: {"hdu": i, "key": k, "pix": [...], "world": [...],
"pix_back": [...]}} computed by astropy 5.2.1 (all_pix2world / all_world2pix, origin 0).
"""
import json
import os
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS, DistortionLookupTable, Sip

warnings.simplefilter("ignore")
out = sys.argv[1]
rng = np.random.default_rng(7)
result = {}


def points(w, nx, ny, key=" ", hdu=0, keysel=None, hdulist=None, name=""):
    xs = np.concatenate([rng.uniform(-50, nx + 50, 60), [0, nx - 1, 0.5 * nx]])
    ys = np.concatenate([rng.uniform(-50, ny + 50, 60), [0, ny - 1, 0.5 * ny]])
    pix = np.stack([xs, ys], axis=1)
    world = w.all_pix2world(pix, 0)
    back = w.all_world2pix(world, 0, tolerance=1e-12, quiet=True)
    good = [
        [float(v) for v in b] if np.all(np.isfinite(b)) and np.all(np.abs(b - p) < 1e-7) else None
        for p, b in zip(pix, back)
    ]
    result[name] = {
        "hdu": hdu,
        "key": key,
        "pix": pix.tolist(),
        "world": [[None if not np.isfinite(v) else float(v) for v in row] for row in world],
        "pix_back": good,
    }


# --- HST-like: SIP + CPDIS (WCSDVARR) + D2IM (D2IMARR) ----------------------
nx, ny = 400, 300
w = WCS(naxis=2)
w.wcs.ctype = ["RA---TAN-SIP", "DEC--TAN-SIP"]
w.wcs.crpix = [210.3, 145.7]
w.wcs.crval = [150.1, 2.2]
w.wcs.cd = [[-1.38e-5, 2.1e-6], [1.9e-6, 1.4e-5]]
a = np.zeros((4, 4))
b = np.zeros((4, 4))
a[2, 0], a[1, 1], a[0, 2], a[3, 0], a[0, 3] = 2.1e-6, -1.3e-6, 8.0e-7, 3e-10, -2e-10
b[2, 0], b[1, 1], b[0, 2], b[2, 1], b[0, 3] = -9.0e-7, 1.7e-6, 1.1e-6, 4e-10, 1e-10
w.sip = Sip(a, b, None, None, w.wcs.crpix)
tx = (rng.normal(0, 0.05, (30, 40))).astype(np.float32)
ty = (rng.normal(0, 0.05, (30, 40))).astype(np.float32)
w.cpdis1 = DistortionLookupTable(tx, (20.5, 15.5), (200.0, 150.0), (10.0, 10.0))
w.cpdis2 = DistortionLookupTable(ty, (20.5, 15.5), (200.0, 150.0), (10.0, 10.0))
d1 = rng.normal(0, 0.02, (1, nx)).astype(np.float32)
d2 = rng.normal(0, 0.02, (ny, 1)).astype(np.float32).T.copy()
w.det2im1 = DistortionLookupTable(np.repeat(d1, 2, axis=0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
w.det2im2 = DistortionLookupTable(np.repeat(d2, 2, axis=0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
hl = w.to_fits()
# to_fits() leaves SIP out unless relaxed; write it as HST files carry it.
for card in w.to_header(relax=True).cards:
    hl[0].header[card.keyword] = (card.value, card.comment)
hl[0].data = rng.normal(0, 1, (ny, nx)).astype(np.float32)
hl[0].header["RADESYS"] = "ICRS"
hl.writeto(os.path.join(out, "hst_like.fits"), overwrite=True)
with fits.open(os.path.join(out, "hst_like.fits")) as f:
    wr = WCS(f[0].header, f)
    points(wr, nx, ny, name="hst_like")

# --- Tile-compressed image with a WCS and an alternate ----------------------
h = fits.Header()
h["CTYPE1"], h["CTYPE2"] = "RA---TAN", "DEC--TAN"
h["CRPIX1"], h["CRPIX2"] = 100.5, 80.25
h["CRVAL1"], h["CRVAL2"] = 83.8, -5.39
h["CD1_1"], h["CD1_2"], h["CD2_1"], h["CD2_2"] = -2.8e-4, 1e-5, 1.2e-5, 2.8e-4
h["CTYPE1A"], h["CTYPE2A"] = "GLON-CAR", "GLAT-CAR"
h["CRPIX1A"], h["CRPIX2A"] = 1.0, 1.0
h["CRVAL1A"], h["CRVAL2A"] = 209.0, -19.4
h["CDELT1A"], h["CDELT2A"] = -2.8e-4, 2.8e-4
data = rng.integers(0, 1000, (160, 200)).astype(np.int32)
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(data, h, compression_type="RICE_1", tile_shape=(16, 200))]).writeto(
    os.path.join(out, "compressed.fits"), overwrite=True
)
with fits.open(os.path.join(out, "compressed.fits")) as f:
    points(WCS(f[1].header), 200, 160, hdu=1, name="compressed")
    points(WCS(f[1].header, key="A"), 200, 160, hdu=1, key="A", name="compressed_A")

# --- Event list with pixel-list keywords ------------------------------------
cols = [
    fits.Column(name="TIME", format="D", array=np.arange(50.0)),
    fits.Column(name="X", format="E", array=rng.uniform(0, 8000, 50)),
    fits.Column(name="Y", format="E", array=rng.uniform(0, 8000, 50)),
    fits.Column(name="PHA", format="J", array=rng.integers(0, 1000, 50)),
]
t = fits.BinTableHDU.from_columns(cols, name="EVENTS")
th = t.header
th["TCTYP2"], th["TCTYP3"] = "RA---TAN", "DEC--TAN"
th["TCRPX2"], th["TCRPX3"] = 4096.5, 4096.5
th["TCRVL2"], th["TCRVL3"] = 266.4, -28.94
th["TCDLT2"], th["TCDLT3"] = -1.366e-4, 1.366e-4
th["TCUNI2"], th["TCUNI3"] = "deg", "deg"
th["TP2_3"] = 0.01
fits.HDUList([fits.PrimaryHDU(), t]).writeto(os.path.join(out, "events.fits"), overwrite=True)
with fits.open(os.path.join(out, "events.fits")) as f:
    points(WCS(f[1].header, keysel=["pixel"]), 8000, 8000, hdu=1, name="events")

# --- -TAB: a 1-D spectral table (with index vector) and a 2-D celestial table
K = 40
wave_index = np.linspace(0.5, 40.5, K)
wave_coord = 5e-7 + 1e-9 * np.cumsum(rng.uniform(0.5, 1.5, K))
k1, k2 = 12, 9
ii, jj = np.meshgrid(np.arange(k1), np.arange(k2))
radec = np.stack([150.0 + 0.01 * ii + 0.0005 * jj ** 2, 2.0 + 0.012 * jj + 0.0003 * ii], axis=-1)  # (k2, k1, 2)
th = fits.Header()
th["WCSAXES"] = 3
th["CTYPE1"], th["CTYPE2"], th["CTYPE3"] = "RA---TAB", "DEC--TAB", "WAVE-TAB"
th["CRPIX1"], th["CRPIX2"], th["CRPIX3"] = 1.0, 1.0, 1.0
th["CRVAL1"], th["CRVAL2"], th["CRVAL3"] = 1.0, 1.0, 0.5
th["CDELT1"], th["CDELT2"], th["CDELT3"] = 1.0, 1.0, 1.0
th["CUNIT3"] = "m"
th["PS1_0"], th["PS1_1"] = "WCS-TAB", "RADEC"
th["PS2_0"], th["PS2_1"] = "WCS-TAB", "RADEC"
th["PV1_3"], th["PV2_3"] = 1, 2
th["PS3_0"], th["PS3_1"], th["PS3_2"] = "WCS-TAB", "WAVELENGTH", "WAVEINDEX"
tab = fits.BinTableHDU.from_columns(
    [
        fits.Column(name="RADEC", format=f"{2 * k1 * k2}D", dim=f"(2,{k1},{k2})", array=radec[np.newaxis]),
        fits.Column(name="WAVELENGTH", format=f"{K}D", dim=f"(1,{K})", array=wave_coord.reshape(1, K, 1)),
        fits.Column(name="WAVEINDEX", format=f"{K}D", array=wave_index.reshape(1, K)),
    ],
    name="WCS-TAB",
)
fits.HDUList([fits.PrimaryHDU(header=th), tab]).writeto(os.path.join(out, "tab.fits"), overwrite=True)
with fits.open(os.path.join(out, "tab.fits")) as f:
    wt = WCS(f[0].header, f)
    xs = np.concatenate([rng.uniform(-1, k1 + 1, 50), [0, k1 - 1]])
    ys = np.concatenate([rng.uniform(-1, k2 + 1, 50), [0, k2 - 1]])
    zs = np.concatenate([rng.uniform(-2, K + 2, 50), [0, K - 1]])
    pix = np.stack([xs, ys, zs], axis=1)
    world = wt.all_pix2world(pix, 0)
    back = wt.all_world2pix(np.nan_to_num(world), 0)
    good = [
        [float(v) for v in b] if np.all(np.isfinite(w)) and np.all(np.isfinite(b)) and np.all(np.abs(b - p) < 1e-7) else None
        for p, b, w in zip(pix, back, world)
    ]
    result["tab"] = {
        "hdu": 0,
        "key": " ",
        "pix": pix.tolist(),
        "world": [[None if not np.isfinite(v) else float(v) for v in row] for row in world],
        "pix_back": good,
    }

json.dump(result, sys.stdout)
