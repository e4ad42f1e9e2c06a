/**
 * WCS Paper IV lookup-table distortions as astropy applies them (distortion.c):
 * a 2-D float32 table with its own CRPIX/CRVAL/CDELT, sampled at 1-based image
 * pixel coordinates by bilinear interpolation, clamped at the table's edges.
 * Used for CPDISj = 'LOOKUP' (WCSDVARR extensions) and D2IMDISj (D2IMARR).
 */
export class LookupTable {
  /** Table values, row-major [ny][nx] (FITS axis 1 fastest), as float32 like astropy. */
  readonly data: Float32Array;

  constructor(
    data: ArrayLike<number>,
    /** [nx, ny]: FITS NAXIS1, NAXIS2 of the table. */
    readonly naxis: readonly [number, number],
    readonly crpix: readonly [number, number],
    readonly crval: readonly [number, number],
    readonly cdelt: readonly [number, number],
  ) {
    this.data = Float32Array.from(data);
    if (this.data.length !== naxis[0] * naxis[1]) throw new RangeError('lookup table size does not match its axes');
  }

  /** The same table with its reference shifted by `offset` image pixels (for image sections). */
  shifted(offset: readonly [number, number]): LookupTable {
    return new LookupTable(
      this.data,
      this.naxis,
      this.crpix,
      [this.crval[0] - offset[0], this.crval[1] - offset[1]],
      this.cdelt,
    );
  }

  /** The table transposed (astropy transposes when DPj.AXIS.j is not j). */
  transposed(): LookupTable {
    const [nx, ny] = this.naxis;
    const out = new Float32Array(nx * ny);
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[x * ny + y] = this.data[y * nx + x]!;
    return new LookupTable(out, [ny, nx], this.crpix, this.crval, this.cdelt);
  }

  private toTable(axis: 0 | 1, img: number): number {
    const r = (img - this.crval[axis]) / this.cdelt[axis] + this.crpix[axis] - 1.0 / this.cdelt[axis];
    const hi = this.naxis[axis] - 1;
    return r < 0.0 ? 0.0 : r > hi ? hi : r;
  }

  /** astropy get_distortion_offset at 1-based image pixel (x, y). */
  offset(x: number, y: number): number {
    const dx = this.toTable(0, x);
    const dy = this.toTable(1, y);
    const fx = Math.floor(dx);
    const fy = Math.floor(dy);
    const ix = fx | 0;
    const iy = fy | 0;
    const wx = dx - fx;
    const wy = dy - fy;
    const iwx = 1.0 - wx;
    const iwy = 1.0 - wy;
    const nx = this.naxis[0];
    const ny = this.naxis[1];
    const d = this.data;
    const at = (xx: number, yy: number): number => {
      const cx = xx < 0 ? 0 : xx > nx - 1 ? nx - 1 : xx;
      const cy = yy < 0 ? 0 : yy > ny - 1 ? ny - 1 : yy;
      return d[nx * cy + cx]!;
    };
    return at(ix, iy) * iwx * iwy + at(ix, iy + 1) * iwx * wy + at(ix + 1, iy) * wx * iwy + at(ix + 1, iy + 1) * wx * wy;
  }
}
