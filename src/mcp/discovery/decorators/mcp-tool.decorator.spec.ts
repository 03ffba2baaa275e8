import 'reflect-metadata';
import { MCP_TOOL_METADATA } from '../../mcp.constants';
import type { McpToolOptions } from '../../interfaces/mcp-decorator-options.interface';
import { McpTool } from './mcp-tool.decorator';
import { definitionError } from '../../../../test/helpers/definition-error';

describe(McpTool.name, () => {
  function declareTool(options: McpToolOptions) {
    class WidgetTools {
      @McpTool(options)
      spin(): string {
        return 'spun';
      }
    }
    return WidgetTools;
  }

  it('stores the options with the method name as the default tool name', () => {
    const Declared = declareTool({ description: 'Spin a widget', timeoutMs: 500 });

    expect(Reflect.getMetadata(MCP_TOOL_METADATA, Declared.prototype.spin)).toEqual({
      description: 'Spin a widget',
      timeoutMs: 500,
      name: 'spin',
    });
  });

  it('keeps an explicit tool name', () => {
    const Declared = declareTool({ name: 'widget.spin', description: 'Spin a widget' });

    expect(Reflect.getMetadata(MCP_TOOL_METADATA, Declared.prototype.spin)).toMatchObject({ name: 'widget.spin' });
  });

  it('refuses a tool without a description, naming Class.method', () => {
    const error = definitionError(() => declareTool({} as McpToolOptions));

    expect(error.message).toBe('WidgetTools.spin: tool "spin" needs a description');
  });

  it('refuses a blank description', () => {
    definitionError(() => declareTool({ description: '   ' }));
  });

  it('refuses an empty permissions array', () => {
    const error = definitionError(() => declareTool({ description: 'Spin', permissions: [] }));

    expect(error.message).toContain('WidgetTools.spin');
    expect(error.message).toContain('permissions must be a non-empty array');
  });

  it('refuses a blank permission', () => {
    const error = definitionError(() => declareTool({ description: 'Spin', permissions: ['widgets:spin', ' '] }));

    expect(error.message).toContain('must be a non-empty string');
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses timeoutMs %p', (timeoutMs) => {
    const error = definitionError(() => declareTool({ description: 'Spin', timeoutMs }));

    expect(error.message).toContain('timeoutMs must be a positive integer');
  });

  it.each(['has space', 'slash/name', '', 'x'.repeat(129)])('refuses the tool name %p', (name) => {
    const error = definitionError(() => declareTool({ name, description: 'Spin' }));

    expect(error.message).toContain('WidgetTools.spin: tool name');
  });

  it('names the class of a static method', () => {
    const error = definitionError(() => {
      class StaticTools {
        @McpTool({} as McpToolOptions)
        static ping(): string {
          return 'pong';
        }
      }
      return StaticTools;
    });

    expect(error.message).toContain('StaticTools.ping');
  });

  it('stores the downstream API a tool calls on behalf of its caller', () => {
    const onBehalfOf = { audience: 'https://api.example.com', scopes: ['orders:read'] };

    expect(Reflect.getMetadata(MCP_TOOL_METADATA, declareTool({ description: 'Orders', onBehalfOf }).prototype.spin)).toMatchObject({ onBehalfOf });
  });

  it.each([
    [{}, 'onBehalfOf needs an audience or a resource (a non-empty string)'],
    [{ audience: ' ' }, 'onBehalfOf needs an audience or a resource (a non-empty string)'],
    [{ audience: 'https://api.example.com', resource: '' }, 'onBehalfOf.resource must be a non-empty string'],
    [{ resource: 'https://api.example.com', scopes: ['orders read'] }, 'onBehalfOf.scopes must be a list of scopes without spaces'],
    [{ resource: 'https://api.example.com', scopes: 'orders:read' }, 'onBehalfOf.scopes must be a list of scopes without spaces'],
  ])('refuses onBehalfOf %j at declaration', (onBehalfOf, message) => {
    const error = definitionError(() => declareTool({ description: 'Orders', onBehalfOf } as McpToolOptions));

    expect(error.message).toBe(`WidgetTools.spin: ${message}`);
  });
});
