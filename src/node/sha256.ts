/** node:crypto SHA-256 (Node, Bun, Deno). Runtime-specific: imported by the Node entry only. */
import { createHash } from 'node:crypto';
import { setSha256Factory, type Hasher } from '../digest/sha256.js';

export function installNodeSha256(): void {
  setSha256Factory((): Hasher => {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  });
}
