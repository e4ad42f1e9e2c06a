/**
 * A loopback HTTP server for remote-read tests and benchmarks: serves files
 * (from a folder or from memory) with HEAD, single Range GETs, ETag and
 * Last-Modified, If-Match / If-Unmodified-Since — and faults injected on
 * demand. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus folder: test/corpus if present, else ../shared/corpus next to the repository. */
export function corpusDir(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const local = join(root, 'test', 'corpus');
  return existsSync(local) ? local : join(root, '..', 'shared', 'corpus');
}

export type FaultKind =
  | 'status' // reply `status` (with Retry-After `retryAfter` if given)
  | 'reset' // send headers and `after` body bytes, then destroy the connection
  | 'truncate' // declare the full length, send `after` bytes, then end the connection
  | 'stall' // send headers and `after` bytes, then hang
  | 'delay' // wait `ms` before answering (normally)
  | 'ignore-range' // answer 200 with the whole file
  | 'wrong-range' // answer 206 for a range shifted by `shift` bytes
  | 'short-range' // answer 206 for only the first `after` bytes asked (a legal, shorter range)
  | 'change'; // replace the file's bytes (new ETag / Last-Modified) before answering

export interface Fault {
  kind: FaultKind;
  /** Which requests (default: any GET with a Range header). */
  match?: (req: { method: string; path: string; range: string | null }) => boolean;
  /** How many matching requests it hits (default 1). */
  times?: number;
  status?: number;
  retryAfter?: string;
  after?: number;
  ms?: number;
  shift?: number;
  /** For 'change': the new content (default: the old one with its last byte flipped). */
  content?: Uint8Array;
}

export interface RequestLog {
  method: string;
  path: string;
  range: string | null;
  status: number;
  bytes: number;
  fault?: FaultKind;
}

interface FileEntry {
  bytes: Uint8Array;
  etag: string;
  lastModified: string;
}

export interface TestServerOptions {
  /** Serve this folder (paths under it). */
  root?: string;
  /** Answer HEAD with 405. */
  noHead?: boolean;
  /** Ignore Range on every request. */
  ignoreRange?: boolean;
  /** Send no ETag (only Last-Modified). */
  noEtag?: boolean;
  /** Send weak ETags. */
  weakEtag?: boolean;
  /** Latency added before each response, in ms. */
  latencyMs?: number;
  /** Require AWS SigV4 with these credentials (S3 emulation); unsigned requests get 403. */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string; region: string };
}

export class TestServer {
  readonly log: RequestLog[] = [];
  readonly faults: Fault[] = [];
  /** Consulted for each request no queued fault matched: return a fault to inject, or null. */
  chaos: ((req: { method: string; path: string; range: string | null }) => Fault | null) | null = null;
  private readonly files = new Map<string, FileEntry>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private version = 0;
  port = 0;
  /** Requests being answered now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(readonly opts: TestServerOptions = {}) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  url(path: string): string {
    return `${this.origin}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Serve `bytes` at `path` (replacing what was there: new ETag and Last-Modified). */
  put(path: string, bytes: Uint8Array): void {
    this.version++;
    const etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}-${this.version}"`;
    const lastModified = new Date(Date.UTC(2024, 0, 1, 0, 0, this.version)).toUTCString();
    this.files.set(normalize(path).replace(/^\/+/, ''), { bytes, etag: this.opts.weakEtag ? `W/${etag}` : etag, lastModified });
  }

  private lookup(path: string): FileEntry | null {
    const rel = normalize(decodeURIComponent(path)).replace(/^\/+/, '');
    if (rel.startsWith('..')) return null;
    const f = this.files.get(rel);
    if (f) return f;
    if (this.opts.root) {
      const full = join(this.opts.root, rel);
      if (existsSync(full)) {
        try {
          this.put(rel, new Uint8Array(readFileSync(full)));
          return this.files.get(rel)!;
        } catch {
          return null;
        }
      }
    }
    return null;
  }

  /** Bytes of response bodies sent (optionally only for requests matching `path`). */
  bytesSent(path?: string): number {
    return this.log.filter((l) => !path || l.path.endsWith(path)).reduce((a, l) => a + l.bytes, 0);
  }

  requests(path?: string, method?: string): RequestLog[] {
    return this.log.filter((l) => (!path || l.path.endsWith(path)) && (!method || l.method === method));
  }

  reset(): void {
    this.log.length = 0;
    this.faults.length = 0;
    this.chaos = null;
    this.maxInFlight = this.inFlight;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address();
    if (!addr || typeof addr === 'string' || addr.address !== '127.0.0.1') throw new Error('the test server must listen on 127.0.0.1');
    this.port = addr.port;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    s.closeAllConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private takeFault(method: string, path: string, range: string | null): Fault | null {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      const ok = f.match ? f.match({ method, path, range }) : method === 'GET' && range !== null;
      if (!ok) continue;
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) this.faults.splice(i, 1);
      return f;
    }
    return this.chaos?.({ method, path, range }) ?? null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const range = (req.headers['range'] as string | undefined) ?? null;
    const entry: RequestLog = { method, path, range, status: 0, bytes: 0 };
    this.log.push(entry);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array) => {
      entry.status = status;
      res.writeHead(status, headers);
      if (body && method !== 'HEAD') {
        entry.bytes += body.length;
        res.end(Buffer.from(body.buffer, body.byteOffset, body.length));
      } else res.end();
    };
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    if (this.opts.s3Credentials && !this.checkSigV4(req, url)) return send(403, { 'content-type': 'text/plain' }, new TextEncoder().encode('SignatureDoesNotMatch'));
    const fault = this.takeFault(method, path, range);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms ?? 1000));
    if (fault?.kind === 'status') {
      const h: Record<string, string> = { 'content-type': 'text/plain' };
      if (fault.retryAfter !== undefined) h['retry-after'] = fault.retryAfter;
      return send(fault.status ?? 503, h, new TextEncoder().encode('fault'));
    }
    let file = this.lookup(path);
    if (fault?.kind === 'change' && file) {
      const old = file.bytes;
      const bytes = fault.content ?? Uint8Array.from(old, (b, i) => (i === old.length - 1 ? b ^ 0xff : b));
      this.put(decodeURIComponent(path), bytes);
      file = this.lookup(path);
    }
    if (!file) return send(404, { 'content-type': 'text/plain' }, new TextEncoder().encode('not found'));
    if (method === 'HEAD' && this.opts.noHead) return send(405, { allow: 'GET' });
    if (method !== 'GET' && method !== 'HEAD') return send(405, { allow: 'GET, HEAD' });
    const base: Record<string, string | number> = { 'last-modified': file.lastModified, 'accept-ranges': this.opts.ignoreRange ? 'none' : 'bytes', 'content-type': 'application/fits' };
    if (!this.opts.noEtag) base['etag'] = file.etag;
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim() === file!.etag)) return send(412, base);
    const ius = req.headers['if-unmodified-since'];
    if (ius && Date.parse(ius) < Date.parse(file.lastModified)) return send(412, base);
    const size = file.bytes.length;
    const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    const ignore = this.opts.ignoreRange || fault?.kind === 'ignore-range' || !m;
    if (ignore) {
      if (fault && ['reset', 'truncate', 'stall'].includes(fault.kind)) return this.faultBody(res, entry, fault, 200, { ...base, 'content-length': size }, file.bytes);
      return send(200, { ...base, 'content-length': size }, file.bytes);
    }
    let start = Number(m![1]);
    let end = m![2] ? Math.min(Number(m![2]), size - 1) : size - 1;
    if (start >= size) return send(416, { ...base, 'content-range': `bytes */${size}` });
    if (fault?.kind === 'wrong-range') {
      const shift = fault.shift ?? 100;
      start = Math.min(size - 1, start + shift);
      end = Math.min(size - 1, end + shift);
    }
    if (fault?.kind === 'short-range') end = Math.min(end, start + Math.max(0, (fault.after ?? 1) - 1));
    const body = file.bytes.subarray(start, end + 1);
    const headers = { ...base, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': body.length };
    if (fault && ['reset', 'truncate', 'stall'].includes(fault.kind)) return this.faultBody(res, entry, fault, 206, headers, body);
    return send(206, headers, body);
  }

  private faultBody(res: ServerResponse, entry: RequestLog, fault: Fault, status: number, headers: Record<string, string | number>, body: Uint8Array): void {
    entry.status = status;
    res.writeHead(status, headers);
    const n = Math.min(body.length, fault.after ?? Math.floor(body.length / 2));
    entry.bytes += n;
    res.write(Buffer.from(body.buffer, body.byteOffset, n));
    if (fault.kind === 'reset') setTimeout(() => res.socket?.destroy(), 5);
    else if (fault.kind === 'truncate') setTimeout(() => res.socket?.end(), 5);
    // 'stall': leave it hanging (the client's stall timer must fire; close() destroys it).
  }

  /** Verify an AWS SigV4 Authorization header (independent implementation, node:crypto). */
  private checkSigV4(req: IncomingMessage, url: URL): boolean {
    const creds = this.opts.s3Credentials!;
    const auth = req.headers['authorization'];
    if (!auth) return false;
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m || m[1] !== creds.accessKeyId || m[3] !== creds.region) return false;
    const [, , day, region, signedHeaders, signature] = m;
    const amzDate = req.headers['x-amz-date'] as string | undefined;
    if (!amzDate || !amzDate.startsWith(day!)) return false;
    const names = signedHeaders!.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) return false;
    const canonHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const q = [...url.searchParams.entries()].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
    const payload = (req.headers['x-amz-content-sha256'] as string | undefined) ?? '';
    const canon = [req.method, url.pathname, q, canonHeaders, signedHeaders, payload].join('\n');
    const sts = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/s3/aws4_request`, createHash('sha256').update(canon).digest('hex')].join('\n');
    const h = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
    const key = h(h(h(h(`AWS4${creds.secretAccessKey}`, day!), region!), 's3'), 'aws4_request');
    return createHmac('sha256', key).update(sts).digest('hex') === signature;
  }
}
