"""Random IRAF TNX and ZPX headers (WAT1_nnn/WAT2_nnn strings) and astropy's
(wcslib's) answers for them.

Usage: /usr/bin/python3 make_wat_headers.py SEED COUNT
Prints JSON: a list of {"cards": [80-character card images], and either
"error" (astropy refuses the header) or "pix", "world", "pix_back" (points as
in the shared corpus: origin 0, pix_back only where all_world2pix returns)}.
The strings mix Chebyshev, Legendre and monomial terms, every cross-term
type, zero coefficients inside the lists (wcspih's reader stops at one), and
ZPX projp parameters.
"""
import json
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

warnings.simplefilter("ignore")
seed, count = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(seed)


def card(key, value):
    if isinstance(value, str):
        return f"{key:<8}= '{value}'".ljust(80)[:80]
    return f"{key:<8}= {value!r:>20}".ljust(80)[:80]


def number(v, _sep):
    return repr(float(v))


def polystring(axis, kind, xo, yo, cross, span, zeros, sep):
    lo = -span * rng.uniform(0.5, 1.5)
    hi = span * rng.uniform(0.5, 1.5)
    ylo = -span * rng.uniform(0.5, 1.5)
    yhi = span * rng.uniform(0.5, 1.5)
    omax = max(xo, yo)
    coeffs = []
    for n in range(yo):
        for m in range(xo):
            if cross == 0 and m and n:
                continue
            if cross == 2 and m + n > omax - 1:
                continue
            c = 0.0 if rng.uniform() < zeros else rng.normal(0, 3e-4) / (1 + m + n) ** 2
            coeffs.append(c)
    vals = [f"{kind}.", f"{xo}.", f"{yo}.", f"{cross}.", number(lo, sep), number(hi, sep), number(ylo, sep), number(yhi, sep)] + [number(c, sep) for c in coeffs]
    name = "lngcor" if axis == 1 else "latcor"
    return f'{name} = "' + sep.join(vals) + ' "'


out = []
for k in range(count):
    ztype = "zpx" if rng.uniform() < 0.3 else "tnx"
    proj = "ZPX" if ztype == "zpx" else "TNX"
    # Single blanks, as IRAF writes: with doubled blanks wcspih misreads the
    # control numbers and overruns its record array (a crash, no reference).
    sep = " "
    zeros = 0.25 if rng.uniform() < 0.4 else 0.0
    scale = rng.uniform(0.1, 1.0) / 3600.0
    th = rng.uniform(0, 2 * np.pi)
    cd = scale * np.array([[-np.cos(th), np.sin(th)], [np.sin(th), np.cos(th)]])
    naxis1, naxis2 = 2048, 4096
    cards = [card("SIMPLE", True) if False else "SIMPLE  =                    T".ljust(80), card("BITPIX", -32), card("NAXIS", 2), card("NAXIS1", naxis1), card("NAXIS2", naxis2)]
    cards += [card("CTYPE1", f"RA---{proj}"), card("CTYPE2", f"DEC--{proj}")]
    cards += [card("CRVAL1", float(rng.uniform(0, 360))), card("CRVAL2", float(rng.uniform(-80, 80)))]
    cards += [card("CRPIX1", float(rng.uniform(0, naxis1))), card("CRPIX2", float(rng.uniform(0, naxis2)))]
    cards += [card("CD1_1", float(cd[0, 0])), card("CD1_2", float(cd[0, 1])), card("CD2_1", float(cd[1, 0])), card("CD2_2", float(cd[1, 1]))]
    span = max(naxis1, naxis2) * scale
    wats = []
    first_max = 9
    for axis in (1, 2):
        kind = int(rng.integers(1, 4))
        xo, yo = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        cross = int(rng.integers(0, 3))
        if axis == 1 and cross == 2:
            # wcspih applies axis 2's maximum order to axis 1's half cross terms;
            # a larger one there would overrun its record array.
            first_max = max(xo, yo)
        if axis == 2:
            xo, yo = min(xo, first_max), min(yo, first_max)
        text = f"wtype={ztype} axtype={'ra' if axis == 1 else 'dec'} "
        if ztype == "zpx" and axis == 2:
            text += "projp1=1.0 projp3=" + repr(float(rng.uniform(-0.3, 0.3))) + " "
        text += polystring(axis, kind, xo, yo, cross, span, zeros, sep)
        wats.append(text)
    for axis, text in zip((1, 2), wats):
        for m, start in enumerate(range(0, len(text), 68), start=1):
            cards.append(f"WAT{axis}_{m:03d}= '{text[start:start + 68]}'".ljust(80))
    h = fits.Header.fromstring("".join(cards), sep="")
    try:
        w = WCS(h)
        pix = np.column_stack([rng.uniform(-20, naxis1 + 20, 25), rng.uniform(-20, naxis2 + 20, 25)])
        world = w.all_pix2world(pix, 0)
        try:
            back = w.all_world2pix(np.nan_to_num(world), 0, tolerance=1e-12, quiet=True, maxiter=50)
        except Exception:
            back = np.full_like(world, np.nan)
        good = [[float(v) for v in b] if np.all(np.isfinite(b)) and np.all(np.abs(b - q) < 1e-7) and np.all(np.isfinite(wr)) else None
                for q, b, wr in zip(pix, back, world)]
        out.append({"cards": cards, "pix": pix.tolist(), "world": [[None if not np.isfinite(v) else float(v) for v in r] for r in world], "pix_back": good})
    except Exception as e:
        out.append({"cards": cards, "error": f"{type(e).__name__}: {str(e)[:200]}"})
json.dump(out, sys.stdout)
