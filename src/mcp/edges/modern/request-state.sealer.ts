import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { RedisConnection } from '../../../redis/redis.connection.provider';
import { canonicalJson } from '../../../common/canonical-json';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { McpProtocolError } from '../../mcp.exception';
import { StoreUnavailableError } from '../../../session/session-store.exception';

/** What a sealed state is bound to: the same call by the same caller, nothing else. */
export interface RequestStateBinding {
  principal: string;
  tenant?: string;
  method: string;
  /** Tool or prompt name, resource URI. */
  target: string;
  args: unknown;
}

/** Why a `requestState` was refused (the error's `data.reason`). */
export type RequestStateProblem = 'malformed' | 'unknown_key' | 'integrity' | 'expired' | 'too_large';

interface SealingKey {
  id: string;
  key: Buffer;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Clients echo the state back: keep what they carry bounded. */
export const MAX_REQUEST_STATE_BYTES = 64 * 1024;
/** Where replicas without configured keys share a generated one; refreshed at every start. */
const SHARED_KEY_NAME = 'request-state-key';
const SHARED_KEY_TTL_SECONDS = 30 * 24 * 3600;
/** How often a replica reads the shared key again (and extends its life). */
const SHARED_KEY_REFRESH_MS = 5 * 60_000;
/** Least time between two reads prompted by a state sealed with a key this replica does not know. */
const SHARED_KEY_RECHECK_MS = 5_000;
/** Shared keys kept (the current one and those read before it). */
const MAX_SHARED_KEYS = 3;

/**
 * Seals the `requestState` of multi-round calls (MRTR, 2026-07-28) so that the client's
 * retry can land on any replica with no shared state: AES-256-GCM with a key from
 * `stateKeys` (HKDF-derived), the call's binding (principal, tenant, method, target,
 * arguments' hash) as additional data, and an expiry inside. The first key seals and every
 * key opens: rotation is putting the new key first, then dropping the old one once states
 * sealed with it have expired. A state that is tampered with, expired, sealed by an unknown
 * key or bound to another call or caller is refused with -32602, never run.
 */
@Injectable()
export class RequestStateSealer implements OnModuleInit {
  private readonly logger = new Logger('RequestState');
  private keys: SealingKey[];
  /** The key shared through Redis, fetched on first use (Redis may not be up at start). */
  private shared?: Promise<SealingKey[]>;
  /** When the shared key was last read from Redis. */
  private sharedAt = 0;

  constructor(
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    @Optional() @Inject(RedisConnection) private readonly redis?: RedisConnection,
  ) {
    this.keys = options.stateKeys.map(deriveKey);
  }

  onModuleInit(): void {
    if (this.keys.length > 0 || this.redis || this.options.protocol === 'legacy') return;
    this.keys = [deriveKey(randomBytes(32).toString('base64'))];
    this.logger.warn({
      msg: 'no mcp.stateKeys (MCP_STATE_KEYS) and no Redis: multi-round calls of 2026-07-28 clients are sealed with a key of this process only, so their retries must reach this replica',
    });
  }

  async seal(payload: Record<string, unknown>, binding: RequestStateBinding): Promise<string> {
    const [{ id, key }] = await this.ring();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(additionalData(binding));
    const plain = JSON.stringify({ ...payload, exp: Date.now() + this.options.requestStateTtlSeconds * 1000 });
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const state = `${VERSION}.${id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    // A state the client could not send back would make the call ask the same questions forever.
    if (state.length > MAX_REQUEST_STATE_BYTES) {
      throw new McpProtocolError(
        JSONRPC_ERROR.INVALID_PARAMS,
        `The answers gathered for this call are too large to carry to the next round (over ${MAX_REQUEST_STATE_BYTES} bytes sealed)`,
        { reason: 'too_large' },
      );
    }
    return state;
  }

  /** The payload of a state sealed for `binding`; -32602 with `data.reason` otherwise. */
  async open(state: unknown, binding: RequestStateBinding): Promise<Record<string, unknown>> {
    if (typeof state !== 'string') throw refusal('malformed');
    if (state.length > MAX_REQUEST_STATE_BYTES) throw refusal('too_large');
    const [version, keyId, iv, sealed, extra] = state.split('.');
    if (version !== VERSION || !keyId || !iv || !sealed || extra !== undefined) throw refusal('malformed');
    let entry = (await this.ring()).find((candidate) => candidate.id === keyId);
    // Another replica may hold a newer shared key (Redis lost the old one): read it again, once in a while.
    if (!entry && this.sharedAt > 0 && Date.now() - this.sharedAt > SHARED_KEY_RECHECK_MS) {
      this.shared = undefined;
      entry = (await this.ring()).find((candidate) => candidate.id === keyId);
    }
    if (!entry) throw refusal('unknown_key');
    let payload: { exp?: unknown } & Record<string, unknown>;
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(additionalData(binding));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      payload = JSON.parse(
        Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8'),
      ) as typeof payload;
    } catch {
      // Tampered with, or sealed for another call or caller: the tag does not verify.
      throw refusal('integrity');
    }
    if (typeof payload.exp !== 'number' || payload.exp <= Date.now()) throw refusal('expired');
    return payload;
  }

  /**
   * The keys: configured, or the one shared through Redis — read on first use and again
   * every few minutes (a replica that started after Redis lost the key may have set a new
   * one); keys read before stay accepted, so states sealed with them still open.
   */
  private ring(): Promise<SealingKey[]> | SealingKey[] {
    if (this.options.stateKeys.length > 0 || !this.redis) return this.keys;
    if (this.shared && this.sharedAt > 0 && Date.now() - this.sharedAt > SHARED_KEY_REFRESH_MS) this.shared = undefined;
    this.shared ??= this.sharedSecret(this.redis).then(
      (secret) => {
        const current = deriveKey(secret);
        this.sharedAt = Date.now();
        this.keys = [current, ...this.keys.filter((known) => known.id !== current.id)].slice(0, MAX_SHARED_KEYS);
        return this.keys;
      },
      (error: unknown) => {
        this.shared = undefined;
        if (this.keys.length > 0) return this.keys;
        throw new StoreUnavailableError('the requestState key', error, 'session store');
      },
    );
    return this.shared;
  }

  private async sharedSecret(redis: RedisConnection): Promise<string> {
    const name = `${redis.keyPrefix}${SHARED_KEY_NAME}`;
    const candidate = randomBytes(32).toString('base64');
    // The first replica to need it sets it; the others read it. Every read extends its life.
    await redis.client.set(name, candidate, 'EX', SHARED_KEY_TTL_SECONDS, 'NX');
    const [secret] = await Promise.all([redis.client.get(name), redis.client.expire(name, SHARED_KEY_TTL_SECONDS)]);
    return secret ?? candidate;
  }
}

function deriveKey(secret: string): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'mcp-platform', 'requestState/v1', 32));
  // The id names the key without revealing it: states say which key sealed them.
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

function additionalData(binding: RequestStateBinding): Buffer {
  const argsHash = createHash('sha256')
    .update(canonicalJson(binding.args ?? {}))
    .digest('hex');
  return Buffer.from(canonicalJson([binding.principal, binding.tenant ?? null, binding.method, binding.target, argsHash]));
}

function refusal(reason: RequestStateProblem): McpProtocolError {
  return new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, 'Invalid or expired requestState: ask again without it', { reason });
}
