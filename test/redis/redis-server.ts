/**
 * Real redis-server instances for the Redis tests: each on a free loopback
 * port, without persistence (`--save '' --appendonly no`), stopped by the
 * test. Debian's redis-server (`apt-get install -y redis-server`; .ci/run
 * installs it). Missing, the tests are skipped with a warning — and fail
 * under CI (process.env.CI), where it must be installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

export const haveRedisServer = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

if (!haveRedisServer) {
  if (process.env.CI) throw new Error('redis-server is missing: CI must install it (apt-get install -y redis-server; see .ci/run)');
  console.warn('Redis tests SKIPPED: redis-server is not installed (apt-get install -y redis-server)');
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Send one inline command and read the first reply line (raw RESP: no client library involved). */
export function rawCommand(port: number, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no reply to ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(`${command}\r\n`));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  /** Start a server on a free port (extra arguments: e.g. `--maxmemory 2mb`). */
  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), extraArgs);
    await s.restart();
    return s;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** (Re)start on the same port (an empty server: no persistence); resolves when it answers PING. */
  async restart(): Promise<void> {
    if (this.proc) throw new Error('redis-server is running');
    const p = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...this.extraArgs], { stdio: 'ignore' });
    this.proc = p;
    p.once('exit', () => {
      if (this.proc === p) this.proc = null;
    });
    for (let i = 0; i < 400; i++) {
      if (!this.proc) throw new Error(`redis-server exited at start (port ${this.port})`);
      try {
        if ((await rawCommand(this.port, 'PING', 500)).startsWith('+PONG')) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  /** Kill it (SIGKILL: as a crash would) and wait until it is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
    this.proc = null;
  }

  /** Freeze (SIGSTOP) or thaw (SIGCONT) the server: a hung or very slow Redis. */
  pause(on: boolean): void {
    this.proc?.kill(on ? 'SIGSTOP' : 'SIGCONT');
  }

  async stop(): Promise<void> {
    this.pause(false);
    await this.kill();
  }
}
