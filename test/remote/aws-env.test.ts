/**
 * S3 options from the standard AWS environment (what the CLI uses for s3:
 * URLs): the variables the AWS tools read, and a signed read with them from
 * an emulated S3 on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath, repoRoot } from '../helpers/corpus.js';
import { isFitsError, s3OptionsFromEnv } from '../helpers/fitsflow.js';
import { openRemote } from '../../src/remote/open-remote.js';
import { TestServer } from './server.js';

describe('s3OptionsFromEnv', () => {
  it('reads the AWS variables as the AWS tools do', () => {
    expect(s3OptionsFromEnv({})).toBeUndefined();
    expect(s3OptionsFromEnv({ HOME: '/x', AWS_REGION: ' ' })).toBeUndefined();
    expect(
      s3OptionsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'sec', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' }),
    ).toEqual({ credentials: { accessKeyId: 'AKID', secretAccessKey: 'sec', sessionToken: 'tok' }, region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000' });
    expect(s3OptionsFromEnv({ AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2' })).toEqual({ region: 'us-west-2', endpoint: 'http://b:2' });
    let err: unknown;
    try {
      s3OptionsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID' });
    } catch (e) {
      err = e;
    }
    expect(isFitsError(err) && err.code).toBe('BAD_ARGUMENT');
    expect(String(err)).toMatch(/AWS_SECRET_ACCESS_KEY/);
  });

  it('signs reads with the credentials and region from the environment', async () => {
    const credentials = { accessKeyId: 'AKIDENV', secretAccessKey: 'env/SECRET+1' };
    const srv = await new TestServer({ s3Credentials: { ...credentials, region: 'eu-north-1' } }).start();
    try {
      const data = new Uint8Array(5000).map((_, i) => i & 0xff);
      srv.put('bkt/x.bin', data);
      const env = { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'eu-north-1', AWS_ENDPOINT_URL: srv.origin };
      const src = await openRemote('s3://bkt/x.bin', 's3', { s3: s3OptionsFromEnv(env), cache: false, http: { retries: 0, probe: 'head' } }, {});
      expect(Buffer.compare(await src.read(1000, 100), data.subarray(1000, 1100))).toBe(0);
      await src.close?.();
      expect(srv.log.every((l) => l.status !== 403)).toBe(true);
    } finally {
      await srv.close();
    }
  });
});

describe('the CLI with the AWS environment (built dist/cli.js)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fitsflow-aws-env-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
      execFile(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args], { encoding: 'utf8', env: { ...clean, FITSFLOW_CACHE_DIR: cacheDir, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('reads s3: URLs signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL', async () => {
    const credentials = { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli/SECRET' };
    const srv = await new TestServer({ s3Credentials: { ...credentials, region: 'eu-west-3' } }).start();
    try {
      srv.put('bkt/img.fits', new Uint8Array(readFileSync(corpusPath('compressed/fpack/rice_int16.fits.fz'))));
      const env = { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'eu-west-3', AWS_ENDPOINT_URL: srv.origin };
      const local = await run(['digest', corpusPath('compressed/fpack/rice_int16.fits.fz')], {});
      const ok = await run(['digest', 's3://bkt/img.fits'], env);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toBe(local.stdout);
      const denied = await run(['digest', 's3://bkt/img.fits'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' });
      expect(denied.status).toBe(1);
      const half = await run(['digest', 's3://bkt/img.fits'], { AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_ENDPOINT_URL: srv.origin });
      expect(half.status).toBe(1);
      expect(half.stderr).toMatch(/AWS_SECRET_ACCESS_KEY/);
    } finally {
      await srv.close();
    }
  }, 120_000);
});
