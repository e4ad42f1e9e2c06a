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
import { rawUrlParts } from './raw-url.js';

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

/** Longest S3 object key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/**
 * What is wrong with an S3 bucket name, or null if it follows the naming
 * rules of general purpose buckets: 3–63 characters of lower-case letters,
 * digits, dots and hyphens; a letter or digit first and last; no two dots in
 * a row; not shaped like an IP address; none of the reserved prefixes
 * (`xn--`, `sthree-`, `amzn-s3-demo-`) and suffixes (`-s3alias`, `--ol-s3`,
 * `.mrap`, `--x-s3`, `--table-s3`).
 * docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function s3BucketProblem(bucket: string): string | null {
  if (bucket.length < 3 || bucket.length > 63) return 'a bucket name has 3 to 63 characters';
  if (!/^[a-z0-9.-]+$/.test(bucket)) return 'a bucket name has only lower-case letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) return 'a bucket name begins and ends with a letter or a digit';
  if (bucket.includes('..')) return 'a bucket name has no two dots in a row';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bucket)) return 'a bucket name is not an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(bucket)) return 'a bucket name does not begin with xn--, sthree- or amzn-s3-demo-';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket)) return 'a bucket name does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3';
  return null;
}

/**
 * Split `s3://bucket/key`. The key is percent-decoded once (`%20` is a space)
 * and otherwise taken as written: `..`, `.` and empty segments are parts of
 * the key, never resolved into another object's name. Throws FitsError
 * BAD_ARGUMENT for anything else: a bucket name outside the S3 rules (which
 * also refuses `host:port`, `user@host` and `#`/`?` tricks), no key, a key
 * longer than 1024 bytes, or malformed percent-encoding.
 */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]*)\/(.*)$/is.exec(url);
  if (!m) throw new FitsError('BAD_ARGUMENT', `${url} is not an s3://bucket/key URL.`);
  const bucket = m[1]!;
  const problem = s3BucketProblem(bucket);
  if (problem) throw new FitsError('BAD_ARGUMENT', `${url}: "${bucket}" is not an S3 bucket name (${problem}); write s3://bucket/key, and give another endpoint with the s3.endpoint option.`);
  let key: string;
  try {
    key = decodeURIComponent(m[2]!);
  } catch {
    throw new FitsError('BAD_ARGUMENT', `${url}: the key has malformed percent-encoding (each % must start %XX, XX hexadecimal UTF-8); write %25 for a literal %.`);
  }
  if (!key) throw new FitsError('BAD_ARGUMENT', `${url} names no object: write s3://bucket/key.`);
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) throw new FitsError('BAD_ARGUMENT', `${url}: an S3 key has at most ${MAX_KEY_BYTES} bytes.`);
  return { bucket, key };
}

/** Whether `key` has a `.` or `..` segment (which URL parsers, fetch() among them, resolve away). */
export function hasDotSegment(key: string): boolean {
  return key.split('/').some((s) => s === '.' || s === '..');
}

/**
 * The endpoint's origin and path prefix, or a FitsError. Only `http:` and
 * `https:` endpoints, without credentials, query or fragment.
 */
function endpointParts(endpoint: string): { protocol: string; host: string; prefix: string } {
  let ep: URL;
  try {
    ep = new URL(endpoint);
  } catch {
    throw new FitsError('BAD_ARGUMENT', `The S3 endpoint ${endpoint} is not a URL; write e.g. https://s3.example.com or http://127.0.0.1:9000.`);
  }
  if ((ep.protocol !== 'http:' && ep.protocol !== 'https:') || ep.username || ep.password || ep.search || ep.hash || !ep.host) {
    throw new FitsError('BAD_ARGUMENT', `The S3 endpoint ${endpoint} must be an http: or https: origin (with an optional path), without credentials, query or fragment.`);
  }
  return { protocol: ep.protocol, host: ep.host, prefix: ep.pathname.replace(/\/+$/, '') };
}

/**
 * The HTTPS (or endpoint) URL of an S3 object. The key is percent-encoded as
 * SigV4 wants it (every byte but unreserved characters and `/`); `.` and `..`
 * segments are kept as written, so the URL must not go through a URL parser
 * on its way out (the undici transport sends it as is; see
 * HttpTransport.rawPaths).
 */
export function s3HttpUrl(url: string, opts: S3Options = {}): string {
  const { bucket, key } = parseS3Url(url);
  const region = opts.region ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new FitsError('BAD_ARGUMENT', `The S3 region "${region}" is not a region name (e.g. us-east-1).`);
  const path = uriEncode(key, true);
  let out: string;
  let expectedHost: string;
  if (opts.endpoint) {
    const ep = endpointParts(opts.endpoint);
    if (opts.forcePathStyle ?? true) {
      expectedHost = ep.host;
      out = `${ep.protocol}//${ep.host}${ep.prefix}/${uriEncode(bucket)}/${path}`;
    } else {
      expectedHost = `${bucket}.${ep.host}`;
      out = `${ep.protocol}//${expectedHost}${ep.prefix}/${path}`;
    }
  } else {
    const host = region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
    if (opts.forcePathStyle ?? bucket.includes('.')) {
      expectedHost = host;
      out = `https://${host}/${uriEncode(bucket)}/${path}`;
    } else {
      expectedHost = `${bucket}.${host}`;
      out = `https://${expectedHost}/${path}`;
    }
  }
  // Belt and braces: the request (and its signature) goes to this host and nowhere else.
  let host: string | null = null;
  try {
    host = new URL(out).host;
  } catch {
    /* e.g. bucket.127.0.0.1: a virtual-hosted name under an IP address */
  }
  if (host !== expectedHost.toLowerCase()) throw new FitsError('BAD_ARGUMENT', `${url} does not map to a request to ${expectedHost}${opts.endpoint ? ' (with an IP-address endpoint, use path-style URLs: forcePathStyle)' : ''}.`);
  return out;
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

/** Percent-decoded, or as written where the encoding is malformed (then signed as such). */
function decodeOrRaw(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function canonicalQuery(search: string): string {
  if (!search || search === '?') return '';
  const pairs = search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p.length)
    .map((p) => {
      const i = p.indexOf('=');
      const k = decodeOrRaw((i < 0 ? p : p.slice(0, i)).replace(/\+/g, ' '));
      const v = i < 0 ? '' : decodeOrRaw(p.slice(i + 1).replace(/\+/g, ' '));
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
  const u = rawUrlParts(input.url);
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
  const canonicalRequest = [input.method.toUpperCase(), canonicalPath(input.service === 's3' ? u.path : new URL(input.url).pathname, input.service), canonicalQuery(u.search), canonicalHeaders, signedHeaders, payloadHash].join('\n');
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
