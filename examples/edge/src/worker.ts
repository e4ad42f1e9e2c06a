/**
 * A cutout / quick-look service over remote FITS images, as an edge function
 * (Cloudflare Workers and anything else with the `export default { fetch }`
 * module-worker shape). It reads only what it needs: the headers, then the
 * rows (or compressed tiles) under the cutout, with HTTP Range requests.
 *
 *   GET /cutout?url=URL&x=X&y=Y&w=W&h=H[&hdu=N|NAME][&format=fits|json]
 *
 * x, y: 0-based pixel offsets along NAXIS1 and NAXIS2 of the cutout's first
 * pixel; w, h: its size. The image is the `hdu` given, else the first HDU
 * holding an image (plain or tile-compressed); images with more than two
 * axes are cut in their first plane. `format=fits` (default) answers the
 * cutout as a FITS file, with the source's WCS keywords shifted to the
 * cutout; `format=json` answers statistics of its pixels.
 */
import { open, isFitsError, type FitsFile, type Hdu, type Header, type ImageArray } from 'fitsflow';
import { FitsWriter, MemorySink } from 'fitsflow/write';

/** Keywords copied from the source image header into a cutout (CRPIXn are shifted). */
const COPIED = /^(OBJECT|TELESCOP|INSTRUME|DATE-OBS|MJD-OBS|EXPTIME|BUNIT|EQUINOX|RADESYS[A-Z]?|WCSAXES[A-Z]?|CTYPE[12][A-Z]?|CUNIT[12][A-Z]?|CRVAL[12][A-Z]?|CRPIX[12][A-Z]?|CDELT[12][A-Z]?|CROTA2|CD[12]_[12][A-Z]?|PC[12]_[12][A-Z]?|LONPOLE[A-Z]?|LATPOLE[A-Z]?)$/;

/** Largest cutout served, in pixels: a bound on memory per request. */
const MAX_PIXELS = 4096 * 4096;

class BadRequest extends Error {}

function intParam(params: URLSearchParams, name: string, min: number): number {
  const raw = params.get(name);
  if (raw === null || !/^\d+$/.test(raw)) throw new BadRequest(`${name} must be a non-negative integer`);
  const v = Number(raw);
  if (v < min) throw new BadRequest(`${name} must be at least ${min}`);
  return v;
}

/** The HDU named by `hdu` (an index or an EXTNAME), else the first one holding an image of two axes or more. */
async function imageHdu(file: FitsFile, which: string | null): Promise<Hdu> {
  if (which !== null) return file.hdu(/^\d+$/.test(which) ? Number(which) : which);
  for await (const hdu of file) {
    if ((hdu.kind === 'image' || hdu.kind === 'compressed-image') && (hdu.shape?.length ?? 0) >= 2) return hdu;
  }
  throw new BadRequest('the file has no image of two axes or more');
}

/** The source's descriptive and WCS cards, CRPIXn shifted so the cutout keeps its sky coordinates. */
function cutoutHeader(source: Header, x: number, y: number): Record<string, string | number | boolean> {
  const cards: Record<string, string | number | boolean> = {};
  for (const card of source) {
    if (!COPIED.test(card.keyword)) continue;
    const v = card.value;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    if (/^CRPIX1/.test(card.keyword) && typeof v === 'number') cards[card.keyword] = v - x;
    else if (/^CRPIX2/.test(card.keyword) && typeof v === 'number') cards[card.keyword] = v - y;
    else cards[card.keyword] = v;
  }
  cards.COMMENT = `Cutout x=${x} y=${y} (0-based) made by the fitsflow edge example`;
  return cards;
}

/** min, max, mean and standard deviation of the finite pixels; NaNs counted. */
function stats(data: ImageArray): { min: number | null; max: number | null; mean: number | null; std: number | null; finite: number; nan: number } {
  let n = 0;
  let nan = 0;
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - mean; // Welford: one pass, no overflow
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n ? { min, max, mean, std: Math.sqrt(m2 / n), finite: n, nan } : { min: null, max: null, mean: null, std: null, finite: 0, nan };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function cutout(params: URLSearchParams): Promise<Response> {
  const url = params.get('url');
  if (!url || !/^https?:\/\//.test(url)) throw new BadRequest('url must be an http(s) URL');
  const x = intParam(params, 'x', 0);
  const y = intParam(params, 'y', 0);
  const w = intParam(params, 'w', 1);
  const h = intParam(params, 'h', 1);
  if (w * h > MAX_PIXELS) throw new BadRequest(`the cutout is larger than ${MAX_PIXELS} pixels`);
  const format = params.get('format') ?? 'fits';
  if (format !== 'fits' && format !== 'json') throw new BadRequest('format must be fits or json');

  const file = await open(url);
  try {
    const hdu = await imageHdu(file, params.get('hdu'));
    const lead = hdu.shape!.slice(0, -2).map(() => 0); // first plane of cubes
    const img = await hdu.readImage({ start: [...lead, y, x], shape: [...lead.map(() => 1), h, w] });
    if (format === 'json') {
      return json({ url, hdu: hdu.index, x, y, shape: [h, w], dtype: img.dtype, ...stats(img.data) });
    }
    const sink = new MemorySink();
    const writer = new FitsWriter(sink, { checksum: true });
    const source = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
    await writer.addImage({ data: img.data, shape: [h, w] }, { header: cutoutHeader(source, x, y) });
    await writer.close();
    const bytes = sink.bytes();
    return new Response(bytes.slice(), {
      headers: { 'content-type': 'application/fits', 'content-disposition': `attachment; filename="cutout-${x}-${y}-${w}x${h}.fits"` },
    });
  } finally {
    await file.close();
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (request.method !== 'GET') return json({ error: 'only GET' }, 405);
    if (pathname !== '/cutout') return json({ error: 'not found: GET /cutout?url=…&x=&y=&w=&h=' }, 404);
    try {
      return await cutout(searchParams);
    } catch (e) {
      if (e instanceof BadRequest) return json({ error: e.message }, 400);
      if (isFitsError(e)) {
        // A cutout outside the image is the caller's mistake; a file that is missing or unreadable, the origin's.
        const status = e.code === 'BAD_ARGUMENT' ? 400 : e.code === 'NOT_FOUND' ? 404 : 502;
        return json({ error: e.message, code: e.code }, status);
      }
      throw e;
    }
  },
};
