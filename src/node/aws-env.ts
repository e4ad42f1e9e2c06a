/**
 * S3 options from the standard AWS environment, as the AWS CLI and SDKs read
 * it, for the CLI (and any program that wants the same):
 *
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   credentials (both, or neither)
 *   AWS_SESSION_TOKEN                          with temporary credentials
 *   AWS_REGION (else AWS_DEFAULT_REGION)       the bucket's region
 *   AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) another endpoint (MinIO, R2, …)
 *
 * The environment is passed in (no global reads). Profiles and
 * ~/.aws/credentials are not read.
 */
import { FitsError } from '../core/errors.js';
import type { S3Options } from '../remote/s3.js';

/** S3Options from `env` (`process.env`), or undefined if it sets none of the variables. Throws FitsError BAD_ARGUMENT for half a key pair. */
export function s3OptionsFromEnv(env: Record<string, string | undefined>): S3Options | undefined {
  const val = (k: string) => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  const out: S3Options = {};
  const id = val('AWS_ACCESS_KEY_ID');
  const secret = val('AWS_SECRET_ACCESS_KEY');
  if (!id !== !secret) {
    throw new FitsError('BAD_ARGUMENT', `${id ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is set without ${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'}; set both (and AWS_SESSION_TOKEN with temporary credentials), or neither for public buckets.`);
  }
  if (id && secret) {
    const token = val('AWS_SESSION_TOKEN');
    out.credentials = { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  }
  const region = val('AWS_REGION') ?? val('AWS_DEFAULT_REGION');
  if (region) out.region = region;
  const endpoint = val('AWS_ENDPOINT_URL_S3') ?? val('AWS_ENDPOINT_URL');
  if (endpoint) out.endpoint = endpoint;
  return Object.keys(out).length ? out : undefined;
}
