import { UriTemplateMatcher } from './uri-template';

describe(UriTemplateMatcher.name, () => {
  describe('simple expressions', () => {
    const sut = new UriTemplateMatcher('notes://{tenant}/{id}');

    it('lists the variables in order', () => {
      expect(sut.variables).toEqual(['tenant', 'id']);
    });

    it('extracts each variable', () => {
      expect(sut.match('notes://acme/42')).toEqual({ tenant: 'acme', id: '42' });
    });

    it('does not let a variable span a slash', () => {
      expect(sut.match('notes://acme/42/extra')).toBeUndefined();
    });

    it('does not let a variable hold a query', () => {
      expect(new UriTemplateMatcher('notes://{id}').match('notes://42?x=1')).toBeUndefined();
    });

    it('does not match an empty variable', () => {
      expect(sut.match('notes://acme/')).toBeUndefined();
    });

    it('decodes percent-encoded characters', () => {
      expect(sut.match('notes://acme/hello%20world%2Fx')).toEqual({ tenant: 'acme', id: 'hello world/x' });
    });

    it('keeps a malformed escape as it is', () => {
      expect(sut.match('notes://acme/100%')).toEqual({ tenant: 'acme', id: '100%' });
    });
  });

  describe('reserved expressions', () => {
    const sut = new UriTemplateMatcher('file:///{+path}');

    it('lets the variable span slashes', () => {
      expect(sut.match('file:///etc/app/config.yaml')).toEqual({ path: 'etc/app/config.yaml' });
    });

    it('decodes percent-encoded characters', () => {
      expect(sut.match('file:///my%20docs/a.txt')).toEqual({ path: 'my docs/a.txt' });
    });
  });

  describe('literal parts', () => {
    it('matches regular-expression characters literally', () => {
      const sut = new UriTemplateMatcher('a.b://x+y/{id}');

      expect(sut.match('a.b://x+y/1')).toEqual({ id: '1' });
      expect(sut.match('aXb://x+y/1')).toBeUndefined();
    });

    it('anchors the whole URI', () => {
      const sut = new UriTemplateMatcher('notes://{id}');

      expect(sut.match('prefix-notes://1')).toBeUndefined();
    });

    it('returns undefined for a URI of another scheme', () => {
      expect(new UriTemplateMatcher('notes://{id}').match('docs://1')).toBeUndefined();
    });
  });

  describe('invalid templates', () => {
    it('refuses a repeated variable', () => {
      expect(() => new UriTemplateMatcher('x://{id}/{id}')).toThrow('repeats variable "id"');
    });

    it('refuses a template without variables', () => {
      expect(() => new UriTemplateMatcher('x://fixed')).toThrow('has no variables');
    });

    it('refuses an unsupported expression operator', () => {
      expect(() => new UriTemplateMatcher('x://{id}{?q}')).toThrow('unsupported expression');
    });

    it('refuses an unbalanced brace', () => {
      expect(() => new UriTemplateMatcher('x://{id}/{oops')).toThrow('unsupported expression');
    });
  });
});
