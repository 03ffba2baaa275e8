import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { z } from 'zod';
import { ConfigModule, loadConfig } from '../config';
import { SessionModule } from '../session';
import { TenantModule } from '../tenant';
import { PLATFORM_VERSION } from '../version';
import { McpTool } from './discovery/decorators/mcp-tool.decorator';
import { McpPrompt } from './discovery/decorators/mcp-prompt.decorator';
import { McpResource } from './discovery/decorators/mcp-resource.decorator';
import type { McpToolContext } from './interfaces/mcp-context.interface';
import { MCP_MODULE_OPTIONS } from './mcp.constants';
import { McpExplorer } from './discovery/mcp.explorer';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { McpModule } from './mcp.module';
import { McpRegistry } from './discovery/mcp.registry';

/** A class-validator DTO, the other accepted input form besides zod. */
class RenameWidgetInput {
  @IsString()
  name!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  revision?: number;
}

const spinInput = z.object({ turns: z.number().int().describe('How many turns'), label: z.string().optional() });
const spinOutput = z.object({ spun: z.number() });

@Injectable()
class WidgetTools {
  readonly prefix = 'widget';

  @McpTool({ description: 'Spin a widget', input: spinInput, output: spinOutput })
  spin({ turns }: { turns: number }): { spun: number } {
    return { spun: turns };
  }

  @McpTool({ name: 'widget.rename', description: 'Rename a widget', input: RenameWidgetInput, timeoutMs: 500 })
  rename({ name }: RenameWidgetInput): string {
    return `${this.prefix}:${name}`;
  }

  @McpTool({ description: 'Ping', permissions: ['ops:read'] })
  ping(): string {
    return 'pong';
  }

  @McpResource({ uri: 'widgets://catalog', name: 'catalog' })
  catalog(): string {
    return '[]';
  }

  @McpResource({ uriTemplate: 'widgets://{id}', name: 'widget' })
  widget({ id }: { id: string }): string {
    return id;
  }

  @McpPrompt({ description: 'Describe a widget', arguments: [{ name: 'id', required: true }] })
  describeWidget({ id }: { id: string }): string {
    return `Describe ${id}`;
  }

  notATool(): string {
    return 'ignored';
  }
}

@Module({ providers: [WidgetTools] })
class WidgetToolsModule {}

@Injectable()
class OtherSpin {
  @McpTool({ name: 'spin', description: 'Spin something else' })
  twirl(): string {
    return 'twirled';
  }
}

@Module({ providers: [OtherSpin] })
class OtherToolsModule {}

@Injectable()
class RegistryUser {
  constructor(readonly registry: McpRegistry) {}
}

/** Does not import McpModule: it relies on McpModule being global. */
@Module({ providers: [RegistryUser] })
class RegistryUserModule {}

@Injectable()
class NodeIdSource {
  readonly nodeId = 'node-from-provider';
}

@Module({ providers: [NodeIdSource], exports: [NodeIdSource] })
class NodeIdSourceModule {}

/** The modules McpModule needs around it: a SessionStore and a TenantResolver. */
function platformImports() {
  return [ConfigModule.forRoot(loadConfig({ env: {} })), SessionModule.forRoot(), TenantModule];
}

/** Only what the handlers here read; a cast keeps it independent of the context's other members. */
function fakeContext(): McpToolContext {
  const context: Partial<McpToolContext> = {
    requestId: 'r-1',
    headers: {},
    nodeId: 'test',
    receivedAt: 0,
    target: 'test',
    signal: new AbortController().signal,
    progress: async () => undefined,
    log: async () => undefined,
  };
  return context as McpToolContext;
}

describe(McpModule.name, () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function start(imports: unknown[]): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [...platformImports(), ...(imports as never[])],
    }).compile();
    return moduleRef.init();
  }

  describe(McpExplorer.name, () => {
    let sut: McpRegistry;

    beforeEach(async () => {
      const app = await start([McpModule.forRoot({}), WidgetToolsModule]);
      sut = app.get(McpRegistry);
    });

    it('registers every @McpTool method and nothing else', () => {
      expect(
        sut
          .listTools()
          .map((tool) => tool.name)
          .sort(),
      ).toEqual(['ping', 'spin', 'widget.rename']);
    });

    it('computes the input JSON Schema from a zod object', () => {
      expect(sut.getTool('spin')?.definition.inputSchema).toMatchObject({
        type: 'object',
        properties: {
          turns: { type: 'integer', description: 'How many turns' },
          label: { type: 'string' },
        },
        required: ['turns'],
      });
    });

    it('computes the output JSON Schema from a zod object', () => {
      expect(sut.getTool('spin')?.definition.outputSchema).toMatchObject({
        type: 'object',
        properties: { spun: { type: 'number' } },
        required: ['spun'],
      });
    });

    it('computes the input JSON Schema from a class-validator DTO', () => {
      const schema = sut.getTool('widget.rename')?.definition.inputSchema;

      expect(schema).toMatchObject({
        type: 'object',
        properties: { name: { type: 'string' }, revision: { type: 'integer', minimum: 1 } },
        required: ['name'],
      });
    });

    it('gives a tool without input an empty object schema', () => {
      expect(sut.getTool('ping')?.definition.inputSchema).toEqual({ type: 'object', properties: {} });
    });

    it('leaves outputSchema out for a tool without output', () => {
      expect(sut.getTool('ping')?.definition).not.toHaveProperty('outputSchema');
    });

    it('defaults the permission to <pack>:<tool>, the pack taken from the host module name', () => {
      expect(sut.getTool('spin')?.permissions).toEqual(['widget-tools:spin']);
      expect(sut.getTool('widget.rename')?.permissions).toEqual(['widget-tools:widget.rename']);
    });

    it('keeps declared permissions', () => {
      expect(sut.getTool('ping')?.permissions).toEqual(['ops:read']);
    });

    it('records where each tool came from', () => {
      expect(sut.getTool('widget.rename')).toMatchObject({ where: 'WidgetTools.rename', pack: 'widget-tools', timeoutMs: 500 });
    });

    it('calls the method on the provider instance', async () => {
      await expect(sut.getTool('widget.rename')?.handler({ name: 'gear' }, fakeContext())).resolves.toBe('widget:gear');
    });

    it('registers fixed resources, resource templates and prompts', () => {
      expect(sut.listResources()).toEqual([{ uri: 'widgets://catalog', name: 'catalog' }]);
      expect(sut.listResourceTemplates()).toEqual([{ uriTemplate: 'widgets://{id}', name: 'widget' }]);
      expect(sut.listPrompts()).toEqual([{ name: 'describeWidget', description: 'Describe a widget', arguments: [{ name: 'id', required: true }] }]);
    });

    it('resolves a URI through a registered template', () => {
      expect(sut.resolveResource('widgets://42')).toMatchObject({ kind: 'template', variables: { id: '42' } });
    });
  });

  describe('duplicate tool names', () => {
    it('make init() reject naming both Class.methods', async () => {
      const failing = Test.createTestingModule({
        imports: [...platformImports(), McpModule.forRoot({}), WidgetToolsModule, OtherToolsModule],
      }).compile();
      moduleRef = await failing;

      const init = moduleRef.init();

      await expect(init).rejects.toThrow(/tool "spin" is already registered/);
      await expect(init).rejects.toThrow(/WidgetTools\.spin/);
      await expect(init).rejects.toThrow(/OtherSpin\.twirl/);
    });
  });

  describe('forRoot', () => {
    it('merges the given options over the defaults', async () => {
      const app = await start([McpModule.forRoot({ sessionMode: 'stateless', nodeId: 'n1' })]);

      const options = app.get<McpModuleOptions>(MCP_MODULE_OPTIONS);

      expect(options).toEqual({
        serverInfo: { name: 'mcp-platform', version: PLATFORM_VERSION },
        sessionMode: 'stateless',
        defaultToolTimeoutMs: 30_000,
        responseMode: 'auto',
        allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
        allowedOrigins: [],
        bodyLimitBytes: 1024 * 1024,
        maxBatchSize: 100,
        maxClientStateBytes: 16 * 1024,
        nodeId: 'n1',
        retryIntervalMs: 1000,
        path: '/mcp',
        tenantPrefix: '/tenants/:tenantId',
        legacySse: { ssePath: '/sse', messagesPath: '/messages' },
        sessionTtlSeconds: 1800,
        maxSessionsPerPrincipal: 1000,
        maxSessionsPerTenant: 10_000,
        drainTimeoutMs: 10_000,
        protocol: 'dual',
        stateKeys: [],
        requestStateTtlSeconds: 600,
        fastPaths: true,
      });
    });

    it('keeps the default for an option given as undefined', async () => {
      const app = await start([McpModule.forRoot({ responseMode: undefined })]);

      expect(app.get<McpModuleOptions>(MCP_MODULE_OPTIONS).responseMode).toBe('auto');
    });

    it('makes the registry injectable in modules that do not import McpModule', async () => {
      const app = await start([McpModule.forRoot({}), RegistryUserModule]);

      expect(app.get(RegistryUser).registry).toBe(app.get(McpRegistry));
    });
  });

  describe('forRootAsync', () => {
    it('takes the options from useFactory and fills the defaults', async () => {
      const app = await start([McpModule.forRootAsync({ useFactory: () => ({ defaultToolTimeoutMs: 1234 }) })]);

      const options = app.get<McpModuleOptions>(MCP_MODULE_OPTIONS);

      expect(options.defaultToolTimeoutMs).toBe(1234);
      expect(options.responseMode).toBe('auto');
      expect(options.sessionMode).toBe('stateful');
    });

    it('injects a provider from an imported module into useFactory', async () => {
      const app = await start([
        McpModule.forRootAsync({
          imports: [NodeIdSourceModule],
          inject: [NodeIdSource],
          useFactory: (source: NodeIdSource) => ({ nodeId: source.nodeId }),
        }),
      ]);

      const options = app.get<McpModuleOptions>(MCP_MODULE_OPTIONS);

      expect(options.nodeId).toBe('node-from-provider');
      expect(options.responseMode).toBe('auto');
    });

    it('accepts an async useFactory', async () => {
      const app = await start([McpModule.forRootAsync({ useFactory: async () => ({ responseMode: 'json' }) })]);

      expect(app.get<McpModuleOptions>(MCP_MODULE_OPTIONS).responseMode).toBe('json');
    });

    it('explores tools as forRoot does', async () => {
      const app = await start([McpModule.forRootAsync({ useFactory: () => ({}) }), WidgetToolsModule]);

      expect(app.get(McpRegistry).getTool('spin')?.permissions).toEqual(['widget-tools:spin']);
    });
  });
});
