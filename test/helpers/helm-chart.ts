import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from './helm-binary';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests of any shape, read by deep property access in assertions
export type Manifest = Record<string, any>;

export interface HelmResult {
  /** helm's exit code (0: success). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Where helm keeps its cache, config and data: away from the user's own. */
const HELM_HOME = join(tmpdir(), 'mcp-platform-helm');
const HELM_ENV = {
  ...process.env,
  HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
  HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
  HELM_DATA_HOME: join(HELM_HOME, 'data'),
};

/** Runs the bundled helm (see helm-binary.ts) with `args`; never rejects on a non-zero exit. */
export function helm(args: string[]): Promise<HelmResult> {
  const binary = helmBinary();
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 32 * 1024 * 1024, env: HELM_ENV }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** The documents of `helm template` output, comments and empty documents dropped. */
export function parseManifests(text: string): Manifest[] {
  const documents = parseAllDocuments(text);
  const problems = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (problems.length > 0) throw new Error(`helm rendered invalid YAML:\n${problems.join('\n')}`);
  return documents.map((document) => document.toJS() as Manifest | null).filter((manifest): manifest is Manifest => manifest !== null);
}

/** The one manifest of `kind` (and `name`, when given); throws when there is not exactly one. */
export function only(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && (name === undefined || manifest.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** Every file under `dir`, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((file) => join(name, file)) : [relative(dir, path)];
  });
}

/** `.Values.a.b.c` paths used in a template (also through `$.Values`). */
export function valuePaths(text: string): string[] {
  return [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((match) => match[1].slice(1));
}

/** Whether `path` (dot-separated) names a key in `values`. */
export function hasPath(values: unknown, path: string): boolean {
  let node = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
