import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { AppConfig, TenantConfig } from './app-config';

/** A class, as class-transformer's metadata names it. */
type ClassRef = abstract new (...args: never[]) => unknown;

/**
 * The shape of the config file, read from the class-validator / class-transformer metadata
 * of {@link AppConfig}: the same metadata that validates it, so the two cannot drift apart.
 * The loader uses it to refuse unknown keys layer by layer (naming the file), to parse
 * environment variables, and the docs test to list every key.
 */
export type ConfigSchemaNode = ConfigValueNode | ConfigSectionNode | ConfigListNode | ConfigMapNode;

/** A scalar or a list of scalars: a layer that names it replaces it whole. */
export interface ConfigValueNode {
  kind: 'value';
  /** From `design:type`; `string` when the type is a union of literals or unknown. */
  type: 'string' | 'number' | 'boolean' | 'list';
}

/** A mapping with fixed keys (a class): layers are merged key by key. */
export interface ConfigSectionNode {
  kind: 'section';
  type: ClassRef;
  keys: ReadonlyMap<string, ConfigSchemaKey>;
}

/** A list of mappings (e.g. `auth.apiKeys`): replaced whole, each item checked against `item`. */
export interface ConfigListNode {
  kind: 'list';
  item: ConfigSectionNode;
}

/** A mapping keyed by ids (e.g. `tenants`): merged id by id, each entry checked against `entry`. */
export interface ConfigMapNode {
  kind: 'map';
  entry: ConfigSectionNode;
}

export interface ConfigSchemaKey {
  node: ConfigSchemaNode;
  /** Marked `@IsOptional()`: may be absent, and `null` in a YAML layer clears it. */
  optional: boolean;
}

/** A leaf of the schema, in the notation of docs/configuration.md: `auth.apiKeys[].id`, `tenants.<id>.tools.allow`. */
export interface ConfigKeyPath {
  path: string;
  type: ConfigValueNode['type'];
  /** The key or one of its enclosing keys is optional. */
  optional: boolean;
}

/** Maps keyed by ids: class → property → entry class (class-validator sees only `@IsObject()`). */
const MAP_ENTRIES = new Map<ClassRef, Record<string, ClassRef>>([[AppConfig, { tenants: TenantConfig }]]);

const sections = new Map<ClassRef, ConfigSectionNode>();

/** The schema of the whole config file. */
export function configSchema(): ConfigSectionNode {
  return sectionOf(AppConfig);
}

function sectionOf(type: ClassRef): ConfigSectionNode {
  const cached = sections.get(type);
  if (cached) return cached;
  const keys = new Map<string, ConfigSchemaKey>();
  const section: ConfigSectionNode = { kind: 'section', type, keys };
  sections.set(type, section);

  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  const properties = [...new Set(metadata.map((meta) => meta.propertyName))];
  for (const property of properties) {
    const own = metadata.filter((meta) => meta.propertyName === property);
    const optional = own.some((meta) => meta.type === ValidationTypes.CONDITIONAL_VALIDATION);
    keys.set(property, {
      node: nodeOf(
        type,
        property,
        own.some((meta) => meta.type === ValidationTypes.NESTED_VALIDATION && meta.each),
      ),
      optional,
    });
  }
  return section;
}

function nodeOf(owner: ClassRef, property: string, nestedEach: boolean): ConfigSchemaNode {
  const entry = MAP_ENTRIES.get(owner)?.[property];
  if (entry) return { kind: 'map', entry: sectionOf(entry) };

  const designType: unknown = Reflect.getMetadata('design:type', owner.prototype, property);
  const isArray = designType === Array || nestedEach;
  // Let class-transformer say which class (`@Type`) a mapping here becomes.
  const sample = (plainToInstance(owner as new () => object, { [property]: isArray ? [{}] : {} }) as Record<string, unknown>)[property];
  const element = isArray && Array.isArray(sample) ? sample[0] : sample;
  const nested = typeof element === 'object' && element !== null && element.constructor !== Object ? element.constructor : undefined;
  if (nested) return isArray ? { kind: 'list', item: sectionOf(nested) } : sectionOf(nested);

  if (isArray) return { kind: 'value', type: 'list' };
  if (designType === Number) return { kind: 'value', type: 'number' };
  if (designType === Boolean) return { kind: 'value', type: 'boolean' };
  return { kind: 'value', type: 'string' };
}

/** Every leaf key of the config file, in schema order. */
export function configKeyPaths(): ConfigKeyPath[] {
  const paths: ConfigKeyPath[] = [];
  const walk = (section: ConfigSectionNode, prefix: string, optional: boolean): void => {
    for (const [key, { node, optional: own }] of section.keys) {
      const path = prefix ? `${prefix}.${key}` : key;
      const isOptional = optional || own;
      if (node.kind === 'value') paths.push({ path, type: node.type, optional: isOptional });
      else if (node.kind === 'section') walk(node, path, isOptional);
      else if (node.kind === 'list') walk(node.item, `${path}[]`, true);
      else walk(node.entry, `${path}.<id>`, true);
    }
  };
  walk(configSchema(), '', false);
  return paths;
}

/** The node at a dotted path (`sessions.ttlSeconds`, `tenants.acme.rateLimit`), or undefined. */
export function schemaNodeAt(path: string): ConfigSchemaNode | undefined {
  let node: ConfigSchemaNode | undefined = configSchema();
  for (const segment of path.split('.')) {
    if (node?.kind === 'section') node = node.keys.get(segment)?.node;
    else if (node?.kind === 'map') node = node.entry;
    else return undefined;
  }
  return node;
}
