/**
 * The Lua scripts of RedisStore's single flight (each runs atomically on the
 * server). Keys are passed in order; the first argument of each call is the
 * number of keys (ioredis `defineCommand` without a fixed count).
 */

/**
 * KEYS: value₁, lease₁, value₂, lease₂, …  ARGV: token, lease ms.
 * Per block: its value if present; else 1 if the lease was free and is now
 * ours; else 0 (another fetch holds it — or ours, from another source of this
 * process, which then waits like any other process).
 */
export const CLAIM_LUA = `
local out = {}
for i = 1, #KEYS, 2 do
  local v = redis.call('GET', KEYS[i])
  if v then
    out[#out + 1] = v
  elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`;

/** KEYS: leases. ARGV: token. Deletes the leases this token holds; returns how many. */
export const RELEASE_LUA = `
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    n = n + 1
  end
end
return n
`;

/** KEYS: leases. ARGV: token, lease ms. Extends the leases this token still holds; returns how many. */
export const RENEW_LUA = `
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    n = n + 1
  end
end
return n
`;

/** The script commands as the client (or a pipeline) exposes them after `defineCommand`. */
export interface ScriptClient {
  ffClaimBuffer(numKeys: number, ...args: (string | number)[]): Promise<(Buffer | number | null)[]>;
  ffRelease(numKeys: number, ...args: (string | number)[]): Promise<number>;
  ffRenew(numKeys: number, ...args: (string | number)[]): Promise<number>;
}
