/**
 * The persistent block cache in a folder (Node, Bun, Deno through node:fs).
 * Runtime-specific: only imported from the Node entry point and the CLI.
 *
 * Layout (under `<dir>/v1/`):
 *   objects/<id[0:2]>/<id>/<first>-<count>.blk   one entry: `count` blocks from block `first`
 *   objects/<id[0:2]>/<id>/info.json             url, validators, size (for listings); mtime = last use
 *   objects/<id[0:2]>/<id>/verified.json         entries whose checksum was verified, by file status (this boot only)
 *   tmp/                                          entries being written
 *   stats/<process>.json                          each process's counters
 *   urls/<sha256(url)[0:2]>/<sha256(url)>.json     the identity a server last confirmed for a URL, and when (for maxAge)
 *
 * Entries are immutable: written to tmp/ then renamed into place (atomic on
 * POSIX and NTFS), so a reader sees a whole entry or none, and several
 * processes can share the folder without locks. Each entry carries a CRC-32
 * of its header and payload (format: fs-entry.ts); a corrupt entry is
 * deleted and its blocks are fetched again. A read checks it the first time
 * an entry is read and again whenever its file has changed (fs-verified.ts;
 * `verifyReads: 'always'` checks every time): the checksum costs more than
 * the read itself (CRC-32 ~0.2 ms per MiB here, the copy ~0.15), and the
 * file system already tells whether a file was written since.
 * Why CRC-32 rather than SHA-256: the checksum guards against accidents
 * (torn or truncated writes, bit rot, a stray edit), not attackers — anyone
 * who can write the folder can also write a matching hash, keyed or not —
 * and CRC-32 catches every burst of up to 32 bits and other random damage
 * with probability 1 − 2⁻³², while zlib's CRC-32 runs at 4.5–6 GB/s against
 * ~1.2–1.7 GB/s for SHA-256 here (a 2-core EPYC VM).
 *
 * Large reads (`readBlocksInto`) scatter-read each entry straight into the
 * caller's buffer; small ones (`getBlocks`) return whole entries' blocks,
 * which the caller keeps in memory.
 *
 * Trust: the folder is private (made 0700, files 0600, an older cache's v1/
 * folder is made 0700) and is trusted as far as whoever can write to it —
 * the checksums catch accidents, not someone who can write the folder. What
 * the cache guards against is what it finds there by accident or from an
 * older version: nothing in it is followed as a link (folders are checked
 * with lstat, files opened with O_NOFOLLOW), opened unless it is a regular
 * file (O_NONBLOCK: a FIFO never blocks a read), or believed because of its
 * name (an entry name must fit its object's size); such things are removed,
 * with a warning. info.json records the URL without credentials in its query
 * (presigned signatures, tokens: cache/url-credentials.ts).
 *
 * Size limit: least-recently-used entries (their object's last use — the
 * mtime of its info.json, refreshed on use at most once a minute — or their
 * own write, whichever is later) are deleted when the total exceeds
 * `maxBytes`, down to 90% of it.
 */
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, promises as fsp, readdirSync, readv, readvSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../core/sha256.js';
import type { SourceIdentity } from '../../core/byte-source.js';
import { crc32, ENTRY_HEADER_BYTES, ENTRY_RE, entryHeader, parseEntry, parseHeader, type EntryFields } from './fs-entry.js';
import { bootId, encodeVerifiedRecord, fileStatus, parseVerifiedRecord, stableStatus } from './fs-verified.js';
import { notAFolderSync, openRegular, openRegularSync, readSmallFile, readSmallFileSync } from './fs-safe.js';
import { urlWithoutCredentials } from '../../cache/url-credentials.js';
import { addCounters, decodeValidation, emptyCounters, encodeValidation, extentLength, type BlocksRead, type Validation, type CachedObject, type PersistentStore, type StoreCounters, type StoreStats, type VerifyReport } from '../../cache/store.js';

/** Default folder: $FITSFLOW_CACHE_DIR, else $XDG_CACHE_HOME/fitsflow, else ~/.cache/fitsflow. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.FITSFLOW_CACHE_DIR) return env.FITSFLOW_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fitsflow');
}

export const DEFAULT_DISK_CACHE_BYTES = 4 * 2 ** 30;

const TOUCH_INTERVAL_MS = 60_000;
const STALE_TMP_MS = 3_600_000;
/** Per object folder: entry name → the file status it had when its checksum was verified. */
const VERIFIED_FILE = 'verified.json';
/** Per object folder: its URL and validators (for listings); its mtime is the object's last use. */
const INFO_FILE = 'info.json';

/** What is wrong with a well-formed entry found under the name of extent `ext` of `obj`, if anything. */
function mismatch(obj: CachedObject, ext: Extent, e: { id: string; first: number; blockSize: number }, payloadLength: number): string | null {
  if (e.id !== obj.id) return 'belongs to another object';
  if (e.first !== ext.first || e.blockSize !== obj.blockSize) return 'header does not match its name';
  if (payloadLength !== extentLength(obj, ext.first, ext.count)) return 'wrong length for its blocks';
  return null;
}

/** The buffers (or their tails) still to fill after `n` more bytes were read into `list`. */
function unfilled(list: Uint8Array[], n: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const b of list) {
    if (n >= b.length) n -= b.length;
    else {
      rest.push(n ? b.subarray(n) : b);
      n = 0;
    }
  }
  return rest;
}

/**
 * Scatter-read a whole entry file from its start into `bufs` in order, until
 * they are full, the file ends, or `enough` bytes were read; returns the bytes
 * read. Why `enough`: the last buffer is a spare byte that notices a longer
 * file, so a read stopping exactly at the expected length is the end of the
 * file — no second read is needed to see it return 0. Other short reads (some
 * network file systems) are continued.
 */
function readEntrySync(fd: number, bufs: Uint8Array[], enough: number): number {
  let total = 0;
  for (let list = bufs.filter((b) => b.length > 0); list.length; ) {
    const bytesRead = readvSync(fd, list, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total === enough) break;
    list = unfilled(list, bytesRead);
  }
  return total;
}

/** readEntrySync on the thread pool (the callback API: a promise per call costs more). */
function readEntryAsync(fd: number, bufs: Uint8Array[], enough: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    const step = (list: Uint8Array[]) => {
      if (!list.length) return resolve(total);
      readv(fd, list, total, (err, bytesRead) => {
        if (err) return reject(err);
        if (bytesRead === 0) return resolve(total);
        total += bytesRead;
        if (total === enough) return resolve(total);
        step(unfilled(list, bytesRead));
      });
    };
    step(bufs.filter((b) => b.length > 0));
  });
}

// -- the store -------------------------------------------------------------------

interface Extent {
  first: number;
  count: number;
  name: string;
}

/** An entry read by FsCache.readEntryInto, to be verified by checkEntryRead. */
interface EntryRead {
  ext: Extent;
  path: string;
  /** The blocks read into `dest`: [lo, hi). */
  lo: number;
  hi: number;
  header: Uint8Array;
  /** The entry's blocks before `lo`, its part in `dest`, its blocks from `hi`. */
  before: Uint8Array;
  dest: Uint8Array;
  after: Uint8Array;
  /** Bytes read from the file. */
  got: number;
  /** The file's status (fileStatus) before the read (null: not taken, the entry had a record) and after it. */
  statusBefore: string | null;
  statusAfter: string;
}

interface ObjectIndex {
  extents: Map<string, Extent>;
  /** block → extent holding it */
  blocks: Map<number, Extent>;
}

interface ScannedEntry {
  path: string;
  id: string;
  name: string;
  size: number;
  /** Its object's last use or its own write, whichever is later (ms). */
  lastUsedMs: number;
}

/** Options of {@link FsCache}: size limit, and when reads check an entry's CRC-32. */
export interface FsCacheOptions {
  /** Size limit in bytes (default 4 GiB). */
  maxBytes?: number;
  /**
   * When a read checks an entry's checksum: 'changed' (default) the first
   * time the entry is read on this machine and whenever its file has changed
   * since (by its status: inode, size, mtime, ctime — see STABLE_MS in
   * fs-verified.ts), 'always' on every read. 'always' also guards against damage
   * the file system does not notice (silent media errors), at ~0.2 ms per MiB.
   */
  verifyReads?: 'changed' | 'always';
  /** Told what the cache found wrong and removed (a bad entry name, a link, a FIFO…); default: console.warn. */
  onWarning?: (message: string) => void;
}

/** Folders are made private: only their owner may list or enter them. */
const DIR_MODE = 0o700;
/** Files are made private: only their owner may read them. */
const FILE_MODE = 0o600;
/** The largest small file read (info.json, verified.json, validation records, stats). */
const SMALL_FILE_MAX = 4 << 20;

/**
 * What is wrong with entry name `name` of an object of `size` bytes in blocks
 * of `blockSize`, or null: `<first>-<count>.blk` in canonical decimal, count
 * at least 1, and every block inside the object.
 */
export function entryNameProblem(name: string, size: number, blockSize: number): string | null {
  const m = ENTRY_RE.exec(name);
  if (!m) return 'not an entry name';
  const first = Number(m[1]);
  const count = Number(m[2]);
  if (String(first) !== m[1] || String(count) !== m[2]) return 'not in canonical form';
  if (count < 1) return 'holds no block';
  const blocks = blockSize > 0 ? Math.ceil(size / blockSize) : 0;
  if (first + count > blocks) return `blocks ${first}-${first + count - 1} lie beyond the object's ${blocks} block(s)`;
  return null;
}

/** True if the index knows an entry for every block in [first, end). */
function covers(idx: ObjectIndex, first: number, end: number): boolean {
  for (let b = first; b < end; b++) if (!idx.blocks.has(b)) return false;
  return true;
}

/**
 * A random suffix for file names (with the process id: temp files, stats
 * files). Math.random rather than crypto.randomBytes: the first randomBytes
 * call seeds OpenSSL's generator, ~5 ms of a warm open in a new process; the
 * names need no secrecy, and every such file is created exclusively ('wx') or
 * renamed into place.
 */
function uniqueSuffix(): string {
  return (Math.random() * 2 ** 52).toString(36) + Date.now().toString(36);
}

/** A small regular file's bytes, or null if it cannot be read (never through a link, never blocking on a FIFO). */
function readFileOrNull(path: string): Uint8Array | null {
  return readSmallFileSync(path, SMALL_FILE_MAX);
}

/** Parsed JSON, or null for none or garbage. */
function jsonOrNull(bytes: Uint8Array | null): unknown {
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as NodeJS.ErrnoException)?.code ?? '');
}

/** Stores with a deferred counter write pending (flush(false)): written at exit. */
const unflushed = new Set<FsCache>();
let exitHook = false;
function flushAllAtExit(): void {
  for (const s of unflushed) s.flushAtExit();
  unflushed.clear();
}

export class FsCache implements PersistentStore {
  readonly location: string;
  readonly counters: StoreCounters = emptyCounters();
  maxBytes: number;
  readonly verifyReads: 'changed' | 'always';
  private readonly root: string;
  private readonly procId = `${process.pid}-${uniqueSuffix()}`;
  private readonly index = new Map<string, ObjectIndex>();
  private readonly madeDirs = new Set<string>();
  private readonly infoWritten = new Set<string>();
  private readonly touched = new Map<string, number>();
  /** Entry path → the file status it had when its checksum was verified (see STABLE_MS). */
  private readonly verified = new Map<string, string>();
  /** Objects with entries verified since their verified.json was last written. */
  private readonly verifiedDirty = new Set<string>();
  private approxBytes: number | null = null;
  private sizing: Promise<void> | null = null;
  private evicting: Promise<void> | null = null;
  /** Counters merged in from other processes' stats files. */
  private carried: StoreCounters = emptyCounters();
  private readonly onWarning: (message: string) => void;
  private readonly warned = new Set<string>();
  /** Whether the root folder was checked (made private, owner) in this process. */
  private rootChecked = false;

  constructor(dir: string = defaultCacheDir(), opts: FsCacheOptions = {}) {
    this.location = dir;
    this.root = join(dir, 'v1');
    this.maxBytes = opts.maxBytes ?? DEFAULT_DISK_CACHE_BYTES;
    this.verifyReads = opts.verifyReads ?? 'changed';
    this.onWarning = opts.onWarning ?? ((m) => console.warn(`fitsflow: ${m}`));
  }

  /** Warn once per message (bounded). */
  private warn(message: string): void {
    if (this.warned.has(message)) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.add(message);
    this.onWarning(message);
  }

  private objectDir(id: string): string {
    return join(this.root, 'objects', id.slice(0, 2), id);
  }

  /**
   * Make `dir` (a folder under the root) and check that it and every folder
   * between it and the root are real folders, not links (a link is removed,
   * with a warning, and the folder made). Private (0700) when made.
   */
  private async mkdirp(dir: string, force = false): Promise<void> {
    if (!force && this.madeDirs.has(dir)) return;
    this.checkRoot();
    await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
    if (!this.realFolders(dir)) await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
    if (!this.realFolders(dir)) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    this.madeDirs.add(dir);
  }

  /** mkdirp, blocking. */
  private mkdirpSync(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    this.checkRoot();
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    if (!this.realFolders(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    if (!this.realFolders(dir)) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    this.madeDirs.add(dir);
  }

  /**
   * Whether every folder from the root down to `dir` is a real folder. A link
   * (or other non-folder) on the way is removed, with a warning: nothing in
   * the cache is followed. False also when a folder is missing.
   */
  private realFolders(dir: string): boolean {
    const rel = dir.slice(this.root.length).split(/[\\/]+/).filter(Boolean);
    let p = this.root;
    for (let i = 0; i <= rel.length; i++) {
      if (i > 0) p = join(p, rel[i - 1]!);
      const what = notAFolderSync(p);
      if (what === null) continue;
      if (what !== 'missing') {
        this.warn(`the cache folder held ${what} at ${p}, where a folder belongs; it was removed (nothing in the cache is followed).`);
        this.removeSync(p);
      }
      return false;
    }
    return true;
  }

  /** Remove whatever is at `path` (a link itself, never its target). */
  private removeSync(path: string): void {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      /* gone, or not ours to remove: it is still never followed */
    }
  }

  /**
   * Once per process: an existing root made private (an older version made
   * it 0755), and a warning if it belongs to another user (whoever can write
   * the folder decides what it serves).
   */
  private checkRoot(): void {
    if (this.rootChecked) return;
    this.rootChecked = true;
    try {
      const st = lstatSync(this.root);
      if (!st.isDirectory()) return; // a link or file: realFolders removes it
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        this.warn(`the cache folder ${this.root} belongs to another user (uid ${st.uid}); the cache trusts whoever can write to it. Use a folder of your own (FITSFLOW_CACHE_DIR).`);
      } else if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) chmodSync(this.root, DIR_MODE);
    } catch {
      /* not made yet: made private */
    }
  }

  /**
   * Write `parts` to `path` atomically (temp file + rename). Returns false when
   * it lost a race it need not win (folders removed by a concurrent clear or
   * eviction three times in a row; on Windows, the target exists and is open).
   */
  private async atomicWrite(path: string, dir: string, parts: Uint8Array[]): Promise<boolean> {
    const tmpDir = join(this.root, 'tmp');
    for (let attempt = 0; attempt < 3; attempt++) {
      const tmp = join(tmpDir, `${this.procId}-${uniqueSuffix()}.tmp`);
      try {
        await this.mkdirp(tmpDir, attempt > 0);
        const fh = await fsp.open(tmp, 'wx', FILE_MODE);
        try {
          await fh.writev(parts);
        } finally {
          await fh.close();
        }
        await this.mkdirp(dir, attempt > 0);
        await fsp.rename(tmp, path);
        return true;
      } catch (e) {
        await fsp.unlink(tmp).catch(() => {});
        if (isCode(e, 'ENOENT')) continue; // a folder vanished under us: make it again
        if (isCode(e, 'EPERM', 'EEXIST', 'EACCES', 'EBUSY')) return false; // Windows: the same entry exists and is open
        if (isCode(e, 'EISDIR', 'ENOTDIR', 'ENOTEMPTY')) return false; // something else sits where the file goes
        throw e;
      }
    }
    return false;
  }

  /**
   * atomicWrite, blocking, for small files (validation records, and what is
   * written at exit); failures are ignored: these files are hints, and a
   * missing one only costs a request or a checksum later. `makeDir` false:
   * the file's folder must exist (an object folder removed meanwhile is not
   * made again for it).
   */
  private atomicWriteSync(path: string, bytes: Uint8Array, makeDir: boolean): void {
    const tmp = join(this.root, 'tmp', `${this.procId}-${uniqueSuffix()}.tmp`);
    try {
      this.mkdirpSync(dirname(tmp));
      if (makeDir) this.mkdirpSync(dirname(path));
      else if (!this.realFolders(dirname(path))) return;
      writeFileSync(tmp, bytes, { flag: 'wx', mode: FILE_MODE });
      renameSync(tmp, path);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
    }
  }

  /**
   * List an object's entries (and load the records of entries verified
   * before). Blocking, like reading warm entries (see readEntryInto): a
   * folder listing and a small file, a few microseconds each from the OS
   * cache, against a thread-pool round trip each.
   */
  private loadIndex(obj: CachedObject): ObjectIndex {
    const id = obj.id;
    const idx: ObjectIndex = { extents: new Map(), blocks: new Map() };
    let names: string[] = [];
    // A link in place of the object's folder (or above it) is removed, never listed through.
    if (this.realFolders(this.objectDir(id))) {
      try {
        names = readdirSync(this.objectDir(id));
      } catch (e) {
        if (!isCode(e, 'ENOENT', 'ENOTDIR')) throw e;
      }
    }
    for (const name of names) {
      const m = ENTRY_RE.exec(name);
      if (!m) continue;
      // The name decides which blocks the entry holds: one that does not fit the object is not believed (a
      // stray `0-20000000.blk` would otherwise make a map of 20 million blocks).
      const problem = entryNameProblem(name, obj.size, obj.blockSize);
      if (problem) {
        this.warn(`the cache entry ${join(this.objectDir(id), name)} was removed: its name is wrong for the object (${problem}).`);
        this.removeSync(join(this.objectDir(id), name));
        continue;
      }
      const ext = { first: Number(m[1]), count: Number(m[2]), name };
      idx.extents.set(name, ext);
      for (let b = ext.first; b < ext.first + ext.count; b++) if (!idx.blocks.has(b)) idx.blocks.set(b, ext);
    }
    this.index.set(id, idx);
    if (this.verifyReads === 'changed' && names.includes(VERIFIED_FILE)) {
      // Entries other processes verified (trusted only while their files' status is the one recorded).
      const dir = this.objectDir(id);
      for (const [name, status] of parseVerifiedRecord(readFileOrNull(join(dir, VERIFIED_FILE)), bootId())) {
        const path = join(dir, name);
        if (idx.extents.has(name) && !this.verified.has(path)) this.verified.set(path, status);
      }
    }
    return idx;
  }

  /**
   * The verified.json of object `id`: this process's verified entries of it,
   * and those of `previous` (the file's current content, other processes'
   * records) that are still in the index. A lost race between two writers
   * only loses records, which costs a checksum later.
   */
  private verifiedRecord(id: string, previous: Uint8Array | null): Uint8Array {
    const dir = this.objectDir(id);
    const idx = this.index.get(id);
    const out: Record<string, string> = {};
    for (const [name, status] of parseVerifiedRecord(previous, bootId())) if (idx?.extents.has(name)) out[name] = status;
    for (const name of idx?.extents.keys() ?? []) {
      const status = this.verified.get(join(dir, name));
      if (status) out[name] = status;
    }
    return encodeVerifiedRecord(out, bootId());
  }

  /** Write the verified.json of every object with newly verified entries. */
  private async writeVerified(): Promise<void> {
    const ids = [...this.verifiedDirty];
    this.verifiedDirty.clear();
    for (const id of ids) {
      const dir = this.objectDir(id);
      const previous = await readSmallFile(join(dir, VERIFIED_FILE), SMALL_FILE_MAX);
      await this.atomicWrite(join(dir, VERIFIED_FILE), dir, [this.verifiedRecord(id, previous)]).catch(() => {});
    }
  }

  private dropExtent(id: string, ext: Extent): void {
    const idx = this.index.get(id);
    if (!idx) return;
    idx.extents.delete(ext.name);
    for (let b = ext.first; b < ext.first + ext.count; b++) if (idx.blocks.get(b) === ext) idx.blocks.delete(b);
  }

  async getBlocks(obj: CachedObject, blocks: readonly number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    if (!blocks.length) return out;
    let idx = this.index.get(obj.id);
    if (!idx || blocks.some((b) => !idx!.blocks.has(b))) idx = this.loadIndex(obj);
    const chosen = new Set<Extent>();
    for (const b of blocks) {
      const e = idx.blocks.get(b);
      if (e) chosen.add(e);
    }
    const results = await Promise.all([...chosen].map(async (ext) => ({ ext, payload: await this.readExtent(obj, ext) })));
    const B = obj.blockSize;
    for (const { ext, payload } of results) {
      if (!payload) continue;
      for (let i = 0; i < ext.count; i++) out.set(ext.first + i, payload.subarray(i * B, Math.min((i + 1) * B, payload.length)));
    }
    for (const b of blocks) {
      const got = out.get(b);
      if (got) {
        this.counters.hits++;
        this.counters.bytesFromCache += got.length;
      } else this.counters.misses++;
    }
    return out;
  }

  /** Read and verify a whole entry (blocking: see readEntryInto); its payload, or null if it is gone or corrupt. */
  private async readExtent(obj: CachedObject, ext: Extent): Promise<Uint8Array | null> {
    const payload = Buffer.allocUnsafeSlow(extentLength(obj, ext.first, ext.count));
    const read = await this.readEntryInto(obj, ext, ext.first, ext.first + ext.count, payload, false);
    return read && (await this.checkEntryRead(obj, read)) ? payload : null;
  }

  /**
   * Read blocks `[first, first + count)` straight into `dest`: each entry
   * holding some of them is read with one scatter read — its header and its
   * blocks outside the run into small buffers of their own, those inside into
   * their place in `dest` — and verified whole (CRC-32 over the pieces, in
   * order) before its blocks count as filled. Never rejects once a read into
   * `dest` has started: an entry that is gone, unreadable or corrupt only
   * makes its blocks missing (a corrupt one is deleted, as in getBlocks).
   */
  async readBlocksInto(obj: CachedObject, first: number, count: number, dest: Uint8Array): Promise<BlocksRead> {
    const B = obj.blockSize;
    const end = first + count;
    const base = first * B;
    if (dest.length !== extentLength(obj, first, count)) throw new Error(`readBlocksInto: ${dest.length} bytes is not the length of blocks ${first}–${end - 1}`);
    let idx = this.index.get(obj.id);
    if (!idx || !covers(idx, first, end)) idx = this.loadIndex(obj);
    // Each block read from one entry only: if entries overlap (written by runs
    // cut differently), the later one fills only what the earlier did not, so
    // a corrupt entry never writes over bytes another entry has verified.
    const jobs: { ext: Extent; lo: number; hi: number }[] = [];
    const missing: number[] = [];
    for (let b = first; b < end; ) {
      const ext = idx.blocks.get(b);
      if (!ext) {
        missing.push(b++);
        continue;
      }
      const hi = Math.min(end, ext.first + ext.count);
      jobs.push({ ext, lo: b, hi });
      b = hi;
    }
    // One entry after another, each checksummed on this thread while the next
    // one is read (see readEntryInto): the copy and the checksum overlap.
    const results: (Map<number, Uint8Array> | null)[] = [];
    const start = (j: (typeof jobs)[number]) => this.readEntryInto(obj, j.ext, j.lo, j.hi, dest.subarray(j.lo * B - base, Math.min(j.hi * B, obj.size) - base)).catch(() => null);
    let next = jobs.length ? start(jobs[0]!) : null;
    for (let k = 0; k < jobs.length; k++) {
      const read = await next!;
      next = k + 1 < jobs.length ? start(jobs[k + 1]!) : null;
      results.push(read ? await this.checkEntryRead(obj, read).catch(() => null) : null);
    }
    const others = new Map<number, Uint8Array>();
    let hits = 0;
    let bytes = 0;
    results.forEach((r, i) => {
      const { lo, hi } = jobs[i]!;
      if (r === null) {
        for (let b = lo; b < hi; b++) missing.push(b);
        return;
      }
      hits += hi - lo;
      bytes += Math.min(hi * B, obj.size) - lo * B;
      for (const [b, blk] of r) if (b < first || b >= end) others.set(b, blk);
    });
    missing.sort((a, b) => a - b);
    this.counters.hits += hits;
    this.counters.misses += missing.length;
    this.counters.bytesFromCache += bytes;
    return { missing, others };
  }

  /**
   * Start reading entry `ext`: its blocks `[lo, hi)` into `dest`, its header
   * and other blocks into buffers of its own; checkEntryRead verifies it.
   * Resolves to null if the entry is gone. `pipelined` false: always
   * blocking (small reads, whose entries are checksummed one by one).
   *
   * Why this way: an entry with a verification record (see STABLE_MS) is
   * read at once, blocking — it sits in the OS page cache and reading it is a
   * memory copy, which a thread-pool round trip would only delay. Any other
   * entry must be checksummed, which costs more than the copy (CRC-32 ~5 GB/s
   * here, the copy ~7): it is read on the thread pool, so that the calling
   * thread checksums the previous entry meanwhile, and the copy hides behind
   * the checksum.
   */
  private async readEntryInto(obj: CachedObject, ext: Extent, lo: number, hi: number, dest: Uint8Array, pipelined = true): Promise<EntryRead | null> {
    const B = obj.blockSize;
    const path = join(this.objectDir(obj.id), ext.name);
    const payloadLength = extentLength(obj, ext.first, ext.count);
    const fd = this.openEntry(obj, ext, path);
    if (fd === null) return null;
    // A recorded entry is read at once; whether it can be trusted is decided by its status after the read alone
    // (any change since the record, during the read included, left a newer ctime). Any other entry's status is
    // taken before and after the read: equal means the bytes checksummed are the file with that status.
    const recorded = this.verifyReads === 'changed' && this.verified.has(path);
    // Every byte used is read from the file (a short read fails verification).
    const r: EntryRead = {
      ext,
      path,
      lo,
      hi,
      header: new Uint8Array(ENTRY_HEADER_BYTES),
      before: Buffer.allocUnsafeSlow((lo - ext.first) * B),
      dest,
      after: Buffer.allocUnsafeSlow(payloadLength - (lo - ext.first) * B - dest.length),
      got: 0,
      statusBefore: recorded ? null : fileStatus(fd),
      statusAfter: '',
    };
    const bufs = [r.header, r.before, dest, r.after, new Uint8Array(1)];
    const expected = ENTRY_HEADER_BYTES + payloadLength;
    try {
      r.got = recorded || !pipelined ? readEntrySync(fd, bufs, expected) : await readEntryAsync(fd, bufs, expected);
      r.statusAfter = fileStatus(fd);
    } finally {
      closeSync(fd);
    }
    this.touchObject(obj.id);
    return r;
  }

  /**
   * Verify an entry read by readEntryInto (its checksum, unless a
   * verification record matches its file's status). Returns its blocks outside the run
   * read (own arrays), or null if it is corrupt (then deleted; its part of
   * `dest` holds unspecified bytes).
   */
  private async checkEntryRead(obj: CachedObject, r: EntryRead): Promise<Map<number, Uint8Array> | null> {
    const { ext, path, header, before, dest, after } = r;
    const B = obj.blockSize;
    const expected = ENTRY_HEADER_BYTES + before.length + dest.length + after.length;
    const h = parseHeader(header);
    let problem = r.got !== expected ? `length ${r.got - ENTRY_HEADER_BYTES}, expected ${expected - ENTRY_HEADER_BYTES}` : typeof h === 'string' ? h : mismatch(obj, ext, h, h.length);
    const trusted = this.verifyReads === 'changed' && r.statusAfter !== '' && this.verified.get(path) === r.statusAfter;
    if (!problem && !trusted) {
      // Forget a record that no longer matches: the next read takes the status before and after, and records it again.
      this.verified.delete(path);
      let c = crc32(header.subarray(20));
      for (const part of [before, dest, after]) if (part.length) c = crc32(part, c);
      this.counters.bytesChecksummed += expected - ENTRY_HEADER_BYTES;
      if (c !== (h as EntryFields).crc) problem = 'checksum mismatch';
      else if (r.statusBefore === r.statusAfter && stableStatus(r.statusAfter)) {
        if (this.verified.size > 100_000) this.verified.clear();
        this.verified.set(path, r.statusAfter);
        this.verifiedDirty.add(obj.id);
        void this.flush(false);
      }
    }
    if (problem) {
      this.verified.delete(path);
      return this.corrupt(obj, ext, path);
    }
    const others = new Map<number, Uint8Array>();
    for (let b = ext.first; b < r.lo; b++) others.set(b, before.subarray((b - ext.first) * B, (b - ext.first + 1) * B));
    for (let b = r.hi; b < ext.first + ext.count; b++) others.set(b, after.subarray((b - r.hi) * B, Math.min((b - r.hi + 1) * B, after.length)));
    return others;
  }

  /** Open an entry file; null (and the extent forgotten) if it vanished. */
  private openEntry(obj: CachedObject, ext: Extent, path: string): number | null {
    let opened: ReturnType<typeof openRegularSync>;
    try {
      opened = openRegularSync(path);
    } catch (e) {
      if (!isCode(e, 'EISDIR', 'ENOTDIR')) throw e;
      opened = { missing: true };
    }
    if ('fd' in opened) return opened.fd;
    this.dropExtent(obj.id, ext);
    if ('other' in opened) {
      // A FIFO, a link, a device or a folder: never read (a FIFO would block), removed.
      this.warn(`the cache entry ${path} was ${opened.other}, not a file; it was removed.`);
      this.removeSync(path);
    }
    return null;
  }

  /**
   * Record a use of object `id` for the LRU eviction: the mtime of its
   * info.json, refreshed at most once a minute (and left alone if another
   * process or store refreshed it within the minute). Why not the entries'
   * own mtimes: changing a file's times changes its ctime, which would make
   * every entry used look changed to the verification records (STABLE_MS),
   * and cost a checksum on its next read.
   */
  private touchObject(id: string): void {
    const now = Date.now();
    if ((this.touched.get(id) ?? 0) >= now - TOUCH_INTERVAL_MS) return;
    this.touched.set(id, now);
    if (this.touched.size > 100_000) this.touched.clear();
    const info = join(this.objectDir(id), INFO_FILE);
    try {
      const st = lstatSync(info);
      if (!st.isFile() || st.mtimeMs >= now - TOUCH_INTERVAL_MS) return; // never a link's target
      const t = new Date(now);
      utimesSync(info, t, t);
    } catch {
      /* only an eviction hint (and info.json is written again with the next entry) */
    }
  }

  /** A corrupt entry: counted, forgotten and deleted (its blocks will be fetched again). */
  private async corrupt(obj: CachedObject, ext: Extent, path: string): Promise<null> {
    this.counters.corrupt++;
    this.dropExtent(obj.id, ext);
    await fsp.unlink(path).catch(() => {});
    return null;
  }

  async putBlocks(obj: CachedObject, first: number, bytes: Uint8Array): Promise<void> {
    if (!bytes.length) return;
    const count = Math.ceil(bytes.length / obj.blockSize);
    if (bytes.length !== extentLength(obj, first, count)) throw new Error(`putBlocks: ${bytes.length} bytes do not make whole blocks from block ${first}`);
    const dir = this.objectDir(obj.id);
    const name = `${first}-${count}.blk`;
    const header = entryHeader(obj.id, obj.blockSize, first, bytes);
    if (!(await this.atomicWrite(join(dir, name), dir, [header, bytes]))) return;
    if (!this.infoWritten.has(obj.id)) {
      this.infoWritten.add(obj.id);
      // Without credentials in its query (a presigned URL's signature): the URL is only for listings.
      const info = { url: urlWithoutCredentials(obj.url), validation: this.validationName(obj.url), etag: obj.etag, lastModified: obj.lastModified, size: obj.size, blockSize: obj.blockSize };
      await this.atomicWrite(join(dir, INFO_FILE), dir, [new TextEncoder().encode(JSON.stringify(info))]).catch(() => {});
    }
    const idx = this.index.get(obj.id);
    if (idx) {
      const ext = { first, count, name };
      idx.extents.set(name, ext);
      for (let b = first; b < first + count; b++) if (!idx.blocks.has(b)) idx.blocks.set(b, ext);
    }
    this.counters.bytesWritten += bytes.length;
    if (this.approxBytes === null) {
      this.sizing ??= this.scan().then(
        (all) => {
          this.approxBytes = all.reduce((a, e) => a + e.size, 0);
        },
        () => {
          this.approxBytes = 0;
        },
      );
      await this.sizing;
    } else this.approxBytes += bytes.length + ENTRY_HEADER_BYTES;
    if (this.approxBytes! > this.maxBytes) await this.evict();
  }

  /** The name of the validation record of `url` (a hash: the URL itself, credentials and all, is not written). */
  private validationName(url: string): string {
    // Pure-JS SHA-256: the same hex as node:crypto's, without loading node:crypto (~7 ms of a new process
    // whose read the cache serves).
    return sha256Hex(url);
  }

  private validationPath(url: string): string {
    return this.validationFile(this.validationName(url));
  }

  private validationFile(h: string): string {
    return join(this.root, 'urls', h.slice(0, 2), `${h}.json`);
  }

  /**
   * Blocking, like reading warm entries: a small file, written once per probe
   * (itself a network round trip), read once per open with `maxAge`.
   */
  noteValidated(identity: SourceIdentity, at: number): void {
    // The record names the URL by its hash: a presigned URL's signature is not written down.
    const h = this.validationName(identity.url);
    this.atomicWriteSync(this.validationFile(h), encodeValidation({ identity: { ...identity, url: h }, at }, crc32), true);
  }

  lastValidated(url: string): Validation | null {
    const h = this.validationName(url);
    const v = decodeValidation(readFileOrNull(this.validationFile(h)), h, crc32);
    return v && { ...v, identity: { ...v.identity, url } };
  }

  forgetValidated(url: string): void {
    try {
      unlinkSync(this.validationPath(url));
    } catch {
      /* none */
    }
  }

  noteNetwork(bytes: number): void {
    this.counters.bytesFromNetwork += bytes;
  }

  /**
   * Every entry on disk (entries vanishing meanwhile are skipped). Only real
   * folders are walked and only regular files counted: a link, FIFO or other
   * special file in the objects tree is removed with a warning, never
   * followed (so eviction and verify never touch anything outside the cache).
   */
  private async scan(): Promise<ScannedEntry[]> {
    const out: ScannedEntry[] = [];
    const ls = async (p: string): Promise<import('node:fs').Dirent[]> => {
      try {
        return await fsp.readdir(p, { withFileTypes: true });
      } catch (e) {
        if (isCode(e, 'ENOENT', 'ENOTDIR')) return [];
        throw e;
      }
    };
    const stray = (path: string, what: string) => {
      this.warn(`the cache folder held ${what} at ${path}; it was removed (nothing in the cache is followed).`);
      this.removeSync(path);
    };
    const objects = join(this.root, 'objects');
    if (!this.realFolders(objects)) return out;
    for (const pre of await ls(objects)) {
      if (!pre.isDirectory()) {
        if (pre.isSymbolicLink()) stray(join(objects, pre.name), 'a symbolic link');
        continue;
      }
      for (const obj of await ls(join(objects, pre.name))) {
        const dir = join(objects, pre.name, obj.name);
        if (!obj.isDirectory()) {
          if (obj.isSymbolicLink()) stray(dir, 'a symbolic link');
          continue;
        }
        const id = obj.name;
        // The object's last use (see touchObject); an entry written later is as recent as its own mtime.
        const used = await fsp.lstat(join(dir, INFO_FILE)).then((st) => (st.isFile() ? st.mtimeMs : 0), () => 0);
        for (const ent of await ls(dir)) {
          if (!ENTRY_RE.test(ent.name)) continue;
          const path = join(dir, ent.name);
          if (!ent.isFile()) {
            stray(path, ent.isSymbolicLink() ? 'a symbolic link' : ent.isFIFO() ? 'a FIFO' : ent.isDirectory() ? 'a folder' : 'a special file');
            this.index.delete(id);
            continue;
          }
          try {
            const st = await fsp.lstat(path);
            if (st.isFile()) out.push({ path, id, name: ent.name, size: st.size, lastUsedMs: Math.max(used, st.mtimeMs) });
          } catch (e) {
            if (!isCode(e, 'ENOENT')) throw e;
          }
        }
      }
    }
    return out;
  }

  /** Delete least-recently-used entries until the total is within 90% of the limit. */
  evict(): Promise<void> {
    this.evicting ??= (async () => {
      const all = await this.scan();
      let total = all.reduce((a, e) => a + e.size, 0);
      if (total > this.maxBytes) {
        all.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
        const target = this.maxBytes * 0.9;
        const emptied = new Set<string>();
        for (const e of all) {
          if (total <= target) break;
          try {
            await fsp.unlink(e.path);
            this.counters.evicted++;
          } catch (err) {
            if (!isCode(err, 'ENOENT')) throw err;
          }
          total -= e.size;
          const m = ENTRY_RE.exec(e.name)!;
          this.dropExtent(e.id, { first: Number(m[1]), count: Number(m[2]), name: e.name });
          emptied.add(e.id);
        }
        for (const id of emptied) {
          const idx = this.index.get(id);
          if (idx && idx.extents.size) continue;
          // Remove the object's folder if nothing else is in it (another process may be writing: then it is not empty).
          const dir = this.objectDir(id);
          // Its URL's validation record goes too (it is only worth keeping with the bytes).
          const text = await readSmallFile(join(dir, INFO_FILE), SMALL_FILE_MAX);
          const info = jsonOrNull(text) as { url?: unknown; validation?: unknown } | null;
          if (typeof info?.validation === 'string' && /^[0-9a-f]{64}$/.test(info.validation)) await fsp.unlink(this.validationFile(info.validation)).catch(() => {});
          else if (typeof info?.url === 'string') await fsp.unlink(this.validationPath(info.url)).catch(() => {});
          await fsp.unlink(join(dir, INFO_FILE)).catch(() => {});
          await fsp.unlink(join(dir, VERIFIED_FILE)).catch(() => {});
          await fsp.rmdir(dir).catch(() => {});
          this.madeDirs.delete(dir);
          this.infoWritten.delete(id);
          this.index.delete(id);
        }
      }
      this.approxBytes = total;
      await this.cleanTmp();
    })().finally(() => {
      this.evicting = null;
    });
    return this.evicting;
  }

  private async cleanTmp(): Promise<void> {
    const tmpDir = join(this.root, 'tmp');
    let names: string[] = [];
    try {
      names = await fsp.readdir(tmpDir);
    } catch {
      return;
    }
    const now = Date.now();
    for (const n of names) {
      const p = join(tmpDir, n);
      try {
        const st = await fsp.stat(p);
        if (now - st.mtimeMs > STALE_TMP_MS) await fsp.unlink(p);
      } catch {
        /* gone */
      }
    }
  }

  private get statsDir(): string {
    return join(this.root, 'stats');
  }

  private lastFlush = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Write this process's counters (and the records of entries it verified,
   * see STABLE_MS). `force` false (what closing a file does):
   * deferred, at most one write every 2 s, the last one at process exit at the
   * latest. Why deferred even the first time: writing the stats file is a few
   * file-system round trips (~3 ms), as much as a warm 32 MiB read.
   */
  async flush(force = true): Promise<void> {
    if (!force) {
      if (!this.flushTimer) {
        this.flushTimer = setTimeout(() => this.flush().catch(() => {}), Math.max(0, (this.lastFlush || Date.now()) + 2000 - Date.now()));
        this.flushTimer.unref?.();
        unflushed.add(this);
        if (!exitHook) process.once('exit', flushAllAtExit);
        exitHook = true;
      }
      return;
    }
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    unflushed.delete(this);
    this.lastFlush = Date.now();
    const dir = this.statsDir;
    // Fold other processes' files into ours when they pile up (claimed by rename: only one process gets each).
    try {
      const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.json') && n !== `${this.procId}.json`);
      if (names.length > 64) {
        await this.mkdirp(join(this.root, 'tmp'));
        for (const n of names) {
          const claim = join(this.root, 'tmp', `claim-${this.procId}-${uniqueSuffix()}`);
          try {
            await fsp.rename(join(dir, n), claim);
            addCounters(this.carried, (jsonOrNull(await readSmallFile(claim, SMALL_FILE_MAX)) ?? {}) as Partial<StoreCounters>);
          } catch {
            /* claimed by someone else, or unreadable */
          }
          await fsp.unlink(claim).catch(() => {});
        }
      }
    } catch {
      /* no stats folder yet */
    }
    const total = this.totals();
    await this.atomicWrite(join(dir, `${this.procId}.json`), dir, [new TextEncoder().encode(JSON.stringify(total))]);
    await this.writeVerified();
  }

  /**
   * The counters and verification records written synchronously (at process
   * exit). Errors are ignored (statistics and hints only), and a folder
   * removed meanwhile is not made again.
   */
  flushAtExit(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!existsSync(this.root)) return;
    this.atomicWriteSync(join(this.statsDir, `${this.procId}.json`), new TextEncoder().encode(JSON.stringify(this.totals())), true);
    for (const id of this.verifiedDirty) {
      const file = join(this.objectDir(id), VERIFIED_FILE);
      this.atomicWriteSync(file, this.verifiedRecord(id, readFileOrNull(file)), false);
    }
    this.verifiedDirty.clear();
  }

  /** This process's counters plus those folded in from other processes' stats files. */
  private totals(): StoreCounters {
    return addCounters(addCounters(emptyCounters(), this.carried), this.counters);
  }

  async stats(): Promise<StoreStats> {
    const all = await this.scan();
    const totals = this.totals();
    try {
      for (const n of await fsp.readdir(this.statsDir)) {
        if (!n.endsWith('.json') || n === `${this.procId}.json`) continue;
        try {
          addCounters(totals, (jsonOrNull(await readSmallFile(join(this.statsDir, n), SMALL_FILE_MAX)) ?? {}) as Partial<StoreCounters>);
        } catch {
          /* vanished or partial */
        }
      }
    } catch {
      /* none */
    }
    return {
      ...totals,
      location: this.location,
      entries: all.length,
      objects: new Set(all.map((e) => e.id)).size,
      bytes: all.reduce((a, e) => a + e.size, 0),
      maxBytes: this.maxBytes,
    };
  }

  /** Remove every entry; what was removed. */
  async clear(): Promise<{ entries: number; bytes: number }> {
    const all = await this.scan();
    // Move each folder aside (atomic), then delete it: writers racing with us recreate a fresh folder.
    for (const sub of ['objects', 'urls', 'stats', 'tmp']) {
      const trash = join(this.root, `trash-${this.procId}-${uniqueSuffix()}`);
      try {
        await fsp.rename(join(this.root, sub), trash);
      } catch (e) {
        if (isCode(e, 'ENOENT')) continue;
        throw e;
      }
      for (let i = 0; i < 5; i++) {
        try {
          await fsp.rm(trash, { recursive: true, force: true });
          break;
        } catch (e) {
          if (!isCode(e, 'ENOTEMPTY', 'EBUSY', 'EPERM')) throw e; // a late write landed in it: try again
        }
      }
    }
    this.index.clear();
    this.verified.clear();
    this.verifiedDirty.clear();
    this.madeDirs.clear();
    this.infoWritten.clear();
    this.approxBytes = 0;
    Object.assign(this.counters, emptyCounters());
    this.carried = emptyCounters();
    return { entries: all.length, bytes: all.reduce((a, e) => a + e.size, 0) };
  }

  /** Check every entry's checksum, removing corrupt ones. */
  async verify(): Promise<VerifyReport> {
    const all = await this.scan();
    const report: VerifyReport = { entries: all.length, ok: 0, corrupt: 0, vanished: 0, bytes: 0 };
    const infos = new Map<string, { size?: number; blockSize?: number } | null>();
    for (const e of all) {
      if (!infos.has(e.id)) infos.set(e.id, jsonOrNull(await readSmallFile(join(this.objectDir(e.id), INFO_FILE), SMALL_FILE_MAX)) as { size?: number; blockSize?: number } | null);
      const info = infos.get(e.id);
      const m = ENTRY_RE.exec(e.name)!;
      const first = Number(m[1]);
      const count = Number(m[2]);
      // A name that does not fit the object is corrupt without reading it (it could claim any size).
      const misnamed = info && typeof info.size === 'number' && typeof info.blockSize === 'number' ? entryNameProblem(e.name, info.size, info.blockSize) !== null : count < 1;
      let buf: Uint8Array | null = null;
      if (!misnamed) {
        const opened = await openRegular(e.path);
        if ('missing' in opened) {
          report.vanished++;
          continue;
        }
        if ('fh' in opened) {
          try {
            buf = await opened.fh.readFile();
          } finally {
            await opened.fh.close();
          }
        }
      }
      const p = buf ? parseEntry(buf) : 'unreadable';
      let bad = typeof p === 'string' || p.id !== e.id || p.first !== first;
      if (!bad && typeof p !== 'string') {
        const B = p.blockSize;
        const len = p.payload.length;
        if (info && typeof info.size === 'number' && info.blockSize === B) bad = len !== extentLength({ size: info.size, blockSize: B }, first, count);
        else bad = len > count * B || len <= (count - 1) * B;
      }
      if (bad) {
        report.corrupt++;
        this.counters.corrupt++;
        await fsp.unlink(e.path).catch(() => {});
        this.index.delete(e.id);
      } else {
        report.ok++;
        report.bytes += e.size;
      }
    }
    return report;
  }
}

const stores = new Map<string, FsCache>();

/** One FsCache per folder per process (they share the index and the counters). */
export function fsCacheFor(dir: string = defaultCacheDir(), opts: FsCacheOptions = {}): FsCache {
  let s = stores.get(dir);
  if (!s) stores.set(dir, (s = new FsCache(dir, opts)));
  else if (opts.maxBytes !== undefined) s.maxBytes = opts.maxBytes;
  return s;
}
