/**
 * NodeFileSink: any mix of small (buffered) and large (direct) writes and of
 * patches (writeAt) over bytes on disk, in the buffer or across both gives
 * the bytes a MemorySink holds, for any buffer size.
 */
import fc from 'fast-check';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeFileSink } from '../../src/node/file-sink.js';
import { MemorySink, type ByteSink } from '../../src/write/sink.js';
import { tempDir } from './tools.js';

const dir = tempDir('fitsflow-sink-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Op = { write: number } | { patch: [number, number] };

async function apply(sink: ByteSink, ops: Op[]): Promise<void> {
  let k = 1;
  for (const op of ops) {
    if ('write' in op) {
      const bytes = Uint8Array.from({ length: op.write }, (_, i) => (i * 7 + k) & 255);
      await sink.write(bytes);
    } else if (sink.position > 0) {
      const at = Math.floor(op.patch[0] * sink.position);
      const len = Math.min(op.patch[1], sink.position - at);
      await sink.writeAt(at, Uint8Array.from({ length: len }, (_, i) => (i * 13 + k) & 255));
    }
    k++;
  }
}

describe('NodeFileSink', () => {
  it('gives the bytes of a MemorySink for any writes and patches', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(
          fc.record({ write: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 60_000, max: 200_000 })) }),
          fc.record({ patch: fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 100_000 })) }),
        ), { maxLength: 12 }),
        fc.constantFrom(100, 4096, 65536, 1 << 20),
        async (ops, bufferSize) => {
          const mem = new MemorySink();
          await apply(mem, ops);
          const path = join(dir, `out-${run++}.bin`);
          const sink = await NodeFileSink.create(path, { fsync: false, bufferSize });
          await apply(sink, ops);
          expect(sink.position).toBe(mem.position);
          await sink.close();
          expect(Buffer.compare(readFileSync(path), Buffer.from(mem.bytes()))).toBe(0);
          rmSync(path);
        },
      ),
      { numRuns: 40 },
    );
  });
});
