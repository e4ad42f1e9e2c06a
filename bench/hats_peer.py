"""The pandas + healpy peer of bench/hats.ts: the same HATS partitioning of the
same FITS table, as a user would script it.

    /usr/bin/python3 bench/hats_peer.py IN.fits OUTDIR MAX_ROWS

astropy reads the table into pandas; healpy computes _healpix_29; a histogram
at order 10 is aligned into partitions of at most MAX_ROWS rows exactly as
hats' generate_alignment does; rows are sorted by _healpix_29 (which groups
them by partition) and each partition is written to
OUTDIR/dataset/Norder=k/Dir=d/Npix=n.npy, with skymap.fits and
partition_info.csv. Debian has neither pyarrow nor fastparquet, so pandas
cannot write Parquet here: partitions are written with numpy.save (a raw
copy), a lower bound of what DataFrame.to_parquet would cost. Everything is
in memory (no bounded-memory mode). Prints JSON: seconds, peak RSS, counts.
"""
import json
import os
import resource
import sys
import time

import healpy as hp
import numpy as np
from astropy.io import fits
from astropy.table import Table

t0 = time.perf_counter()
inp, out, max_rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
H = 10

df = Table.read(inp, hdu=1).to_pandas()
h29 = hp.ang2pix(2**29, df["RA"].to_numpy(), df["DEC"].to_numpy(), nest=True, lonlat=True).astype(np.int64)
t_read = time.perf_counter()

# Histogram at order H, nested sums, then hats' alignment (lowest order 0).
hist = np.bincount(h29 >> (2 * (29 - H)), minlength=12 * 4**H)
sums = [None] * (H + 1)
sums[H] = hist
for k in range(H, 0, -1):
    sums[k - 1] = sums[k].reshape(-1, 4).sum(axis=1)
partitions = []  # (order, pixel, rows)
assigned = None
for k in range(0, H + 1):
    s = sums[k]
    here = np.full(len(s), -1, dtype=np.int64)
    if assigned is not None:
        here = np.repeat(assigned, 4)
    free = (here < 0) & (s > 0) & (s <= max_rows)
    idx = np.nonzero(free)[0]
    here[idx] = np.arange(len(partitions), len(partitions) + len(idx))
    partitions.extend((k, int(p), int(s[p])) for p in idx)
    if k == H and np.any((here < 0) & (s > max_rows)):
        raise SystemExit("a pixel exceeds max rows")
    assigned = here

# Rows sorted by _healpix_29: partitions are contiguous ranges of it.
order = np.argsort(h29, kind="stable")
df = df.iloc[order].reset_index(drop=True)
h29 = h29[order]
df.insert(0, "_healpix_29", h29)
t_sort = time.perf_counter()

os.makedirs(out, exist_ok=True)
starts = np.array([p * 4 ** (29 - k) for k, p, _ in partitions], dtype=np.int64)
ends = np.array([(p + 1) * 4 ** (29 - k) for k, p, _ in partitions], dtype=np.int64)
lo = np.searchsorted(h29, starts, side="left")
hi = np.searchsorted(h29, ends, side="left")
records = df.to_records(index=False)
for (k, p, n), a, b in zip(partitions, lo, hi):
    assert b - a == n
    d = os.path.join(out, "dataset", f"Norder={k}", f"Dir={p // 10000 * 10000}")
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, f"Npix={p}.npy"), records[a:b])
with open(os.path.join(out, "partition_info.csv"), "w") as f:
    f.write("Norder,Npix\n" + "".join(f"{k},{p}\n" for k, p, _ in sorted(partitions, key=lambda x: (x[1] * 4 ** (29 - x[0]), x[0]))))
fits.BinTableHDU.from_columns([fits.Column(name="VALUE", format="K", array=hist)]).writeto(os.path.join(out, "skymap.fits"), overwrite=True)
t_end = time.perf_counter()
print(json.dumps({
    "seconds": t_end - t0, "read_and_index": t_read - t0, "partition_and_sort": t_sort - t_read, "write": t_end - t_sort,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": int(len(df)), "partitions": len(partitions),
}))
