/**
 * Which folder-cache entries can skip their checksum: an entry is trusted
 * while its file's status is the one it had when its checksum was verified
 * (see STABLE_MS). The statuses verified are kept per object in
 * verified.json, so later processes trust them too. Node-specific (fstat).
 */
import { fstatSync, readFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { ENTRY_RE } from './fs-entry.js';

/**
 * An entry file whose status (device, inode, size, mtime, ctime) has not
 * changed since its checksum was verified — by this process, or by another
 * one that recorded it in the object's verified.json — is not checksummed
 * again (FsCacheOptions.verifyReads 'changed'), but only
 * if its ctime was at least this old when it was verified. Any later write
 * to the file (a rewrite, a flipped byte, a truncation, a replacement) sets
 * a newer ctime, which user space cannot set back, so the status differs and
 * the entry is verified again. (The kernel's ctime clock is coarse,
 * milliseconds: a write just after creation could keep the same ctime, hence
 * the margin.) The checksum is most of a warm read's cost.
 */
export const STABLE_MS = 2_000;
/** A verified.json larger than this is ignored (and rewritten). */
export const MAX_VERIFIED_FILE = 4 << 20;

/** Device, inode, size, mtime and ctime (ns) of an open file, as one string; '' when unavailable. */
export function fileStatus(fd: number): string {
  try {
    const st = fstatSync(fd, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '';
  }
}

const STATUS_RE = /^\d+:\d+:\d+:\d+:\d+$/;

let boot: string | null = null;
/**
 * This boot of the machine: records are believed only within the boot that
 * made them. Why: entries are written without fsync, and after a crash a file
 * could keep its status while its data blocks never reached the disk (file
 * systems that journal sizes before data); the first read after a reboot
 * checksums every entry again. Linux's boot id; elsewhere the boot time to
 * the minute (a mismatch only costs a checksum); where neither can be read,
 * an id of this process.
 */
export function bootId(): string {
  if (boot === null) {
    const attempts = [
      () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      () => `t${Math.round((Date.now() - uptime() * 1000) / 60_000)}`,
      // Unknown (e.g. Deno without --allow-sys): records then hold for this process only.
      () => `p${process.pid}-${Math.random().toString(36).slice(2)}`,
    ];
    for (const attempt of attempts) {
      try {
        boot = attempt();
      } catch {
        boot = '';
      }
      if (boot) break;
    }
  }
  return boot!;
}

/**
 * The records of a verified.json (entry name → file status) made during boot
 * `currentBoot`; anything malformed is skipped, and a file from another boot
 * gives none. Format: `{ "boot": id, "entries": { name: status } }`.
 */
export function parseVerifiedRecord(bytes: Uint8Array | null, currentBoot: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!bytes || bytes.length > MAX_VERIFIED_FILE) return out;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return out;
  }
  const rec = json as { boot?: unknown; entries?: unknown } | null;
  if (!rec || typeof rec !== 'object' || rec.boot !== currentBoot) return out;
  const entries = rec.entries;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) return out;
  for (const [name, status] of Object.entries(entries)) if (ENTRY_RE.test(name) && typeof status === 'string' && STATUS_RE.test(status)) out.set(name, status);
  return out;
}

/** The bytes of a verified.json (parseVerifiedRecord's format). */
export function encodeVerifiedRecord(entries: Record<string, string>, currentBoot: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ boot: currentBoot, entries }));
}

/** Whether a status (fileStatus) says the file last changed at least STABLE_MS ago. */
export function stableStatus(status: string): boolean {
  if (!status) return false;
  const ctimeNs = BigInt(status.slice(status.lastIndexOf(':') + 1));
  return ctimeNs < BigInt(Date.now() - STABLE_MS) * 1_000_000n;
}
