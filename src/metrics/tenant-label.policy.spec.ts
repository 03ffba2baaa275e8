import { TENANT_NONE, TENANT_OTHER } from './metrics.constants';
import { TenantLabelPolicy } from './tenant-label.policy';

describe(TenantLabelPolicy.name, () => {
  it('labels a request without a tenant as _none', () => {
    const sut = new TenantLabelPolicy(10);
    expect(sut.label(undefined)).toBe(TENANT_NONE);
    expect(sut.label('')).toBe(TENANT_NONE);
  });

  it('keeps the names of the first tenants up to the limit', () => {
    const sut = new TenantLabelPolicy(2);
    expect(sut.label('acme')).toBe('acme');
    expect(sut.label('globex')).toBe('globex');
  });

  it('folds tenants past the limit into _other', () => {
    const sut = new TenantLabelPolicy(2);
    sut.label('acme');
    sut.label('globex');
    expect(sut.label('initech')).toBe(TENANT_OTHER);
  });

  it('keeps a tenant it has seen once the limit is reached', () => {
    const sut = new TenantLabelPolicy(1);
    sut.label('acme');
    sut.label('globex');
    expect(sut.label('acme')).toBe('acme');
  });

  it('always keeps configured tenants, without using up the limit', () => {
    const sut = new TenantLabelPolicy(1, ['acme', 'globex']);
    expect(sut.label('globex')).toBe('globex');
    expect(sut.label('initech')).toBe('initech');
    expect(sut.label('umbrella')).toBe(TENANT_OTHER);
    expect(sut.label('acme')).toBe('acme');
  });

  it('folds every unconfigured tenant with a limit of 0', () => {
    const sut = new TenantLabelPolicy(0, ['acme']);
    expect(sut.label('acme')).toBe('acme');
    expect(sut.label('globex')).toBe(TENANT_OTHER);
  });
});
