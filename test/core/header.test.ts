import { describe, expect, it } from 'vitest';
import { parseCard, isEndCard } from '../../src/header/card.js';
import { Header } from '../../src/header/header.js';
import { card } from '../helpers/make-fits.js';

describe('card parsing (DIGEST.md §2)', () => {
  const cases: [string, unknown, string][] = [
    ["FREEINT =   42   / free-format integer", 42, 'free-format integer'],
    ["DEXP    =             1.25D+03 / D exponent", 1250, 'D exponent'],
    ["PLUSINT =                  +17", 17, ''],
    ["LEAD0   =                00042", 42, ''],
    ["EMPTYSTR= ''", '', ''],
    ["BLANKSTR= '        '", '', ''],
    ["LEADSP  = '  lead'", '  lead', ''],
    ["QUOTEEND= 'ends with quote'''", "ends with quote'", ''],
    ["NOCOMSP =                    1/no space before comment text", 1, 'no space before comment text'],
    ["UNDEFC  =                      / undefined value with a comment", null, 'undefined value with a comment'],
    ["LOG     =                    T", true, ''],
    ["BIG     = 9223372036854775807", 9223372036854775807n, ''],
    ["CPLX    = (1.5E2, -0.25D0) / c", { re: 150, im: -0.25 }, 'c'],
  ];
  for (const [text, value, comment] of cases) {
    it(text, () => {
      const c = parseCard(card(text));
      expect(c.value).toEqual(value);
      expect(c.comment).toBe(comment);
    });
  }
  it('commentary cards keep leading spaces', () => {
    const c = parseCard(card('HISTORY   history text with = sign'));
    expect(c.kind).toBe('commentary');
    expect(c.comment).toBe('  history text with = sign');
  });
  it('a card without "= " is commentary', () => {
    expect(parseCard(card('NOVALUE   this card has no value indicator')).kind).toBe('commentary');
  });
  it('unparsable values are null with the whole field as comment', () => {
    const c = parseCard(card('BAD     = 12abc / x'));
    expect(c.invalid).toBe(true);
    expect(c.value).toBeNull();
    expect(c.comment).toBe('12abc / x');
  });
  it('HIERARCH keeps case and spaces inside', () => {
    const c = parseCard(card("HIERARCH ESO det Chip = 'x' / y"));
    expect(c.keyword).toBe('ESO det Chip');
    expect(c.value).toBe('x');
  });
  it('lower-case keywords are upper-cased', () => {
    expect(parseCard(card('lower   = 1')).keyword).toBe('LOWER');
  });
  it('END detection', () => {
    expect(isEndCard(card('END'))).toBe(true);
    expect(isEndCard(card('ENDX    = 1'))).toBe(false);
    expect(isEndCard(card('END     = 1'))).toBe(true);
  });
});

describe('Header: CONTINUE and getters', () => {
  it('joins long strings and comments', () => {
    const h = Header.fromCards([card("LONGC   = 'abc &'  / first comment"), card("CONTINUE  'def&'  / second comment"), card("CONTINUE  'ghi'"), card('NEXT    = 2')]);
    expect(h.cards.length).toBe(2);
    expect(h.get('LONGC')).toBe('abc defghi');
    expect(h.comment('LONGC')).toBe('first comment second comment');
    expect(h.cards[0]!.span).toBe(3);
    expect(h.physicalCount).toBe(4);
    expect(h.getInt('NEXT')).toBe(2);
  });
  it('a stray CONTINUE is commentary', () => {
    const h = Header.fromCards([card('A       = 1'), card("CONTINUE  'x'")]);
    expect(h.cards[1]!.commentary).toBe(true);
    expect(h.cards[1]!.keyword).toBe('CONTINUE');
  });
  it('typed getters and fallbacks', () => {
    const h = Header.fromCards([card("S       = 'str'"), card('F       = 1.5'), card('B       = F'), card('COMMENT hello')]);
    expect(h.getString('S')).toBe('str');
    expect(h.getNumber('F')).toBe(1.5);
    expect(h.getInt('F')).toBeUndefined();
    expect(h.getInt('F', 7)).toBe(7);
    expect(h.getBool('B')).toBe(false);
    expect(h.commentary('COMMENT')).toEqual(['hello']);
    expect(h.has('COMMENT')).toBe(false);
  });
});
