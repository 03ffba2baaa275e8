import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { McpRegistry } from '../mcp';

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
export class McpRegistryHealthIndicator implements OnApplicationBootstrap {
  private registry?: McpRegistry;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // Explorers fill the registry in onModuleInit, which every module has run by now.
    try {
      this.registry = this.moduleRef.get(McpRegistry, { strict: false });
    } catch {
      this.registry = undefined;
    }
  }

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
