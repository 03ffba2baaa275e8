import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Every file under `dir`, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((file) => join(name, file)) : [relative(dir, path)];
  });
}

/** The Go-template actions of a template (`{{ … }}`), comments included. */
export function actionsOf(text: string): string[] {
  return [...text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((match) => match[1]);
}

/**
 * Problems with the template's delimiters and blocks: every `{{` closed by `}}` before the
 * next `{{`, every if/range/with/define/block closed by an `end`, `else` only inside if/with/range.
 */
export function delimiterProblems(text: string): string[] {
  const problems: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length - 1; i += 1) {
    const pair = text.slice(i, i + 2);
    if (pair === '{{') {
      if (depth > 0) problems.push(`"{{" inside an action at offset ${i}`);
      depth += 1;
      i += 1;
    } else if (pair === '}}') {
      if (depth === 0) problems.push(`"}}" without "{{" at offset ${i}`);
      depth = Math.max(0, depth - 1);
      i += 1;
    }
  }
  if (depth > 0) problems.push('an action is never closed');
  const blocks: string[] = [];
  for (const action of actionsOf(text)) {
    if (action.startsWith('/*')) {
      if (!action.endsWith('*/')) problems.push(`unclosed comment: ${action.slice(0, 30)}`);
      continue;
    }
    const keyword = /^([a-z]+)\b/.exec(action)?.[1];
    if (keyword && ['if', 'range', 'with', 'define', 'block'].includes(keyword)) blocks.push(keyword);
    else if (keyword === 'else') {
      if (!['if', 'with', 'range'].includes(blocks[blocks.length - 1] ?? '')) problems.push('"else" outside if/with/range');
    } else if (keyword === 'end') {
      if (blocks.pop() === undefined) problems.push('"end" without a block');
    }
  }
  if (blocks.length > 0) problems.push(`unclosed blocks: ${blocks.join(', ')}`);
  return problems;
}

/**
 * The static YAML of a template: lines made only of actions dropped, inline actions replaced
 * by a placeholder. What the chart always renders, whatever the values.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML/JSON of any shape, read by deep property access in assertions
export function skeletonOf(text: string): Array<Record<string, any>> {
  const lines = text
    .split('\n')
    .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{.*?\}\}/g, 'x'));
  const documents = parseAllDocuments(lines.join('\n'));
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('\n'));
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests of any shape
  return documents.map((document) => document.toJS() as Record<string, any>).filter(Boolean);
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

/**
 * Keys of values.yaml whose value is not documented with a `# --` comment on the key itself
 * or on one of its parents (helm-docs' rule). Keys inside list items are part of their list.
 */
export function undocumentedKeys(text: string): string[] {
  const undocumented: string[] = [];
  const parents: Array<{ indent: number; key: string; documented: boolean }> = [];
  let comments: string[] = [];
  let listIndent = -1;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') {
      comments = [];
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (trimmed.startsWith('#')) {
      comments.push(trimmed);
      continue;
    }
    if (listIndent >= 0 && indent > listIndent) continue;
    listIndent = -1;
    if (trimmed.startsWith('- ')) {
      listIndent = indent;
      comments = [];
      continue;
    }
    const match = /^([A-Za-z0-9_./-]+|"[^"]+"):(?:\s+(.*))?$/.exec(trimmed);
    if (!match) continue;
    while (parents.length > 0 && parents[parents.length - 1].indent >= indent) parents.pop();
    const documented = comments.some((comment) => comment.startsWith('# --')) || parents.some((parent) => parent.documented);
    const path = [...parents.map((parent) => parent.key), match[1]].join('.');
    const value = (match[2] ?? '').replace(/\s+#.*$/, '');
    if (value === '') parents.push({ indent, key: match[1], documented });
    else if (!documented) undocumented.push(path);
    comments = [];
  }
  return undocumented;
}
