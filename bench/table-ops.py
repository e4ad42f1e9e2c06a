"""numpy / astropy half of bench/table-ops.ts: reads the raw columns the
TypeScript side wrote, times mask + argsort(kind='stable') + take, and astropy
Table filtering and sorting, and prints one JSON line of medians (ms)."""
import json
import os
import sys
import time

import numpy as np

directory, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = sys.argv[4].split(',') if len(sys.argv) > 4 else None
DTYPES = {
    'SOURCE_ID': '<i8', 'RA': '<f8', 'DEC': '<f8',
    'MAG_G': '<f4', 'MAG_R': '<f4', 'MAG_I': '<f4', 'MAG_Z': '<f4', 'MAG_Y': '<f4',
    'FLAGS': '<i2', 'NAME': 'S8', 'PARALLAX': '<f4',
}
cols = {k: np.fromfile(os.path.join(directory, k + '.bin'), dtype=v) for k, v in DTYPES.items() if names is None or k in names}
assert all(len(c) == n for c in cols.values())


def median_ms(f, k=runs):
    ts = []
    out = None
    for _ in range(k):
        t0 = time.perf_counter()
        out = f()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    m = len(ts) // 2
    return (ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2), out


mask_ms, mask = median_ms(lambda: cols['MAG_G'] < 20)
sub = {k: v[mask] for k, v in cols.items()}
argsort_ms, order = median_ms(lambda: np.argsort(sub['MAG_R'], kind='stable'))
take_ms, _ = median_ms(lambda: {k: v[order] for k, v in sub.items()})


def total():
    m = cols['MAG_G'] < 20
    s = {k: v[m] for k, v in cols.items()}
    o = np.argsort(s['MAG_R'], kind='stable')
    return {k: v[o] for k, v in s.items()}


total_ms, result = median_ms(total)


def total_numeric():
    m = cols['MAG_G'] < 20
    s = {k: v[m] for k, v in cols.items() if k != 'NAME'}
    o = np.argsort(s['MAG_R'], kind='stable')
    return {k: v[o] for k, v in s.items()}


total_numeric_ms, _ = median_ms(total_numeric)
ids = result['SOURCE_ID']
check = 0
step = max(1, len(ids) >> 10)
for i in range(0, len(ids), step):
    check ^= int(ids[i]) * (i + 1)

astropy_ms = None
try:
    from astropy.table import Table

    t = Table(cols, copy=False)

    def astro():
        t2 = t[t['MAG_G'] < 20]
        t2.sort('MAG_R')
        return t2

    astropy_ms, _ = median_ms(astro, max(3, runs // 2))
except Exception as e:  # astropy missing or failing: report numpy only
    print('astropy failed:', e, file=sys.stderr)

print(json.dumps({
    'mask': mask_ms, 'argsort': argsort_ms, 'take': take_ms, 'total': total_ms, 'total_numeric': total_numeric_ms,
    'astropy': astropy_ms, 'count': int(len(ids)), 'check': str(check),
    'numpy': np.__version__,
}))
