/**
 * In-memory cache of fixed-size blocks of remote files, with a byte budget.
 *
 * Eviction is least-recently-used, unless the user of the cache (FitsDataset)
 * tells when each object is needed next (`setNextUse`): then, when over
 * budget, the cache first drops objects that will not be needed again, then
 * unmanaged blocks (LRU order), then the objects needed furthest in the future
 * — Belady's rule, which beats LRU on cyclic (epoch) access patterns.
 */

export interface MemoryCacheOptions {
  /** Byte budget (default 256 MiB). */
  maxBytes?: number;
}

/** Size and counters of a {@link MemoryBlockCache}. */
export interface MemoryCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Bytes held now. */
  bytes: number;
  /** Blocks held now. */
  blocks: number;
  maxBytes: number;
}

interface Entry {
  tag: string;
  index: number;
  bytes: Uint8Array;
}

export const DEFAULT_MEMORY_CACHE_BYTES = 256 * 2 ** 20;

/** An in-memory LRU of file blocks, shared by the files that use it (the process-wide one: {@link sharedMemoryCache}). */
export class MemoryBlockCache {
  maxBytes: number;
  // Why two structures and no string keys: a large read looks up thousands of
  // blocks, and building + hashing a `${tag}#${index}` string per lookup cost
  // more than the map operations themselves. Tags are long-lived strings
  // (their hash is computed once); indexes are small integers.
  /** Every entry, in LRU order (oldest first). */
  private readonly lru = new Set<Entry>();
  /** Entries per object: index → entry, in the order first stored. */
  private readonly byTag = new Map<string, Map<number, Entry>>();
  private readonly nextUse = new Map<string, number>();
  private defaultNextUse: number | undefined;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(opts: MemoryCacheOptions = {}) {
    this.maxBytes = Math.max(0, opts.maxBytes ?? DEFAULT_MEMORY_CACHE_BYTES);
  }

  /** A block, or undefined (marks it most recently used). */
  get(tag: string, index: number): Uint8Array | undefined {
    const e = this.byTag.get(tag)?.get(index);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.lru.delete(e);
    this.lru.add(e);
    return e.bytes;
  }

  /** True if the block is held (does not count as a use). */
  has(tag: string, index: number): boolean {
    return this.byTag.get(tag)?.has(index) ?? false;
  }

  /** Store a block (the cache keeps this array: do not modify it afterwards). */
  set(tag: string, index: number, bytes: Uint8Array): void {
    if (bytes.length > this.maxBytes) return;
    let blocks = this.byTag.get(tag);
    if (!blocks) this.byTag.set(tag, (blocks = new Map()));
    const old = blocks.get(index);
    if (old) {
      // Replaced: keeps its place in the object's order, becomes most recently used.
      this.bytes -= old.bytes.length;
      old.bytes = bytes;
      this.lru.delete(old);
      this.lru.add(old);
    } else {
      const e: Entry = { tag, index, bytes };
      blocks.set(index, e);
      this.lru.add(e);
    }
    this.bytes += bytes.length;
    if (this.bytes > this.maxBytes) this.evict();
  }

  /** Drop every block of an object. */
  deleteTag(tag: string): void {
    const blocks = this.byTag.get(tag);
    if (blocks) for (const e of [...blocks.values()]) this.remove(e);
    this.nextUse.delete(tag);
  }

  /** Drop everything. */
  clear(): void {
    this.lru.clear();
    this.byTag.clear();
    this.nextUse.clear();
    this.bytes = 0;
  }

  /**
   * Tell when an object is needed next (any increasing counter, e.g. the
   * position in a dataset's schedule); Infinity = never again. undefined
   * returns the object to plain LRU.
   */
  setNextUse(tag: string, when: number | undefined): void {
    if (when === undefined) this.nextUse.delete(tag);
    else this.nextUse.set(tag, when);
  }

  /**
   * The next use assumed for objects without a hint, once some objects have
   * hints (default undefined: such objects are evicted in LRU order before
   * any hinted one). A dataset sets this low, so that files still loading
   * (not yet hinted) are kept.
   */
  setDefaultNextUse(when: number | undefined): void {
    this.defaultNextUse = when;
  }

  /** Bytes held for an object. */
  bytesOf(tag: string): number {
    let n = 0;
    for (const e of this.byTag.get(tag)?.values() ?? []) n += e.bytes.length;
    return n;
  }

  /** Its size and counters now. */
  get stats(): MemoryCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.bytes, blocks: this.lru.size, maxBytes: this.maxBytes };
  }

  private remove(e: Entry): void {
    if (!this.lru.delete(e)) return;
    this.bytes -= e.bytes.length;
    const blocks = this.byTag.get(e.tag);
    if (blocks) {
      blocks.delete(e.index);
      if (!blocks.size) this.byTag.delete(e.tag);
    }
    this.evictions++;
  }

  private evict(): void {
    if (!this.nextUse.size) {
      for (const e of this.lru) {
        if (this.bytes <= this.maxBytes) return;
        this.remove(e);
      }
      return;
    }
    // Scheduled objects known: evict down to 90% (amortises the ordering work).
    const target = this.maxBytes * 0.9;
    const hint = (t: string) => this.nextUse.get(t) ?? this.defaultNextUse;
    const tags = [...this.byTag.keys()];
    for (const t of tags.filter((x) => hint(x) === Infinity)) {
      if (this.bytes <= target) return;
      for (const e of [...(this.byTag.get(t)?.values() ?? [])]) this.remove(e);
    }
    if (this.defaultNextUse === undefined) {
      for (const e of this.lru) {
        if (this.bytes <= target) return;
        if (!this.nextUse.has(e.tag)) this.remove(e);
      }
    }
    // Then by distance to the next use, furthest first; ties in LRU order of their oldest block.
    const rank = new Map<string, number>();
    let i = 0;
    for (const e of this.lru) if (!rank.has(e.tag)) rank.set(e.tag, i++);
    const later = tags.filter((t) => hint(t) !== undefined && hint(t) !== Infinity && this.byTag.has(t)).sort((a, b) => hint(b)! - hint(a)! || rank.get(a)! - rank.get(b)!);
    for (const t of later) {
      if (this.bytes <= target) return;
      // Within an object, drop blocks in the order they were first stored.
      for (const e of [...(this.byTag.get(t)?.values() ?? [])]) {
        if (this.bytes <= target) return;
        this.remove(e);
      }
    }
  }
}

let shared: MemoryBlockCache | null = null;

/** The process-wide memory cache used by `open()` unless told otherwise. */
export function sharedMemoryCache(): MemoryBlockCache {
  return (shared ??= new MemoryBlockCache());
}
