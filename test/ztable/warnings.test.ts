/**
 * `fitsflow info` and `fitsflow digest` say on stderr what they ignore: bytes
 * after the last HDU (text, or zeros), also after a compressed table, while
 * their standard output stays what it is without them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { open } from '../helpers/fitsflow.js';
import { tempDir } from '../write/tools.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), open: (p) => open(p) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = tempDir('fitsflow-warn-');
const ref = join(__dirname, 'ref', 'syn_table_3.fits.fz');

describe('info and digest warn about what they ignore', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['a block of text', Buffer.from('END of the night log; not an HDU'.padEnd(2880)), /warning: 2880 bytes after the last HDU are not an extension; ignored\./],
    ['9 bytes of text', Buffer.from('some text'), /warning: 9 bytes after the last HDU are not an extension; ignored\./],
    ['zeros', Buffer.alloc(100), /warning: 100 zero bytes follow the last HDU\./],
  ];
  for (const [name, tail, message] of cases) {
    it(`${name} after a compressed table`, async () => {
      const f = join(dir, `${name.replace(/\W+/g, '_')}.fits.fz`);
      writeFileSync(f, Buffer.concat([readFileSync(ref), tail]));
      for (const cmd of ['info', 'digest']) {
        const clean = await cli(cmd, ref);
        const r = await cli(cmd, f);
        expect(r.code).toBe(0);
        expect(clean.err).toBe('');
        expect(r.err).toMatch(message);
        expect(r.out.replace(f, ref)).toBe(clean.out);
      }
    });
  }
});
