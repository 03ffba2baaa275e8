const EXPRESSION = /\{(\+?)([A-Za-z0-9_]+)\}/g;

/**
 * Matches URIs against an RFC 6570 template with simple (`{id}`: no `/`) and reserved
 * (`{+path}`: may hold `/`) expressions, which is what resource templates use in practice.
 */
export class UriTemplateMatcher {
  readonly variables: string[] = [];
  private readonly pattern: RegExp;

  constructor(readonly template: string) {
    let source = '';
    let last = 0;
    for (const match of template.matchAll(EXPRESSION)) {
      source += escapeRegExp(template.slice(last, match.index));
      const [, reserved, name] = match;
      if (this.variables.includes(name)) throw new Error(`uriTemplate repeats variable "${name}"`);
      this.variables.push(name);
      source += reserved ? '(.+?)' : '([^/?#]+)';
      last = match.index + match[0].length;
    }
    const rest = template.slice(last);
    if (/[{}]/.test(rest) || /[{}]/.test(template.replace(EXPRESSION, ''))) {
      throw new Error(`uriTemplate "${template}" has an unsupported expression`);
    }
    if (this.variables.length === 0) throw new Error(`uriTemplate "${template}" has no variables`);
    source += escapeRegExp(rest);
    this.pattern = new RegExp(`^${source}$`);
  }

  /** The variables of `uri`, decoded, or undefined when it does not match. */
  match(uri: string): Record<string, string> | undefined {
    const found = this.pattern.exec(uri);
    if (!found) return undefined;
    const values: Record<string, string> = {};
    this.variables.forEach((name, index) => {
      values[name] = safeDecode(found[index + 1]);
    });
    return values;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
