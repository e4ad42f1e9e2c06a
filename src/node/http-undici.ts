/**
 * The undici transport for HttpSource (Node): one process-wide keep-alive
 * Agent (a connection Pool per origin), redirects followed. Runtime-specific:
 * only the Node runtime (node/runtime.ts) uses it, and only on Node itself —
 * Bun and Deno send requests with their own fetch (undici's interceptors fail
 * on Bun, and on Deno undici reads environment variables at import, which
 * needs --allow-env).
 */
import type { Agent, Dispatcher } from 'undici';
import { fetchTransport, type HttpResponse, type HttpTransport } from '../remote/http-source.js';

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
  /** Redirects followed (default 5). */
  maxRedirections?: number;
}

/** A transport over an undici Agent with keep-alive pools. */
export function undiciTransport(opts: UndiciTransportOptions = {}): HttpTransport & {
  /** Close the transport's connections. */
  close(): Promise<void>;
} {
  let agent: Dispatcher | null = null;
  let base: Agent | null = null;
  // undici is loaded on the first request, not with fitsflow: importing it takes 65–100 ms here, more than
  // the rest of the library, and most processes (local files, the CLI) never make a request.
  const get = async (): Promise<Dispatcher> => {
    if (!agent) {
      const { Agent, interceptors } = await import('undici');
      if (agent) return agent; // another request loaded it meanwhile
      base = new Agent({
        connections: opts.connections ?? 16,
        keepAliveTimeout: opts.keepAliveTimeout ?? 10_000,
        // HttpSource runs its own (per-attempt) timers; these are only a backstop.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      agent = base.compose(interceptors.redirect({ maxRedirections: opts.maxRedirections ?? 5 }));
    }
    return agent;
  };
  return {
    name: 'undici',
    async request(req): Promise<HttpResponse> {
      const res = await (await get()).request({
        origin: new URL(req.url).origin,
        path: pathOf(req.url),
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

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
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
