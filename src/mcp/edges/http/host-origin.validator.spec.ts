import { HttpStatus } from '@nestjs/common';
import { HostOriginValidator } from './host-origin.validator';
import { ForbiddenHostException } from '../../mcp.exception';

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function rejection(check: () => void): ForbiddenHostException {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ForbiddenHostException);
    return error as ForbiddenHostException;
  }
  throw new Error('expected a ForbiddenHostException');
}

describe(HostOriginValidator.name, () => {
  describe('Host', () => {
    const sut = new HostOriginValidator(DEFAULT_HOSTS, []);

    it('accepts an allowed host without a port', () => {
      expect(() => sut.assertAllowed('localhost', undefined)).not.toThrow();
    });

    it('accepts an allowed host with a port', () => {
      expect(() => sut.assertAllowed('127.0.0.1:3000', undefined)).not.toThrow();
    });

    it('accepts a bracketed IPv6 host with a port', () => {
      expect(() => sut.assertAllowed('[::1]:3000', undefined)).not.toThrow();
    });

    it('compares host names case-insensitively', () => {
      expect(() => sut.assertAllowed('LocalHost:3000', undefined)).not.toThrow();
    });

    it('refuses a foreign host with 403', () => {
      const error = rejection(() => sut.assertAllowed('evil.example:3000', undefined));

      expect(error.getStatus()).toBe(HttpStatus.FORBIDDEN);
      expect(error.message).toBe('Invalid Host: evil.example:3000');
    });

    it('refuses a host that merely starts with an allowed name', () => {
      rejection(() => sut.assertAllowed('localhost.evil.example', undefined));
    });

    it('refuses a missing host', () => {
      rejection(() => sut.assertAllowed(undefined, undefined));
    });

    it('refuses a host that is not a host name', () => {
      rejection(() => sut.assertAllowed('local host', undefined));
    });
  });

  describe('Host with "*"', () => {
    const sut = new HostOriginValidator(['*'], []);

    it('accepts any host', () => {
      expect(() => sut.assertAllowed('anything.example', undefined)).not.toThrow();
    });

    it('accepts a missing host', () => {
      expect(() => sut.assertAllowed(undefined, undefined)).not.toThrow();
    });

    it('accepts any origin when no origins are listed', () => {
      expect(() => sut.assertAllowed('anything.example', 'https://elsewhere.example')).not.toThrow();
    });
  });

  describe('Origin', () => {
    const sut = new HostOriginValidator(DEFAULT_HOSTS, ['https://app.example.com/']);

    it('accepts an origin whose host is allowed', () => {
      expect(() => sut.assertAllowed('localhost:3000', 'http://localhost:5173')).not.toThrow();
    });

    it('accepts an IPv6 origin whose host is allowed', () => {
      expect(() => sut.assertAllowed('[::1]:3000', 'http://[::1]:5173')).not.toThrow();
    });

    it('refuses a foreign origin with 403', () => {
      const error = rejection(() => sut.assertAllowed('localhost:3000', 'https://evil.example'));

      expect(error.getStatus()).toBe(HttpStatus.FORBIDDEN);
      expect(error.message).toBe('Invalid Origin: https://evil.example');
    });

    it('refuses an origin that is not a URL', () => {
      rejection(() => sut.assertAllowed('localhost:3000', 'null'));
    });

    it('accepts an explicitly allowed origin, ignoring case and the trailing slash of the setting', () => {
      expect(() => sut.assertAllowed('localhost:3000', 'https://APP.example.com')).not.toThrow();
    });

    it('accepts a request without an Origin', () => {
      expect(() => sut.assertAllowed('localhost', undefined)).not.toThrow();
    });
  });

  describe('Origin with "*" hosts and listed origins', () => {
    const sut = new HostOriginValidator(['*'], ['https://app.example.com']);

    it('accepts a listed origin', () => {
      expect(() => sut.assertAllowed('anything.example', 'https://app.example.com')).not.toThrow();
    });

    it('refuses an origin that is not listed', () => {
      rejection(() => sut.assertAllowed('anything.example', 'https://evil.example'));
    });
  });
});
