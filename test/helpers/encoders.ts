/**
 * Test-side encoders (shared by the CPU codec tests and the GPU tests; independent of the library's writer): a Rice encoder written
 * from CFITSIO's fits_rcomp family, and a PLIO line-list encoder written from
 * the format.
 */
/**
 * A Rice encoder written from CFITSIO's fits_rcomp / fits_rcomp_short /
 * fits_rcomp_byte, including its choice of the split level fs, so that its
 * output is byte-for-byte what CFITSIO (fpack, astropy, fitsio) writes.
 */
export function riceEncode(values: ArrayLike<number>, bytepix: 1 | 2 | 4, blockSize: number): Uint8Array {
  const fsbits = { 1: 3, 2: 4, 4: 5 }[bytepix];
  const fsmax = { 1: 6, 2: 14, 4: 25 }[bytepix];
  const bbits = 8 * bytepix;
  const bytes: number[] = [];
  let acc = 0;
  let nacc = 0;
  const put = (value: number, n: number) => {
    for (let k = n - 1; k >= 0; k--) {
      acc = (acc << 1) | ((value >>> k) & 1);
      if (++nacc === 8) {
        bytes.push(acc);
        acc = 0;
        nacc = 0;
      }
    }
  };
  // Differences wrap at the pixel width, as CFITSIO's short / signed char pdiff.
  const wrap = (d: number) => (bytepix === 4 ? d | 0 : bytepix === 2 ? (d << 16) >> 16 : (d << 24) >> 24);

  put(values[0], bbits);
  let last = values[0];
  for (let i = 0; i < values.length; i += blockSize) {
    const end = Math.min(values.length, i + blockSize);
    const n = end - i;
    const mapped: number[] = [];
    let pixelsum = 0;
    for (let j = i; j < end; j++) {
      const pdiff = wrap(values[j] - last);
      const m = (pdiff < 0 ? ~(pdiff << 1) : pdiff << 1) >>> 0;
      mapped.push(m);
      pixelsum += m;
      last = values[j];
    }
    let dpsum = (pixelsum - Math.floor(n / 2) - 1) / n;
    if (dpsum < 0) dpsum = 0;
    let psum = Math.floor(dpsum) >>> 1;
    let fs = 0;
    for (; psum > 0; fs++) psum = Math.floor(psum / 2);
    if (fs >= fsmax) {
      put(fsmax + 1, fsbits);
      for (const m of mapped) put(m, bbits);
    } else if (fs === 0 && pixelsum === 0) {
      put(0, fsbits);
    } else {
      put(fs + 1, fsbits);
      for (const m of mapped) {
        for (let z = Math.floor(m / 2 ** fs); z > 0; z--) put(0, 1);
        put(1, 1);
        put(m & ((1 << fs) - 1), fs);
      }
    }
  }
  if (nacc > 0) bytes.push(acc << (8 - nacc));
  return new Uint8Array(bytes);
}


/** 16-bit words (as signed or unsigned numbers) to big-endian bytes, as stored in a 1PI heap. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 2);
  words.forEach((w, k) => {
    bytes[2 * k] = (w >> 8) & 0xff;
    bytes[2 * k + 1] = w & 0xff;
  });
  return bytes;
}

/** An old-form list: [0, 0, length] then the instructions. */
export function oldList(instructions: readonly number[]): Uint8Array {
  return wordsToBytes([0, 0, 3 + instructions.length, ...instructions]);
}

/** An extended-form list: 7-word header with the length in words 3 and 4. */
export function extendedList(instructions: readonly number[]): Uint8Array {
  const length = 7 + instructions.length;
  return wordsToBytes([0, 7, -100, length % 32768, Math.floor(length / 32768), 0, 0, ...instructions]);
}


/**
 * A line-list encoder written from the format (not a port of pl_p2li), using
 * every instruction: zero runs (0), set value (1), value steps (2, 3), runs of
 * the value (4), zeros-then-value (5) and step-then-pixel (6, 7). Values must
 * be in 0..2^27-1, as PLIO allows.
 */
export function plioEncode(px: Int32Array, form: 'old' | 'extended'): Uint8Array {
  const ins: number[] = [];
  let pv = 1;
  const setValue = (v: number) => {
    const d = v - pv;
    if (d > 0 && d <= 4095) ins.push(0x2000 | d);
    else if (d < 0 && d >= -4095) ins.push(0x3000 | -d);
    else if (d !== 0) ins.push(0x1000 | (v & 4095), v >>> 12);
    pv = v;
  };
  let i = 0;
  while (i < px.length) {
    let j = i;
    while (j < px.length && px[j] === px[i]) j++;
    const v = px[i];
    let run = j - i;
    if (v === 0) {
      // zeros then a single pixel of pv: one instruction (5)
      if (j < px.length && px[j] === pv && run < 4095 && (j + 1 === px.length || px[j + 1] !== pv)) {
        ins.push(0x5000 | (run + 1));
        i = j + 1;
        continue;
      }
      for (; run > 0; run -= 4095) ins.push(Math.min(run, 4095));
    } else if (run === 1 && v !== pv && Math.abs(v - pv) <= 4095) {
      ins.push((v > pv ? 0x6000 : 0x7000) | Math.abs(v - pv));
      pv = v;
    } else {
      setValue(v);
      for (; run > 0; run -= 4095) ins.push(0x4000 | Math.min(run, 4095));
    }
    i = j;
  }
  return form === 'old' ? oldList(ins) : extendedList(ins);
}

