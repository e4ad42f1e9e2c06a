/**
 * Compression of RedisStore's cached blocks: raw deflate at level 1 through
 * node:zlib. Why this codec (bench/RESULTS-redis.md): on 22.5 KiB blocks of
 * the test corpus and the bench images it compresses as well as deflate 6 and
 * brotli 1 (1.3× the corpus, 2.0× an int16 sky image, 1.0× tile-compressed
 * files), and inflates fastest of those three, which is what every read pays;
 * pure-JS lz4 and snappy compress worse and lz4 inflates slower. Node-only.
 */
import { deflateRaw, inflateRawSync } from 'node:zlib';

/** Compress a block on the thread pool (writes happen after the read was served). */
export function deflateBlock(raw: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => deflateRaw(raw, { level: 1 }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Inflate a block; throws if the stream is damaged or would inflate past `rawLength` bytes. */
export function inflateBlock(stored: Uint8Array, rawLength: number): Uint8Array {
  return inflateRawSync(stored, { maxOutputLength: Math.max(1, rawLength) });
}
