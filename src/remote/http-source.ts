/**
 * HttpSource: a ByteSource over an HTTP(S) URL, read with Range requests.
 *
 * Runtime-neutral (fetch by default; the Node entry installs an undici
 * transport with keep-alive pools). What it does:
 * - one probe for the size and the validators (ETag, Last-Modified): a GET of
 *   the first 23 040 bytes (which are kept: the first header usually comes
 *   with the probe, saving a round trip), or a HEAD (falling back to a
 *   `bytes=0-0` GET when HEAD is refused);
 * - reads issued in the same turn of the event loop are coalesced (nearby
 *   ranges merged, long ones split) and fetched with bounded concurrency;
 * - per-request timeouts (until the response headers, and for a stalled body),
 *   retries with exponential backoff and jitter on network errors, 408, 429
 *   and 5xx (honouring Retry-After, capped), bounded attempts; a body that ends
 *   early is resumed from where it stopped;
 * - every response is checked against the first validators (and requests are
 *   conditional with If-Match / If-Unmodified-Since): a file that changes while
 *   it is read fails with FitsError('CHANGED') and never yields mixed bytes;
 * - a server that ignores Range (200 with the whole body) is detected: the
 *   whole file is then fetched once and served from memory (up to
 *   `wholeFileLimit` bytes), or streamed once into a spill file (`spill`, a
 *   temporary file on Node) and served from there; with neither, reads fail
 *   with a FitsError naming the server's fault — never re-streamed per read;
 * - redirects are followed here, not by the transport: on a redirect to
 *   another origin every credential is dropped (the signer is not called,
 *   and only the headers in CROSS_ORIGIN_HEADERS are sent); a redirect to
 *   anything but http(s) fails at once;
 * - each request has an overall deadline (`requestTimeout`), so a server
 *   trickling bytes cannot hold a read forever.
 */
import { BLOCK } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import type { ByteSource, SourceIdentity } from '../core/byte-source.js';
import { DEFAULT_COALESCE_GAP, DEFAULT_MAX_RANGE, firstOverlap, planRanges } from './range-planner.js';
import { rawUrlParts } from './raw-url.js';
import { urlWithoutCredentials } from '../cache/url-credentials.js';

// ---------------------------------------------------------------------------
// Transport

/** One HTTP request as the transport sees it. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** A response: status, headers, and the body as a stream of chunks. */
export interface HttpResponse {
  status: number;
  /** A response header (case-insensitive name), or null. */
  header(name: string): string | null;
  /** The body (null for HEAD). Iterating may reject when the request is aborted. */
  body: AsyncIterable<Uint8Array> | null;
  /** Abandon the rest of the body and release the connection. Idempotent. */
  cancel(): void;
}

/**
 * How requests are sent: fetch (everywhere) or undici (Node, keep-alive
 * pools). A transport returns redirects (3xx) as they are: HttpSource follows
 * them itself, so that credentials never follow one to another origin.
 */
export interface HttpTransport {
  readonly name: string;
  /**
   * True if the URL's path is sent exactly as written (`.` and `..` segments
   * kept): needed for S3 keys with such segments, which a URL parser (fetch)
   * would resolve into another object's name.
   */
  readonly rawPaths?: boolean;
  /** Send one request; the response's body is read (or cancelled) by the caller. */
  request(req: HttpRequest): Promise<HttpResponse>;
}

/**
 * The only request headers sent after a redirect to another origin (lower
 * case): ranges, conditions and content negotiation. Everything else — the
 * signature (Authorization, x-amz-*), cookies, and any header the caller
 * added — stays with the origin it was meant for.
 */
export const CROSS_ORIGIN_HEADERS: ReadonlySet<string> = new Set(['range', 'if-match', 'if-none-match', 'if-unmodified-since', 'if-modified-since', 'if-range', 'accept', 'accept-encoding', 'accept-language', 'user-agent']);

/** `headers` without any header outside CROSS_ORIGIN_HEADERS. */
export function crossOriginHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (CROSS_ORIGIN_HEADERS.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** Adds authentication headers (e.g. AWS SigV4) to each request just before it is sent. */
export type RequestSigner = (req: { method: string; url: string; headers: Record<string, string> }) => Promise<Record<string, string>>;

async function* readerChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value && value.length) yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** A transport over `fetch` (browsers, Deno, Bun, edge runtimes, Node). */
export function fetchTransport(fetchImpl?: typeof fetch): HttpTransport {
  return {
    name: 'fetch',
    async request(req) {
      const f = fetchImpl ?? globalThis.fetch;
      if (typeof f !== 'function') throw new FitsError('UNSUPPORTED', 'This runtime has no fetch(); pass a transport.');
      // Redirects come back to HttpSource, which decides what follows them (see HttpTransport).
      let res = await f(req.url, { method: req.method, headers: req.headers, signal: req.signal, redirect: 'manual' });
      if (res.type === 'opaqueredirect') {
        // A browser: it does not tell a script where a redirect goes, so it cannot be checked here. Without
        // credentials the browser may follow it (it never sends them across origins itself: credentials
        // 'same-origin'); with credentials, refuse.
        const creds = Object.keys(req.headers).filter((k) => !CROSS_ORIGIN_HEADERS.has(k.toLowerCase()));
        if (creds.length) {
          throw new FitsError('IO', `${urlWithoutCredentials(req.url)} redirects elsewhere, and the browser does not let a script see where; fitsflow does not send credentials (${creds.join(', ')}) along a redirect it cannot check. Open the URL it redirects to instead.`);
        }
        res = await f(req.url, { method: req.method, headers: req.headers, signal: req.signal, redirect: 'follow' });
      }
      let cancelled = false;
      const body = res.body;
      return {
        status: res.status,
        header: (n) => res.headers.get(n),
        body: body ? readerChunks(body) : null,
        cancel() {
          if (cancelled) return;
          cancelled = true;
          if (body && !body.locked) body.cancel().catch(() => {});
        },
      };
    },
  };
}


// ---------------------------------------------------------------------------
// Options


export interface HttpSourceOptions {
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** How to send requests (default: fetch; `open()` on Node passes undici). */
  transport?: HttpTransport;
  /** A fetch implementation to use instead of the global one (wrapped as a transport). */
  fetch?: typeof fetch;
  /** Signs every request (S3 SigV4). */
  sign?: RequestSigner;
  /** Milliseconds to wait for response headers (default 30 000). */
  timeout?: number;
  /** Milliseconds a body may go without sending bytes (default 30 000). */
  stallTimeout?: number;
  /**
   * Longest one request may take, from sending it to the last byte of its
   * body, in ms (default 120 000; a request for more than `maxRangeBytes`
   * gets this much per `maxRangeBytes`). A server trickling bytes never
   * trips `stallTimeout`; this ends such a request (FitsError IO once the
   * retries are spent: a request past its deadline counts as a failed
   * attempt even though bytes arrived).
   */
  requestTimeout?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** Retries after a failed attempt (default 5); attempts that made progress are not counted. */
  retries?: number;
  /** First backoff delay in ms (default 250); doubles per retry, with jitter. */
  retryDelay?: number;
  /** Longest backoff delay in ms (default 10 000). */
  maxRetryDelay?: number;
  /** Longest wait a Retry-After header can impose, in ms (default 30 000). */
  maxRetryAfter?: number;
  /** Largest hole between two reads that is fetched to merge them (default 32 KiB). */
  coalesceGap?: number;
  /** Longest single range request (default 8 MiB). */
  maxRangeBytes?: number;
  /** Requests in flight at once per source (default 8). */
  concurrency?: number;
  /** When the server ignores Range, files up to this size are downloaded once and served from memory (default 256 MiB). */
  wholeFileLimit?: number;
  /**
   * When the server ignores Range and the file is larger than
   * `wholeFileLimit`: where to keep the one copy streamed from it (`open()`
   * on Node: a temporary file, deleted when the source closes). false or
   * absent: such files cannot be read (FitsError IO naming the server's fault).
   */
  spill?: SpillFactory | false;
  /** Largest file streamed into a spill file (default 16 GiB). */
  spillLimit?: number;
  /** Make range requests conditional (If-Match / If-Unmodified-Since); default true. */
  conditional?: boolean;
  /**
   * How to learn the size and validators: 'range' (default) GETs the first
   * `probeBytes` and keeps them; 'head' sends a HEAD (cheaper when the bytes
   * are likely cached already).
   */
  probe?: 'range' | 'head';
  /** Bytes fetched by a 'range' probe (default 23 040 = 8 FITS blocks, one cache block). */
  probeBytes?: number;
  /** Skip the probe: trust this size and these validators (responses are still checked). */
  assume?: SourceIdentity;
  /** Called once, when a response shows the file is not the version opened (just before FitsError CHANGED). */
  onChanged?: () => void;
  /** Aborts every read (FitsError ABORTED). */
  signal?: AbortSignal;
}

/** A file holding the bytes of a remote file as they arrive, in order (see HttpSourceOptions.spill). */
export interface SpillFile {
  /** Write `bytes` at `offset` (called in order, each after the previous one settled). */
  write(bytes: Uint8Array, offset: number): Promise<void>;
  /** Read `length` bytes written before, from `offset` (into `into` if given). */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Release (and delete) the file. */
  close(): Promise<void>;
}

/** Makes a SpillFile for a remote file of `size` bytes. */
export type SpillFactory = (size: number, url: string) => Promise<SpillFile>;

/** Network counters of one HttpSource. */
export interface HttpStats {
  /** Requests sent (including retries and the probe). */
  requests: number;
  /** Body bytes received (including bytes thrown away, e.g. holes and ignored ranges). */
  bytesReceived: number;
  /** Attempts that failed and were retried. */
  retries: number;
}

// ---------------------------------------------------------------------------
// Internal errors

/** A failed attempt that may succeed when retried. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly short = false,
    cause?: unknown,
  ) {
    super(message, cause !== undefined ? { cause } : undefined);
  }
}

/** The attempt's own timer fired (no headers in time, or the body stalled). */
class AttemptTimeout extends Error {}
/** The request ran past its overall deadline (requestTimeout). */
class DeadlineExceeded extends AttemptTimeout {}
/** The server answered a range request with the whole file, which is too large to keep in memory: read from the spill. */
class RangesIgnored extends Error {}
/** The source was closed. */
class ClosedError extends Error {}

/** Bytes fetched by the default probe: 8 FITS blocks (the default cache block). */
export const DEFAULT_PROBE_BYTES = 8 * BLOCK;

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524, 598, 599]);
const HARD_ATTEMPT_CAP = 200;

function parseRetryAfter(v: string | null): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

interface ContentRange {
  start: number;
  end: number; // inclusive
  total: number | null;
}

function parseContentRange(v: string | null): ContentRange | null {
  const m = v ? /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(v) : null;
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return null;
  return { start, end, total: m[3] === '*' ? null : Number(m[3]) };
}

function unsatisfiedTotal(v: string | null): number | null {
  const m = v ? /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(v) : null;
  return m ? Number(m[1]) : null;
}

function contentLength(res: HttpResponse): number | null {
  const v = res.header('content-length');
  return v !== null && /^\s*\d+\s*$/.test(v) ? Number(v) : null;
}

/** An ETag without its weakness prefix, for comparisons. */
function opaqueTag(etag: string): string {
  return etag.replace(/^W\//, '');
}

function isIdentityEncoding(res: HttpResponse): boolean {
  const enc = res.header('content-encoding');
  return !enc || /^\s*identity\s*$/i.test(enc);
}

const schedule: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);

/** Resolve after `ms`, or reject early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `p`, or a rejection with the signal's reason as soon as it aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function deliver(view: Uint8Array, into: Uint8Array | undefined): Uint8Array {
  if (!into) return view;
  into.set(view);
  return into.subarray(0, view.length);
}

interface PendingRead {
  start: number;
  end: number;
  into: Uint8Array | undefined;
  resolve: (v: Uint8Array) => void;
  reject: (e: unknown) => void;
}

const fanout = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

/**
 * Call `f` when `signal` aborts; returns the unsubscribe function. All
 * subscribers of one signal share a single listener (a dataset shares one
 * signal among many sources: no listener pile-up, no MaxListeners warnings).
 */
export function onAbortSignal(signal: AbortSignal, f: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    f(signal.reason);
    return () => {};
  }
  let set = fanout.get(signal);
  if (!set) {
    const subs = new Set<(reason: unknown) => void>();
    fanout.set(signal, subs);
    signal.addEventListener('abort', () => {
      for (const g of [...subs]) g(signal.reason);
      subs.clear();
    }, { once: true });
    set = subs;
  }
  set.add(f);
  const subs = set;
  return () => void subs.delete(f);
}

// ---------------------------------------------------------------------------

export class HttpSource implements ByteSource {
  size = 0;
  readonly name: string;
  /** ETag from the first response (with `W/` when weak), or null. */
  etag: string | null = null;
  /** Last-Modified from the first response, or null. */
  lastModified: string | null = null;
  /** True once the server was seen ignoring Range headers. */
  ignoresRanges = false;
  readonly stats: HttpStats = { requests: 0, bytesReceived: 0, retries: 0 };

  private readonly transport: HttpTransport;
  private readonly opts: HttpSourceOptions;
  /** The concurrency limit of range fetches (p-limit, loaded on the first fetch: see limited()). */
  private limiter: Promise<<T>(fn: () => Promise<T>) => Promise<T>> | null = null;
  private closed = false;
  /** Controllers of the attempts (and backoff waits) in progress: aborted on close() or the caller's abort. */
  private readonly attempts = new Set<AbortController>();
  private readonly unlinkSignal: () => void;
  private whole: Uint8Array | null = null;
  /** The first bytes of the file, from a 'range' probe. */
  private head: Uint8Array | null = null;
  private wholeLoading: Promise<Uint8Array> | null = null;
  private failure: FitsError | null = null;
  /** The spill file (server ignores Range, file over wholeFileLimit), its bytes written so far, and the stream filling it. */
  private spillFile: SpillFile | null = null;
  private spilled = 0;
  private spilling: Promise<void> | null = null;
  private spillWaiters: { end: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** Body bytes received per attempt (for the deadline's message). */
  private readonly received = new WeakMap<AbortController, number>();
  /** Each attempt's deadline: its timer, start and the bytes it expects. */
  private readonly deadlines = new WeakMap<AbortController, { timer: ReturnType<typeof setTimeout>; start: number }>();
  private pending: PendingRead[] = [];
  private flushScheduled = false;

  /**
   * Run `fn` under the concurrency limit. p-limit is imported on the first
   * fetch, so a read the cache serves entirely never loads it (a process's
   * first package import costs ~9 ms here). Calls queue in order.
   */
  private limited<T>(fn: () => Promise<T>): Promise<T> {
    this.limiter ??= import('p-limit').then(({ default: pLimit }) => pLimit(Math.max(1, Math.floor(this.opts.concurrency ?? 8))));
    return this.limiter.then((limit) => limit(fn));
  }

  private constructor(
    readonly url: string,
    opts: HttpSourceOptions,
  ) {
    this.name = url;
    this.opts = opts;
    this.transport = opts.transport ?? fetchTransport(opts.fetch);
    this.unlinkSignal = opts.signal ? onAbortSignal(opts.signal, (reason) => this.attempts.forEach((c) => c.abort(reason))) : () => {};
  }

  private newAttempt(): { ctl: AbortController; dispose: () => void } {
    const ctl = new AbortController();
    if (this.closed) ctl.abort(new ClosedError('closed'));
    else if (this.opts.signal?.aborted) ctl.abort(this.opts.signal.reason);
    this.attempts.add(ctl);
    return { ctl, dispose: () => void this.attempts.delete(ctl) };
  }

  /** Open a URL: probes its size and validators. */
  static async open(url: string, opts: HttpSourceOptions = {}): Promise<HttpSource> {
    const s = new HttpSource(url, opts);
    if (opts.assume) {
      s.size = opts.assume.size;
      s.etag = opts.assume.etag;
      s.lastModified = opts.assume.lastModified;
    } else {
      try {
        await s.probe();
      } catch (e) {
        await s.close();
        throw e;
      }
    }
    return s;
  }

  /** The URL, size and validators: what the cache keys entries by. */
  get identity(): SourceIdentity {
    return { url: this.url, size: this.size, etag: this.etag, lastModified: this.lastModified };
  }

  // -- configuration helpers -------------------------------------------------

  private get timeout(): number {
    return this.opts.timeout ?? 30_000;
  }
  private get stallTimeout(): number {
    return this.opts.stallTimeout ?? 30_000;
  }
  private get wholeFileLimit(): number {
    return this.opts.wholeFileLimit ?? 256 * 2 ** 20;
  }
  /** The deadline of a request expecting `bytes` body bytes: requestTimeout per maxRangeBytes. */
  private deadlineFor(bytes: number): number {
    const per = Math.max(1, this.opts.maxRangeBytes ?? DEFAULT_MAX_RANGE);
    return Math.max(1, this.opts.requestTimeout ?? 120_000) * Math.max(1, Math.ceil(bytes / per));
  }

  /**
   * (Re)set the deadline of attempt `ctl`, started at `start`, for a body of
   * `expect` bytes (called again when a response turns out larger than asked,
   * e.g. a whole file from a server that ignores Range).
   */
  private armDeadline(ctl: AbortController, expect: number, start = this.deadlines.get(ctl)?.start ?? Date.now()): void {
    const old = this.deadlines.get(ctl);
    if (old) clearTimeout(old.timer);
    const ms = this.deadlineFor(expect);
    const timer = setTimeout(() => {
      const got = this.received.get(ctl) ?? 0;
      ctl.abort(new DeadlineExceeded(`the request took longer than ${ms} ms, in which the server sent ${got}${expect ? ` of ${expect}` : ''} bytes (too slow; http.requestTimeout sets the limit)`));
    }, Math.max(0, start + ms - Date.now()));
    this.deadlines.set(ctl, { timer, start });
  }

  private conditions(): Record<string, string> {
    if (this.opts.conditional === false) return {};
    if (this.etag && !this.etag.startsWith('W/')) return { 'if-match': this.etag };
    if (this.lastModified) return { 'if-unmodified-since': this.lastModified };
    return {};
  }

  private changed(why: string, offset?: number): FitsError {
    const e = new FitsError('CHANGED', `${this.shownUrl} changed while it was being read (${why}).`, offset !== undefined ? { offset } : {});
    if (!this.failure) this.opts.onChanged?.();
    this.failure ??= e;
    return e;
  }

  /** Compare a response's validators with the first ones (adopting them if there were none). */
  private checkValidators(res: HttpResponse, offset?: number): void {
    const etag = res.header('etag');
    const lm = res.header('last-modified');
    if (etag && this.etag) {
      if (opaqueTag(etag) !== opaqueTag(this.etag)) throw this.changed(`ETag ${this.etag} became ${etag}`, offset);
    } else if (lm && this.lastModified && !this.etag) {
      if (lm !== this.lastModified) throw this.changed(`Last-Modified ${this.lastModified} became ${lm}`, offset);
    }
    if (!this.etag && etag && !this.lastModified) this.etag = etag;
    if (!this.lastModified && lm && !this.etag) this.lastModified = lm;
  }

  private checkUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new FitsError('IO', `${this.shownUrl} is closed.`);
    if (this.opts.signal?.aborted) throw new FitsError('ABORTED', `Reading ${this.shownUrl} was aborted.`, { cause: this.opts.signal.reason });
  }

  // -- one request -------------------------------------------------------------

  /**
   * Send one request, following redirects (at most `maxRedirects`): on one
   * to another origin, from then on without credentials (no signature, only
   * CROSS_ORIGIN_HEADERS); one to anything but http(s) fails at once.
   */
  private async send(method: 'GET' | 'HEAD', extra: Record<string, string>, ctl: AbortController): Promise<HttpResponse> {
    const base: Record<string, string> = { 'accept-encoding': 'identity', ...this.opts.headers, ...extra };
    const maxRedirects = Math.max(0, this.opts.maxRedirects ?? 5);
    const origin = rawUrlParts(this.url).origin;
    let url = this.url;
    let foreign = false;
    const timer = setTimeout(() => ctl.abort(new AttemptTimeout(`no response within ${this.timeout} ms`)), this.timeout);
    try {
      for (let hop = 0; ; hop++) {
        let headers = foreign ? crossOriginHeaders(base) : base;
        if (this.opts.sign && !foreign) headers = await this.opts.sign({ method, url, headers });
        this.stats.requests++;
        const res = await abortable(this.transport.request({ url, method, headers, signal: ctl.signal }), ctl.signal);
        if (!REDIRECT_STATUS.has(res.status)) return res;
        const location = res.header('location');
        res.cancel();
        if (location === null) throw new FitsError('IO', `${this.shownUrl} answered HTTP ${res.status} (a redirect) without a Location.`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new FitsError('IO', `${this.shownUrl} redirects to "${urlWithoutCredentials(location)}", which is not a URL.`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FitsError('IO', `${this.shownUrl} redirects to ${urlWithoutCredentials(next.href)}; only http: and https: redirects are followed.`);
        }
        if (hop >= maxRedirects) throw new FitsError('IO', `${this.shownUrl} redirected more than ${maxRedirects} times (http.maxRedirects).`);
        // Once another origin was involved, credentials stay behind, even if a later redirect comes back.
        if (next.origin !== origin) foreign = true;
        url = next.href;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The URL for messages: without credentials in its query (presigned URLs). */
  private get shownUrl(): string {
    return urlWithoutCredentials(this.url);
  }

  /** Feed body chunks to `onChunk` (return false to stop early), failing if the body stalls. */
  private async readBody(res: HttpResponse, ctl: AbortController, onChunk: (chunk: Uint8Array) => boolean | Promise<boolean>): Promise<void> {
    if (!res.body) return;
    const it = res.body[Symbol.asyncIterator]();
    try {
      for (;;) {
        const timer = setTimeout(() => ctl.abort(new AttemptTimeout(`the body stalled for ${this.stallTimeout} ms`)), this.stallTimeout);
        let r: IteratorResult<Uint8Array>;
        try {
          r = await abortable(it.next(), ctl.signal);
        } finally {
          clearTimeout(timer);
        }
        if (r.done) return;
        this.stats.bytesReceived += r.value.length;
        this.received.set(ctl, (this.received.get(ctl) ?? 0) + r.value.length);
        if (!(await onChunk(r.value))) {
          // Usually the body ends right here: wait briefly for its end so the
          // connection stays reusable (keep-alive); otherwise abandon the rest.
          const end = await Promise.race([it.next().then((x) => x.done === true, () => false), new Promise<false>((f) => setTimeout(() => f(false), 20))]);
          if (!end) {
            res.cancel();
            it.return?.(undefined)?.catch?.(() => {});
          }
          return;
        }
      }
    } catch (e) {
      res.cancel();
      if (e instanceof AttemptTimeout || e instanceof ClosedError || e instanceof FitsError || e instanceof RetryableError || ctl.signal.aborted) throw e;
      // The connection closed before the body was complete: a short body (a reset is a network error).
      const reset = /ECONNRESET/.test(errorText(e));
      throw new RetryableError(`${reset ? 'connection reset' : 'the body ended early'}: ${errorText(e)}`, null, !reset, e);
    }
  }

  /** Throw the error a non-success status stands for (the body is abandoned). */
  private failStatus(res: HttpResponse, what: string, offset?: number): never {
    res.cancel();
    const st = res.status;
    if (st === 412) throw this.changed('a conditional request failed with 412', offset);
    if (st === 404 || st === 410) throw this.changed(`it is gone (HTTP ${st})`, offset);
    if (st === 416) {
      const total = unsatisfiedTotal(res.header('content-range'));
      if (total !== null && total !== this.size) throw this.changed(`its size is now ${total}`, offset);
      throw new FitsError('IO', `The server refused the range for ${what} of ${this.shownUrl} (HTTP 416).`, offset !== undefined ? { offset } : {});
    }
    if (RETRY_STATUS.has(st) || st >= 500) throw new RetryableError(`HTTP ${st}`, parseRetryAfter(res.header('retry-after')));
    throw new FitsError('IO', `HTTP ${st} for ${what} of ${this.shownUrl}.`, offset !== undefined ? { offset } : {});
  }

  /**
   * Run `attempt` until it succeeds, retrying what may succeed later.
   * `progressed` tells whether the failed attempt still made progress (such
   * attempts are not counted against `retries`, unless they ran past their
   * deadline). `expect`: the body bytes one attempt asks for (its deadline).
   */
  private async withRetries<T>(what: string, offset: number | undefined, attempt: (ctl: AbortController) => Promise<T>, progressed?: () => boolean, expect = 0): Promise<T> {
    const retries = Math.max(0, this.opts.retries ?? 5);
    let failures = 0;
    for (let n = 1; ; n++) {
      this.checkUsable();
      const { ctl, dispose } = this.newAttempt();
      this.armDeadline(ctl, expect, Date.now());
      let err: unknown;
      try {
        return await attempt(ctl);
      } catch (e) {
        err = ctl.signal.reason instanceof DeadlineExceeded ? ctl.signal.reason : e;
      } finally {
        clearTimeout(this.deadlines.get(ctl)?.timer);
        dispose();
      }
      // Why did it fail?
      if (this.opts.signal?.aborted) throw new FitsError('ABORTED', `Reading ${this.shownUrl} was aborted.`, { cause: this.opts.signal.reason });
      if (this.closed || err instanceof ClosedError) throw new FitsError('IO', `${this.shownUrl} was closed while reading ${what}.`);
      if (err instanceof FitsError || err instanceof RangesIgnored) throw err;
      const refusal = permissionRefusal(err);
      if (refusal) throw new FitsError('PERMISSION', `Reading ${what} of ${this.shownUrl} needs network access, which the runtime refused: ${refusal}.`, { cause: err });
      const retry = err instanceof RetryableError ? err : new RetryableError(err instanceof AttemptTimeout ? err.message : `network error: ${errorText(err)}`, null, false, err);
      // A request past its deadline counts even if bytes arrived: else a trickle would be retried forever.
      const moved = !(err instanceof DeadlineExceeded) && (progressed?.() ?? false);
      if (!moved) failures++;
      if (failures > retries || n >= HARD_ATTEMPT_CAP) {
        const details = { ...(offset !== undefined ? { offset } : {}), cause: err };
        if (retry.short) throw new FitsError('TRUNCATED', `The server kept sending short bodies for ${what} of ${this.shownUrl} (${n} attempts).`, details);
        throw new FitsError('IO', `Could not read ${what} of ${this.shownUrl} after ${n} attempts: ${retry.message}.`, details);
      }
      this.stats.retries++;
      if (moved && retry.retryAfterMs === null) continue;
      const base = this.opts.retryDelay ?? 250;
      const cap = this.opts.maxRetryDelay ?? 10_000;
      const exp = Math.min(cap, base * 2 ** (failures - 1));
      let delay = exp / 2 + Math.random() * (exp / 2); // "equal jitter"
      if (retry.retryAfterMs !== null) delay = Math.max(delay, Math.min(retry.retryAfterMs, this.opts.maxRetryAfter ?? 30_000));
      const wait = this.newAttempt();
      try {
        await sleep(delay, wait.ctl.signal);
      } catch {
        /* re-checked at the top of the loop */
      } finally {
        wait.dispose();
      }
    }
  }

  // -- probe -------------------------------------------------------------------

  private async probe(): Promise<void> {
    const mode = this.opts.probe ?? 'range';
    const probeBytes = Math.max(1, Math.floor(this.opts.probeBytes ?? DEFAULT_PROBE_BYTES));
    await this.withRetries('the size', undefined, async (ctl) => {
      if (mode === 'range') return this.probeGet(ctl, probeBytes);
      const res = await this.send('HEAD', {}, ctl);
      res.cancel();
      const st = res.status;
      if (st >= 200 && st < 300) {
        const len = contentLength(res);
        if (len !== null && isIdentityEncoding(res)) {
          this.size = len;
          this.etag = res.header('etag');
          this.lastModified = res.header('last-modified');
          if (/^\s*none\s*$/i.test(res.header('accept-ranges') ?? '')) this.ignoresRanges = true;
          return;
        }
      } else if (st === 404 || st === 410) {
        throw new FitsError('NOT_FOUND', `${this.shownUrl} does not exist (HTTP ${st}).`);
      } else if (RETRY_STATUS.has(st) || st >= 500) {
        if (st !== 501) throw new RetryableError(`HTTP ${st}`, parseRetryAfter(res.header('retry-after')));
      }
      // HEAD refused or unhelpful (405, 403 on GET-only signed URLs, no Content-Length): ask for one byte.
      await this.probeGet(ctl, 1);
    }, undefined, mode === 'range' ? probeBytes : 0);
  }

  /** Probe with a GET of the first `n` bytes (kept in `head`). */
  private async probeGet(ctl: AbortController, n: number): Promise<void> {
    const res = await this.send('GET', { range: `bytes=0-${n - 1}` }, ctl);
    const st = res.status;
    if (st === 206) {
      const cr = parseContentRange(res.header('content-range'));
      if (!cr || cr.total === null || cr.start !== 0) {
        res.cancel();
        if (cr && cr.start !== 0) throw new RetryableError(`asked for bytes 0-${n - 1}, got ${cr.start}-${cr.end}`);
        throw new FitsError('IO', `${this.shownUrl}: the server does not tell the file size.`);
      }
      if (!isIdentityEncoding(res)) {
        res.cancel();
        throw new FitsError('IO', `${this.shownUrl}: the server compresses ranges (Content-Encoding: ${res.header('content-encoding')}).`);
      }
      this.size = cr.total;
      this.etag = res.header('etag');
      this.lastModified = res.header('last-modified');
      const want = Math.min(cr.end + 1, n, cr.total);
      if (n === 1 && want <= 1) {
        res.cancel();
        return;
      }
      const head = new Uint8Array(want);
      let at = 0;
      await this.readBody(res, ctl, (chunk) => {
        const k = Math.min(chunk.length, want - at);
        head.set(chunk.subarray(0, k), at);
        at += k;
        return at < want;
      });
      if (at < want) throw new RetryableError(`the probe body ended after ${at} of ${want} bytes`, null, true);
      this.head = head;
      return;
    }
    if (st === 416) {
      res.cancel();
      const total = unsatisfiedTotal(res.header('content-range'));
      if (total === 0 || total === null) {
        this.size = 0;
        this.etag = res.header('etag');
        this.lastModified = res.header('last-modified');
        return;
      }
      throw new FitsError('IO', `${this.shownUrl}: the server refused the range bytes=0-${n - 1} (HTTP 416).`);
    }
    if (st === 200) {
      if (!isIdentityEncoding(res)) {
        res.cancel();
        throw new FitsError('IO', `${this.shownUrl}: the server compresses the transfer (Content-Encoding: ${res.header('content-encoding')}) and ignores ranges.`);
      }
      this.etag = res.header('etag');
      this.lastModified = res.header('last-modified');
      this.ignoresRanges = true;
      const len = contentLength(res);
      if (len !== null) this.size = len;
      if (len === null || len <= this.wholeFileLimit) {
        this.armDeadline(ctl, len ?? this.wholeFileLimit);
        this.whole = await this.absorb(res, ctl, len);
        this.size = this.whole.length;
      } else res.cancel();
      return;
    }
    if (st === 404 || st === 410) {
      res.cancel();
      throw new FitsError('NOT_FOUND', `${this.shownUrl} does not exist (HTTP ${st}).`);
    }
    if (st === 401 || st === 403) {
      res.cancel();
      throw new FitsError('IO', `Access to ${this.shownUrl} was denied (HTTP ${st}).`);
    }
    this.failStatus(res, 'the size');
  }

  /** Read a whole 200 body into memory; `expected` null means unknown length (capped by wholeFileLimit). */
  private async absorb(res: HttpResponse, ctl: AbortController, expected: number | null): Promise<Uint8Array> {
    const cap = this.wholeFileLimit;
    if (expected !== null) {
      const out = new Uint8Array(expected);
      let at = 0;
      await this.readBody(res, ctl, (chunk) => {
        const n = Math.min(chunk.length, expected - at);
        out.set(chunk.subarray(0, n), at);
        at += n;
        return at < expected;
      });
      if (at < expected) throw new RetryableError(`the body ended after ${at} of ${expected} bytes`, null, true);
      return out;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    await this.readBody(res, ctl, (chunk) => {
      total += chunk.length;
      if (total > cap) throw new FitsError('UNSUPPORTED', `${this.shownUrl}: the server sends neither ranges nor a length, and the body is larger than ${cap} bytes.`);
      chunks.push(chunk.slice());
      return true;
    });
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  // -- reading -----------------------------------------------------------------

  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.size);
    const want = Math.min(this.size - start, Math.max(0, length));
    if (want === 0) return Promise.resolve(into ? into.subarray(0, 0) : new Uint8Array(0));
    try {
      this.checkUsable();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.whole) return Promise.resolve(deliver(this.whole.subarray(start, start + want), into));
    if (this.head && start + want <= this.head.length) return Promise.resolve(deliver(this.head.subarray(start, start + want), into));
    if (this.ignoresRanges) {
      if (this.size <= this.wholeFileLimit) return this.loadWhole().then((w) => deliver(w.subarray(start, start + want), into));
      return this.readSpilled(start, want, into);
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.push({ start, end: start + want, into, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        schedule(() => this.flush());
      }
    });
  }

  /** Plan and start the reads queued during this turn. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    if (this.whole || this.ignoresRanges) {
      for (const r of batch) this.read(r.start, r.end - r.start, r.into).then(r.resolve, r.reject);
      return;
    }
    const plan = planRanges(
      batch.map((r) => ({ offset: r.start, length: r.end - r.start })),
      { gap: this.opts.coalesceGap ?? DEFAULT_COALESCE_GAP, maxLength: this.opts.maxRangeBytes ?? DEFAULT_MAX_RANGE },
    );
    const fetches = plan.map((p) => this.limited(() => this.fetchRange(p.offset, p.length)));
    for (const f of fetches) f.catch(() => {});
    for (const r of batch) {
      const first = firstOverlap(plan, r.start);
      let last = first;
      while (last + 1 < plan.length && plan[last + 1]!.offset < r.end) last++;
      const p0 = plan[first]!;
      if (first === last) {
        fetches[first]!.then((buf) => r.resolve(deliver(buf.subarray(r.start - p0.offset, r.end - p0.offset), r.into)), r.reject);
        continue;
      }
      Promise.all(fetches.slice(first, last + 1)).then((bufs) => {
        const out = r.into ? r.into.subarray(0, r.end - r.start) : new Uint8Array(r.end - r.start);
        for (let i = first; i <= last; i++) {
          const p = plan[i]!;
          const a = Math.max(p.offset, r.start);
          const b = Math.min(p.offset + p.length, r.end);
          out.set(bufs[i - first]!.subarray(a - p.offset, b - p.offset), a - r.start);
        }
        r.resolve(out);
      }, r.reject);
    }
  }

  /** Fetch the whole file once (server ignores ranges) and keep it. */
  private loadWhole(): Promise<Uint8Array> {
    if (this.whole) return Promise.resolve(this.whole);
    this.wholeLoading ??= this.withRetries('the whole file', 0, async (ctl) => {
      const res = await this.send('GET', this.conditions(), ctl);
      if (res.status !== 200) this.failStatus(res, 'the whole file');
      this.checkValidators(res);
      const len = contentLength(res);
      if (len !== null && len !== this.size) {
        res.cancel();
        throw this.changed(`its length is now ${len}`);
      }
      const w = await this.absorb(res, ctl, this.size);
      this.whole = w;
      return w;
    }, undefined, this.size).finally(() => {
      this.wholeLoading = null;
    });
    return this.wholeLoading;
  }

  /** Fetch bytes [start, start + length), retrying and resuming after partial bodies. */
  private async fetchRange(start: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const end = start + length; // exclusive
    let got = 0;
    let before = 0;
    const what = `bytes ${start}-${end - 1}`;
    await this.withRetries(
      what,
      start,
      async (ctl) => {
        before = got;
        if (this.whole) {
          out.set(this.whole.subarray(start + got, end), got);
          got = length;
          return;
        }
        const from = start + got;
        const res = await this.send('GET', { range: `bytes=${from}-${end - 1}`, ...this.conditions() }, ctl);
        if (res.status === 206) {
          this.checkValidators(res, from);
          if (!isIdentityEncoding(res)) {
            res.cancel();
            throw new FitsError('IO', `${this.shownUrl}: the server compresses ranges (Content-Encoding: ${res.header('content-encoding')}).`, { offset: from });
          }
          const cr = parseContentRange(res.header('content-range'));
          if (!cr) {
            res.cancel();
            throw new RetryableError('a 206 response without a valid Content-Range');
          }
          if (cr.total !== null && cr.total !== this.size) {
            res.cancel();
            throw this.changed(`its size is now ${cr.total}`, from);
          }
          if (cr.start > from || cr.end < from) {
            res.cancel();
            throw new RetryableError(`asked for bytes ${from}-${end - 1}, got ${cr.start}-${cr.end}`);
          }
          const stop = Math.min(cr.end + 1, end);
          await this.copyBody(res, ctl, cr.start, stop, out, start, () => got, (g) => (got = g));
          if (start + got < stop) throw new RetryableError(`the body ended ${stop - start - got} bytes early`, null, true);
          if (got < length) throw new RetryableError('the server sent a shorter range than asked');
          return;
        }
        if (res.status === 200) {
          this.checkValidators(res, from);
          const len = contentLength(res);
          if (len !== null && len !== this.size) {
            res.cancel();
            throw this.changed(`its length is now ${len}`, from);
          }
          if (!isIdentityEncoding(res)) {
            res.cancel();
            throw new FitsError('IO', `${this.shownUrl}: the server compresses the transfer (Content-Encoding: ${res.header('content-encoding')}) and ignores ranges.`, { offset: from });
          }
          this.ignoresRanges = true;
          if (this.size <= this.wholeFileLimit) {
            this.armDeadline(ctl, this.size);
            const w = this.whole ?? (await this.absorb(res, ctl, this.size));
            this.whole ??= w;
            out.set(w.subarray(start + got, end), got);
            got = length;
            return;
          }
          // Too large for memory: never streamed from byte 0 once per read, but once, into the spill file.
          res.cancel();
          throw new RangesIgnored();
        }
        this.failStatus(res, what, from);
      },
      () => got > before,
      length,
    ).catch(async (e) => {
      if (!(e instanceof RangesIgnored)) throw e;
      await this.readSpilled(start + got, length - got, out.subarray(got));
    });
    return out;
  }

  // -- a server that ignores Range: one streamed copy ------------------------------

  /** Bytes [start, start + length) of a file whose server ignores Range, from the spill file (filled once, in order). */
  private async readSpilled(start: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const end = start + length;
    if (this.spilled < end) {
      const arrived = new Promise<void>((resolve, reject) => this.spillWaiters.push({ end, resolve, reject }));
      this.startSpill();
      await arrived;
    }
    this.checkUsable();
    return this.spillFile!.read(start, length, into);
  }

  /** Start streaming the whole file into the spill file, unless it is under way (or done). */
  private startSpill(): void {
    if (this.spilling || this.spilled >= this.size) return;
    const limit = this.opts.spillLimit ?? 16 * 2 ** 30;
    const fail = (e: unknown) => {
      const waiters = this.spillWaiters;
      this.spillWaiters = [];
      for (const w of waiters) w.reject(e);
    };
    if (!this.opts.spill || this.size > limit) {
      const how = !this.opts.spill ? 'no spill file is available (http.spill)' : `it is larger than http.spillLimit (${limit} bytes)`;
      fail(
        new FitsError(
          'IO',
          `${this.shownUrl}: the server ignores Range requests (it answers with the whole ${this.size}-byte file), the file is larger than http.wholeFileLimit (${this.wholeFileLimit} bytes) and ${how}. This is the server's fault: ask its operator to support range requests, or download the file first.`,
        ),
      );
      return;
    }
    const factory = this.opts.spill;
    this.spilling = (async () => {
      this.spillFile ??= await factory(this.size, this.url);
      if (this.closed) throw new FitsError('IO', `${this.shownUrl} is closed.`);
      let before = 0;
      await this.withRetries(
        'the whole file (the server ignores Range)',
        this.spilled,
        async (ctl) => {
          before = this.spilled;
          const from = this.spilled;
          // After a failure part-way, ask for the rest (in case the server does ranges after all); a 200 is skipped up to it.
          const res = await this.send('GET', from > 0 ? { range: `bytes=${from}-`, ...this.conditions() } : this.conditions(), ctl);
          let pos: number;
          if (res.status === 206) {
            this.checkValidators(res, from);
            const cr = parseContentRange(res.header('content-range'));
            if (!cr || cr.start > from || (cr.total !== null && cr.total !== this.size)) {
              res.cancel();
              if (cr?.total !== null && cr?.total !== undefined && cr.total !== this.size) throw this.changed(`its size is now ${cr.total}`, from);
              throw new RetryableError(`asked for bytes ${from}-, got ${res.header('content-range')}`);
            }
            pos = cr.start;
          } else if (res.status === 200) {
            this.checkValidators(res, from);
            const len = contentLength(res);
            if (len !== null && len !== this.size) {
              res.cancel();
              throw this.changed(`its length is now ${len}`, from);
            }
            pos = 0;
          } else return this.failStatus(res, 'the whole file', from);
          if (!isIdentityEncoding(res)) {
            res.cancel();
            throw new FitsError('IO', `${this.shownUrl}: the server compresses the transfer (Content-Encoding: ${res.header('content-encoding')}) and ignores ranges.`, { offset: from });
          }
          const file = this.spillFile!;
          await this.readBody(res, ctl, async (chunk) => {
            const a = Math.max(pos, this.spilled);
            const b = Math.min(pos + chunk.length, this.size);
            pos += chunk.length;
            if (b > a) {
              // Backpressure: the next chunk is read once this one is written (memory stays bounded).
              await file.write(chunk.subarray(a - (pos - chunk.length), b - (pos - chunk.length)), a);
              this.spilled = b;
              this.wakeSpillWaiters();
            }
            return this.spilled < this.size;
          });
          if (this.spilled < this.size) throw new RetryableError(`the body ended after ${this.spilled} of ${this.size} bytes`, null, true);
        },
        () => this.spilled > before,
        this.size - this.spilled,
      );
    })()
      .catch((e) => fail(e))
      .finally(() => {
        this.spilling = null;
        this.wakeSpillWaiters();
        // Anyone still waiting (the stream ended early without an error): fail rather than hang.
        if (this.spillWaiters.length) fail(new FitsError('IO', `${this.shownUrl}: the whole-file stream ended at byte ${this.spilled}.`));
      });
  }

  private wakeSpillWaiters(): void {
    if (!this.spillWaiters.length) return;
    const still: typeof this.spillWaiters = [];
    for (const w of this.spillWaiters) (w.end <= this.spilled ? w.resolve : () => still.push(w))();
    this.spillWaiters = still;
  }

  /**
   * Copy body bytes (the body starts at file offset `bodyStart`) that fall in
   * [start + got, stop) into `out` (which holds the file from `start`).
   */
  private async copyBody(
    res: HttpResponse,
    ctl: AbortController,
    bodyStart: number,
    stop: number,
    out: Uint8Array,
    start: number,
    getGot: () => number,
    setGot: (g: number) => void,
  ): Promise<void> {
    let pos = bodyStart;
    await this.readBody(res, ctl, (chunk) => {
      const chunkEnd = pos + chunk.length;
      const want = start + getGot();
      if (chunkEnd > want) {
        const a = Math.max(pos, want);
        const b = Math.min(chunkEnd, stop);
        if (b > a) {
          out.set(chunk.subarray(a - pos, b - pos), a - start);
          setGot(b - start);
        }
      }
      pos = chunkEnd;
      return pos < stop;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlinkSignal();
    for (const c of this.attempts) c.abort(new ClosedError('closed'));
    const pending = this.pending;
    this.pending = [];
    for (const r of pending) r.reject(new FitsError('IO', `${this.shownUrl} is closed.`));
    this.whole = null;
    this.head = null;
    const spill = this.spillFile;
    this.spillFile = null;
    const waiters = this.spillWaiters;
    this.spillWaiters = [];
    for (const w of waiters) w.reject(new FitsError('IO', `${this.shownUrl} is closed.`));
    await this.spilling?.catch(() => {});
    await spill?.close().catch(() => {});
  }
}

/**
 * The message of a runtime's permission refusal (Deno's NotCapable, formerly
 * PermissionDenied: "Requires net access to …, run again with the --allow-net
 * flag"), or null. Such a failure is final: retrying cannot succeed.
 */
function permissionRefusal(e: unknown): string | null {
  for (let x = e, depth = 0; x instanceof Error && depth < 4; x = x.cause, depth++) {
    if (x.name === 'NotCapable' || x.name === 'PermissionDenied') return x.message.replace(/\.$/, '');
  }
  return null;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${e.message}${cause}`;
  }
  return String(e);
}
