/**
 * Entry point for Node, Bun and Deno: everything in `index.ts`, plus file
 * paths through node:fs.
 * @packageDocumentation
 */
import { registerOpener } from './io/resolve-source.js';
import { NodeFileSource } from './io/node-file-source.js';
import { fileURLToPath } from 'node:url';
import { installNodeSha256 } from './digest/sha256-node.js';

import { installNodeByteSwapper } from './image/swap-node.js';
import { installNodeInflater } from './decompress/inflate-node.js';

installNodeSha256();
installNodeByteSwapper();
installNodeInflater();

registerOpener('file', (text) => NodeFileSource.open(text.startsWith('file:') ? fileURLToPath(text) : text));

export * from './index.js';
export { NodeFileSource } from './io/node-file-source.js';
