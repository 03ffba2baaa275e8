import { readFileSync } from 'node:fs';

export interface DocBlock {
  /** The path the block's first line names (`// src/weather/weather.tools.ts`). */
  path: string;
  code: string;
}

/**
 * The TypeScript blocks of a Markdown file that are whole files — those whose first line
 * is a comment naming their path — optionally only those under the heading `section`
 * (until the next heading of the same or a higher level).
 */
export function docBlocks(markdownFile: string, section?: string): DocBlock[] {
  let text = readFileSync(markdownFile, 'utf8');
  if (section !== undefined) {
    const lines = text.split('\n');
    const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '').startsWith(section));
    if (start === -1) throw new Error(`${markdownFile} has no heading "${section}"`);
    const level = lines[start].indexOf(' ');
    const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
    text = lines.slice(start, end === -1 ? undefined : end).join('\n');
  }
  const blocks: DocBlock[] = [];
  for (const match of text.matchAll(/```ts\n(\/\/ ([^\n]+\.ts)\n[\s\S]*?)```/g)) {
    blocks.push({ path: match[2].trim(), code: match[1] });
  }
  return blocks;
}
