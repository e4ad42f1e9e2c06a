/**
 * RedisStore's connection (ioredis over node:net; Node, Bun, Deno): connects
 * on first use, and never lets Redis make a read fail or wait long.
 *
 * - Commands are never queued while disconnected and never retried: they
 *   fail at once (the store then reads from the origin).
 * - A failure of the connection (refused, closed, timed out after
 *   `timeoutMs`) starts an outage: one warning, then Redis is not asked again
 *   for `retryMs`; the next use after that connects anew. A command that timed
 *   out drops its connection, so that later commands do not queue behind it.
 * - Errors Redis itself answers (a full server refusing a write, say) are not
 *   outages: they pass through to the caller.
 * - The socket holds the process open only while a command is in flight, so
 *   that a CLI or a worker using the store exits when its work is done.
 *
 * Why ioredis rather than node-redis (@redis/client): measured on a loopback
 * redis-server (bench/redis-clients.mjs, bench/RESULTS-redis.md), its GET of
 * 64 KiB–1 MiB values into Buffers is 1.5–5× faster, both fail fast when
 * the server is down and reconnect alike; both are maintained by Redis.
 */
import { Redis, ReplyError } from 'ioredis';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Longest a command (or connecting) may take, in ms. */
  timeoutMs: number;
  /** After a failure, how long Redis is left alone before trying again, in ms. */
  retryMs: number;
  /** Told once per outage (a sentence). */
  onWarning: (message: string) => void;
  /** Lua scripts to define on the client (name → source; the number of keys is passed first at each call). */
  scripts?: Record<string, string>;
}

/** Redis is in an outage (or the store was closed): the caller reads from the origin. */
export class RedisUnavailable extends Error {}

/** The URL without its password (for messages and `location`). */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(invalid URL)';
  }
}

export class RedisConnection {
  readonly location: string;
  private client: Redis | null = null;
  private connecting: Promise<Redis> | null = null;
  /** No attempt before this time (ms since the epoch): an outage's back-off. */
  private downUntil = 0;
  /** In an outage that was warned about. */
  private warned = false;
  /** Outages so far: a command that started before the latest one says nothing about Redis being back. */
  private outages = 0;
  /** Commands in flight (the socket is ref'ed while > 0). */
  private busy = 0;
  private closed = false;

  constructor(private readonly opts: RedisConnectionOptions) {
    this.location = redactedUrl(opts.url);
  }

  /** False during an outage's back-off (or once closed): callers skip Redis without trying. */
  get usable(): boolean {
    return !this.closed && Date.now() >= this.downUntil;
  }

  /**
   * Run `fn` with a connected client. Connection failures and timeouts throw
   * (after recording the outage); replies that are errors pass through.
   */
  async run<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    if (!this.usable) throw new RedisUnavailable(`Redis at ${this.location} is unavailable`);
    const outagesBefore = this.outages;
    this.hold(+1);
    try {
      let c: Redis;
      try {
        c = await this.ready();
      } catch (e) {
        this.outage(e); // refused, timed out, or refused our credentials: all the same here
        throw e;
      }
      const out = await fn(c);
      // Back (a command sent since the last outage succeeded): warn again at the next outage.
      if (this.warned && outagesBefore === this.outages) this.warned = false;
      return out;
    } catch (e) {
      if (!(e instanceof ReplyError)) this.outage(e);
      throw e;
    } finally {
      this.hold(-1);
    }
  }

  private async ready(): Promise<Redis> {
    if (this.client?.status === 'ready') return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<Redis> {
    this.client?.disconnect();
    const c = new Redis(this.opts.url, {
      lazyConnect: true,
      // Fail fast, never queue or resend: a read waiting for Redis is better served by the origin.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => null, // reconnecting is this module's job (after the back-off)
      commandTimeout: this.opts.timeoutMs,
      connectTimeout: this.opts.timeoutMs,
      disableClientInfo: true,
      keepAlive: 30_000,
      noDelay: true,
    });
    c.on('error', () => {}); // failures surface through the commands
    for (const [name, lua] of Object.entries(this.opts.scripts ?? {})) c.defineCommand(name, { lua });
    this.client = c;
    await c.connect();
    if (this.busy === 0) c.stream?.unref?.();
    return c;
  }

  private hold(d: 1 | -1): void {
    this.busy += d;
    const s = this.client?.status === 'ready' ? this.client.stream : null;
    if (d === 1 && this.busy === 1) s?.ref?.();
    else if (d === -1 && this.busy === 0) s?.unref?.();
  }

  private outage(e: unknown): void {
    if (this.closed) return;
    this.outages++;
    this.downUntil = Date.now() + this.opts.retryMs;
    // A timed-out command leaves a connection whose replies are late: start afresh next time.
    const c = this.client;
    this.client = null;
    c?.disconnect();
    if (this.warned) return;
    this.warned = true;
    const why = e instanceof Error ? e.message : String(e);
    this.opts.onWarning(`the Redis cache at ${this.location} is unavailable (${why}); reading from the origin, trying Redis again every ${this.opts.retryMs >= 1000 ? `${Math.round(this.opts.retryMs / 1000)} s` : `${this.opts.retryMs} ms`}`);
  }

  /** Disconnect (after the commands in flight). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
    else c.disconnect();
  }
}
