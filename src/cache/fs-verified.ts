/**
 * Which folder-cache entries can skip their checksum: an entry is trusted
 * while its file's status is the one it had when its checksum was verified
 * (see STABLE_MS). The statuses verified are kept per object in
 * verified.json, so later processes trust them too. Node-specific (fstat).
 */
import { fstatSync } from 'node:fs';
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

/** The records of a verified.json (entry name → file status); anything malformed is skipped. */
export function parseVerifiedRecord(bytes: Uint8Array | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!bytes || bytes.length > MAX_VERIFIED_FILE) return out;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return out;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return out;
  for (const [name, status] of Object.entries(json)) if (ENTRY_RE.test(name) && typeof status === 'string' && STATUS_RE.test(status)) out.set(name, status);
  return out;
}

/** Whether a status (fileStatus) says the file last changed at least STABLE_MS ago. */
export function stableStatus(status: string): boolean {
  if (!status) return false;
  const ctimeNs = BigInt(status.slice(status.lastIndexOf(':') + 1));
  return ctimeNs < BigInt(Date.now() - STABLE_MS) * 1_000_000n;
}
