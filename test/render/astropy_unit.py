#!/usr/bin/python3
"""
Reference values for test/render/render.test.ts, one process per batch.

stdin: {"in": PATH (float64 values), "out": PATH, "tasks": [task, ...]}; each task
reads `n` float64 values at element `offset` of IN and appends its result to OUT:
  {"kind": "interval", "spec": "minmax"|"zscale"|"percentile:P"|"asym:L,U", ...} -> 2 float64 (vmin, vmax)
  {"kind": "stretch", "spec": "log:10"|...}  -> n float64, stretch(values) (astropy clips to [0, 1] first)
  {"kind": "cmap", "name": NAME}             -> n*4 uint8, matplotlib colormaps[NAME](values, bytes=True)
  {"kind": "lupton", "width", "height", "minimum", "stretch", "Q"} -> IN holds r, g, b planes (3n values);
                                               make_lupton_rgb(r, g, b, ...) as n*3 uint8
"""
import json
import sys
import warnings

import numpy as np

warnings.simplefilter('ignore')

from astropy.visualization import (AsinhStretch, AsymmetricPercentileInterval, LinearStretch, LogStretch,  # noqa: E402
                                   MinMaxInterval, PercentileInterval, PowerDistStretch, PowerStretch, SinhStretch,
                                   SqrtStretch, SquaredStretch, ZScaleInterval, ContrastBiasStretch, make_lupton_rgb)


def interval(spec):
    if spec == 'minmax':
        return MinMaxInterval()
    if spec == 'zscale':
        return ZScaleInterval()
    if spec.startswith('percentile:'):
        return PercentileInterval(float(spec[11:]))
    if spec.startswith('asym:'):
        lo, hi = spec[5:].split(',')
        return AsymmetricPercentileInterval(float(lo), float(hi))
    raise ValueError(spec)


def stretch(spec):
    name, _, arg = spec.partition(':')
    a = [float(x) for x in arg.split(',')] if arg else []
    return {
        'linear': lambda: LinearStretch(*a), 'sqrt': SqrtStretch, 'squared': SquaredStretch,
        'power': lambda: PowerStretch(*a), 'powerdist': lambda: PowerDistStretch(*a), 'log': lambda: LogStretch(*a),
        'asinh': lambda: AsinhStretch(*a), 'sinh': lambda: SinhStretch(*a),
        'contrastbias': lambda: ContrastBiasStretch(*a),
    }[name]()


def main():
    job = json.load(sys.stdin)
    data = np.fromfile(job['in'], dtype=np.float64)
    with open(job['out'], 'wb') as out:
        for t in job['tasks']:
            v = data[t['offset']:t['offset'] + t['n']]
            if t['kind'] == 'interval':
                lo, hi = interval(t['spec']).get_limits(v)
                out.write(np.array([lo, hi], dtype=np.float64).tobytes())
            elif t['kind'] == 'stretch':
                out.write(np.asarray(stretch(t['spec'])(v.copy()), dtype=np.float64).tobytes())
            elif t['kind'] == 'cmap':
                from matplotlib import colormaps
                out.write(np.ascontiguousarray(colormaps[t['name']](v, bytes=True), dtype=np.uint8).tobytes())
            elif t['kind'] == 'lupton':
                n = t['n'] // 3
                shape = (t['height'], t['width'])
                r, g, b = (v[k * n:(k + 1) * n].reshape(shape) for k in range(3))
                rgb = make_lupton_rgb(r, g, b, minimum=t['minimum'], stretch=t['stretch'], Q=t['Q'])
                out.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())
            else:
                raise ValueError(t['kind'])


if __name__ == '__main__':
    main()
