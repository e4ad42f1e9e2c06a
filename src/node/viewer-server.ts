/**
 * The loopback server of `fitsflow view`: the viewer's static page (the files
 * the build writes to dist/viewer/) and, when a local file is viewed, that
 * file under `/file/NAME` with Range support, so the page reads it as it reads
 * any URL (range reads, only the bytes it needs). Listens on 127.0.0.1 only;
 * sends the cross-origin isolation headers so the page's decoding runs on
 * Web Workers. Nothing else on the machine is served.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { FitsError } from '../core/errors.js';

/** Options of {@link startViewerServer}. */
export interface ViewerServerOptions {
  /** Folder of the built page (index.html, app.js, decode-worker.js). */
  pageDir: string;
  /** A local file to serve under /file/NAME. */
  file?: string;
  /** Port (default 0: any free port). */
  port?: number;
}

/** A running viewer server. */
export interface ViewerServer {
  /** The page's address, with the file or URL to open in its query. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → [start, end], or null for none / multi-range (served whole). */
function parseRange(header: string | undefined, size: number): [number, number] | null | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'unsatisfiable' : [start, end];
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const st = statSync(path);
  const size = st.size;
  res.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`);
  res.setHeader('Last-Modified', st.mtime.toUTCString());
  res.setHeader('Cache-Control', 'no-cache');
  const r = parseRange(req.headers.range, size);
  if (r === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const [start, end] = r ?? [0, size - 1];
  if (r) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  res.writeHead(r ? 206 : 200, { 'Content-Length': String(size === 0 ? 0 : end - start + 1) });
  if (req.method === 'HEAD' || size === 0) res.end();
  else createReadStream(path, { start, end }).pipe(res);
}

/**
 * Start the viewer's server on 127.0.0.1.
 * `file` is served under /file/NAME; a `url` (http or https) is opened by the page directly (the host must allow CORS).
 */
export async function startViewerServer(opts: ViewerServerOptions & { url?: string }): Promise<ViewerServer> {
  const pageDir = resolve(opts.pageDir);
  if (!existsSync(join(pageDir, 'index.html'))) {
    throw new FitsError('BAD_ARGUMENT', `The viewer's page is not built (no ${join(pageDir, 'index.html')}): run npm run build.`);
  }
  const file = opts.file ? resolve(opts.file) : undefined;
  if (file && !(existsSync(file) && statSync(file).isFile())) throw new FitsError('BAD_ARGUMENT', `${opts.file} is not a file: give the path of a FITS file or a URL.`);
  const fileName = file ? basename(file) : '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    // Cross-origin isolated, so the web runtime decodes on Web Workers (SharedArrayBuffer).
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('method not allowed');
      return;
    }
    let target: string | null = null;
    if (file && path === `/file/${fileName}`) target = file;
    else if (!path.startsWith('/file/')) {
      const p = normalize(join(pageDir, path === '/' ? 'index.html' : path.slice(1)));
      if (p.startsWith(pageDir + sep) && existsSync(p) && statSync(p).isFile()) target = p;
    }
    if (!target) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(req, res, target);
  });
  return new Promise((done, fail) => {
    server.once('error', (e) => fail(new FitsError('BAD_ARGUMENT', `The viewer cannot listen on port ${opts.port ?? 0} (${(e as Error).message}): choose another --port.`, { cause: e })));
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      const open = file ? `/file/${encodeURIComponent(fileName)}` : (opts.url ?? '');
      done({
        origin,
        url: open ? `${origin}/?open=${encodeURIComponent(open)}` : `${origin}/`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
