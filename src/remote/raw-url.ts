/**
 * URLs as written: what a request must send when its path may hold `.` or
 * `..` segments that are names, not directions (S3 keys).
 */
import { FitsError } from '../core/errors.js';

/**
 * The parts of an absolute URL as written: its origin (normalised by the URL
 * parser: scheme and host lower-cased, default port dropped), and its path
 * and query exactly as in the string (a URL parser would resolve `.` and `..`
 * segments, which in an S3 key name another object).
 */
export function rawUrlParts(url: string): { origin: string; host: string; path: string; search: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(url);
  if (!m) throw new FitsError('BAD_ARGUMENT', `${url} is not an absolute URL.`);
  let u: URL;
  try {
    u = new URL(m[1]!);
  } catch {
    throw new FitsError('BAD_ARGUMENT', `${url} is not a valid URL (its scheme or host).`);
  }
  return { origin: u.origin, host: u.host, path: m[2] || '/', search: m[3] && m[3] !== '?' ? m[3] : '' };
}
