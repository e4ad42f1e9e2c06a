"""Images for the cutout tests, and astropy Cutout2D's answers.

Usage: /usr/bin/python3 make_cutout_fixtures.py OUTDIR
Writes plain.fits (float32 1500x1200 image, TAN-SIP WCS, FK5 J2000, an alternate
GLON-CAR WCS), compressed.fits (the same pixels, Rice tiles of 64x64 in HDU 1)
hst_like.fits (with WCSDVARR/D2IMARR lookup tables) and dss.fits (astropy's DSS
test image: a plate solution), and prints JSON with,
for each request, Cutout2D's data shape, origin and the cutout's pixel →
world mapping at sample points (computed from the ORIGINAL WCS at the shifted
pixels, which is what the cutout's WCS must reproduce)."""
import json
import os
import sys
import warnings

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.nddata import Cutout2D
from astropy.wcs import WCS, DistortionLookupTable, Sip

warnings.simplefilter("ignore")
out = sys.argv[1]
rng = np.random.default_rng(11)
ny, nx = 1200, 1500
data = rng.normal(100, 5, (ny, nx)).astype(np.float32)

h = fits.Header()
h["CTYPE1"], h["CTYPE2"] = "RA---TAN-SIP", "DEC--TAN-SIP"
h["CRPIX1"], h["CRPIX2"] = 700.5, 610.25
h["CRVAL1"], h["CRVAL2"] = 150.1, 2.2
h["CD1_1"], h["CD1_2"], h["CD2_1"], h["CD2_2"] = -5.5e-5, 3e-6, 2.9e-6, 5.5e-5
h["RADESYS"], h["EQUINOX"] = "FK5", 2000.0
h["A_ORDER"], h["B_ORDER"] = 2, 2
h["A_2_0"], h["A_1_1"], h["A_0_2"] = 2.1e-6, -1.0e-6, 7e-7
h["B_2_0"], h["B_1_1"], h["B_0_2"] = -8e-7, 1.5e-6, 9e-7
h["CTYPE1A"], h["CTYPE2A"] = "GLON-CAR", "GLAT-CAR"
h["CRPIX1A"], h["CRPIX2A"] = 1.0, 1.0
h["CRVAL1A"], h["CRVAL2A"] = 236.8, 42.1
h["CDELT1A"], h["CDELT2A"] = -5.5e-5, 5.5e-5
h["OBJECT"] = "COSMOS-ish"
h["BUNIT"] = "adu"
fits.PrimaryHDU(data, h).writeto(os.path.join(out, "plain.fits"), overwrite=True)
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(data, h, compression_type="RICE_1", tile_shape=(64, 64), quantize_level=16)]).writeto(
    os.path.join(out, "compressed.fits"), overwrite=True
)

# HST-like: TAN + CPDIS + D2IM lookup tables.
w = WCS(naxis=2)
w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
w.wcs.crpix = [700.5, 610.25]
w.wcs.crval = [150.1, 2.2]
w.wcs.cd = [[-5.5e-5, 3e-6], [2.9e-6, 5.5e-5]]
w.cpdis1 = DistortionLookupTable(rng.normal(0, 0.2, (40, 50)).astype(np.float32), (25.5, 20.5), (750.0, 600.0), (30.0, 30.0))
w.cpdis2 = DistortionLookupTable(rng.normal(0, 0.2, (40, 50)).astype(np.float32), (25.5, 20.5), (750.0, 600.0), (30.0, 30.0))
w.det2im1 = DistortionLookupTable(np.repeat(rng.normal(0, 0.05, (1, nx)), 2, axis=0).astype(np.float32), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
hl = w.to_fits()
hl[0].data = data
hl.writeto(os.path.join(out, "hst_like.fits"), overwrite=True)

# A DSS plate solution (astropy's own test image): wcslib rebuilds the WCS from
# CNPIXj, so a cutout must shift the plate corner.
import astropy.wcs.tests
import gzip
import shutil
dss = os.path.join(os.path.dirname(astropy.wcs.tests.__file__), "data", "dss.14.29.56-62.41.05.fits.gz")
with gzip.open(dss, "rb") as f, open(os.path.join(out, "dss.fits"), "wb") as g:
    shutil.copyfileobj(f, g)

requests = [
    {"file": "plain.fits", "hdu": 0, "ra": 150.1, "dec": 2.2, "size_arcsec": [40.0, 60.0], "frame": "icrs"},
    {"file": "plain.fits", "hdu": 0, "ra": 150.135, "dec": 2.17, "size_arcsec": [90.0, 90.0], "frame": "icrs"},
    {"file": "plain.fits", "hdu": 0, "ra": 150.06, "dec": 2.232, "size_arcsec": [30.0, 30.0], "frame": "icrs"},
    {"file": "compressed.fits", "hdu": 1, "ra": 150.11, "dec": 2.21, "size_arcsec": [50.0, 50.0], "frame": "icrs"},
    {"file": "hst_like.fits", "hdu": 0, "ra": 150.09, "dec": 2.19, "size_arcsec": [45.0, 35.0], "frame": "icrs"},
    {"file": "dss.fits", "hdu": 0, "ra": 217.49, "dec": -62.68, "size_arcsec": [60.0, 45.0], "frame": "icrs"},
]
res = []
for r in requests:
    with fits.open(os.path.join(out, r["file"])) as f:
        hdu = f[r["hdu"]]
        wcs = WCS(hdu.header, f)
        pos = SkyCoord(r["ra"] * u.deg, r["dec"] * u.deg, frame=r["frame"])
        c = Cutout2D(hdu.data, pos, u.Quantity(r["size_arcsec"], u.arcsec), wcs=wcs)
        ys, xs = np.mgrid[0 : c.shape[0] : 7, 0 : c.shape[1] : 7]
        pix = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(float)
        ox, oy = c.origin_original
        world = wcs.all_pix2world(pix + [ox, oy], 0)
        res.append(
            {
                **r,
                "shape": list(c.shape),
                "origin": [int(ox), int(oy)],
                "pix": pix.tolist(),
                "world": world.tolist(),
                "checksum": float(np.sum(c.data.astype(np.float64))),
            }
        )
json.dump(res, sys.stdout)
