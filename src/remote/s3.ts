/**
 * `s3://bucket/key` URLs: mapped to virtual-hosted or path-style HTTPS URLs,
 * read through HttpSource; requests are signed with AWS Signature Version 4
 * when credentials are given (public buckets are read unsigned).
 *
 * SigV4 uses WebCrypto (`crypto.subtle`: HMAC-SHA256, SHA-256), so it runs in
 * every runtime.
 */
import { FitsError } from '../core/errors.js';
import type { RequestSigner } from './http-source.js';

/** AWS credentials for signing S3 requests (SigV4). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS). */
  sessionToken?: string;
}

/** How `s3:` URLs are reached: region, endpoint, credentials (requests are unsigned without them). */
export interface S3Options {
  /** Bucket region (default: us-east-1). */
  region?: string;
  /** Credentials, or a function returning them (called before each request, so it may refresh). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials> | AwsCredentials);
  /** Another endpoint (MinIO, R2, a test server), e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`). Default: true with a custom endpoint or a bucket name with dots, else virtual-hosted. */
  forcePathStyle?: boolean;
}

/** RFC 3986 percent-encoding as SigV4 wants it (unreserved characters kept). */
export function uriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || c === '-' || c === '_' || c === '.' || c === '~' || (keepSlash && c === '/')) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Split `s3://bucket/key`. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(url);
  if (!m) throw new FitsError('BAD_ARGUMENT', `${url} is not an s3://bucket/key URL.`);
  return { bucket: m[1]!, key: decodeURIComponent(m[2]!) };
}

/** The HTTPS (or endpoint) URL of an S3 object. */
export function s3HttpUrl(url: string, opts: S3Options = {}): string {
  const { bucket, key } = parseS3Url(url);
  const region = opts.region ?? 'us-east-1';
  const path = uriEncode(key, true);
  if (opts.endpoint) {
    const ep = new URL(opts.endpoint);
    const base = `${ep.protocol}//${ep.host}${ep.pathname.replace(/\/+$/, '')}`;
    if (opts.forcePathStyle ?? true) return `${base}/${uriEncode(bucket)}/${path}`;
    return `${ep.protocol}//${bucket}.${ep.host}${ep.pathname.replace(/\/+$/, '')}/${path}`;
  }
  const host = region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  if (opts.forcePathStyle ?? bucket.includes('.')) return `https://${host}/${uriEncode(bucket)}/${path}`;
  return `https://${bucket}.${host}/${path}`;
}

// ---------------------------------------------------------------------------
// SigV4

const enc = new TextEncoder();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new FitsError('UNSUPPORTED', 'Signing S3 requests needs WebCrypto (crypto.subtle).');
  return s;
}

function hex(buf: ArrayBuffer): string {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return hex(await subtle().digest('SHA-256', typeof data === 'string' ? enc.encode(data) : (data as Uint8Array<ArrayBuffer>)));
}

async function hmac(key: ArrayBuffer | Uint8Array, msg: string): Promise<ArrayBuffer> {
  const k = await subtle().importKey('raw', key as ArrayBuffer, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return subtle().sign('HMAC', k, enc.encode(msg));
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignV4Input {
  method: string;
  url: string;
  /** Headers to send; those not in UNSIGNED_HEADERS are signed. */
  headers: Record<string, string>;
  credentials: AwsCredentials;
  region: string;
  service: string;
  /** Signing time (default now). */
  date?: Date;
  /** Hex SHA-256 of the payload, or UNSIGNED-PAYLOAD (default: the empty payload's hash). */
  payloadHash?: string;
}

export interface SignV4Output {
  /** The headers to send: the input ones plus host, x-amz-date, x-amz-content-sha256 (s3), x-amz-security-token, authorization. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

/** Headers a browser or proxy may change or drop: never signed. */
const UNSIGNED_HEADERS = new Set(['accept-encoding', 'user-agent', 'connection', 'authorization', 'content-length', 'expect', 'keep-alive', 'te', 'transfer-encoding', 'upgrade']);

function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalQuery(search: string): string {
  if (!search || search === '?') return '';
  const pairs = search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p.length)
    .map((p) => {
      const i = p.indexOf('=');
      const k = decodeURIComponent((i < 0 ? p : p.slice(0, i)).replace(/\+/g, ' '));
      const v = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, ' '));
      return [uriEncode(k), uriEncode(v)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalPath(pathname: string, service: string): string {
  if (!pathname) return '/';
  // S3 paths are encoded once (as sent); other services encode the (normalised) path twice.
  const segs = pathname.split('/').map((s) => {
    let raw = s;
    try {
      raw = decodeURIComponent(s);
    } catch {
      /* keep as is */
    }
    return service === 's3' ? uriEncode(raw) : uriEncode(uriEncode(raw));
  });
  return segs.join('/') || '/';
}

const keyCache = new Map<string, ArrayBuffer>();

async function signingKey(secret: string, day: string, region: string, service: string): Promise<ArrayBuffer> {
  const id = `${secret}\n${day}\n${region}\n${service}`;
  const hit = keyCache.get(id);
  if (hit) return hit;
  const kDate = await hmac(enc.encode(`AWS4${secret}`), day);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  const k = await hmac(kService, 'aws4_request');
  if (keyCache.size > 64) keyCache.clear();
  keyCache.set(id, k);
  return k;
}

/** Sign a request with AWS Signature Version 4 (header-based). */
export async function signV4(input: SignV4Input): Promise<SignV4Output> {
  const u = new URL(input.url);
  const date = amzDate(input.date ?? new Date());
  const day = date.slice(0, 8);
  const payloadHash = input.payloadHash ?? EMPTY_SHA256;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['host'] = u.host;
  headers['x-amz-date'] = date;
  if (input.service === 's3') headers['x-amz-content-sha256'] = payloadHash;
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  delete headers['authorization'];
  const names = Object.keys(headers)
    .filter((k) => !UNSIGNED_HEADERS.has(k))
    .sort();
  const canonicalHeaders = names.map((k) => `${k}:${headers[k]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [input.method.toUpperCase(), canonicalPath(u.pathname, input.service), canonicalQuery(u.search), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, await sha256Hex(canonicalRequest)].join('\n');
  const signature = hex(await hmac(await signingKey(input.credentials.secretAccessKey, day, input.region, input.service), stringToSign));
  headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}

/** A RequestSigner for S3 GET/HEAD requests. */
export function s3Signer(opts: S3Options): RequestSigner | undefined {
  const creds = opts.credentials;
  if (!creds) return undefined;
  const region = opts.region ?? 'us-east-1';
  return async (req) => {
    const credentials = typeof creds === 'function' ? await creds() : creds;
    const { headers } = await signV4({ method: req.method, url: req.url, headers: req.headers, credentials, region, service: 's3' });
    delete headers['host']; // the transport sets Host itself (the same value)
    return headers;
  };
}
