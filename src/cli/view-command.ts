/**
 * `fitsflow view FILE|URL`: the browser viewer. Starts a server on 127.0.0.1
 * (src/node/viewer-server.ts) that serves the viewer's page (built into
 * dist/viewer/, the same files a static host serves) and, for a local FILE,
 * the file itself with Range support; prints the page's address and serves
 * until interrupted (Ctrl-C). A URL is opened by the page directly (range
 * reads; the host must allow CORS).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagValue, onePositional, UsageError, type Command } from './command.js';

/** The built page: next to the CLI bundle (dist/viewer/), or dist/viewer/ of the repository when run from sources. */
function defaultPageDir(): string {
  const candidates = [new URL('./viewer/', import.meta.url), new URL('../../dist/viewer/', import.meta.url)];
  const found = candidates.find((u) => u.protocol === 'file:' && existsSync(new URL('index.html', u)));
  return fileURLToPath(found ?? candidates[0]!);
}

/** Resolves on the first SIGINT or SIGTERM (then the server closes and the command returns 0). */
function interrupted(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const viewCommand: Command = {
  name: 'view',
  summary: 'Open a FITS file or URL in the browser viewer: prints the address of a page served from 127.0.0.1.',
  usage: 'FILE|URL [--port N]',
  options: [
    { flag: 'port', value: 'N', help: 'port to listen on, 127.0.0.1 only (default: any free port)' },
    { flag: 'page', value: 'DIR', help: "folder of the built viewer page (default: the package's dist/viewer)" },
  ],
  details: 'The page opens local files (file picker or drag and drop; nothing is uploaded) and URLs too. Serve dist/viewer/ from any static host for the same page: index.html?open=URL opens a URL. Stop with Ctrl-C.',
  async run(args, io) {
    const target = onePositional(args, 'FILE or URL');
    const portText = flagValue(args, 'port');
    if (portText !== undefined && (!/^\d+$/.test(portText) || Number(portText) > 65535)) throw new UsageError(`--port takes a port number 0–65535 (got "${portText}")`);
    const isUrl = /^https?:\/\//i.test(target);
    // node:http is loaded only by this command.
    const { startViewerServer } = await import('../node/viewer-server.js');
    const server = await startViewerServer({
      pageDir: flagValue(args, 'page') ?? defaultPageDir(),
      ...(isUrl ? { url: target } : { file: target }),
      port: portText === undefined ? 0 : Number(portText),
    });
    io.out(server.url);
    io.err('fitsflow view: serving on 127.0.0.1; stop with Ctrl-C');
    await interrupted();
    await server.close();
    return 0;
  },
};
