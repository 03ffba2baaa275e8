import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { McpRegistry } from '../mcp/discovery/mcp.registry';

export interface RegistryCounts {
  tools: number;
  resources: number;
  resourceTemplates: number;
  prompts: number;
}

/**
 * The registry is loaded: the explorer has run (application bootstrapped) and found at least
 * one tool, resource or prompt to serve.
 */
@Injectable()
export class McpRegistryHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    // Optional: HealthModule also works in an app without McpModule.
    @Optional() private readonly registry?: McpRegistry,
  ) {}

  counts(): RegistryCounts | undefined {
    return this.registry?.size;
  }

  isLoaded<const Key extends string>(key: Key) {
    const indicator = this.health.check(key);
    const counts = this.counts();
    if (!counts) return indicator.down({ message: 'the MCP registry is not loaded yet' });
    const total = counts.tools + counts.resources + counts.resourceTemplates + counts.prompts;
    if (total === 0) return indicator.down({ ...counts, message: 'no tools, resources or prompts are registered' });
    return indicator.up({ ...counts });
  }
}
