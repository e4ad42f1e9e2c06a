// Run by test/gpu/deno-gpu.test.ts under Deno (navigator.gpu, e.g. Mesa
// lavapipe): decode Rice-, HCOMPRESS-, GZIP- and PLIO-compressed images on the GPU through the built
// package and compare them bit for bit with the CPU decode.
// Prints "deno gpu ok <adapter>" on success, "deno gpu: no adapter (<why>)" when
// Deno has no WebGPU adapter. Argument: the dist directory (default ../../dist).
const dist = Deno.args[0] ?? new URL('../../dist/', import.meta.url).href;
const base = dist.endsWith('/') ? dist : `${dist}/`;
const { open } = await import(new URL('node.js', base).href);
const { getGpu, describeAdapter, onGpuEvent } = await import(new URL('gpu-node.js', base).href);

let ctx;
try {
  ctx = await getGpu();
} catch (e) {
  console.log(`deno gpu: no adapter (${e.message})`);
  Deno.exit(0);
}
const events = [];
onGpuEvent((e) => events.push(e));
const files = [
  'compressed/fpack/rice_int16.fits.fz', 'compressed/astropy/rice_f32_dither1.fits', 'compressed/fpack/rice_int32_tiles.fits.fz', 'compressed/astropy/rice_f64_dither1.fits',
  // One file of each other GPU codec: HCOMPRESS_1 (with SMOOTH), GZIP_2 quantized, PLIO_1.
  'compressed/astropy/hcomp_int16_lossy_smooth.fits', 'compressed/fitsio/hcomp_int16_smooth.fits', 'compressed/astropy/gzip2_f32_quant.fits', 'compressed/astropy/plio_mask.fits',
];
for (const rel of files) {
  const file = await open(new URL(`../corpus/${rel}`, import.meta.url));
  for (const hdu of await file.hdus()) {
    if (hdu.kind !== 'compressed-image') continue;
    const cpu = await hdu.readImage({ workers: false });
    const gpu = await hdu.readImage({ gpu: true });
    const a = new Uint8Array(cpu.data.buffer, cpu.data.byteOffset, cpu.data.byteLength);
    const b = new Uint8Array(gpu.data.buffer, gpu.data.byteOffset, gpu.data.byteLength);
    if (gpu.dtype !== cpu.dtype || a.length !== b.length) throw new Error(`${rel}: dtype/size differ`);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        // NaNs may differ in payload only.
        const isF = cpu.dtype.startsWith('float');
        const w = isF ? (cpu.dtype === 'float32' ? 4 : 8) : 1;
        const k = Math.floor(i / w);
        if (isF && Number.isNaN(cpu.data[k]) && Number.isNaN(gpu.data[k])) continue;
        throw new Error(`${rel}: byte ${i} differs (${a[i]} vs ${b[i]})`);
      }
    }
  }
  await file.close();
}
const fallbacks = events.filter((e) => e.type === 'fallback' || e.type === 'device-lost');
if (fallbacks.length) throw new Error(`fell back to the CPU: ${JSON.stringify(fallbacks)}`);
if (!events.some((e) => e.type === 'plan' && e.target === 'gpu' && /GPU kernel/.test(e.reason))) throw new Error('the GPU path did not run');
console.log(`deno gpu ok ${describeAdapter(ctx.info)}`);
