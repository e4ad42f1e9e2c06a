"""Peers of bench/catalog.ts: pandas group-by and merge, astropy cross-match.

    python3 catalog-peers.py groupby DIR RUNS KEYS AGGS
    python3 catalog-peers.py xmatch  DIR RUNS all|nearest
    python3 catalog-peers.py join    DIR RUNS inner|left

Reads the raw little-endian arrays DIR/NAME.bin, times the operation RUNS
times, prints JSON: the median in ms and a check of the result.
"""
import json, sys, time
import numpy as np

kind, d, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
load = lambda name, dt: np.fromfile(f"{d}/{name}.bin", dtype=dt)


CPU = []


def timed(f):
    ts, cs, out = [], [], None
    for _ in range(runs):
        c = time.process_time()
        t = time.perf_counter()
        out = f()
        ts.append((time.perf_counter() - t) * 1000)
        cs.append((time.process_time() - c) * 1000)
    CPU.append(float(np.median(cs)))
    return float(np.median(ts)), out


if kind == "groupby":
    import pandas as pd
    keys, aggs = sys.argv[4].split(","), sys.argv[5].split(",")
    df = pd.DataFrame({"K1": load("K1", "<i4"), "K2": load("K2", "<i2"), "K3": load("K3", "<i4"), "KBIG": load("KBIG", "<i8"), "V": load("V", "<f8")})
    named = {}
    for spec in aggs:
        fn, c = spec.rstrip(")").split("(")
        named[spec] = ("V", "size") if c == "" else (c, fn)
    ms, res = timed(lambda: df.groupby(keys, sort=True).agg(**named).reset_index())
    for spec in aggs:
        res[spec].to_numpy(dtype=np.float64).tofile(f"{d}/out-{spec}.bin")
    print(json.dumps({"ms": ms, "cpu": CPU[-1], "groups": len(res)}))
elif kind == "xmatch":
    from astropy.coordinates import SkyCoord, search_around_sky
    import astropy.units as u
    a = SkyCoord(load("RA1", "<f8") * u.deg, load("DEC1", "<f8") * u.deg)
    b = SkyCoord(load("RA2", "<f8") * u.deg, load("DEC2", "<f8") * u.deg)
    r = 1 * u.arcsec
    if sys.argv[4] == "all":
        ms, res = timed(lambda: search_around_sky(a, b, r))
        pairs = len(res[0])
    else:
        def nearest():
            idx, d2d, _ = a.match_to_catalog_sky(b)
            m = d2d <= r
            return np.nonzero(m)[0], idx[m], d2d[m]
        ms, res = timed(nearest)
        pairs = len(res[0])
    print(json.dumps({"ms": ms, "cpu": CPU[-1], "pairs": pairs}))
elif kind == "join":
    import pandas as pd
    A = pd.DataFrame({"ID": load("IDA", "<i8"), "XA": load("XA", "<f8")})
    B = pd.DataFrame({"ID": load("IDB", "<i8"), "XB": load("XB", "<f8")})
    ms, res = timed(lambda: pd.merge(A, B, on="ID", how=sys.argv[4]))
    print(json.dumps({"ms": ms, "cpu": CPU[-1], "rows": len(res)}))
