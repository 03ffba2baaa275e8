import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError, loadConfig } from '../src/config';
import { ENV_OVERRIDES } from '../src/config/config.constants';
import { CONFIG_DEFAULTS } from '../src/config/config.defaults';
import { configKeyPaths } from '../src/config/config.schema';

/**
 * docs/configuration.md is the configuration reference: every key of the config file (from the
 * embedded defaults and the AppConfig schema) has its row with the right variable and default,
 * every variable is named, and the page names no key that does not exist. No server.
 */
describe('docs/configuration.md', () => {
  const doc = readFileSync(resolve(__dirname, '..', 'docs', 'configuration.md'), 'utf8');
  const prose = doc.replace(/^```[\s\S]*?^```/gm, '');
  const variables = ENV_OVERRIDES as Record<string, string>;

  /** Leaf paths of the embedded defaults, with their values: lists and empty mappings are leaves. */
  function defaultLeaves(value: unknown, prefix = ''): Array<[string, unknown]> {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || (prefix && Object.keys(value).length === 0)) {
      return [[prefix, value]];
    }
    return Object.entries(value).flatMap(([key, inner]) => defaultLeaves(inner, prefix ? `${prefix}.${key}` : key));
  }

  const defaults = new Map(defaultLeaves(CONFIG_DEFAULTS));
  const schemaPaths = configKeyPaths().map((key) => key.path);
  const leaves = [...new Set([...schemaPaths, ...defaults.keys()])];
  const topLevel = new Set(leaves.map((path) => path.split(/[.[]/)[0]));

  /** Every leaf and every mapping or list that encloses one, as patterns (`<id>` any id, `[]` any index). */
  const known = (() => {
    const paths = new Set<string>();
    for (const leaf of leaves) {
      for (let end = 0; end <= leaf.length; end++) {
        if (end === leaf.length || leaf[end] === '.' || leaf[end] === '[') paths.add(leaf.slice(0, end));
      }
      if (leaf.includes('[]')) paths.add(leaf.slice(0, leaf.indexOf('[]') + 2));
    }
    paths.delete('');
    return [...paths].map(
      (path) =>
        new RegExp(
          `^${path
            .replace(/[.*+?^${}()|\\]/g, '\\$&')
            .replace(/\[\]/g, '\\[\\d*\\]')
            .replace(/<id>/g, '[^.\\[\\]]+')}$`,
        ),
    );
  })();
  const exists = (path: string) => known.some((pattern) => pattern.test(path));

  /** Rows of the key tables: first cell a key path in backticks. */
  const rows = new Map<string, string[]>();
  for (const line of prose.split('\n')) {
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
    const key = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (key && cells.length === 5 && topLevel.has(key.split(/[.[]/)[0])) rows.set(key, cells);
  }

  it('has a row for every key of the embedded defaults and of the schema', () => {
    const missing = leaves.filter((path) => !rows.has(path));

    expect(missing).toEqual([]);
  });

  it('names no key that does not exist, in its tables or its text', () => {
    const mentioned = [...prose.matchAll(/`([^`\s]+)`/g)]
      .map((match) => match[1])
      .filter((text) => /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z<][A-Za-z0-9<>]*|\[\d*\])*$/.test(text))
      .filter((text) => topLevel.has(text.split(/[.[]/)[0]));

    expect(mentioned.length).toBeGreaterThan(leaves.length);
    expect(mentioned.filter((path) => !exists(path))).toEqual([]);
  });

  it('names every variable of ENV_OVERRIDES in the row of its key, and none in other rows', () => {
    const unnamed = Object.values(variables).filter((variable) => !prose.includes(`\`${variable}\``));
    const wrong = [...rows].filter(([key, cells]) => cells[3] !== (variables[key] ? `\`${variables[key]}\`` : '—'));

    expect(unnamed).toEqual([]);
    expect(wrong.map(([key, cells]) => `${key}: ${cells[3]}`)).toEqual([]);
  });

  it('gives each key its embedded default', () => {
    const wrong = [...defaults].filter(([path, value]) => {
      const cell = rows.get(path)?.[2] ?? '';
      if (Array.isArray(value)) return value.length === 0 ? cell !== '`[]`' : !value.every((item) => cell.includes(String(item)));
      if (typeof value === 'object' && value !== null) return cell !== '`{}`';
      return cell !== `\`${String(value)}\``;
    });

    expect(wrong.map(([path]) => `${path}: ${rows.get(path)?.[2]}`)).toEqual([]);
  });

  it('has YAML examples that load as they are', () => {
    const blocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((match) => match[1]);
    const dir = mkdtempSync(join(tmpdir(), 'mcp-config-docs-'));
    try {
      expect(blocks.length).toBeGreaterThan(0);
      blocks.forEach((block, index) => {
        const file = join(dir, `example-${index}.yaml`);
        writeFileSync(file, block, 'utf8');
        try {
          loadConfig({ env: { MCP_CONFIG: file }, configDir: dir });
        } catch (error) {
          throw new Error(`example ${index + 1}: ${error instanceof ConfigValidationError ? error.message : String(error)}`, { cause: error });
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
