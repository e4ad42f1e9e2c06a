/**
 * Pan and zoom of the viewer: which image point sits at the canvas centre and
 * how many canvas pixels an image pixel takes. The same convention as the GPU
 * renderer's `GpuView` (src/render/render.wgsl.ts): image pixel i covers
 * [i, i + 1), row 0 at the bottom (origin 'lower'). Pure functions, shared by
 * the CPU and WebGPU drawings.
 */

/** Image point (x, y) at the canvas centre, `zoom` canvas pixels per image pixel. */
export interface ViewState {
  x: number;
  y: number;
  zoom: number;
}

/** The smallest and largest zoom the viewer allows. */
export const MIN_ZOOM = 1 / 64;
export const MAX_ZOOM = 256;

/** The view that shows the whole image, centred, at the largest zoom that fits. */
export function fitView(nx: number, ny: number, width: number, height: number): ViewState {
  const zoom = clampZoom(Math.min(width / nx, height / ny));
  return { x: nx / 2, y: ny / 2, zoom };
}

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Number.isFinite(z) && z > 0 ? z : 1));
}

/** The image point under canvas pixel coordinates (cx, cy) (CSS pixels from the top-left corner; centres at +0.5). */
export function canvasToImage(v: ViewState, cx: number, cy: number, width: number, height: number): { x: number; y: number } {
  return { x: v.x + (cx - width / 2) / v.zoom, y: v.y - (cy - height / 2) / v.zoom };
}

/** Zoom by `factor` keeping the image point under (cx, cy) where it is (wheel and pinch zoom). */
export function zoomAt(v: ViewState, factor: number, cx: number, cy: number, width: number, height: number): ViewState {
  const zoom = clampZoom(v.zoom * factor);
  const p = canvasToImage(v, cx, cy, width, height);
  return { x: p.x - (cx - width / 2) / zoom, y: p.y + (cy - height / 2) / zoom, zoom };
}

/** Move the view by a drag of (dx, dy) canvas pixels. */
export function panBy(v: ViewState, dx: number, dy: number): ViewState {
  return { x: v.x - dx / v.zoom, y: v.y + dy / v.zoom, zoom: v.zoom };
}
