/**
 * The persistent cache interface (a folder on Node, the Cache API in browsers
 * and edge runtimes) and what both implementations share.
 */
import type { SourceIdentity } from '../core/byte-source.js';
import { sha256Hex } from '../core/sha256.js';

const te = new TextEncoder();

/** One cached object: a remote file at one version, cut into blocks of one size. */
export interface CachedObject {
  /** Hex SHA-256 of url, validators, size and block size: the entries' key. */
  id: string;
  url: string;
  etag: string | null;
  lastModified: string | null;
  size: number;
  blockSize: number;
}

/** Counters of a persistent store (this process, plus what other processes recorded, in `stats()`). */
export interface StoreCounters {
  /** Blocks found (and verified). */
  hits: number;
  /** Blocks looked up and not found. */
  misses: number;
  /** Entries that failed verification (and were dropped). */
  corrupt: number;
  /** Payload bytes read from the store. */
  bytesFromCache: number;
  /** Bytes whose checksum was checked on reading (entries verified before and unchanged since may skip it). */
  bytesChecksummed: number;
  /** Bytes that had to come from the network (reported by CachedSource). */
  bytesFromNetwork: number;
  /** Payload bytes written. */
  bytesWritten: number;
  /** Entries evicted to stay within the size limit. */
  evicted: number;
}

export function emptyCounters(): StoreCounters {
  return { hits: 0, misses: 0, corrupt: 0, bytesFromCache: 0, bytesChecksummed: 0, bytesFromNetwork: 0, bytesWritten: 0, evicted: 0 };
}

export function addCounters(a: StoreCounters, b: Partial<StoreCounters>): StoreCounters {
  for (const k of Object.keys(a) as (keyof StoreCounters)[]) a[k] += Number(b[k] ?? 0) || 0;
  return a;
}

export interface StoreStats extends StoreCounters {
  /** Where (folder or cache name). */
  location: string;
  entries: number;
  objects: number;
  /** Payload + header bytes on disk. */
  bytes: number;
  maxBytes: number;
}

/** What verifying a persistent cache found: entries checked, corrupt (and removed), vanished. */
export interface VerifyReport {
  entries: number;
  ok: number;
  corrupt: number;
  /** Entries that vanished while verifying (another process evicted them). */
  vanished: number;
  bytes: number;
}

/** The identity a server confirmed for a URL, and when (ms since the epoch). */
export interface Validation {
  identity: SourceIdentity;
  at: number;
}

/** The bytes of a validation record: JSON with a CRC-32 of its fields (any damage makes it unreadable, not wrong). */
export function encodeValidation(v: Validation, crc32: (d: Uint8Array) => number): Uint8Array {
  const fields = JSON.stringify([v.identity.url, v.identity.size, v.identity.etag, v.identity.lastModified, v.at]);
  return te.encode(JSON.stringify({ fields, crc: crc32(te.encode(fields)) }));
}

/** A validation record for `url` (encodeValidation), or null if it is damaged, malformed or for another URL. */
export function decodeValidation(bytes: Uint8Array | null, url: string, crc32: (d: Uint8Array) => number): Validation | null {
  if (!bytes || bytes.length > 1 << 16) return null;
  try {
    const rec = JSON.parse(new TextDecoder().decode(bytes)) as { fields?: unknown; crc?: unknown };
    if (typeof rec.fields !== 'string' || rec.crc !== crc32(te.encode(rec.fields))) return null;
    const [u, size, etag, lastModified, at] = JSON.parse(rec.fields) as unknown[];
    const strOrNull = (x: unknown) => x === null || typeof x === 'string';
    if (u !== url || !Number.isSafeInteger(size) || (size as number) < 0 || !strOrNull(etag) || !strOrNull(lastModified) || !Number.isFinite(at)) return null;
    return { identity: { url, size: size as number, etag: etag as string | null, lastModified: lastModified as string | null }, at: at as number };
  } catch {
    return null;
  }
}

/** What {@link PersistentStore.readBlocksInto} filled. */
export interface BlocksRead {
  /** Blocks of the asked run not filled (not stored, or their entry was corrupt), ascending. */
  missing: number[];
  /**
   * Verified blocks outside the asked run that came with the entries read
   * (their own arrays, not views of `dest`): worth keeping in memory, as
   * neighbours are often read next.
   */
  others: Map<number, Uint8Array>;
}

/** What {@link PersistentStore.claimBlocks} answered. */
export interface BlockClaim {
  /** Blocks that arrived in the store meanwhile (verified): nothing to fetch. */
  present: Map<number, Uint8Array>;
  /**
   * Blocks to fetch here: their lease is held by this process (putBlocks
   * releases it) or could not be taken (store unreachable). If their fetch
   * fails, call `release` so that waiting processes take over at once.
   */
  mine: number[];
  /** Blocks another process is fetching now: see `wait`. */
  theirs: number[];
  /**
   * Wait for `theirs`: calls `onBlocks(found, fetchHere)` as blocks arrive
   * (verified) or become this process's to fetch (the other process gave up,
   * died, or took too long), until each block of `theirs` was reported exactly
   * once. Never rejects.
   */
  wait(onBlocks: (found: Map<number, Uint8Array>, fetchHere: number[]) => void): Promise<void>;
  /** Give up the leases of `blocks` (their fetch failed). Best effort: never throws. */
  release(blocks: readonly number[]): void;
}

/** A persistent block store. Every method tolerates entries vanishing (other processes evict too). */
export interface PersistentStore {
  readonly location: string;
  /** This process's counters. */
  readonly counters: StoreCounters;
  /**
   * Look up blocks of an object. Returns the verified blocks found (possibly
   * more than asked: whole entries are read); corrupt entries are deleted and
   * count as missing.
   */
  getBlocks(obj: CachedObject, blocks: readonly number[]): Promise<Map<number, Uint8Array>>;
  /**
   * Optional fast path for large reads: read blocks `[first, first + count)`
   * of an object straight into `dest` (exactly `extentLength(obj, first, count)`
   * bytes), with no intermediate copy. Every entry read is verified whole
   * before any of its blocks counts as filled; the bytes of blocks reported
   * missing are unspecified (the caller must fill them from elsewhere). Must
   * not settle while anything may still write into `dest`. Stores without it
   * are read through `getBlocks`.
   */
  readBlocksInto?(obj: CachedObject, first: number, count: number, dest: Uint8Array): Promise<BlocksRead>;
  /** Store consecutive blocks starting at block `first` (the last may be short: the end of the file). */
  putBlocks(obj: CachedObject, first: number, bytes: Uint8Array): Promise<void>;
  /** Count bytes that had to come from the network (for stats). */
  noteNetwork(bytes: number): void;
  /**
   * Optional: record that the server confirmed `identity` at time `at` (ms
   * since the epoch), so that a later process opening the URL with `maxAge`
   * can skip its probe. Best effort: never throws.
   */
  noteValidated?(identity: SourceIdentity, at: number): void;
  /**
   * Optional: what noteValidated last recorded for `url`; null if nothing (or
   * nothing intact). Stores on a server answer asynchronously.
   */
  lastValidated?(url: string): Validation | null | Promise<Validation | null>;
  /** Optional: drop what noteValidated recorded for `url` (the file changed since). */
  forgetValidated?(url: string): void;
  /**
   * Optional single flight across processes, in place of `getBlocks` for
   * blocks about to be fetched: the store returns those it holds, and says
   * which of the others this process should fetch (it now holds their lease)
   * and which another process is fetching already (to be waited for); see
   * {@link BlockClaim}. It counts the lookups (hits, misses) itself. Stores
   * without it: `getBlocks`, then every process fetches its misses.
   */
  claimBlocks?(obj: CachedObject, blocks: readonly number[]): Promise<BlockClaim>;
  /** Persist this process's counters and indexes (`force` false: may be deferred a little). */
  flush(force?: boolean): Promise<void>;
  /** Entries, bytes and counters of the store. */
  stats(): Promise<StoreStats>;
  /** Remove every entry; what was removed. */
  clear(): Promise<{ entries: number; bytes: number }>;
  /** Check every entry's checksum, removing corrupt ones. */
  verify(): Promise<VerifyReport>;
}


/**
 * The object id: hex SHA-256 of what identifies the bytes and their blocking.
 * Uses the synchronous pure-JS SHA-256 (the text is short): WebCrypto's
 * async digest costs a thread-pool round trip, which dominated warm opens.
 */
export async function objectId(identity: SourceIdentity, blockSize: number): Promise<string> {
  const text = ['fitsflow-object-v1', identity.url, identity.etag ?? '', identity.lastModified ?? '', String(identity.size), String(blockSize)].join('\n');
  return sha256Hex(text);
}

/**
 * Whether a version of a remote file can be recognised again later: a strong
 * ETag, or a Last-Modified date (with the size). A weak ETag alone does not
 * promise identical bytes.
 */
export function isPersistable(identity: SourceIdentity): boolean {
  return (!!identity.etag && !identity.etag.startsWith('W/')) || !!identity.lastModified;
}

/** Expected payload length of an entry of `count` blocks from `first`. */
export function extentLength(obj: Pick<CachedObject, 'size' | 'blockSize'>, first: number, count: number): number {
  return Math.max(0, Math.min(count * obj.blockSize, obj.size - first * obj.blockSize));
}

/**
 * How a runtime makes its default persistent store for `cache: { persistent:
 * true }` or `{ dir }`: a folder on Node, the Cache API elsewhere (one
 * instance per folder or cache name).
 */
export type StoreFactory = (dir?: string, opts?: { maxBytes?: number }) => PersistentStore | null;
