// The page's script: bundle it with the decode worker, e.g.
//   npx esbuild main.js fitsflow/decode-worker --bundle --format=esm --entry-names=[name] --outdir=dist
// and serve index.html with dist/ (for worker threads, with the headers Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp; without them, images are decoded on the page's thread).
import { createWebRuntime, open } from 'fitsflow';
import { renderHdu } from 'fitsflow/render';

const runtime = createWebRuntime({ workerUrl: new URL('./decode-worker.js', import.meta.url) });
const list = document.querySelector('#hdus');
const canvas = document.querySelector('canvas');

/** List the HDUs of a File, Blob or URL, and draw its first image. */
async function show(source) {
  let file = null;
  try {
    file = await open(source, { runtime });
    const lines = [];
    let image = null;
    for await (const hdu of file) {
      lines.push(`HDU ${hdu.index}: ${hdu.kind}${hdu.name ? ` ${hdu.name}` : ''}${hdu.shape ? ` ${hdu.shape.join(' × ')}` : ''}`);
      if (!image && hdu.shape && hdu.shape.length >= 2 && (hdu.kind === 'image' || hdu.kind === 'compressed-image')) image = hdu;
    }
    if (image) {
      const picture = await renderHdu(image, { interval: { type: 'zscale' }, stretch: { type: 'asinh' }, colormap: 'viridis' });
      canvas.width = picture.width;
      canvas.height = picture.height;
      const rgba = new Uint8ClampedArray(picture.pixels.buffer, picture.pixels.byteOffset, picture.pixels.byteLength);
      canvas.getContext('2d').putImageData(new ImageData(rgba, picture.width, picture.height), 0, 0);
      lines.push(`drawn: HDU ${image.index}, ${picture.width} × ${picture.height}`);
    }
    list.textContent = lines.join('\n');
  } catch (e) {
    // A FitsError's message is one sentence saying what is wrong with the file.
    list.textContent = `${e.code ?? 'Error'}: ${e.message}`;
  } finally {
    await file?.close();
  }
}

document.querySelector('input[type=file]').addEventListener('change', (event) => {
  const [chosen] = event.target.files;
  if (chosen) show(chosen);
});
const url = new URLSearchParams(location.search).get('url');
if (url) show(url);
