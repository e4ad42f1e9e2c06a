#!/usr/bin/python3
"""
Generate src/render/colormap-tables.ts: colour tables of matplotlib's maps and
SAOImage ds9's built-in maps, as base64 RGB bytes.

    git -C <SAOImageDS9 clone> show HEAD:tksao/colorbar/default.C > /tmp/ds9-default.C
    /usr/bin/python3 scripts/make-colormaps.py /tmp/ds9-default.C > src/render/colormap-tables.ts

matplotlib (Debian python3-matplotlib): each map's own table (N entries, 256
for most; twilight has 510) as `cmap(np.arange(N), bytes=True)`, i.e. the
float table × 255 truncated, exactly what `cmap(x, bytes=True)` and imsave use.

ds9 (tksao/colorbar/default.C of github.com/SAOImageDS9/SAOImageDS9, commit
da5133a920ec78c9274142c58c2bb669c15bc21b): 256 entries computed the way
ds9 fills its colour cells (Colorbar::updateColorCells with count = 256; ds9
itself uses 2048, of which these are every 8th): SAOColorMap::getColorChar
(piecewise linear in float, truncated to a byte) for the .sao maps and
LUTColorMap::getRedChar (index i*size/count) for the .lut maps, with the C
float arithmetic emulated in numpy float32.
"""
import base64
import re
import sys

import numpy as np
import matplotlib
from matplotlib import colormaps

f32 = np.float32

MPL_MAPS = [
    'gray', 'viridis', 'plasma', 'inferno', 'magma', 'cividis', 'twilight', 'twilight_shifted', 'turbo',
    'hot', 'afmhot', 'gist_heat', 'cubehelix', 'coolwarm', 'bwr', 'seismic', 'Greys', 'jet',
    'cool', 'hsv', 'rainbow',
]
DS9_CLASSES = {
    # class name in default.C → ds9 name
    'GreyColorMap': 'grey', 'RedColorMap': 'red', 'GreenColorMap': 'green', 'BlueColorMap': 'blue',
    'AColorMap': 'a', 'BColorMap': 'b', 'BBColorMap': 'bb', 'HEColorMap': 'he', 'I8ColorMap': 'i8',
    'AIPSColorMap': 'aips0', 'SLSColorMap': 'sls', 'HSVColorMap': 'hsv', 'HeatColorMap': 'heat',
    'CoolColorMap': 'cool', 'RainbowColorMap': 'rainbow', 'StandardColorMap': 'standard',
    'StaircaseColorMap': 'staircase', 'ColorColorMap': 'color',
}
COUNT = 256


def mpl_table(name):
    cmap = colormaps[name]
    return np.asarray(cmap(np.arange(cmap.N), bytes=True))[:, :3].astype(np.uint8)


def to_byte(v):
    """(unsigned char)(float * UCHAR_MAX): float product, truncated."""
    return int(f32(f32(v) * f32(255)))


def sao_channel(points, i, count):
    # SAOColorMap::getColorChar
    x = f32(f32(i) / f32(count))
    head = 0
    tail = None
    while head < len(points) and points[head][0] < x:
        tail = head
        head += 1
    if tail is not None and head < len(points):
        (tx, ty), (hx, hy) = points[tail], points[head]
        m = f32(f32(hy - ty) / f32(hx - tx))
        if m:
            y = f32(f32(m * f32(x - tx)) + ty)
            return to_byte(y)
        return to_byte(hy)
    if tail is None and head < len(points):
        return to_byte(points[head][1])
    if tail is not None:
        return to_byte(points[tail][1])
    return 0


def lut_table(colors, count):
    size = len(colors)
    out = []
    for i in range(count):
        index = (i * size) // count  # int((ii*size/count) + .5) with integer division first
        out.append([to_byte(c) for c in colors[index]] if 0 <= index < size else [0, 0, 0])
    return np.array(out, dtype=np.uint8)


def staircase_colors():
    cols = []
    for r, g, b in ((.3, .3, 1), (.3, 1, .3), (1, .3, .3)):
        for ii in range(1, 6):
            kk = f32(ii / 5.0)  # float kk = ii/5.;
            cols.append((f32(kk * f32(r)), f32(kk * f32(g)), f32(kk * f32(b))))
    return cols


def hsv_colors():
    # HSVColorMap: float variables, double library calls.
    size = 200
    cols = []
    for i in range(size):
        frac = f32(1.0 - float(f32(f32(i) / f32(size - 1))))
        h = f32(float(frac) * 360.0 + 270.0)
        s = f32(abs(np.sin(float(frac) * 3.1416)))
        v = f32(pow(1.0 - float(frac), 1.0 / 3.0))
        while h >= 360.0:
            h = f32(float(h) - 360.0)
        h = f32(float(h) / 60.0)
        ii = int(h)
        fr = f32(h - f32(ii))
        p = f32(v * f32(f32(1) - s))
        q = f32(v * f32(f32(1) - f32(s * fr)))
        t = f32(float(v) * (1 - float(s) * (1.0 - float(fr))))
        cols.append({0: (v, t, p), 1: (q, v, p), 2: (p, v, t), 3: (p, q, v), 4: (t, p, v), 5: (v, p, q)}[ii])
    return cols


def parse_ds9(path):
    text = open(path).read()
    tables = {}
    for m in re.finditer(r'(\w+)::\1\(ColorbarBase\* p\) : (SAO|LUT)ColorMap\(p\)\s*\{(.*?)\n\}', text, re.S):
        cls, kind, body = m.group(1), m.group(2), m.group(3)
        if cls not in DS9_CLASSES:
            continue
        name = DS9_CLASSES[cls]
        if kind == 'SAO':
            chans = {'red': [], 'green': [], 'blue': []}
            for ch, x, y in re.findall(r'(red|green|blue)\.append\(new LIColor\(([-\d.]+),\s*([-\d.]+)\)\)', body):
                chans[ch].append((f32(float(x)), f32(float(y))))
            tables[name] = np.array(
                [[sao_channel(chans[c], i, COUNT) for c in ('red', 'green', 'blue')] for i in range(COUNT)], dtype=np.uint8)
        else:
            if name == 'staircase':
                colors = staircase_colors()
            elif name == 'hsv':
                colors = hsv_colors()
            else:
                colors = [tuple(f32(float(v)) for v in c) for c in
                          re.findall(r'new RGBColor\(([-\d.]+),\s*([-\d.]+),\s*([-\d.]+)\)', body)]
            tables[name] = lut_table(colors, COUNT)
    missing = set(DS9_CLASSES.values()) - set(tables)
    if missing:
        sys.exit(f'not found in {path}: {sorted(missing)}')
    return tables


def b64(table):
    return base64.b64encode(np.ascontiguousarray(table, dtype=np.uint8).tobytes()).decode('ascii')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ds9 = parse_ds9(sys.argv[1])
    out = []
    out.append('/**')
    out.append(' * GENERATED by scripts/make-colormaps.py — do not edit. Colour tables as base64')
    out.append(' * RGB bytes (N entries of 3 bytes): matplotlib %s maps (`cmap(arange(N), bytes=True)`),' % matplotlib.__version__)
    out.append(' * and SAOImage ds9 built-in maps (tksao/colorbar/default.C, commit da5133a9, 256 colour cells).')
    out.append(' */')
    out.append('')
    out.append('/** matplotlib colour tables by matplotlib name. */')
    out.append('export const MATPLOTLIB_TABLES: Record<string, string> = {')
    for name in MPL_MAPS:
        out.append(f"  {name}: '{b64(mpl_table(name))}',")
    out.append('};')
    out.append('')
    out.append('/** ds9 colour tables by ds9 name. */')
    out.append('export const DS9_TABLES: Record<string, string> = {')
    for name in DS9_CLASSES.values():
        out.append(f"  {name}: '{b64(ds9[name])}',")
    out.append('};')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
