// The budget's page: open a FITS file by URL and read a cutout of a
// Rice-compressed image. Bundled by bench/bundle-size.mjs from the package
// as a browser bundler sees it (the `browser` export condition).
import { open } from 'fitsflow';

export async function cutout(url: string): Promise<number> {
  const file = await open(url);
  const hdu = await file.hdu(1);
  const img = await hdu.readImage({ start: [100, 100], shape: [64, 64] });
  await file.close();
  let sum = 0;
  for (const v of img.data as Int16Array) sum += v;
  return sum;
}
