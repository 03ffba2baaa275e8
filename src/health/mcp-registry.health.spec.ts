import { HealthIndicatorService } from '@nestjs/terminus';
import type { McpRegistry } from '../mcp/discovery/mcp.registry';
import { McpRegistryHealthIndicator } from './mcp-registry.health';

function registryWith(size: { tools: number; resources: number; resourceTemplates: number; prompts: number }): McpRegistry {
  return { size } as unknown as McpRegistry;
}

describe(McpRegistryHealthIndicator.name, () => {
  it('is down in an app without McpModule', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), undefined);
    expect(sut.isLoaded('registry').registry.status).toBe('down');
  });

  it('is down when nothing is registered (the explorer has not run, or found nothing)', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), registryWith({ tools: 0, resources: 0, resourceTemplates: 0, prompts: 0 }));
    expect(sut.isLoaded('registry')).toMatchObject({ registry: { status: 'down', message: 'no tools, resources or prompts are registered' } });
  });

  it('is up with the counts once loaded', () => {
    const sut = new McpRegistryHealthIndicator(new HealthIndicatorService(), registryWith({ tools: 3, resources: 1, resourceTemplates: 0, prompts: 2 }));
    expect(sut.isLoaded('registry')).toEqual({ registry: { status: 'up', tools: 3, resources: 1, resourceTemplates: 0, prompts: 2 } });
  });
});
