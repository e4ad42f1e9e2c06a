/**
 * A static file server on 127.0.0.1 with HTTP Range support — what an object
 * store or a survey's cutout service looks like to fitsflow — that fails some
 * of its range requests on purpose: a 500, or a connection dropped halfway
 * through the body. The fault schedule is seeded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { random } from './galaxies.ts';

export interface FaultOptions {
  /** Fraction of range requests that fail (half of them with a 500, half by dropping the connection). */
  rate: number;
  seed: number;
}

export interface ServerStats {
  requests: number;
  bytesSent: number;
  /** Requests answered 500 Internal Server Error on purpose. */
  errors500: number;
  /** Connections cut after half of the body on purpose. */
  dropped: number;
}

export interface FileServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  stats: ServerStats;
  close(): Promise<void>;
}

/** Serve the files of `root` at http://127.0.0.1:PORT/NAME, failing a fraction of range requests. */
export async function serveFolder(root: string, faults: FaultOptions = { rate: 0, seed: 0 }): Promise<FileServer> {
  const base = resolve(root);
  const stats: ServerStats = { requests: 0, bytesSent: 0, errors500: 0, dropped: 0 };
  const roll = random(faults.seed);
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const path = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(base + sep) || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404).end();
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return void res.writeHead(404).end();
    const headers = {
      'accept-ranges': 'bytes',
      etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
      'last-modified': info.mtime.toUTCString(),
      'content-type': 'application/fits',
    };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...headers, 'content-length': info.size }).end();
    const bytes = await readFile(path);
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      stats.bytesSent += bytes.length;
      return void res.writeHead(200, { ...headers, 'content-length': bytes.length }).end(bytes);
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
    if (start > end) return void res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
    const body = bytes.subarray(start, end + 1);
    const partial = { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': body.length };
    const dice = roll();
    if (dice < faults.rate / 2) {
      stats.errors500++;
      return void res.writeHead(500).end('injected fault');
    }
    if (dice < faults.rate) {
      stats.dropped++;
      res.writeHead(206, partial);
      res.write(body.subarray(0, body.length >> 1));
      stats.bytesSent += body.length >> 1;
      return void setTimeout(() => res.socket?.destroy(), 5); // after the first half has left
    }
    stats.bytesSent += body.length;
    res.writeHead(206, partial).end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
