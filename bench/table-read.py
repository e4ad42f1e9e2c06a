#!/usr/bin/python3
"""Table-reading benchmark, Python side (run with Debian's /usr/bin/python3:
astropy 5.2.1, fitsio 1.1.8).

    table-read.py make DIR        write DIR/table_1m_rep.fits and DIR/table_1m_uniq.fits
                                  (1,000,000 rows: K, D, D, 5×E, I, 8A, E; NAME repeats
                                  1,000 distinct values in _rep, is unique per row in _uniq)
                                  and DIR/table_10m_rep.fits (10,000,000 rows, 580 MB)
    table-read.py time FILE RUNS  print JSON timings (median ms) of astropy Table.read
                                  and fitsio for all 11 columns and for 2 columns

bench/table-read.ts runs both and fitsflow in the same session.
"""
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np

ROWS = 1_000_000
COLUMNS = [("ID", "K"), ("RA", "D"), ("DEC", "D"), ("MAG_U", "E"), ("MAG_G", "E"), ("MAG_R", "E"),
           ("MAG_I", "E"), ("MAG_Z", "E"), ("FLAGS", "I"), ("NAME", "8A"), ("ERR", "E")]
TWO = ["RA", "MAG_R"]


def make(directory):
    make_rows(directory, ROWS, "1m", ("rep", "uniq"))
    make_rows(directory, 10 * ROWS, "10m", ("rep",))


def make_rows(directory, ROWS, label, tags):
    from astropy.io import fits
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(42)
    base = {
        "ID": np.arange(ROWS, dtype=np.int64) * 7 + 10**12,
        "RA": rng.uniform(0, 360, ROWS),
        "DEC": rng.uniform(-90, 90, ROWS),
        "FLAGS": rng.integers(0, 2**15, ROWS, dtype=np.int16),
        "ERR": rng.uniform(0, 0.5, ROWS).astype(np.float32),
    }
    for band in "UGRIZ":
        m = rng.normal(20, 2, ROWS).astype(np.float32)
        m[rng.random(ROWS) < 0.01] = np.nan
        base["MAG_" + band] = m
    names = {
        "rep": lambda: np.array(["SRC%04d" % (i % 1000) for i in range(1000)], dtype="S8")[rng.integers(0, 1000, ROWS)],
        "uniq": lambda: np.char.add(b"J", np.char.zfill(np.arange(ROWS).astype("S7"), 7)),
    }
    for tag in tags:
        name = names[tag]()
        cols = []
        for n, f in COLUMNS:
            cols.append(fits.Column(name=n, format=f, array=name if n == "NAME" else base[n]))
        path = os.path.join(directory, "table_%s_%s.fits" % (label, tag))
        fits.BinTableHDU.from_columns(cols).writeto(path, overwrite=True)
        print(path)


def median_ms(f, runs):
    """Median wall-clock and CPU (process_time: all threads) milliseconds, after one warm-up call."""
    f()
    wall, cpu = [], []
    for _ in range(runs):
        c = time.process_time()
        t = time.perf_counter()
        f()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"wall": round(statistics.median(wall), 1), "cpu": round(statistics.median(cpu), 1)}


def timings(path, runs):
    from astropy.table import Table
    import fitsio
    warnings.simplefilter("ignore")

    from astropy.io import fits

    def astropy_all():
        Table.read(path, hdu=1)

    def astropy_two():
        # Table.read has no column selection: read the HDU's data, copy two columns out native
        with fits.open(path, memmap=False) as hl:
            d = hl[1].data
            for n in TWO:
                np.ascontiguousarray(d[n]).astype(d[n].dtype.newbyteorder("="))

    def fitsio_all():
        fitsio.read(path, ext=1)

    def fitsio_two():
        with fitsio.FITS(path) as f:
            f[1].read(columns=TWO)

    def fitsio_columns():
        # one contiguous array per column, as fitsflow returns them
        with fitsio.FITS(path) as f:
            for n, _ in COLUMNS:
                f[1].read_column(n)

    return {
        "astropy_Table_read_all": median_ms(astropy_all, runs),
        "astropy_Table_read_two": median_ms(astropy_two, runs),
        "fitsio_read_all": median_ms(fitsio_all, runs),
        "fitsio_read_two": median_ms(fitsio_two, runs),
        "fitsio_read_column_each": median_ms(fitsio_columns, runs),
    }


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "time":
        print(json.dumps(timings(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 7)))
    else:
        sys.exit(__doc__)
