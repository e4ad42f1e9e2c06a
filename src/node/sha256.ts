/** node:crypto SHA-256 (Node, Bun, Deno): the Node runtime's hasher (node/runtime.ts). */
import { crypto } from './builtins.js';
import type { Hasher } from '../core/runtime.js';

/** A new SHA-256 hasher on node:crypto. */
export function nodeSha256(): Hasher {
  const h = crypto().createHash('sha256');
  return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
}
