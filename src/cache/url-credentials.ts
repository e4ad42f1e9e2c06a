/**
 * URLs without their credentials, for what is written down (cache records,
 * listings, error messages): a presigned URL's signature, a SAS token or a
 * password in the URL grant access to whoever reads them.
 */

/**
 * Query parameters that carry credentials (lower case): AWS SigV4 and SigV2
 * presigned URLs, Google Cloud Storage signed URLs, Azure SAS, CloudFront
 * signed URLs, and the usual token names.
 */
const CREDENTIAL_PARAMS = new Set([
  'signature',
  'sig',
  'awsaccesskeyid',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'googleaccessid',
  'policy',
  'key-pair-id',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'auth',
  'authorization',
  'api_key',
  'apikey',
  'key',
  'password',
  'passwd',
  'secret',
  'client_secret',
]);

/** Whether a query parameter's name says it carries a credential. */
export function isCredentialParam(name: string): boolean {
  const n = name.toLowerCase();
  return CREDENTIAL_PARAMS.has(n) || n.startsWith('x-amz-security') || n.endsWith('_token') || n.endsWith('-token') || n.endsWith('signature');
}

/**
 * `url` without user name, password and credential query parameters (see
 * isCredentialParam); other parameters are kept, in order, as written. A
 * string that is not an absolute URL is returned up to its query.
 */
export function urlWithoutCredentials(url: string): string {
  const q = url.indexOf('?');
  const hash = url.indexOf('#', q < 0 ? 0 : q);
  const end = hash < 0 ? url.length : hash;
  let head = q < 0 ? url.slice(0, end) : url.slice(0, q);
  // user:password@ in the authority
  head = head.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
  if (q < 0) return head;
  const kept = url
    .slice(q + 1, end)
    .split('&')
    .filter((p) => {
      if (!p) return false;
      const i = p.indexOf('=');
      let name = i < 0 ? p : p.slice(0, i);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* as written */
      }
      return !isCredentialParam(name);
    });
  return kept.length ? `${head}?${kept.join('&')}` : head;
}
