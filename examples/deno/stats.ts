// Statistics of every image of a FITS file, local or remote, with Deno.
//
//   deno run --allow-read --allow-net stats.ts FILE_OR_URL
//
// Deno asks only for what the file needs: --allow-read for a path, --allow-net for a URL (narrow them, e.g.
// --allow-net=data.example.org). In a project without fitsflow in package.json, import from 'npm:fitsflow'.
import { open } from 'fitsflow';

const input = Deno.args[0];
if (!input) {
  console.error('usage: deno run --allow-read --allow-net stats.ts FILE_OR_URL');
  Deno.exit(2);
}

const file = await open(input);
for await (const hdu of file) {
  if (!hdu.shape || (hdu.kind !== 'image' && hdu.kind !== 'compressed-image')) continue;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  // Slices of the slowest axis, a few at a time: bounded memory whatever the image's size.
  for await (const chunk of hdu.iterateImage({ slices: 16 })) {
    for (const v of chunk.data) {
      const x = Number(v);
      if (Number.isNaN(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
      count++;
    }
  }
  console.log(`HDU ${hdu.index} ${hdu.name ?? ''} ${hdu.dtype} ${hdu.shape.join('×')}: min ${min} max ${max} mean ${(sum / count).toPrecision(6)}`);
}
await file.close();
