import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { McpRegistryHealthIndicator } from './mcp-registry.health';

function moduleRefWith(size?: { tools: number; resources: number; resourceTemplates: number; prompts: number }): ModuleRef {
  const get = jest.fn(() => {
    if (!size) throw new Error('no McpRegistry');
    return { size };
  });
  return { get } as unknown as ModuleRef;
}

describe(McpRegistryHealthIndicator.name, () => {
  it('is down before the application has bootstrapped', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), moduleRefWith({ tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 }));
    expect(sut.isLoaded('registry').registry.status).toBe('down');
  });

  it('is down in an app without McpModule', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), moduleRefWith(undefined));
    sut.onApplicationBootstrap();
    expect(sut.isLoaded('registry').registry.status).toBe('down');
  });

  it('is down when nothing is registered', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), moduleRefWith({ tools: 0, resources: 0, resourceTemplates: 0, prompts: 0 }));
    sut.onApplicationBootstrap();
    expect(sut.isLoaded('registry')).toMatchObject({ registry: { status: 'down', message: 'no tools, resources or prompts are registered' } });
  });

  it('is up with the counts once loaded', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), moduleRefWith({ tools: 3, resources: 1, resourceTemplates: 0, prompts: 2 }));
    sut.onApplicationBootstrap();
    expect(sut.isLoaded('registry')).toEqual({ registry: { status: 'up', tools: 3, resources: 1, resourceTemplates: 0, prompts: 2 } });
  });
});
