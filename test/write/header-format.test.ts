/**
 * Header cards: every card form formats to 80-character cards that the reader
 * parses back to the same keyword, value and comment; invalid cards are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Header } from '../../src/header/header.js';
import { formatCard, formatReal, type CardInput } from '../../src/header/format.js';
import { assembleHeader } from '../../src/write/header-build.js';
import { isFitsError } from '../../src/core/errors.js';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import { open } from '../helpers/fitsflow.js';

function roundTrip(cards: CardInput[]): Header {
  const images = cards.flatMap((c) => formatCard(c));
  for (const im of images) expect(im.length).toBe(80);
  return Header.fromCards(images);
}

describe('card formatting', () => {
  it('fixed-format values', () => {
    expect(formatCard({ keyword: 'naxis', value: 2, comment: 'axes' })[0]).toBe('NAXIS   =                    2 / axes'.padEnd(80));
    expect(formatCard({ keyword: 'SIMPLE', value: true })[0]).toBe('SIMPLE  =                    T'.padEnd(80));
    expect(formatCard({ keyword: 'OBJECT', value: "it's" })[0]).toBe("OBJECT  = 'it''s   '".padEnd(80));
    expect(formatCard({ keyword: 'EMPTY', value: '' })[0]).toBe("EMPTY   = ''".padEnd(80));
    expect(formatCard({ keyword: 'X', value: 1, isReal: true })[0]).toBe('X       =                  1.0'.padEnd(80));
    expect(formatCard({ keyword: 'C', value: { re: 1.5, im: -2 } })[0]).toBe('C       =          (1.5, -2.0)'.padEnd(80));
    expect(formatCard({ keyword: 'U', value: null, comment: 'undefined' })[0]).toBe('U       =                      / undefined'.padEnd(80));
    expect(formatCard({ keyword: 'BIG', value: 9223372036854775808n })[0]).toBe('BIG     =  9223372036854775808'.padEnd(80));
    expect(formatCard({ keyword: 'HISTORY', comment: 'made here' })[0]).toBe('HISTORY made here'.padEnd(80));
    expect(formatCard({ keyword: 'ESO DET CHIP', value: 3 })[0]).toBe('HIERARCH ESO DET CHIP = 3'.padEnd(80));
  });

  it('reals in the shortest exact form with a decimal point', () => {
    for (const x of [0.1, 1e21, 5e-324, -0, 1.7976931348623157e308, 123456789.125, -2.5e-10, 3]) {
      const s = formatReal(x);
      expect(s).toMatch(/\./);
      expect(Object.is(Number(s), x)).toBe(true);
    }
  });

  it('long strings use CONTINUE and keep the comment', () => {
    const value = "a long 'value' ".repeat(20).trim();
    const images = formatCard({ keyword: 'LONG', value, comment: 'the comment of it' });
    expect(images.length).toBeGreaterThan(1);
    expect(images.slice(1).every((c) => c.startsWith('CONTINUE  '))).toBe(true);
    const h = Header.fromCards(images);
    expect(h.get('LONG')).toBe(value);
    expect(h.comment('LONG')).toBe('the comment of it');
  });

  it('adds LONGSTRN when it generates CONTINUE cards', () => {
    const cards = assembleHeader([{ keyword: 'LONG', value: 'x'.repeat(100) }], { mandatory: [{ keyword: 'SIMPLE', value: true }] });
    expect(cards.map((c) => c.keyword)).toContain('LONGSTRN');
  });

  it('refuses what cannot be written faithfully', () => {
    const refused: CardInput[] = [
      { keyword: 'NAN', value: NaN },
      { keyword: 'INF', value: Infinity },
      { keyword: 'TXT', value: 'caf\u00e9' },
      { keyword: 'TXT', value: 'ok', comment: 'tab\there' },
      { keyword: 'END', value: 1 },
      { keyword: 'CONTINUE', value: 'x' },
      { keyword: 'HIERARCH A=B', value: 1 },
      { keyword: 'COMMENT', comment: 'line\nbreak', commentary: true },
    ];
    for (const c of refused) {
      let err: unknown;
      try {
        formatCard(c);
      } catch (e) {
        err = e;
      }
      expect(isFitsError(err, 'BAD_HEADER'), JSON.stringify(c, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).toBe(true);
    }
  });

  it('refuses headers that contradict the data, and writes nothing', async () => {
    const sink = new MemorySink();
    const w = new FitsWriter(sink);
    await expect(w.addImage(new Int16Array(4), { header: { NAXIS1: 5 } })).rejects.toMatchObject({ code: 'BAD_HEADER' });
    await expect(w.addImage(new Int16Array(4), { header: { XTENSION: 'IMAGE', SIMPLE: false } })).rejects.toMatchObject({ code: 'BAD_HEADER' });
    await expect(w.addImage(new Int16Array(4), { header: { NAXIS: 3 } })).rejects.toMatchObject({ code: 'BAD_HEADER' });
    await expect(w.addImage(new Int16Array(4), { header: [['OBJECT', 'a'], ['SIMPLE', true], ['SIMPLE', true]] })).rejects.toMatchObject({ code: 'BAD_HEADER' });
    expect(sink.position).toBe(0);
    await w.addImage(new Int16Array(4), { header: { OBJECT: 'fine' } });
    await expect(w.addTable({ a: new Int16Array(3) }, { header: { TFIELDS: 2 } })).rejects.toMatchObject({ code: 'BAD_HEADER' });
    await w.close();
    const f = await open(sink.bytes());
    expect((await f.hdu(0)).header.get('OBJECT')).toBe('fine');
  });

  // Arbitraries for every card form.
  const text = (max: number) => fc.string({ unit: fc.constantFrom(...' abcXYZ019\'&/=-_.,()'.split('')), maxLength: max });
  const keyword = fc.stringMatching(/^[A-Z][A-Z0-9_-]{0,7}$/).filter((k) => !['END', 'CONTINUE', 'COMMENT', 'HISTORY', 'HIERARCH'].includes(k));
  const real = fc.double({ noNaN: true, noDefaultInfinity: true });
  const card: fc.Arbitrary<CardInput> = fc.oneof(
    fc.record({ keyword, value: text(150).map((s) => s.replace(/ +$/, '')), comment: text(40).map((s) => s.trim().replace(/ {2,}/g, ' ')) }),
    fc.record({ keyword, value: fc.boolean(), comment: text(40).map((s) => s.trim()) }),
    fc.record({ keyword, value: fc.integer(), comment: fc.constant('') }),
    fc.record({ keyword, value: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).filter((b) => b > 2n ** 53n || b < -(2n ** 53n)) }),
    fc.record({ keyword, value: real, isReal: fc.constant(true) }),
    fc.record({ keyword, value: fc.record({ re: real, im: real }) }),
    fc.record({ keyword, value: fc.constant(null), comment: text(30).map((s) => s.trim()) }),
    fc.record({ keyword: fc.constantFrom('COMMENT', 'HISTORY', ''), comment: text(70).map((s) => s.replace(/ +$/, '')), commentary: fc.constant(true) }),
    fc.record({ keyword: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .]{8,20}[A-Za-z0-9]$/), value: fc.oneof(fc.integer(), text(20).map((s) => s.replace(/ +$/, ''))), hierarch: fc.constant(true) }),
  );

  it('property: every card form round-trips through the reader', () => {
    fc.assert(
      fc.property(fc.array(card, { maxLength: 12 }), (cards) => {
        const h = roundTrip(cards);
        expect(h.cards.length).toBe(cards.length);
        cards.forEach((c, i) => {
          const got = h.cards[i]!;
          if (c.commentary) {
            expect(got.commentary).toBe(true);
            expect(got.comment).toBe(c.comment);
            return;
          }
          expect(got.keyword).toBe(c.hierarch ? c.keyword.trim() : c.keyword);
          const v = c.value ?? null;
          if (typeof v === 'number') expect(Object.is(got.value, v) || got.value === v).toBe(true);
          else expect(got.value).toEqual(v);
          if (c.comment && typeof v === 'string') expect(got.comment).toBe(c.comment);
        });
      }),
      { numRuns: 300 },
    );
  });
});
