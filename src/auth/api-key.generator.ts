import { createHash, randomBytes } from 'node:crypto';

export interface GeneratedApiKey {
  /** Give this to the client; it is shown once and stored nowhere. */
  key: string;
  /** Put this in `auth.apiKeys[].hash`. */
  hash: string;
}

/** A random API key (256 bits) and the `sha256:` hash the config stores instead of it. */
export function generateApiKey(): GeneratedApiKey {
  const key = `mcp_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
