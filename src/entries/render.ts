/**
 * `fitsflow/render`: quick-look pictures as astropy.visualization makes them —
 * intervals (min/max, zscale, percentile, manual), stretches, matplotlib and
 * ds9 colour maps, resampling, Lupton RGB composites, PNG bytes. (Rendering a
 * GPU buffer straight into a texture is `GpuImageRenderer` in `fitsflow/gpu`.)
 * @example
 * const picture = await renderHdu(hdu, { interval: { type: 'zscale' }, stretch: { type: 'asinh' } });
 * const png = toPng(picture);
 * @packageDocumentation
 * @module fitsflow/render
 */
export { renderImage, toPng, type RenderOptions, type RenderedImage, type ToPngOptions } from '../render/render.js';
export { renderHdu, type RenderableHdu, type RenderHduOptions } from '../render/render-hdu.js';
export { computeLimits, minMaxLimits, zscaleLimits, percentileLimits, type IntervalSpec, type Limits, type ZScaleOptions } from '../render/interval.js';
export { makeStretch, histEqCurve, STRETCH_TYPES, type StretchSpec, type Stretch, type HistEqCurve } from '../render/stretch.js';
export { getColormap, colormapNames, customColormap, type Colormap } from '../render/colormap.js';
export { resample, RESAMPLINGS, type Resampling } from '../render/resample.js';
export { makeLuptonRgb, type LuptonOptions } from '../render/lupton.js';
export { encodePng, type PngImage, type PngOptions, type PngFilter, type DeflateStrategy, type ZlibDeflate } from '../render/png.js';
export type { PixelArray } from '../render/pixels.js';
