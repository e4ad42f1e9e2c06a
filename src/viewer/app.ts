/**
 * The browser viewer's page (bundled by scripts/build-viewer.mjs into
 * dist/viewer/app.js; served by `fitsflow view` or any static host).
 *
 * Opens a local file (picker, drag and drop: read in place as a Blob, nothing
 * uploaded) or a URL (range reads; `?open=URL`), lists the HDUs, shows the
 * header with a search, and draws images with pan (drag), zoom (wheel, pinch)
 * and scale / stretch / colour map controls, a histogram and the value under
 * the cursor. Two drawing paths:
 * - WebGPU (when the browser has it, unless `?gpu=0`): the image is decoded on
 *   the device (readImageToGpuBuffer) and drawn by GpuImageRenderer into the
 *   canvas (stretch and colour map in WGSL, no read-back); the limits and the
 *   histogram come from a CPU read of at most ~1M sampled pixels.
 * - CPU: the web runtime decodes (on Web Workers when the page is
 *   cross-origin isolated); the picture is mapped once per setting and pan /
 *   zoom only redraw it (drawImage).
 * Neither path decodes again after a pan, zoom or a change of the settings.
 * Tables show their first rows. Errors show a message in the status line.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { open, type FitsFile, type FitsTable, type Hdu } from '../entries/index.js';
import type { GpuImageRenderer } from '../render/render.wgsl.js';
import type { GpuImage } from '../image/read-gpu.js';
import { formatDegrees, formatHours } from '../wcs/sexagesimal.js';
import type { Wcs } from '../wcs/wcs.js';
import { colormapNames } from '../render/colormap.js';
import { computeLimits, type IntervalSpec, type Limits } from '../render/interval.js';
import { asNumberArray, type NumberArray, type PixelArray } from '../render/pixels.js';
import { renderImage } from '../render/render.js';
import { histEqCurve, type HistEqCurve, type StretchSpec } from '../render/stretch.js';
import { canvasToImage, fitView, panBy, zoomAt, type ViewState } from './view.js';

/** At most this many pixels are read on the CPU for the limits in the WebGPU path. */
const SAMPLE_PIXELS = 1 << 20;
/** Rows of a table listed. */
const TABLE_ROWS = 200;
/** Rows of a table read for filtering and sorting (bounded memory). */
const TABLE_READ_ROWS = 1_000_000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The image on show. */
interface Shown {
  hdu: Hdu;
  nx: number;
  ny: number;
  planes: number;
  plane: number;
  /** CPU values of the plane (every pixel on the CPU path; a sample every `step` pixels on the GPU path). */
  values: NumberArray;
  step: number;
  /** Decoded image (CPU path: all planes). */
  data: PixelArray | null;
  gpu: GpuImage | null;
  limits: Limits;
  histEq: HistEqCurve | undefined;
  /** The image's world coordinates, when its header has a WCS. */
  wcs: Wcs | null;
  /** CPU path: the mapped picture, RGBA words, rows top to bottom (image row ny − 1 first). */
  picture: Uint32Array | null;
}

interface ViewerState {
  file: FitsFile | null;
  hdus: Hdu[];
  shown: Shown | null;
  view: ViewState;
  /** Decodes of image data since the page loaded (the tests check that redraws do not decode). */
  decodes: number;
  draws: number;
  /** Milliseconds of each redraw (pan, zoom, settings), GPU work included. */
  frameTimes: number[];
  error: string | null;
  loading: boolean;
  /** performance.now() (ms since the navigation started) when the first picture of the open file was drawn. */
  firstPicture: number | null;
}

const state: ViewerState = { file: null, hdus: [], shown: null, view: { x: 0, y: 0, zoom: 1 }, decodes: 0, draws: 0, frameTimes: [], error: null, loading: false, firstPicture: null };

const params = new URLSearchParams(location.search);
let gpuApi: typeof import('../entries/gpu.js') | null = null;
let renderer: GpuImageRenderer | null = null;
let canvas: HTMLCanvasElement;
let gpuContext: GPUCanvasContext | null = null;
let ctx2d: CanvasRenderingContext2D | null = null;
let mode: 'webgpu' | 'cpu' = 'cpu';

function setStatus(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
  state.error = error ? text : null;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Choose the drawing path: WebGPU when available (and not `?gpu=0`), else the CPU. */
async function setUpCanvas(): Promise<void> {
  canvas = document.createElement('canvas');
  canvas.className = 'image';
  $('stage').append(canvas);
  const nav = navigator as Navigator & { gpu?: GPU };
  if (params.get('gpu') !== '0' && nav.gpu) {
    try {
      gpuApi = await import('../entries/gpu.js');
      renderer = await gpuApi.GpuImageRenderer.create();
      gpuContext = canvas.getContext('webgpu');
      if (!gpuContext) throw new Error('no WebGPU canvas context');
      gpuContext.configure({ device: renderer.device, format: nav.gpu.getPreferredCanvasFormat(), alphaMode: 'premultiplied' });
      mode = 'webgpu';
    } catch (e) {
      console.info(`fitsflow viewer: WebGPU unavailable (${describeError(e)}); drawing on the CPU.`);
      renderer = null;
      gpuContext = null;
      canvas.remove();
      canvas = document.createElement('canvas');
      canvas.className = 'image';
      $('stage').append(canvas);
    }
  }
  if (mode === 'cpu') ctx2d = canvas.getContext('2d');
  $('mode').textContent = mode === 'webgpu' ? 'WebGPU' : 'CPU';
  resizeCanvas();
}

function resizeCanvas(width?: number, height?: number): void {
  const stage = $('stage');
  const w = Math.max(1, Math.floor(width ?? stage.clientWidth));
  const h = Math.max(1, Math.floor(height ?? stage.clientHeight));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
}

// ---------------------------------------------------------------------------
// Opening files and HDUs

async function openInput(input: File | string, label: string): Promise<void> {
  state.loading = true;
  setStatus(`Opening ${label}…`);
  try {
    await closeShown();
    await state.file?.close();
    state.file = null;
    const source = typeof input === 'string' ? new URL(input, location.href).href : input;
    const file = await open(source);
    state.file = file;
    state.hdus = await file.hdus();
    listHdus();
    const first = state.hdus.find((h) => (h.kind === 'image' || h.kind === 'compressed-image') && (h.shape ?? []).length > 0 && !(h.shape ?? []).includes(0));
    await showHdu(first ?? state.hdus[0]!);
    setStatus(`${label}: ${state.hdus.length} HDU(s)`);
  } catch (e) {
    setStatus(`Cannot open ${label}: ${describeError(e)}`, true);
  } finally {
    state.loading = false;
  }
}

function listHdus(): void {
  const box = $('hdus');
  box.replaceChildren();
  state.hdus.forEach((h, i) => {
    const b = document.createElement('button');
    const shape = h.shape?.length ? ` ${[...h.shape].reverse().join('×')}` : '';
    b.textContent = `${i} ${h.name ?? (i === 0 ? 'PRIMARY' : '')} ${h.kind}${shape}`;
    b.dataset.index = String(i);
    b.addEventListener('click', () => void showHdu(h).catch((e) => setStatus(describeError(e), true)));
    box.append(b);
  });
}

function showHeader(hdu: Hdu): void {
  const q = ($('headerSearch') as HTMLInputElement).value.trim().toLowerCase();
  const lines = hdu.header.cards.map((c) => (c.commentary ? `${c.keyword.padEnd(8)} ${c.comment}` : `${c.keyword.padEnd(8)}= ${JSON.stringify(c.value)}${c.comment ? ` / ${c.comment}` : ''}`));
  $('cards').textContent = (q ? lines.filter((l) => l.toLowerCase().includes(q)) : lines).join('\n');
}

let currentHdu: Hdu | null = null;

async function showHdu(hdu: Hdu): Promise<void> {
  const wasLoading = state.loading;
  state.loading = true;
  try {
    await showHduNow(hdu);
  } finally {
    state.loading = wasLoading;
  }
}

async function showHduNow(hdu: Hdu): Promise<void> {
  currentHdu = hdu;
  setStatus(`Reading HDU ${state.hdus.indexOf(hdu)}…`);
  for (const b of $('hdus').querySelectorAll('button')) b.classList.toggle('current', b.dataset.index === String(state.hdus.indexOf(hdu)));
  showHeader(hdu);
  const shape = hdu.shape ?? [];
  const isImage = (hdu.kind === 'image' || hdu.kind === 'compressed-image') && shape.length > 0 && !shape.includes(0);
  $('stage').hidden = !isImage;
  $('table').hidden = isImage;
  await closeShown();
  if (isImage) await showImage(hdu);
  else if (hdu.kind === 'bintable' || hdu.kind === 'table') await showTable(hdu);
  else $('table').textContent = `HDU ${state.hdus.indexOf(hdu)} has no pixels or rows to show.`;
}

/** The table on show (at most TABLE_READ_ROWS rows read). */
let shownTable: FitsTable | null = null;

async function showTable(hdu: Hdu): Promise<void> {
  const rows = Number(hdu.header.get('NAXIS2') ?? 0);
  const read = Math.min(TABLE_READ_ROWS, rows);
  shownTable = await hdu.readTable({ rows: { start: 0, count: read } });
  const names = shownTable.columnNames;
  const controls = document.createElement('div');
  controls.innerHTML = '<input id="tableFilter" type="search" size="40" placeholder="filter, e.g. A > 2 && B == \'x\'" aria-label="filter expression"> sort <select id="tableSort"><option value="">(file order)</option></select> <label><input type="checkbox" id="tableDescending"> descending</label> <button id="tableApply">apply</button> <span id="tableCount"></span>';
  const sortSelect = controls.querySelector('#tableSort') as HTMLSelectElement;
  for (const n of names) sortSelect.append(Object.assign(document.createElement('option'), { value: n, textContent: n }));
  const grid = document.createElement('div');
  grid.id = 'tableRows';
  $('table').replaceChildren(controls, grid);
  controls.querySelector('#tableApply')!.addEventListener('click', () => applyTable(rows));
  (controls.querySelector('#tableFilter') as HTMLInputElement).addEventListener('keydown', (e) => e.key === 'Enter' && applyTable(rows));
  applyTable(rows);
}

/** Filter (fitsflow's expression language) and sort the table read, and list the first TABLE_ROWS rows of the result. */
function applyTable(fileRows: number): void {
  const base = shownTable;
  if (!base) return;
  let view = base;
  const expr = ($('tableFilter') as HTMLInputElement).value.trim();
  const key = ($('tableSort') as HTMLSelectElement).value;
  try {
    if (expr) view = view.filter(expr);
    if (key) view = view.sort(key, { descending: ($('tableDescending') as HTMLInputElement).checked });
  } catch (e) {
    setStatus(`Cannot filter or sort: ${describeError(e)}`, true);
    return;
  }
  const names = view.columnNames;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const n of names) head.append(Object.assign(document.createElement('th'), { textContent: n }));
  const body = table.createTBody();
  const shown = Math.min(TABLE_ROWS, view.numRows);
  for (let r = 0; r < shown; r++) {
    const row = view.row(r);
    const tr = body.insertRow();
    for (const n of names) tr.insertCell().textContent = String(row[n]);
  }
  const readNote = fileRows > base.numRows ? ` of the first ${base.numRows} of ${fileRows}` : ` of ${fileRows}`;
  $('tableCount').textContent = `${view.numRows} rows${expr ? ' match' : ''}${readNote}; ${shown} shown`;
  $('tableRows').replaceChildren(table);
  setStatus(`HDU ${currentHdu ? state.hdus.indexOf(currentHdu) : '?'}: table, ${fileRows} rows × ${names.length} columns`);
}

// ---------------------------------------------------------------------------
// Images

/** The section of plane `plane` (C order over the leading axes) sampled every `step` pixels. */
function planeSection(shape: readonly number[], plane: number, step: number): { start: number[]; shape: number[]; step: number[] } {
  const lead = shape.slice(0, -2);
  const start = new Array<number>(lead.length).fill(0);
  for (let i = lead.length - 1, p = plane; i >= 0; i--) {
    start[i] = p % lead[i]!;
    p = Math.floor(p / lead[i]!);
  }
  if (shape.length === 1) return { start: [0], shape: [shape[0]!], step: [step] };
  const ny = shape[shape.length - 2]!;
  const nx = shape[shape.length - 1]!;
  return { start: [...start, 0, 0], shape: [...lead.map(() => 1), Math.ceil(ny / step), Math.ceil(nx / step)], step: [...lead.map(() => 1), step, step] };
}

async function showImage(hdu: Hdu): Promise<void> {
  const shape = hdu.shape!;
  const nx = shape[shape.length - 1]!;
  const ny = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  setStatus(`Reading HDU ${state.hdus.indexOf(hdu)} (${nx}×${ny}${planes > 1 ? `×${planes}` : ''})…`);
  const shown: Shown = { hdu, nx, ny, planes, plane: 0, values: new Float64Array(0), step: 1, data: null, gpu: null, limits: { min: 0, max: 1 }, histEq: undefined, picture: null, wcs: null };
  // hdu.wcs() loads the WCS modules on demand; a header without (or with a broken) WCS shows pixels only.
  shown.wcs = await hdu.wcs().catch(() => null);
  if (mode === 'webgpu' && gpuApi) {
    shown.gpu = await gpuApi.readImageToGpuBuffer(hdu);
    state.decodes++;
  } else {
    shown.data = (await hdu.readImage()).data as PixelArray;
    state.decodes++;
  }
  state.shown = shown;
  const slider = $('plane') as HTMLInputElement;
  slider.max = String(planes - 1);
  slider.value = '0';
  $('planeLabel').hidden = planes <= 1;
  await loadPlane(0);
  resizeCanvas();
  state.view = fitView(nx, ny, canvas.width, canvas.height);
  remap();
  setStatus(`HDU ${state.hdus.indexOf(hdu)}: ${nx}×${ny}${planes > 1 ? `×${planes}` : ''} ${hdu.dtype ?? ''}`);
}

/** The CPU values of a plane: a view of the decoded data (CPU path) or a sampled read (WebGPU path). */
async function loadPlane(plane: number): Promise<void> {
  const s = state.shown!;
  s.plane = plane;
  $('planeText').textContent = s.planes > 1 ? `${plane + 1}/${s.planes}` : '';
  if (s.data) {
    const n = s.nx * s.ny;
    s.values = asNumberArray((s.data as Float64Array).subarray(plane * n, (plane + 1) * n) as PixelArray);
    s.step = 1;
  } else {
    const step = Math.max(1, Math.ceil(Math.sqrt((s.nx * s.ny) / SAMPLE_PIXELS)));
    const { data } = await s.hdu.readImage(planeSection(s.hdu.shape!, plane, step));
    s.values = asNumberArray(data as PixelArray);
    s.step = step;
  }
}

async function closeShown(): Promise<void> {
  const s = state.shown;
  state.shown = null;
  s?.gpu?.buffer.destroy();
}

function intervalSpec(): IntervalSpec {
  const v = ($('scale') as HTMLSelectElement).value;
  if (v.startsWith('percentile:')) return { type: 'percentile', percent: Number(v.slice(11)) };
  return { type: v as 'zscale' | 'minmax' };
}

function stretchSpec(): StretchSpec {
  return { type: ($('stretch') as HTMLSelectElement).value } as StretchSpec;
}

function colormap(): string | undefined {
  return ($('cmap') as HTMLSelectElement).value || undefined;
}

/** New settings: limits and (CPU path) the mapped picture; then redraw. Never decodes. */
function remap(): void {
  const s = state.shown;
  if (!s) return;
  const t0 = performance.now();
  s.limits = computeLimits(s.values, intervalSpec());
  const stretch = stretchSpec();
  s.histEq = stretch.type === 'histeq' ? histEqCurve(s.values) : undefined;
  if (mode === 'cpu') {
    const img = renderImage(s.values, [s.ny, s.nx], { limits: s.limits, stretch, colormap: colormap(), invert: ($('invert') as HTMLInputElement).checked, origin: 'lower' });
    const rgba = new Uint8ClampedArray(s.nx * s.ny * 4);
    const px = img.pixels as Uint8Array;
    if (img.channels === 4) rgba.set(px);
    else for (let i = 0, j = 0; i < px.length; i++, j += 4) rgba[j] = rgba[j + 1] = rgba[j + 2] = px[i]!, (rgba[j + 3] = 255);
    s.picture = new Uint32Array(rgba.buffer);
  }
  $('limits').textContent = `limits ${s.limits.min.toPrecision(6)} … ${s.limits.max.toPrecision(6)}`;
  drawHistogram(s);
  void draw(t0);
}

function drawHistogram(s: Shown): void {
  const h = $('histogram') as HTMLCanvasElement;
  const c = h.getContext('2d')!;
  const bins = new Uint32Array(h.width);
  const { min, max } = s.limits;
  const scale = max > min ? bins.length / (max - min) : 0;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i]!;
    if (v >= min && v <= max) bins[Math.min(bins.length - 1, Math.floor((v - min) * scale))]!++;
  }
  const top = Math.log1p(Math.max(1, ...bins));
  c.clearRect(0, 0, h.width, h.height);
  c.fillStyle = '#8ab';
  bins.forEach((n, i) => {
    const bh = (Math.log1p(n) / top) * h.height;
    c.fillRect(i, h.height - bh, 1, bh);
  });
}

/** Redraw at the current view (pan, zoom, resize): no decoding, no re-mapping on the CPU path. */
async function draw(t0 = performance.now()): Promise<void> {
  const s = state.shown;
  if (!s) return;
  const v = state.view;
  if (mode === 'webgpu' && renderer && gpuContext && s.gpu && gpuApi) {
    renderer.render(gpuApi.gpuPlane(s.gpu, s.plane), gpuContext, {
      limits: s.limits,
      stretch: stretchSpec(),
      histEq: s.histEq,
      colormap: colormap(),
      invert: ($('invert') as HTMLInputElement).checked,
      view: { x: v.x, y: v.y, zoom: v.zoom, background: [0, 0, 0, 255] },
    });
    await renderer.device.queue.onSubmittedWorkDone();
  } else if (ctx2d && s.picture) {
    ctx2d.putImageData(drawNearest(s.picture, s.nx, s.ny, v, canvas.width, canvas.height), 0, 0);
  }
  state.draws++;
  const now = performance.now();
  state.frameTimes.push(now - t0);
  state.firstPicture ??= now;
}

/**
 * The CPU drawing: each canvas pixel takes the picture pixel under its centre
 * (the GPU shader's rule, so both paths draw the same picture; drawImage's
 * scaling is not pixel-exact), black outside the image.
 */
function drawNearest(picture: Uint32Array, nx: number, ny: number, v: ViewState, w: number, h: number): ImageData {
  const out = new ImageData(w, h);
  const words = new Uint32Array(out.data.buffer);
  words.fill(0xff000000);
  const cols = new Int32Array(w);
  for (let cx = 0; cx < w; cx++) {
    const x = Math.floor(v.x + (cx + 0.5 - w / 2) / v.zoom);
    cols[cx] = x >= 0 && x < nx ? x : -1;
  }
  for (let cy = 0; cy < h; cy++) {
    const y = Math.floor(v.y - (cy + 0.5 - h / 2) / v.zoom);
    if (y < 0 || y >= ny) continue;
    const row = (ny - 1 - y) * nx;
    const o = cy * w;
    for (let cx = 0; cx < w; cx++) {
      const x = cols[cx]!;
      if (x >= 0) words[o + cx] = picture[row + x]!;
    }
  }
  return out;
}

let drawPending = false;
function requestDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    void draw();
  });
}

function showCursor(cx: number, cy: number): void {
  const s = state.shown;
  if (!s) return;
  const p = canvasToImage(state.view, cx, cy, canvas.width, canvas.height);
  const ix = Math.floor(p.x);
  const iy = Math.floor(p.y);
  if (ix < 0 || iy < 0 || ix >= s.nx || iy >= s.ny) {
    $('cursor').textContent = '';
    return;
  }
  const sw = Math.ceil(s.nx / s.step);
  const value = s.step === 1 ? s.values[iy * s.nx + ix] : s.values[Math.floor(iy / s.step) * sw + Math.floor(ix / s.step)];
  // FITS pixel numbers are 1-based.
  $('cursor').textContent = `x ${ix + 1} y ${iy + 1} value ${value === undefined ? '—' : String(value)}${s.step > 1 ? ' (sampled)' : ''}${skyText(s, ix, iy)}`;
}

/** The world coordinates of pixel (ix, iy) (0-based; the plane's indices on further axes): RA/Dec in degrees and sexagesimal. */
function skyText(s: Shown, ix: number, iy: number): string {
  if (!s.wcs) return '';
  try {
    const pixel = new Array<number>(s.wcs.naxis).fill(0);
    pixel[0] = ix;
    if (pixel.length > 1) pixel[1] = iy;
    const lead = (s.hdu.shape ?? []).slice(0, -2).reverse(); // FITS order: NAXIS3 first
    for (let k = 0, p = s.plane; k < lead.length && k + 2 < pixel.length; k++) {
      pixel[k + 2] = p % lead[k]!;
      p = Math.floor(p / lead[k]!);
    }
    const world = s.wcs.pixelToWorldScalar(...pixel);
    const [lng, lat] = s.wcs.celestialAxes;
    if (lng < 0 || !Number.isFinite(world[lng]!) || !Number.isFinite(world[lat]!)) return ` world ${world.map((w) => w.toPrecision(8)).join(' ')}`;
    const a = world[lng]!;
    const d = world[lat]!;
    return ` sky ${a.toFixed(6)}° ${d.toFixed(6)}° (${formatHours(a)} ${formatDegrees(d)})`;
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Interaction

function wireEvents(): void {
  ($('filePicker') as HTMLInputElement).addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void openInput(f, f.name);
  });
  $('openUrl').addEventListener('click', () => {
    const u = ($('urlInput') as HTMLInputElement).value.trim();
    if (u) void openInput(u, u);
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (f) void openInput(f, f.name);
  });
  for (const id of ['scale', 'stretch', 'cmap', 'invert']) $(id).addEventListener('change', () => remap());
  $('plane').addEventListener('input', async (e) => {
    if (!state.shown) return;
    await loadPlane(Number((e.target as HTMLInputElement).value));
    remap();
  });
  $('fit').addEventListener('click', () => {
    const s = state.shown;
    if (!s) return;
    state.view = fitView(s.nx, s.ny, canvas.width, canvas.height);
    requestDraw();
  });
  $('headerSearch').addEventListener('input', () => currentHdu && showHeader(currentHdu));

  // Pan and pinch zoom with pointers (mouse, pen, touch); wheel zoom around the cursor.
  const pointers = new Map<number, { x: number; y: number }>();
  const stage = $('stage');
  stage.addEventListener('pointerdown', (e) => {
    stage.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
  });
  stage.addEventListener('pointermove', (e) => {
    showCursor(e.offsetX, e.offsetY);
    const prev = pointers.get(e.pointerId);
    if (!prev) return;
    const now = { x: e.offsetX, y: e.offsetY };
    if (pointers.size === 1) state.view = panBy(state.view, now.x - prev.x, now.y - prev.y);
    else if (pointers.size === 2) {
      const other = [...pointers.entries()].find(([id]) => id !== e.pointerId)![1];
      const before = Math.hypot(prev.x - other.x, prev.y - other.y);
      const after = Math.hypot(now.x - other.x, now.y - other.y);
      if (before > 0) state.view = zoomAt(state.view, after / before, (now.x + other.x) / 2, (now.y + other.y) / 2, canvas.width, canvas.height);
    }
    pointers.set(e.pointerId, now);
    requestDraw();
  });
  const release = (e: PointerEvent) => pointers.delete(e.pointerId);
  stage.addEventListener('pointerup', release);
  stage.addEventListener('pointercancel', release);
  stage.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      state.view = zoomAt(state.view, Math.exp(-e.deltaY / 500), e.offsetX, e.offsetY, canvas.width, canvas.height);
      requestDraw();
    },
    { passive: false },
  );
  new ResizeObserver(() => {
    resizeCanvas();
    requestDraw();
  }).observe(stage);
}

function fillColormaps(): void {
  const select = $('cmap') as HTMLSelectElement;
  const names = colormapNames();
  for (const n of ['mpl:viridis', 'mpl:inferno', 'mpl:magma', 'mpl:cividis', 'mpl:plasma', 'ds9:heat', 'ds9:cool', 'ds9:bb', 'ds9:a', 'ds9:b', 'ds9:he', 'ds9:i8', 'ds9:aips0', 'ds9:sls', 'ds9:rainbow'].filter((x) => names.includes(x))) {
    select.append(Object.assign(document.createElement('option'), { value: n, textContent: n.slice(4) }));
  }
}

/** Hooks for the Chromium tests (and the curious): state, view control and the canvas pixels. */
function exposeTestHooks(): void {
  (window as unknown as Record<string, unknown>).fitsflowViewer = {
    mode: () => mode,
    state: () => ({ firstPicture: state.firstPicture, decodes: state.decodes, draws: state.draws, frameTimes: [...state.frameTimes], error: state.error, loading: state.loading, hdus: state.hdus.length, view: { ...state.view }, shown: state.shown ? { nx: state.shown.nx, ny: state.shown.ny, plane: state.shown.plane, limits: state.shown.limits } : null }),
    setView: async (v: ViewState) => {
      state.view = { ...v };
      await draw();
    },
    resize: async (w: number, h: number) => {
      resizeCanvas(w, h);
      await draw();
    },
    draw: () => draw(),
    /** The canvas as RGBA bytes in base64 (WebGPU: the same draw into a texture, read back for the test only). */
    pixels: async (): Promise<{ width: number; height: number; base64: string }> => {
      const w = canvas.width;
      const h = canvas.height;
      const s = state.shown;
      const base64 = (bytes: Uint8Array | Uint8ClampedArray) => {
        let text = '';
        for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(text);
      };
      if (mode === 'cpu' || !renderer || !s?.gpu || !gpuApi) return { width: w, height: h, base64: base64(ctx2d!.getImageData(0, 0, w, h).data) };
      const device = renderer.device;
      const texture = device.createTexture({ size: [w, h], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
      const v = state.view;
      renderer.render(gpuApi.gpuPlane(s.gpu, s.plane), texture, { limits: s.limits, stretch: stretchSpec(), histEq: s.histEq, colormap: colormap(), invert: ($('invert') as HTMLInputElement).checked, view: { x: v.x, y: v.y, zoom: v.zoom, background: [0, 0, 0, 255] } });
      const bytesPerRow = Math.ceil((w * 4) / 256) * 256;
      const buffer = device.createBuffer({ size: bytesPerRow * h, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      const enc = device.createCommandEncoder();
      enc.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, [w, h]);
      device.queue.submit([enc.finish()]);
      await buffer.mapAsync(GPUMapMode.READ);
      const src = new Uint8Array(buffer.getMappedRange());
      const out = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) out.set(src.subarray(y * bytesPerRow, y * bytesPerRow + w * 4), y * w * 4);
      buffer.unmap();
      buffer.destroy();
      texture.destroy();
      return { width: w, height: h, base64: base64(out) };
    },
  };
}

async function start(): Promise<void> {
  try {
    fillColormaps();
    wireEvents();
    exposeTestHooks();
    await setUpCanvas();
    const target = params.get('open');
    if (target) await openInput(target, target.split('/').pop() || target);
  } catch (e) {
    setStatus(`The viewer failed to start: ${describeError(e)}`, true);
  } finally {
    (window as unknown as { fitsflowViewerReady?: boolean }).fitsflowViewerReady = true;
  }
}

void start();
