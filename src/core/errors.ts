/**
 * The one error type fitsflow throws for anything wrong with a file or a request.
 *
 * Every FitsError carries a machine-readable {@link FitsErrorCode}, the HDU index
 * (when known), the card number or byte offset (when known), and one plain sentence.
 */
export type FitsErrorCode =
  | 'TRUNCATED' // the file ends before data or a header it declares
  | 'BAD_CARD' // a header card that cannot be read
  | 'BAD_SIZE' // a declared size that is impossible, absurd, or larger than allowed
  | 'NO_END' // a header without an END card
  | 'BAD_HEADER' // a mandatory keyword missing or invalid
  | 'UNSUPPORTED' // valid FITS that this version cannot read yet
  | 'CHECKSUM' // CHECKSUM or DATASUM does not match
  | 'NOT_FOUND' // an HDU, column or keyword that does not exist
  | 'BAD_ARGUMENT' // an invalid request (section out of bounds, bad expression, ...)
  | 'CORRUPT_DATA' // compressed data or a heap that cannot be decoded
  | 'IO' // the byte source failed (file system, network)
  | 'CHANGED' // a remote file changed while it was being read
  | 'GPU' // no adapter, or a device error
  | 'PERMISSION' // the runtime denied access (Deno without --allow-net)
  | 'ABORTED' // the caller aborted
  | 'BAD_WCS'; // an invalid world coordinate system (the keyword named: wrong type, singular matrix, bad PV)

/** Where an error happened, and what caused it: the optional third argument of the {@link FitsError} constructor. */
export interface FitsErrorDetails {
  /** 0-based HDU index, when the error belongs to one HDU. */
  hdu?: number;
  /** 1-based card number within the HDU header, when the error is about a card. */
  card?: number;
  /** Byte offset in the file, when known. */
  offset?: number;
  /** Tile index (0-based), for compressed images. */
  tile?: number;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** The error fitsflow throws for a bad file or request: `code` says what went wrong (see the errors guide for each code), `message` is one plain sentence with the HDU, card, tile or byte it concerns. */
export class FitsError extends Error {
  readonly code: FitsErrorCode;
  readonly hdu: number | undefined;
  readonly card: number | undefined;
  readonly offset: number | undefined;
  readonly tile: number | undefined;

  constructor(code: FitsErrorCode, message: string, details: FitsErrorDetails = {}) {
    const where: string[] = [];
    if (details.hdu !== undefined) where.push(`HDU ${details.hdu}`);
    if (details.card !== undefined) where.push(`card ${details.card}`);
    if (details.tile !== undefined) where.push(`tile ${details.tile}`);
    if (details.offset !== undefined) where.push(`byte ${details.offset}`);
    super(where.length ? `${message} (${where.join(', ')})` : message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'FitsError';
    this.code = code;
    this.hdu = details.hdu;
    this.card = details.card;
    this.offset = details.offset;
    this.tile = details.tile;
  }
}

/** True if `e` is a FitsError (optionally with the given code). */
export function isFitsError(e: unknown, code?: FitsErrorCode): e is FitsError {
  return e instanceof FitsError && (code === undefined || e.code === code);
}
