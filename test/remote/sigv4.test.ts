import { describe, expect, it } from 'vitest';
import { parseS3Url, s3HttpUrl, signV4, uriEncode } from '../../src/remote/s3.js';

const S3_EXAMPLE_CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('AWS Signature Version 4 (WebCrypto)', () => {
  it('reproduces the documented S3 "GET Object" example (Range bytes=0-9)', async () => {
    // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    const r = await signV4({
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      headers: { range: 'bytes=0-9' },
      credentials: S3_EXAMPLE_CREDS,
      region: 'us-east-1',
      service: 's3',
      date: new Date(Date.UTC(2013, 4, 24, 0, 0, 0)),
    });
    expect(r.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        'x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(r.stringToSign).toBe('AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(r.signature).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    expect(r.headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('reproduces the SigV4 test suite case get-vanilla-query-order-key-case (query sorting, non-S3 service)', async () => {
    const r = await signV4({
      method: 'GET',
      url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1',
      headers: {},
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: 'us-east-1',
      service: 'service',
      date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
    });
    expect(r.signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('does not sign headers a browser may drop, and adds the session token', async () => {
    const r = await signV4({
      method: 'HEAD',
      url: 'http://127.0.0.1:9000/bucket/a%20b.fits',
      headers: { 'accept-encoding': 'identity', 'if-match': '"x"' },
      credentials: { ...S3_EXAMPLE_CREDS, sessionToken: 'TOKEN' },
      region: 'eu-west-1',
      service: 's3',
    });
    expect(r.headers['authorization']).toMatch(/SignedHeaders=host;if-match;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
    expect(r.headers['x-amz-security-token']).toBe('TOKEN');
    expect(r.canonicalRequest.split('\n')[1]).toBe('/bucket/a%20b.fits');
  });
});

describe('s3:// URLs', () => {
  it('maps to virtual-hosted, path-style and endpoint URLs', () => {
    expect(parseS3Url('s3://my-bucket/dir/file.fits')).toEqual({ bucket: 'my-bucket', key: 'dir/file.fits' });
    expect(s3HttpUrl('s3://my-bucket/dir/file.fits', { region: 'us-west-2' })).toBe('https://my-bucket.s3.us-west-2.amazonaws.com/dir/file.fits');
    expect(s3HttpUrl('s3://my-bucket/a b+c.fits')).toBe('https://my-bucket.s3.amazonaws.com/a%20b%2Bc.fits');
    expect(s3HttpUrl('s3://my.dotted.bucket/k', { region: 'eu-west-1' })).toBe('https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k');
    expect(s3HttpUrl('s3://bkt/k/x.fits', { endpoint: 'http://127.0.0.1:9000' })).toBe('http://127.0.0.1:9000/bkt/k/x.fits');
    expect(s3HttpUrl('s3://bkt/k', { endpoint: 'https://r2.example.com/', forcePathStyle: false })).toBe('https://bkt.r2.example.com/k');
    expect(uriEncode("a!'()*~")).toBe('a%21%27%28%29%2A~');
    expect(() => parseS3Url('s3://bucket-only')).toThrow();
  });
});
