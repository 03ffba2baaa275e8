import { Logger } from '@nestjs/common';
import type { RedisConnection } from '../../../redis/redis.connection.provider';
import { JSONRPC_ERROR } from '../../mcp.constants';
import { McpProtocolError } from '../../mcp.exception';
import { MCP_DEFAULT_OPTIONS } from '../../mcp.module-definition';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { MAX_REQUEST_STATE_BYTES, RequestStateBinding, RequestStateProblem, RequestStateSealer } from './request-state.sealer';

const KEY_A = 'first-state-key-0123456789abcdef';
const KEY_B = 'second-state-key-fedcba9876543210';
const SECRET_ANSWER = 'correct-horse-battery-staple-7f3a';

const BINDING: RequestStateBinding = {
  principal: 'alice',
  tenant: 'acme',
  method: 'tools/call',
  target: 'book_flight',
  args: { from: 'AMS', to: 'LIS', passengers: 2, extras: { meal: 'veg', bags: [1, 2] } },
};
const PAYLOAD = { answers: { 'elicit-0': { action: 'accept', content: { passphrase: SECRET_ANSWER } } } };

function sealerWith(stateKeys: string[], requestStateTtlSeconds = 600, redis?: RedisConnection): RequestStateSealer {
  return new RequestStateSealer({ ...MCP_DEFAULT_OPTIONS, stateKeys, requestStateTtlSeconds } as McpModuleOptions, redis);
}

/** Why `open` refused the state (the error's `data.reason`), or 'opened'. */
async function refusalOf(opening: Promise<unknown>): Promise<RequestStateProblem | 'opened'> {
  try {
    await opening;
    return 'opened';
  } catch (error) {
    if (!(error instanceof McpProtocolError) || error.code !== JSONRPC_ERROR.INVALID_PARAMS) throw error;
    return (error.data as { reason: RequestStateProblem }).reason;
  }
}

function partsOf(state: string): string[] {
  return state.split('.');
}

/** The state with one of its base64url parts (2: iv, 3: ciphertext and tag) changed as bytes. */
function withBytes(state: string, part: 2 | 3, change: (bytes: Buffer) => Buffer): string {
  const parts = partsOf(state);
  parts[part] = change(Buffer.from(parts[part], 'base64url')).toString('base64url');
  return parts.join('.');
}

function withPart(state: string, part: number, value: string): string {
  const parts = partsOf(state);
  parts[part] = value;
  return parts.join('.');
}

describe(RequestStateSealer.name, () => {
  let sut: RequestStateSealer;

  beforeEach(() => {
    sut = sealerWith([KEY_A]);
    sut.onModuleInit();
  });

  afterEach(() => jest.restoreAllMocks());

  describe('sealing and opening', () => {
    it('opens what it sealed for the same call, with the expiry inside', async () => {
      jest.spyOn(Date, 'now').mockReturnValue(1_000_000);

      const state = await sut.seal(PAYLOAD, BINDING);

      expect(await sut.open(state, BINDING)).toEqual({ ...PAYLOAD, exp: 1_000_000 + 600_000 });
    });

    it('seals to v1.<key id>.<iv>.<ciphertext and tag> in base64url', async () => {
      expect(await sut.seal(PAYLOAD, BINDING)).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    });

    it('uses a fresh iv for every seal', async () => {
      const first = partsOf(await sut.seal(PAYLOAD, BINDING));
      const second = partsOf(await sut.seal(PAYLOAD, BINDING));

      expect(second[1]).toBe(first[1]);
      expect(second[2]).not.toBe(first[2]);
      expect(second[3]).not.toBe(first[3]);
    });

    it('never carries the answers in plain text, nor in base64url', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);
      const decodings = [state, ...partsOf(state), state.replace(/\./g, '')].flatMap((text) => [
        Buffer.from(text, 'base64url').toString('utf8'),
        Buffer.from(text, 'base64url').toString('latin1'),
      ]);

      expect(state).not.toContain(SECRET_ANSWER);
      expect(state).not.toContain(Buffer.from(SECRET_ANSWER).toString('base64url'));
      for (const decoded of decodings) expect(decoded).not.toContain(SECRET_ANSWER);
    });
  });

  describe('the binding', () => {
    it.each<[string, Partial<RequestStateBinding>]>([
      ['another principal', { principal: 'bob' }],
      ['another tenant', { tenant: 'globex' }],
      ['no tenant', { tenant: undefined }],
      ['another method', { method: 'prompts/get' }],
      ['another target', { target: 'cancel_flight' }],
      ['another argument value', { args: { from: 'AMS', to: 'LIS', passengers: 3, extras: { meal: 'veg', bags: [1, 2] } } }],
      ['another nested argument value', { args: { from: 'AMS', to: 'LIS', passengers: 2, extras: { meal: 'veg', bags: [2, 1] } } }],
      ['an argument of another type', { args: { from: 'AMS', to: 'LIS', passengers: '2', extras: { meal: 'veg', bags: [1, 2] } } }],
      ['an extra argument', { args: { from: 'AMS', to: 'LIS', passengers: 2, extras: { meal: 'veg', bags: [1, 2] }, cabin: 'business' } }],
      ['a missing argument', { args: { from: 'AMS', to: 'LIS', extras: { meal: 'veg', bags: [1, 2] } } }],
      ['no arguments', { args: undefined }],
    ])('refuses a state sealed for the call, opened for one with %s, as integrity', async (_label, change) => {
      const state = await sut.seal(PAYLOAD, BINDING);

      expect(await refusalOf(sut.open(state, { ...BINDING, ...change }))).toBe('integrity');
    });

    it('refuses a state sealed without a tenant, opened with one, as integrity', async () => {
      const state = await sut.seal(PAYLOAD, { ...BINDING, tenant: undefined });

      expect(await refusalOf(sut.open(state, BINDING))).toBe('integrity');
    });

    it('opens with the same arguments in another key order, at every level', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);
      const reordered = { ...BINDING, args: { extras: { bags: [1, 2], meal: 'veg' }, passengers: 2, to: 'LIS', from: 'AMS' } };

      expect(await sut.open(state, reordered)).toMatchObject(PAYLOAD);
    });

    it('takes no arguments and empty arguments for the same call', async () => {
      const state = await sut.seal(PAYLOAD, { ...BINDING, args: undefined });

      expect(await sut.open(state, { ...BINDING, args: {} })).toMatchObject(PAYLOAD);
    });
  });

  describe('tampering', () => {
    it('refuses a change to any byte of the ciphertext or its tag as integrity', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);
      const length = Buffer.from(partsOf(state)[3], 'base64url').length;

      for (let index = 0; index < length; index += 1) {
        const tampered = withBytes(state, 3, (bytes) => {
          bytes[index] ^= 0x01;
          return bytes;
        });
        expect({ index, refusal: await refusalOf(sut.open(tampered, BINDING)) }).toEqual({ index, refusal: 'integrity' });
      }
    });

    it('refuses a change to any byte of the iv as integrity', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);

      for (let index = 0; index < 12; index += 1) {
        const tampered = withBytes(state, 2, (bytes) => {
          bytes[index] ^= 0x01;
          return bytes;
        });
        expect({ index, refusal: await refusalOf(sut.open(tampered, BINDING)) }).toEqual({ index, refusal: 'integrity' });
      }
    });

    it.each<[string, (bytes: Buffer) => Buffer]>([
      ['a truncated ciphertext', (bytes) => bytes.subarray(0, bytes.length - 1)],
      ['a ciphertext without its tag', (bytes) => bytes.subarray(0, bytes.length - 16)],
      ['a ciphertext shorter than a tag', (bytes) => bytes.subarray(0, 5)],
      ['an extended ciphertext', (bytes) => Buffer.concat([bytes, Buffer.from([0])])],
    ])('refuses %s as integrity', async (_label, change) => {
      const tampered = withBytes(await sut.seal(PAYLOAD, BINDING), 3, change);

      expect(await refusalOf(sut.open(tampered, BINDING))).toBe('integrity');
    });

    it('refuses an iv of another length as integrity', async () => {
      const tampered = withBytes(await sut.seal(PAYLOAD, BINDING), 2, (bytes) => bytes.subarray(0, 8));

      expect(await refusalOf(sut.open(tampered, BINDING))).toBe('integrity');
    });

    it('refuses the iv of another state as integrity', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);
      const other = await sut.seal(PAYLOAD, BINDING);

      expect(await refusalOf(sut.open(withPart(state, 2, partsOf(other)[2]), BINDING))).toBe('integrity');
    });

    it('refuses a state relabelled with the id of another of its keys as integrity', async () => {
      const rotated = sealerWith([KEY_B, KEY_A]);
      const idOfB = partsOf(await sealerWith([KEY_B]).seal(PAYLOAD, BINDING))[1];
      const state = await sut.seal(PAYLOAD, BINDING);

      expect(await refusalOf(rotated.open(withPart(state, 1, idOfB), BINDING))).toBe('integrity');
    });
  });

  describe('keys', () => {
    it('refuses a state that names a key it does not hold as unknown_key', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);

      expect(await refusalOf(sut.open(withPart(state, 1, 'AAAAAAAA'), BINDING))).toBe('unknown_key');
    });

    it('refuses a state sealed with another key as unknown_key', async () => {
      const state = await sealerWith([KEY_B]).seal(PAYLOAD, BINDING);

      expect(await refusalOf(sut.open(state, BINDING))).toBe('unknown_key');
    });

    it('opens the states of another replica with the same keys, both ways', async () => {
      const replica = sealerWith([KEY_A]);
      replica.onModuleInit();

      expect(await replica.open(await sut.seal(PAYLOAD, BINDING), BINDING)).toMatchObject(PAYLOAD);
      expect(await sut.open(await replica.seal(PAYLOAD, BINDING), BINDING)).toMatchObject(PAYLOAD);
    });

    it('rotates: a new key put first seals, the old one still opens, and dropping it refuses its states', async () => {
      const sealedWithA = await sut.seal(PAYLOAD, BINDING);
      const rotated = sealerWith([KEY_B, KEY_A]);
      const onlyB = sealerWith([KEY_B]);

      expect(await rotated.open(sealedWithA, BINDING)).toMatchObject(PAYLOAD);
      const sealedWithB = await rotated.seal(PAYLOAD, BINDING);
      expect(partsOf(sealedWithB)[1]).not.toBe(partsOf(sealedWithA)[1]);
      expect(await onlyB.open(sealedWithB, BINDING)).toMatchObject(PAYLOAD);
      expect(await refusalOf(sut.open(sealedWithB, BINDING))).toBe('unknown_key');
      expect(await refusalOf(onlyB.open(sealedWithA, BINDING))).toBe('unknown_key');
    });

    it('without keys nor Redis, seals with a key of this process only, and says so', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const sealer = sealerWith([]);
      const otherProcess = sealerWith([]);
      sealer.onModuleInit();
      otherProcess.onModuleInit();

      const state = await sealer.seal(PAYLOAD, BINDING);

      expect(await sealer.open(state, BINDING)).toMatchObject(PAYLOAD);
      expect(await refusalOf(otherProcess.open(state, BINDING))).toBe('unknown_key');
      expect(warn).toHaveBeenCalledTimes(2);
    });
  });

  describe('expiry', () => {
    it('opens until the time to live has passed, then refuses as expired', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(5_000_000);
      const sealer = sealerWith([KEY_A], 30);
      const state = await sealer.seal(PAYLOAD, BINDING);

      now.mockReturnValue(5_000_000 + 30_000 - 1);
      expect(await sealer.open(state, BINDING)).toMatchObject(PAYLOAD);
      now.mockReturnValue(5_000_000 + 30_000);
      expect(await refusalOf(sealer.open(state, BINDING))).toBe('expired');
    });

    it('counts from the configured time to live', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(5_000_000);
      const state = await sut.seal(PAYLOAD, BINDING);

      now.mockReturnValue(5_000_000 + 599_000);
      expect(await sut.open(state, BINDING)).toMatchObject(PAYLOAD);
      now.mockReturnValue(5_000_000 + 601_000);
      expect(await refusalOf(sut.open(state, BINDING))).toBe('expired');
    });
  });

  describe('malformed states', () => {
    it.each<[string, unknown]>([
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { state: 'v1.a.b.c' }],
      ['an array of the parts', ['v1', 'a', 'b', 'c']],
      ['an empty string', ''],
      ['three parts', 'v1.AAAAAAAA.AAAAAAAAAAAAAAAA'],
      ['five parts', 'v1.AAAAAAAA.AAAAAAAAAAAAAAAA.AAAA.AAAA'],
      ['an empty key id', 'v1..AAAAAAAAAAAAAAAA.AAAA'],
      ['an empty iv', 'v1.AAAAAAAA..AAAA'],
      ['an empty ciphertext', 'v1.AAAAAAAA.AAAAAAAAAAAAAAAA.'],
    ])('refuses %s as malformed', async (_label, state) => {
      expect(await refusalOf(sut.open(state, BINDING))).toBe('malformed');
    });

    it.each([['v2'], ['V1'], ['v0'], ['']])('refuses version %j of a sealed state as malformed', async (version) => {
      const state = withPart(await sut.seal(PAYLOAD, BINDING), 0, version);

      expect(await refusalOf(sut.open(state, BINDING))).toBe('malformed');
    });

    it('refuses a sealed state with a part appended as malformed', async () => {
      expect(await refusalOf(sut.open(`${await sut.seal(PAYLOAD, BINDING)}.x`, BINDING))).toBe('malformed');
    });
  });

  describe('size', () => {
    it('refuses to seal answers too large to come back, rather than ask the same questions forever', async () => {
      const sut = sealerWith([KEY_A]);
      const answers = { 'sample-0': { role: 'assistant', content: { type: 'text', text: 'x'.repeat(50_000) } } };
      expect(await refusalOf(sut.seal({ answers }, BINDING))).toBe('too_large');
    });

    it('refuses a state over 64 KiB as too_large, before reading it', async () => {
      const state = await sut.seal(PAYLOAD, BINDING);

      expect(await refusalOf(sut.open(state + 'A'.repeat(MAX_REQUEST_STATE_BYTES), BINDING))).toBe('too_large');
      expect(await refusalOf(sut.open('x'.repeat(MAX_REQUEST_STATE_BYTES + 1), BINDING))).toBe('too_large');
    });

    it('reads a state of exactly 64 KiB (and refuses this one for its shape)', async () => {
      expect(MAX_REQUEST_STATE_BYTES).toBe(64 * 1024);
      expect(await refusalOf(sut.open('x'.repeat(MAX_REQUEST_STATE_BYTES), BINDING))).toBe('malformed');
    });
  });
});
