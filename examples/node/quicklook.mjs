// A quick look at a FITS file, local or remote: list its HDUs, then render the first image as a PNG
// (zscale interval, asinh stretch, as astropy.visualization would) and print its statistics.
//
//   npm install fitsflow
//   node quicklook.mjs FILE_OR_URL [OUT.png]
import { writeFile } from 'node:fs/promises';
import { open } from 'fitsflow';
import { renderHdu, toPng } from 'fitsflow/render';

const [input, output = 'quicklook.png'] = process.argv.slice(2);
if (!input) {
  console.error('usage: node quicklook.mjs FILE_OR_URL [OUT.png]');
  process.exit(2);
}

const file = await open(input);
try {
  let image = null;
  for await (const hdu of file) {
    console.log(`HDU ${hdu.index}: ${hdu.kind}${hdu.name ? ` ${hdu.name}` : ''}${hdu.shape ? ` ${hdu.shape.join(' × ')}` : ''}`);
    if (!image && hdu.shape && hdu.shape.length >= 2 && (hdu.kind === 'image' || hdu.kind === 'compressed-image')) image = hdu;
  }
  if (!image) throw new Error(`${input} has no image of two axes or more`);

  const picture = await renderHdu(image, { interval: { type: 'zscale' }, stretch: { type: 'asinh' }, width: 512 });
  await writeFile(output, toPng(picture));
  console.log(`${output}: HDU ${image.index} as ${picture.width} × ${picture.height}, limits ${picture.limits.min} to ${picture.limits.max}`);
} finally {
  await file.close();
}
