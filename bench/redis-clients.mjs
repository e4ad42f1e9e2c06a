/**
 * Which Redis client for RedisStore: ioredis vs @redis/client (the core of
 * `redis`), measured on a loopback redis-server started here.
 *
 *   GET/SET of 64 KiB, 256 KiB and 1 MiB values (one at a time, and 16 in
 *   flight: pipelined), and what happens to commands while the server is
 *   down and after it restarts (reconnect behaviour).
 *
 * Neither client is a dependency of the benchmark's own: install both aside,
 *   npm install --no-save ioredis @redis/client
 *   node bench/redis-clients.mjs [ROUNDS]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const ROUNDS = Number(process.argv[2] ?? 5);

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

async function startRedis(port) {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    await sleep(25);
    const ok = await new Promise((res) => {
      const s = require_net().connect(port, '127.0.0.1', () => {
        s.end();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return p;
  }
  throw new Error('redis-server did not start');
}
import * as net from 'node:net';
function require_net() {
  return net;
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function makeIoredis(port) {
  const { default: Redis } = await import('ioredis');
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: (n) => Math.min(n * 50, 500) });
  c.on('error', () => {});
  await c.connect();
  return {
    name: 'ioredis',
    set: (k, v) => c.set(k, v),
    get: (k) => c.getBuffer(k),
    pipeGet: (keys) => {
      const p = c.pipeline();
      for (const k of keys) p.getBuffer(k);
      return p.exec().then((r) => r.map(([e, v]) => (e ? null : v)));
    },
    close: () => c.quit().catch(() => c.disconnect()),
    raw: c,
  };
}

async function makeNodeRedis(port) {
  const { createClient, RESP_TYPES } = await import('@redis/client');
  const base = createClient({ url: `redis://127.0.0.1:${port}`, disableOfflineQueue: true, socket: { reconnectStrategy: (n) => Math.min(n * 50, 500) } });
  base.on('error', () => {});
  await base.connect();
  const c = base.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return {
    name: '@redis/client',
    set: (k, v) => c.set(k, v),
    get: (k) => c.get(k),
    pipeGet: (keys) => Promise.all(keys.map((k) => c.get(k))), // commands of one tick are written together (auto-pipelining)
    close: () => base.close().catch(() => base.destroy()),
    raw: base,
  };
}

async function timeIt(fn, n) {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / n;
}

async function throughput(client, size) {
  const v = Buffer.alloc(size);
  for (let i = 0; i < size; i++) v[i] = (i * 2654435761) >>> 24;
  const N = Math.max(16, Math.round((64 * 2 ** 20) / size)); // 64 MiB per measurement
  const keys = Array.from({ length: 16 }, (_, i) => `bench:${size}:${i}`);
  const out = { set: [], get: [], pipe: [] };
  for (let r = 0; r < ROUNDS; r++) {
    out.set.push(
      await timeIt(async () => {
        for (let i = 0; i < N; i++) await client.set(keys[i % 16], v);
      }, N),
    );
    out.get.push(
      await timeIt(async () => {
        for (let i = 0; i < N; i++) {
          const g = await client.get(keys[i % 16]);
          if (!g || g.length !== size) throw new Error('bad GET');
        }
      }, N),
    );
    out.pipe.push(
      await timeIt(async () => {
        for (let i = 0; i < N; i += 16) {
          const got = await client.pipeGet(keys);
          if (got.some((g) => !g || g.length !== size)) throw new Error('bad pipelined GET');
        }
      }, N),
    );
  }
  const mbps = (ms) => ((size / 2 ** 20) / (ms / 1000)).toFixed(0);
  return { set: median(out.set), get: median(out.get), pipe: median(out.pipe), mbps };
}

async function reconnect(make, port) {
  let server = await startRedis(port);
  const c = await make(port);
  await c.set('k', Buffer.from('v'));
  server.kill('SIGKILL');
  await new Promise((r) => server.once('exit', r));
  // While down: how long until a GET settles, and how.
  const t0 = performance.now();
  let down;
  try {
    await Promise.race([c.get('k'), sleep(5000).then(() => { throw new Error('no answer in 5 s'); })]);
    down = 'answered?';
  } catch (e) {
    down = `rejected in ${(performance.now() - t0).toFixed(1)} ms (${String(e.message).slice(0, 60)})`;
  }
  server = await startRedis(port);
  const t1 = performance.now();
  let back = null;
  for (let i = 0; i < 400 && back === null; i++) {
    try {
      await c.set('k2', Buffer.from('v'));
      back = performance.now() - t1;
    } catch {
      await sleep(10);
    }
  }
  await c.close();
  server.kill('SIGKILL');
  return { down, back: back === null ? 'never (4 s)' : `${back.toFixed(0)} ms after restart` };
}

const port = await freePort();
const server = await startRedis(port);
console.log(`redis-server on 127.0.0.1:${port}; ${ROUNDS} rounds, medians; 2-core VM, other jobs running (noisy)`);
console.log('client         size     SET ms  GET ms  16-pipelined GET ms/value  (GET MiB/s, pipelined MiB/s)');
for (const make of [makeIoredis, makeNodeRedis]) {
  const c = await make(port);
  for (const size of [64 * 1024, 256 * 1024, 1024 * 1024]) {
    const r = await throughput(c, size);
    console.log(`${c.name.padEnd(14)} ${String(size / 1024).padStart(5)} KiB ${r.set.toFixed(3).padStart(7)} ${r.get.toFixed(3).padStart(7)} ${r.pipe.toFixed(3).padStart(10)}   (${r.mbps(r.get)}, ${r.mbps(r.pipe)})`);
  }
  await c.close();
}
server.kill('SIGKILL');
for (const make of [makeIoredis, makeNodeRedis]) {
  const p = await freePort();
  const r = await reconnect(make, p);
  console.log(`${make === makeIoredis ? 'ioredis' : '@redis/client'} reconnect: GET while down ${r.down}; usable again ${r.back}`);
}
process.exit(0);
