// The floor of a big table read in Node: allocating and touching fresh
// ArrayBuffers the size of the 10M-row benchmark table's columns (580 MB),
// one write per 4 KiB page. Node asks for no huge pages, so each page is a
// fault (numpy madvises large arrays into transparent huge pages).
//   node bench/page-faults.mjs
const sizes = [80, 80, 80, 40, 40, 40, 40, 40, 20, 80, 40].map((m) => m * 1e6);
let keep;
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  keep = sizes.map((s) => {
    const a = new Uint8Array(s);
    for (let i = 0; i < s; i += 4096) a[i] = 1;
    return a;
  });
  console.log(`fault-in ${sizes.reduce((a, b) => a + b, 0) / 1e6} MB of fresh ArrayBuffers: ${(performance.now() - t).toFixed(0)} ms`);
}
void keep;
