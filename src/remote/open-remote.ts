/**
 * Opening `http:`, `https:` and `s3:` URLs: an HttpSource (S3 URLs signed and
 * mapped to HTTPS) wrapped in the block cache. This is where the source and
 * its cache are composed; neither knows the other. The runtime passes its
 * transport (undici on Node, fetch elsewhere) and its default persistent store
 * (a folder on Node, the Cache API elsewhere).
 */
import type { ByteSource } from '../core/byte-source.js';
import { cacheSource, forgetValidation, freshIdentity, noteValidated, recentlyCached, resolveCacheOptions, type CacheOptions } from '../cache/cached-source.js';
import type { StoreFactory } from '../cache/store.js';
import { FitsError } from '../core/errors.js';
import { urlWithoutCredentials } from '../cache/url-credentials.js';
import { fetchTransport, HttpSource, type HttpSourceOptions, type HttpTransport, type SpillFactory } from './http-source.js';
import type { S3Options } from './s3.js';

/** What `open()` accepts for remote files (besides the header-reading options). */
export interface RemoteOpenOptions {
  /** HTTP behaviour: timeouts, retries, coalescing, concurrency, headers, transport. */
  http?: HttpSourceOptions;
  /** The block cache: memory (default on) and persistent (opt-in); false for none. */
  cache?: CacheOptions | false;
  /** S3: region, credentials, endpoint (for `s3://bucket/key` URLs). */
  s3?: S3Options;
  /** Aborts every read. */
  signal?: AbortSignal;
}

/** What a runtime lends the remote opener. */
export interface RemoteAdapters {
  /** The transport when the options name none (default: fetch). */
  transport?: () => HttpTransport;
  /** Makes the store for `cache: { persistent: true }` / `{ dir }`. */
  defaultStore?: StoreFactory;
  /** Where to keep the one copy of a large file whose server ignores Range (HttpSourceOptions.spill), when the options name none. */
  spill?: SpillFactory;
}

/** Open an http(s) or s3 URL as a (cached) ByteSource. */
export async function openRemote(url: string, scheme: string, options: RemoteOpenOptions = {}, adapters: RemoteAdapters = {}): Promise<ByteSource> {
  const http: HttpSourceOptions = { ...(options.http ?? {}) };
  if (options.signal && !http.signal) http.signal = options.signal;
  if (!http.transport && !http.fetch && adapters.transport) http.transport = adapters.transport();
  if (http.spill === undefined && adapters.spill) http.spill = adapters.spill;
  let target = url;
  if (scheme === 's3') {
    // Loaded only for s3: URLs (SigV4 signing), so a page reading http(s) URLs does not bundle it.
    const { hasDotSegment, parseS3Url, s3HttpUrl, s3Signer } = await import('./s3.js');
    const s3 = options.s3 ?? {};
    // A key with `.` or `..` segments names one object; a URL parser (fetch) would send the request for another.
    if (hasDotSegment(parseS3Url(url).key) && !(http.transport ?? fetchTransport(http.fetch)).rawPaths) {
      throw new FitsError('BAD_ARGUMENT', `${url}: the key has a "." or ".." segment, which this runtime's fetch() would resolve into another object's name; read it with the undici transport (Node) or rename the object.`);
    }
    const sign = s3Signer(s3);
    if (sign) {
      const user = http.sign;
      http.sign = user ? async (req) => user({ ...req, headers: await sign(req) }) : sign;
    }
    target = s3HttpUrl(url, s3);
  } else {
    // What a browser would request: the URL parser's form (dot segments resolved, characters encoded). The
    // transport sends the URL as written from here on.
    try {
      target = new URL(url).href;
    } catch {
      throw new FitsError('BAD_ARGUMENT', `${urlWithoutCredentials(url)} is not a valid URL.`);
    }
  }
  const cache = options.cache === false ? false : resolveCacheOptions(options.cache ?? {}, adapters.defaultStore);
  if (cache && !http.assume) {
    const fresh = await freshIdentity(target, cache);
    if (fresh) {
      http.assume = fresh;
      // The confirmed version is outdated: the next open asks the server again.
      http.onChanged ??= () => forgetValidation(target, cache);
    }
  }
  // A HEAD when the bytes are probably cached already (persistent cache, or seen in this process); else a GET of the first bytes.
  http.probe ??= cache !== false && (cache.persistent || recentlyCached(target)) ? 'head' : 'range';
  const src = await HttpSource.open(target, http);
  if (!http.assume && cache !== false) noteValidated(target, src.identity, cache);
  return cacheSource(src, cache);
}
