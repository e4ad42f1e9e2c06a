/**
 * The undici transport for HttpSource (Node): one process-wide keep-alive
 * Agent (a connection Pool per origin). Redirects are returned as they are
 * (HttpSource follows them, dropping credentials across origins), and paths
 * are sent as written (S3 keys may hold `.` and `..`). Runtime-specific:
 * only the Node runtime (node/runtime.ts) uses it, and only on Node itself —
 * Bun and Deno send requests with their own fetch (undici's interceptors fail
 * on Bun, and on Deno undici reads environment variables at import, which
 * needs --allow-env).
 */
import type { Agent, Dispatcher } from 'undici';
import { fetchTransport, type HttpResponse, type HttpTransport } from '../remote/http-source.js';
import { rawUrlParts } from '../remote/raw-url.js';

/** Options of {@link undiciTransport}: connection pool sizes and time-outs. */
export interface UndiciTransportOptions {
  /**
   * Connections per origin (default 16). Bounded on purpose: undici opens a new
   * connection when none is idle at that instant, and a connection that just
   * finished a response is not idle yet — unbounded, back-to-back requests
   * would each pay a new TCP (and TLS) handshake.
   */
  connections?: number;
  /** Idle keep-alive time in ms (default 10 000). */
  keepAliveTimeout?: number;
  /** undici's wait for response headers, in ms (default 300 000; 0: none). HttpSource's own `timeout` is usually shorter. */
  headersTimeout?: number;
  /** undici's longest pause between body chunks, in ms (default 300 000; 0: none). HttpSource's own `stallTimeout` is usually shorter. */
  bodyTimeout?: number;
  /**
   * @deprecated Ignored: HttpSource follows redirects itself
   * (`HttpSourceOptions.maxRedirects`), so that no credential follows one to
   * another origin.
   */
  maxRedirections?: number;
}

/** A transport over an undici Agent with keep-alive pools. */
export function undiciTransport(opts: UndiciTransportOptions = {}): HttpTransport & {
  /** Close the transport's connections. */
  close(): Promise<void>;
} {
  let agent: Dispatcher | null = null;
  let base: Agent | null = null;
  const headersTimeout = Math.max(0, opts.headersTimeout ?? 300_000);
  const bodyTimeout = Math.max(0, opts.bodyTimeout ?? 300_000);
  // undici is loaded on the first request, not with fitsflow: importing it takes 65–100 ms here, more than
  // the rest of the library, and most processes (local files, the CLI) never make a request.
  const get = async (): Promise<Dispatcher> => {
    if (!agent) {
      const { Agent } = await import('undici');
      if (agent) return agent; // another request loaded it meanwhile
      base = new Agent({
        connections: opts.connections ?? 16,
        keepAliveTimeout: opts.keepAliveTimeout ?? 10_000,
        // HttpSource runs its own (per-attempt) timers and deadline; these are only a backstop for other callers.
        headersTimeout,
        bodyTimeout,
      });
      agent = base;
    }
    return agent;
  };
  return {
    name: 'undici',
    rawPaths: true,
    async request(req): Promise<HttpResponse> {
      const { origin, path, search } = rawUrlParts(req.url);
      // As written when it is already encoded (printable ASCII); else as the URL parser encodes it.
      const raw = `${path}${search}`;
      const u = /^[\x21-\x7e]*$/.test(raw) && !raw.includes('\\') ? null : new URL(req.url);
      const res = await (await get()).request({
        origin,
        path: u ? `${u.pathname}${u.search}` : raw,
        method: req.method,
        headers: req.headers,
        signal: req.signal,
        // undici closes the connection after a HEAD unless told otherwise (for servers that wrongly send a body).
        ...(req.method === 'HEAD' ? { reset: false } : {}),
      });
      const body = res.body;
      body.on('error', () => {}); // errors surface through iteration; destroy() must not become an uncaught error
      let cancelled = false;
      const hdrs = res.headers;
      return {
        status: res.statusCode,
        header(name) {
          const v = hdrs[name.toLowerCase()];
          if (v === undefined) return null;
          return Array.isArray(v) ? v.join(', ') : String(v);
        },
        body: req.method === 'HEAD' ? null : (body as AsyncIterable<Uint8Array>),
        cancel() {
          if (cancelled) return;
          cancelled = true;
          if (body.readableEnded || body.destroyed) return;
          // Read a small remainder (keeps the connection alive, e.g. after HEAD); a large one closes it.
          body.dump({ limit: 64 * 1024 }).catch(() => {});
        },
      };
    },
    async close() {
      const a = base;
      agent = null;
      base = null;
      if (a) await a.close();
    },
  };
}

/** The process's transport for `open(url)` (its keep-alive connections are shared by every remote file). */
let processTransport: ReturnType<typeof undiciTransport> | null = null;

function isPlainNode(): boolean {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process?.versions;
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  return !!versions?.node && !versions.bun && !deno;
}

/** The transport `open(url)` uses in this runtime: undici on Node (one keep-alive Agent per process), fetch on Bun and Deno. */
export function nodeRuntimeTransport(): HttpTransport {
  if (!isPlainNode()) return fetchTransport();
  return (processTransport ??= undiciTransport());
}

/** Close the keep-alive connections of the process's undici transport (they are unref'ed; this is for tidy shutdowns and tests). */
export async function closeHttpConnections(): Promise<void> {
  await processTransport?.close();
}
