import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `COPY --from=build /app/dist ./dist` → { keyword: 'COPY', args: '…' }. */
export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** The stages of a Dockerfile, each a list of instructions (comments dropped, continuations joined). */
export function readDockerfile(path: string): DockerInstruction[][] {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: DockerInstruction[][] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    // ARGs before the first FROM belong to no stage.
    if (stages.length > 0) stages[stages.length - 1].push(instruction);
  }
  return stages;
}

/** The JSON (exec) form of a CMD, or of the CMD inside a HEALTHCHECK. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}
