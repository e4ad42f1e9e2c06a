#!/usr/bin/python3
"""
Reference renderings by astropy.visualization, for test/render/astropy.test.ts.

Reads a JSON job from stdin:
  {"out": PATH, "cases": [{"file", "hdu", "plane", "interval", "stretch", "nan_from_funpack"?}, ...]}
and writes, for each case in order, the 8-bit picture (image row 0 first, i.e.
NOT flipped) to PATH, concatenated. Prints one JSON object: {"cases": [{"offset",
"ny", "nx", "min", "max", "native_over_one", "native_error"}]}.

What each case computes (the contract of `fitsflow png`):
  data  = astropy.io.fits data of HDU `hdu` (BZERO/BSCALE/BLANK applied by astropy),
          as float64 (`np.asarray(data, dtype=np.float64)`), plane `plane` of
          data.reshape(-1, ny, nx);
  limits = ZScaleInterval() | MinMaxInterval() | PercentileInterval(P) .get_limits(data),
  t     = interval(data) (astropy: subtract, divide unless max == min, clip to [0, 1]),
  s     = LinearStretch() | SqrtStretch() | LogStretch() | AsinhStretch() | ... (defaults) on t,
  level = np.round(255 * s) (half to even), NaN -> 0, as uint8.

"native": the same with the data in its own dtype (as `interval(data)` on
astropy's array); the number of pixels that differ from the float64 result by
more than one level is reported (astropy's limit arithmetic overflows in the
image's integer type, and runs in float32 for float32 images).

Images astropy 5.2.1 cannot read (ZCMPTYPE = 'NOCOMPRESS') are read with fitsio.

nan_from_funpack: pixels that CFITSIO's funpack restores as NaN are set to NaN
(the corpus reference's rule for ZBLANK-flagged quantized pixels that astropy
5.2.1 returns as finite values; see the corpus manifest). Needs funpack.
"""
import json
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.visualization import (AsinhStretch, LinearStretch, LogStretch, ManualInterval, MinMaxInterval,
                                   PercentileInterval, PowerDistStretch, PowerStretch, SinhStretch, SqrtStretch,
                                   SquaredStretch, ZScaleInterval, HistEqStretch)

warnings.simplefilter('ignore')


def interval_of(spec):
    if spec == 'minmax':
        return MinMaxInterval()
    if spec == 'zscale':
        return ZScaleInterval()
    if spec.startswith('percentile:'):
        return PercentileInterval(float(spec.split(':', 1)[1]))
    if spec.startswith('manual:'):
        lo, hi = (float(x) for x in spec.split(':', 1)[1].split(','))
        return ManualInterval(lo, hi)
    raise ValueError(spec)


def stretch_of(spec, data):
    name, _, arg = spec.partition(':')
    if name == 'linear':
        return LinearStretch()
    if name == 'sqrt':
        return SqrtStretch()
    if name == 'log':
        return LogStretch(float(arg)) if arg else LogStretch()
    if name == 'asinh':
        return AsinhStretch(float(arg)) if arg else AsinhStretch()
    if name == 'sinh':
        return SinhStretch(float(arg)) if arg else SinhStretch()
    if name == 'squared':
        return SquaredStretch()
    if name == 'power':
        return PowerStretch(float(arg))
    if name == 'powerdist':
        return PowerDistStretch(float(arg)) if arg else PowerDistStretch()
    if name == 'histeq':
        return HistEqStretch(data)
    raise ValueError(spec)


def levels(s):
    out = np.round(255.0 * s)
    out[np.isnan(out)] = 0
    return out.astype(np.uint8)


_cache = {}


def load(path, hdu, plane, nan_from_funpack):
    key = (path, hdu, plane, nan_from_funpack)
    if key in _cache:
        return _cache[key]
    try:
        with fits.open(path) as f:
            native = np.array(f[hdu].data)
    except ValueError:
        # astropy 5.2.1 cannot decompress ZCMPTYPE = 'NOCOMPRESS': CFITSIO's pixels.
        import fitsio
        native = fitsio.read(path, ext=hdu)
    if nan_from_funpack:
        import os, subprocess, tempfile
        with tempfile.TemporaryDirectory() as tmp:
            unpacked = os.path.join(tmp, 'unpacked.fits')
            subprocess.run(['funpack', '-O', unpacked, path], check=True)
            with fits.open(unpacked) as u:
                # funpack turns an empty primary + one compressed image into a primary image.
                idx = hdu if len(u) > hdu and u[hdu].data is not None else hdu - 1
                mask = np.isnan(np.asarray(u[idx].data, dtype=np.float64))
        native = native.astype(native.dtype if native.dtype.kind == 'f' else np.float64)
        native[mask] = np.nan
    ny, nx = native.shape[-2], native.shape[-1]
    native = native.reshape(-1, ny, nx)[plane]
    res = (native, np.asarray(native, dtype=np.float64))
    _cache.clear()
    _cache[key] = res
    return res


def main():
    job = json.load(sys.stdin)
    results = []
    offset = 0
    with open(job['out'], 'wb') as out:
        for c in job['cases']:
            native, data = load(c['file'], c['hdu'], c.get('plane', 0), c.get('nan_from_funpack', False))
            interval = interval_of(c['interval'])
            vmin, vmax = interval.get_limits(data)
            s = stretch_of(c['stretch'], data)(interval(data))
            lv = levels(s)
            out.write(np.ascontiguousarray(lv).tobytes())
            r = {'offset': offset, 'ny': int(data.shape[0]), 'nx': int(data.shape[1]), 'min': float(vmin), 'max': float(vmax)}
            offset += lv.size
            try:
                with np.errstate(all='ignore'):
                    ln = levels(stretch_of(c['stretch'], native)(interval(native)))
                r['native_over_one'] = int(np.sum(np.abs(ln.astype(int) - lv.astype(int)) > 1))
            except Exception as e:  # astropy failing on the native dtype is reported, not fatal
                r['native_error'] = f'{type(e).__name__}: {e}'
            results.append(r)
    json.dump({'cases': results}, sys.stdout)


if __name__ == '__main__':
    main()
