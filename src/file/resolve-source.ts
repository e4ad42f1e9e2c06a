/**
 * Turn what a user passes to `open()` into a ByteSource: bytes and Blobs
 * directly; paths and URLs through the runtime's openers (core/runtime.ts),
 * so this file stays runtime-neutral and loads no transport.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { Runtime, UrlOpenOptions } from '../core/runtime.js';
import { BlobSource, type BlobLike } from '../io/blob-source.js';
import { MemorySource } from '../io/memory-source.js';

/** Anything `open()` accepts. */
export type SourceInput = string | URL | Uint8Array | ArrayBuffer | SharedArrayBuffer | BlobLike | ByteSource;

function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && typeof (x as ByteSource).read === 'function' && typeof (x as ByteSource).size === 'number';
}

function isBlob(x: unknown): x is BlobLike {
  return typeof x === 'object' && x !== null && typeof (x as BlobLike).slice === 'function' && typeof (x as BlobLike).size === 'number';
}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const REMOTE_SCHEMES = new Set(['http', 'https', 's3']);

/** The ByteSource for `input`, opened with `runtime`'s openers for paths and URLs. */
export async function resolveSource(input: SourceInput, runtime: Runtime, options: UrlOpenOptions = {}): Promise<ByteSource> {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return new MemorySource(input);
  if (typeof SharedArrayBuffer === 'function' && input instanceof SharedArrayBuffer) return new MemorySource(input);
  if (isByteSource(input)) return input;
  if (isBlob(input)) return new BlobSource(input);
  const text = input instanceof URL ? input.href : typeof input === 'string' ? input : undefined;
  if (text === undefined) throw new FitsError('BAD_ARGUMENT', 'open() takes a path, URL, bytes, a Blob or a ByteSource.');
  const m = SCHEME_RE.exec(text);
  // A one-letter "scheme" is a Windows drive (C:\...), not a URL.
  const scheme = m && m[1]!.length > 1 ? m[1]!.toLowerCase() : 'file';
  if (scheme === 'file') {
    if (!runtime.openPath) {
      throw new FitsError('UNSUPPORTED', 'Opening file paths needs a runtime with a file system (Node, Deno, Bun); pass bytes, a Blob or a URL instead.');
    }
    return runtime.openPath(text);
  }
  if (REMOTE_SCHEMES.has(scheme) && runtime.openUrl) return runtime.openUrl(text, scheme, options);
  throw new FitsError('UNSUPPORTED', `fitsflow cannot open "${scheme}:" URLs${REMOTE_SCHEMES.has(scheme) ? ' in this runtime' : ' (it opens paths, file:, http:, https: and s3: URLs)'}.`);
}
