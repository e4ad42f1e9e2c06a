/**
 * Turn what a user passes to `open()` into a ByteSource. Runtime-specific
 * openers (file paths on Node, HTTP, S3) register themselves here from their
 * entry points, so this file stays runtime-neutral.
 */
import { FitsError } from '../core/errors.js';
import { BlobSource, type BlobLike } from '../io/blob-source.js';
import type { ByteSource } from '../core/byte-source.js';
import { MemorySource } from '../io/memory-source.js';

/** Anything `open()` accepts. */
export type SourceInput = string | URL | Uint8Array | ArrayBuffer | SharedArrayBuffer | BlobLike | ByteSource;

/** Opens a string or URL of one scheme (`file`, `http`, `https`, `s3`, …). */
export type UrlOpener = (url: string, options: OpenSourceOptions) => Promise<ByteSource>;

/** Options passed through to URL openers (remote options live here too). */
export interface OpenSourceOptions {
  /** Extra settings for a scheme's opener (e.g. HTTP headers, S3 credentials, cache). */
  [key: string]: unknown;
}

const openers = new Map<string, UrlOpener>();

/** Register the opener for a URL scheme (without ':'); `file` also handles plain paths. */
export function registerOpener(scheme: string, opener: UrlOpener): void {
  openers.set(scheme.toLowerCase(), opener);
}

function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && typeof (x as ByteSource).read === 'function' && typeof (x as ByteSource).size === 'number';
}

function isBlob(x: unknown): x is BlobLike {
  return typeof x === 'object' && x !== null && typeof (x as BlobLike).slice === 'function' && typeof (x as BlobLike).size === 'number';
}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

export async function resolveSource(input: SourceInput, options: OpenSourceOptions = {}): Promise<ByteSource> {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return new MemorySource(input);
  if (typeof SharedArrayBuffer === 'function' && input instanceof SharedArrayBuffer) return new MemorySource(input);
  if (isByteSource(input)) return input;
  if (isBlob(input)) return new BlobSource(input);
  const text = input instanceof URL ? input.href : typeof input === 'string' ? input : undefined;
  if (text === undefined) throw new FitsError('BAD_ARGUMENT', 'open() takes a path, URL, bytes, a Blob or a ByteSource.');
  const m = SCHEME_RE.exec(text);
  // A one-letter "scheme" is a Windows drive (C:\...), not a URL.
  const scheme = m && m[1]!.length > 1 ? m[1]!.toLowerCase() : 'file';
  const opener = openers.get(scheme);
  if (!opener) {
    throw new FitsError('UNSUPPORTED', scheme === 'file'
      ? 'Opening file paths needs a runtime with a file system (Node, Deno, Bun); pass bytes or a Blob instead.'
      : `No opener for "${scheme}:" URLs in this runtime.`);
  }
  return opener(text, options);
}
