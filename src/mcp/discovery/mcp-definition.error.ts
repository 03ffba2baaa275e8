/** A tool, resource or prompt declared wrongly; thrown at start, naming provider and method. */
export class McpDefinitionError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'McpDefinitionError';
  }
}

export function describeTarget(target: object, key: string | symbol): string {
  const owner = typeof target === 'function' ? target.name : target.constructor.name;
  return `${owner}.${String(key)}`;
}
