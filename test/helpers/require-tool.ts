/**
 * External reference tools (astropy, fitsio, fpack, fitsverify, redis-server,
 * Chromium…): a test that needs one must not pass silently without it. Locally
 * a missing tool skips its checks with a warning; in CI (where `.ci/run`
 * installs every tool) it fails the run.
 */

/** Record whether `tool` is available for `what`; throws in CI when it is not. */
export function toolAvailable(tool: string, available: boolean, what: string): boolean {
  if (available) return true;
  const message = `${tool} is not installed: ${what} cannot run (.ci/run installs it)`;
  if (process.env.CI) throw new Error(`CI: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}
