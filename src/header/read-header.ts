/**
 * Read one header from a ByteSource: 2880-byte blocks until the END card.
 * Only header blocks are read; the data after it is not touched.
 */
import { BLOCK, CARD, padToBlock } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import { END_CARD, isEndCard } from './card.js';
import { Header, type HeaderWarning } from './header.js';


export interface ReadHeaderOptions {
  /** Most header blocks to read before giving up (caps what a header can make us allocate). */
  maxHeaderBlocks?: number;
}

/** Bytes already read at the header's offset (e.g. the probe for XTENSION), reused instead of re-read. */
export interface ReadHeaderStart {
  firstBytes?: Uint8Array;
}

export interface HeaderRead {
  header: Header;
  /** Offset of the first header byte. */
  offset: number;
  /** Offset of the first data byte (header padded to a block). */
  dataOffset: number;
}

export const DEFAULT_MAX_HEADER_BLOCKS = 10_000; // 28.8 MB, 360,000 cards

/** Latin-1 decode of 80 bytes (TextDecoder's 'latin1' is really windows-1252). */
function cardText(bytes: Uint8Array, at: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(at, at + CARD) as unknown as number[]);
}

export async function readHeader(source: ByteSource, offset: number, hdu: number, opts: ReadHeaderOptions & ReadHeaderStart = {}): Promise<HeaderRead> {
  const maxBlocks = opts.maxHeaderBlocks ?? DEFAULT_MAX_HEADER_BLOCKS;
  const cards: string[] = [];
  const warnings: HeaderWarning[] = [];
  let nonAsciiReported = false;
  let pos = offset;
  let chunkBlocks = 1;
  let blocksRead = 0;
  for (;;) {
    if (pos >= source.size) {
      throw new FitsError('NO_END', 'The header has no END card before the end of the file.', { hdu, offset: pos });
    }
    if (blocksRead >= maxBlocks) {
      throw new FitsError('BAD_SIZE', `The header is longer than ${maxBlocks} blocks without an END card.`, { hdu, offset: pos });
    }
    const want = Math.min(chunkBlocks, maxBlocks - blocksRead) * BLOCK;
    const bytes = pos === offset && opts.firstBytes && opts.firstBytes.length >= Math.min(want, source.size - pos)
      ? opts.firstBytes.subarray(0, want)
      : await source.read(pos, want);
    const n = bytes.length - (bytes.length % CARD);
    for (let at = 0; at < n; at += CARD) {
      // Fast reject before decoding: most cards do not start with "END".
      const isEndCandidate = bytes[at] === 0x45 && bytes[at + 1] === 0x4e && bytes[at + 2] === 0x44;
      if (!nonAsciiReported) {
        for (let k = at; k < at + CARD; k++) {
          const b = bytes[k]!;
          if (b < 0x20 || b > 0x7e) {
            nonAsciiReported = true;
            warnings.push({ code: 'NON_ASCII', message: `Header card ${cards.length + 1} holds a byte (0x${b.toString(16)}) outside printable ASCII.`, card: cards.length + 1 });
            break;
          }
        }
      }
      const text = cardText(bytes, at);
      if (isEndCandidate && isEndCard(text)) {
        if (text !== END_CARD) {
          // astropy's words: it reads the card as END and warns.
          const trailing = text.slice(3).trimEnd();
          warnings.push({
            code: 'INVALID_END',
            message: trailing
              ? `Unexpected bytes trailing END keyword: ${JSON.stringify(trailing)}; the END card must be "END" and 77 spaces.`
              : 'The END card is not "END" and 77 spaces.',
            card: cards.length + 1,
          });
        }
        const endOffset = pos + at + CARD;
        let dataOffset = padToBlock(endOffset - offset) + offset;
        if (dataOffset > source.size) {
          warnings.push({ code: 'MISSING_PADDING', message: 'The header is not padded to a whole 2880-byte block.' });
          dataOffset = Math.min(dataOffset, source.size);
        }
        if (hdu === 0 && cards.length && !cards[0]!.startsWith('SIMPLE  =')) {
          warnings.push({ code: 'NONSTANDARD_FIRST_CARD', message: 'The first card is not a fixed-format SIMPLE card.', card: 1 });
        }
        return { header: Header.fromCards(cards, warnings), offset, dataOffset };
      }
      if (cards.length === 0 && hdu === 0 && !text.startsWith('SIMPLE')) {
        throw new FitsError('BAD_HEADER', 'This is not a FITS file: it does not start with SIMPLE.', { hdu, offset: 0 });
      }
      cards.push(text);
    }
    if (bytes.length < want) {
      throw new FitsError('NO_END', 'The header has no END card before the end of the file.', { hdu, offset: pos + bytes.length });
    }
    pos += bytes.length;
    blocksRead += bytes.length / BLOCK;
    chunkBlocks = Math.min(chunkBlocks * 2, 64);
  }
}
