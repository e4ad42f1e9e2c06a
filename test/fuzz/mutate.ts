/**
 * Mutations of a FITS file as the adversarial run of issue #20 made them:
 * hostile values in numeric and structural cards (text after the value,
 * huge, negative, real, empty, strings), NAXIS = 0 under scaling keywords,
 * END variants, non-integer BLANK, flipped bytes in header values and data,
 * truncation. Deterministic for a given generator.
 */
const KEY_RE = /^[A-Z0-9_-]{1,8} *$/;

/** Offsets of the value cards (80-byte aligned `KEYWORD = ` cards). */
function valueCards(bytes: Uint8Array): number[] {
  const at: number[] = [];
  for (let o = 0; o + 80 <= bytes.length; o += 80) {
    if (bytes[o + 8] !== 0x3d || bytes[o + 9] !== 0x20) continue;
    const key = String.fromCharCode(...bytes.subarray(o, o + 8));
    if (KEY_RE.test(key)) at.push(o);
  }
  return at;
}

function endCards(bytes: Uint8Array): number[] {
  const at: number[] = [];
  for (let o = 0; o + 80 <= bytes.length; o += 80) {
    if (bytes[o] === 0x45 && bytes[o + 1] === 0x4e && bytes[o + 2] === 0x44 && bytes[o + 3] === 0x20 && bytes[o + 79] === 0x20) at.push(o);
  }
  return at;
}

function writeCard(bytes: Uint8Array, at: number, text: string): void {
  const t = text.padEnd(80).slice(0, 80);
  for (let i = 0; i < 80; i++) bytes[at + i] = t.charCodeAt(i) & 0xff;
}

function keyOf(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 8)).trim();
}

function valueField(bytes: Uint8Array, at: number): string {
  const field = String.fromCharCode(...bytes.subarray(at + 10, at + 80));
  return field.split('/')[0]!.trim();
}

const HOSTILE_VALUES = (v: string): string[] => [
  `${v} $`, `${v}$`, `${v} !`, `${v} x y`, '99999999999999999999', '-1', '1.5', "'x'", '', 'T', '0', '2147483647', '1E300', `${v}.5`, `(${v}, 1)`,
];

/** One mutated copy of `original`; `next` is a uint32 generator. */
export function mutate(original: Uint8Array, next: () => number): Uint8Array {
  let bytes = original.slice();
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const rounds = 1 + (next() % 3);
  for (let r = 0; r < rounds; r++) {
    const cards = valueCards(bytes);
    const kind = next() % 8;
    if (kind <= 2 && cards.length > 0) {
      // A hostile value in a numeric or structural card.
      const numeric = cards.filter((o) => /^[-+]?[0-9.ED+-]+$/.test(valueField(bytes, o)));
      const at = pick(numeric.length > 0 && next() % 4 !== 0 ? numeric : cards);
      const v = valueField(bytes, at);
      writeCard(bytes, at, `${keyOf(bytes, at).padEnd(8)}= ${pick(HOSTILE_VALUES(v)).padStart(20)}`);
    } else if (kind === 3) {
      // NAXIS = 0 keeping the rest (scaling keywords included), or a non-integer BLANK.
      const naxis = cards.filter((o) => keyOf(bytes, o) === 'NAXIS');
      const blank = cards.filter((o) => /^(BLANK|BZERO|BSCALE|TNULL\d+)$/.test(keyOf(bytes, o)));
      if (naxis.length > 0 && next() % 2 === 0) writeCard(bytes, pick(naxis), `NAXIS   = ${'0'.padStart(20)}`);
      else if (blank.length > 0) writeCard(bytes, pick(blank), `${keyOf(bytes, blank[0]!).padEnd(8)}= ${'1.5'.padStart(20)}`);
    } else if (kind === 4) {
      const ends = endCards(bytes);
      if (ends.length > 0) writeCard(bytes, pick(ends), pick(["END     = 'x'", 'END garbage', 'ENDX', `END${' '.repeat(70)}abc`]));
    } else if (kind === 5 && cards.length > 0) {
      // Flipped bytes in a value field.
      const at = pick(cards);
      for (let n = 1 + (next() % 3); n > 0; n--) bytes[at + 10 + (next() % 25)] = 0x20 + (next() % 95);
    } else if (kind === 6) {
      // Flipped bytes anywhere (mostly data).
      for (let n = 1 + (next() % 8); n > 0; n--) bytes[next() % bytes.length] = next() & 0xff;
    } else if (bytes.length > 0) {
      // Truncated.
      bytes = bytes.slice(0, next() % bytes.length);
    }
  }
  return bytes;
}
