import { BadRequestException, ForbiddenException, HttpException } from '@nestjs/common';
import { InvalidTenantIdException } from './tenant.exception';
import { DefaultTenantResolver } from './tenant.resolver';

/** The one place a resolver is built: trusting a gateway's tenant headers or not. */
function resolverWith({ trustGatewayHeaders }: { trustGatewayHeaders: boolean }): DefaultTenantResolver {
  return new DefaultTenantResolver({ trustGatewayHeaders });
}

/** The HTTP status `resolve` refuses with, or undefined when it resolves. */
function refusalOf(resolve: () => unknown): number | undefined {
  try {
    resolve();
    return undefined;
  } catch (error) {
    if (error instanceof HttpException) return error.getStatus();
    throw error;
  }
}

describe(DefaultTenantResolver.name, () => {
  describe('behind a trusted gateway', () => {
    const sut = resolverWith({ trustGatewayHeaders: true });

    it('takes the tenant from the path first', () => {
      expect(sut.resolve('acme', { 'x-tenant-id': 'acme' }, { tenantId: 'acme' })).toEqual({ tenantId: 'acme' });
    });

    it('refuses (403) a path that contradicts the trusted gateway’s tenant, even for a credential bound to none', () => {
      expect(() => sut.resolve('globex', { 'x-tenant-id': 'acme' })).toThrow(ForbiddenException);
    });

    it('accepts a path that names the gateway’s tenant', () => {
      expect(sut.resolve('acme', { 'x-tenant-id': 'acme' }).tenantId).toBe('acme');
    });

    it('takes the credential’s tenant when the path names none', () => {
      expect(sut.resolve(undefined, {}, { tenantId: 'acme' })).toEqual({ tenantId: 'acme' });
    });

    it('takes the gateway’s X-Tenant-Id when neither path nor credential names a tenant', () => {
      expect(sut.resolve(undefined, { 'x-tenant-id': 'globex' })).toEqual({ tenantId: 'globex' });
    });

    it('takes the first X-Tenant-Id when the header is repeated', () => {
      expect(sut.resolve(undefined, { 'x-tenant-id': ['globex', 'acme'] }).tenantId).toBe('globex');
    });

    it('treats an empty X-Tenant-Id as absent', () => {
      expect(sut.resolve(undefined, { 'x-tenant-id': '' })).toEqual({});
    });

    it('resolves no tenant when nothing names one', () => {
      expect(sut.resolve(undefined, {})).toEqual({});
    });

    it('takes the user from the gateway’s X-User-Id', () => {
      expect(sut.resolve(undefined, { 'x-user-id': 'alice' })).toEqual({ userId: 'alice' });
    });

    it('prefers the credential’s user over the gateway’s X-User-Id', () => {
      expect(sut.resolve(undefined, { 'x-user-id': 'mallory' }, { userId: 'alice' }).userId).toBe('alice');
    });

    it('refuses a malformed X-Tenant-Id with 400', () => {
      expect(() => sut.resolve(undefined, { 'x-tenant-id': 'acme/../globex' })).toThrow(InvalidTenantIdException);
    });

    it('refuses a credential bound to another tenant than the gateway header with 403', () => {
      expect(() => sut.resolve(undefined, { 'x-tenant-id': 'globex' }, { tenantId: 'acme' })).toThrow(ForbiddenException);
    });
  });

  describe('without a trusted gateway', () => {
    const sut = resolverWith({ trustGatewayHeaders: false });

    it('ignores X-Tenant-Id', () => {
      expect(sut.resolve(undefined, { 'x-tenant-id': 'globex' })).toEqual({});
    });

    it('ignores X-User-Id', () => {
      expect(sut.resolve(undefined, { 'x-user-id': 'mallory' })).toEqual({});
    });

    it('ignores even a malformed X-Tenant-Id', () => {
      expect(sut.resolve('acme', { 'x-tenant-id': '../etc' })).toEqual({ tenantId: 'acme' });
    });

    it('does not hold X-Tenant-Id against a credential bound to another tenant', () => {
      expect(sut.resolve(undefined, { 'x-tenant-id': 'globex' }, { tenantId: 'acme' })).toEqual({ tenantId: 'acme' });
    });

    it('ignores the gateway headers by default', () => {
      expect(new DefaultTenantResolver().resolve(undefined, { 'x-tenant-id': 'globex', 'x-user-id': 'mallory' })).toEqual({});
    });

    it('takes the tenant from the path', () => {
      expect(sut.resolve('acme', {})).toEqual({ tenantId: 'acme' });
    });

    it('keeps the credential’s tenant and user', () => {
      expect(sut.resolve(undefined, {}, { tenantId: 'acme', userId: 'alice' })).toEqual({ tenantId: 'acme', userId: 'alice' });
    });

    it('refuses a credential bound to another tenant than the path with 403', () => {
      expect(refusalOf(() => sut.resolve('globex', {}, { tenantId: 'acme' }))).toBe(403);
    });

    it('names the bound tenant in the refusal', () => {
      expect(() => sut.resolve('globex', {}, { tenantId: 'acme' })).toThrow('bound to tenant acme');
    });

    it('compares tenant ids exactly, case included', () => {
      expect(refusalOf(() => sut.resolve('Acme', {}, { tenantId: 'acme' }))).toBe(403);
    });

    it.each([
      ['empty', ''],
      ['with a slash', 'acme/x'],
      ['starting with a dash', '-acme'],
      ['with a dot', 'acme.corp'],
      ['longer than 63 characters', 'a'.repeat(64)],
    ])('refuses a path tenant id %s with 400', (_case, tenantId) => {
      expect(() => sut.resolve(tenantId, {})).toThrow(BadRequestException);
    });

    it('accepts a path tenant id of 63 letters, digits, dashes and underscores', () => {
      const tenantId = `A1_-${'b'.repeat(59)}`;

      expect(sut.resolve(tenantId, {})).toEqual({ tenantId });
    });

    it('refuses a malformed path id with 400 before looking at the credential', () => {
      expect(refusalOf(() => sut.resolve('bad/id', {}, { tenantId: 'acme' }))).toBe(400);
    });
  });
});
