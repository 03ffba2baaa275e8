import { ConfigSchemaNode, ConfigSectionNode } from './config.schema';

export type Plain = Record<string, unknown>;

/** Where a value came from, for error messages. */
export type ConfigSource =
  { kind: 'default' } | { kind: 'file'; path: string } | { kind: 'env'; variable: string } | { kind: 'override' } | { kind: 'generated' };

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return source.path;
    case 'env':
      return `environment variable ${source.variable}`;
    case 'override':
      return 'loadConfig() overrides';
    case 'generated':
      return 'generated';
  }
}

export interface SourcedValue {
  source: ConfigSource;
  /** The layer's position, lowest first: the highest one wins when several wrote under a key. */
  rank: number;
  /** The layer set this key to `null`. */
  cleared: boolean;
}

/**
 * The config being built, layer over layer, remembering which layer wrote each key.
 * Mappings are merged key by key; scalars and lists are replaced whole; `null` removes the
 * key (so an optional key goes back to unset). Keys the schema does not know are refused
 * with the layer that named them and not merged.
 */
export class LayeredConfig {
  readonly values: Plain = {};
  /** Unknown keys, with their layer. */
  readonly problems: string[] = [];
  private readonly sources = new Map<string, SourcedValue>();
  private rank = 0;

  constructor(private readonly schema: ConfigSectionNode) {}

  /** Merges `layer` (which it may keep references into: pass a fresh object) above the layers so far. */
  apply(layer: Plain, source: ConfigSource): void {
    const rank = this.rank++;
    this.mergeSection(this.values, layer, this.schema, '', { source, rank, cleared: false });
  }

  /** Sets one key (the schema's job to know it), as the highest layer so far. */
  set(path: string, value: unknown, source: ConfigSource): void {
    const parts = path.split('.');
    let node = this.values;
    for (const part of parts.slice(0, -1)) {
      if (!isPlain(node[part])) node[part] = {};
      node = node[part] as Plain;
    }
    node[parts[parts.length - 1]] = value;
    this.record(path, { source, rank: this.rank++, cleared: false });
  }

  /**
   * The layer to blame for the value at `path` (dotted, list items as `[n]`): the one that
   * wrote the key itself or an enclosing key; else the highest one that wrote inside it or
   * inside its nearest enclosing mapping (a required key missing from a mapping a layer added).
   */
  sourceOf(path: string): SourcedValue | undefined {
    for (let current: string | undefined = path; current !== undefined; current = parentOf(current)) {
      const own = this.sources.get(current);
      if (own) return own;
    }
    for (let current: string | undefined = path; current !== undefined; current = parentOf(current)) {
      const inside = this.highestUnder(current);
      if (inside) return inside;
    }
    return this.highestUnder('');
  }

  private mergeSection(target: Plain, layer: Plain, schema: ConfigSchemaNode, prefix: string, at: SourcedValue): void {
    for (const [key, value] of Object.entries(layer)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const child = childOf(schema, key);
      if (!child) {
        this.problems.push(`${path}: unknown key${suggestion(schema, key)} (from ${describeSource(at.source)})`);
        continue;
      }
      if (value === null) {
        delete target[key];
        this.record(path, { ...at, cleared: true });
        continue;
      }
      if ((child.kind === 'section' || child.kind === 'map') && isPlain(value)) {
        if (!isPlain(target[key])) {
          target[key] = {};
          this.forget(path);
        }
        if (Object.keys(value).length === 0) this.sources.set(path, at);
        this.mergeSection(target[key] as Plain, value, child, path, at);
        continue;
      }
      if (child.kind === 'list' && Array.isArray(value)) this.checkItems(value, child.item, path, at.source);
      target[key] = value;
      this.record(path, at);
    }
  }

  /** List items are replaced with their list, but their keys are checked here so the file is named. */
  private checkItems(items: unknown[], schema: ConfigSectionNode, path: string, source: ConfigSource): void {
    items.forEach((item, index) => {
      if (isPlain(item)) this.checkKeys(item, schema, `${path}[${index}]`, source);
    });
  }

  private checkKeys(value: Plain, schema: ConfigSchemaNode, prefix: string, source: ConfigSource): void {
    for (const [key, inner] of Object.entries(value)) {
      const path = `${prefix}.${key}`;
      const child = childOf(schema, key);
      if (!child) {
        this.problems.push(`${path}: unknown key${suggestion(schema, key)} (from ${describeSource(source)})`);
        delete value[key];
      } else if ((child.kind === 'section' || child.kind === 'map') && isPlain(inner)) {
        this.checkKeys(inner, child, path, source);
      } else if (child.kind === 'list' && Array.isArray(inner)) {
        this.checkItems(inner, child.item, path, source);
      }
    }
  }

  private record(path: string, at: SourcedValue): void {
    this.forget(path);
    this.sources.set(path, at);
  }

  /** Drops what lower layers wrote at and under `path` (it is being replaced). */
  private forget(path: string): void {
    for (const key of this.sources.keys()) {
      if (key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) this.sources.delete(key);
    }
  }

  private highestUnder(path: string): SourcedValue | undefined {
    let best: SourcedValue | undefined;
    for (const [key, value] of this.sources) {
      const inside = path === '' || key.startsWith(`${path}.`) || key.startsWith(`${path}[`);
      if (inside && !value.cleared && (!best || value.rank > best.rank)) best = value;
    }
    return best;
  }
}

function childOf(schema: ConfigSchemaNode, key: string): ConfigSchemaNode | undefined {
  if (schema.kind === 'section') return schema.keys.get(key)?.node;
  if (schema.kind === 'map') return schema.entry;
  return undefined;
}

/** ` (did you mean "port"?)` for a key one or two edits away from a known one. */
function suggestion(schema: ConfigSchemaNode, key: string): string {
  if (schema.kind !== 'section') return '';
  let best: { name: string; distance: number } | undefined;
  for (const name of schema.keys.keys()) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best ? ` (did you mean "${best.name}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** `auth.apiKeys[0].hash` → `auth.apiKeys[0]` → `auth.apiKeys` → `auth` → undefined. */
export function parentOf(path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut > 0 ? path.slice(0, cut) : undefined;
}

export function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
