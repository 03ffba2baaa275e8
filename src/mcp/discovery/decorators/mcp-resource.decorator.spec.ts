import 'reflect-metadata';
import { MCP_RESOURCE_METADATA } from '../../mcp.constants';
import type { McpResourceOptions } from '../../interfaces/mcp-decorator-options.interface';
import { McpResource } from './mcp-resource.decorator';
import { definitionError } from '../../../../test/helpers/definition-error';

const noCompletions = () => [];

describe(McpResource.name, () => {
  function declareResource(options: McpResourceOptions) {
    class NoteResources {
      @McpResource(options)
      note(): string {
        return 'text';
      }
    }
    return NoteResources;
  }

  it('stores a fixed-URI resource', () => {
    const Declared = declareResource({ uri: 'config://app', name: 'app-config' });

    expect(Reflect.getMetadata(MCP_RESOURCE_METADATA, Declared.prototype.note)).toEqual({ uri: 'config://app', name: 'app-config' });
  });

  it('stores a template resource with completions for its variables', () => {
    const options = { uriTemplate: 'notes://{id}', name: 'note', complete: { id: noCompletions } };
    const Declared = declareResource(options);

    expect(Reflect.getMetadata(MCP_RESOURCE_METADATA, Declared.prototype.note)).toEqual(options);
  });

  it('refuses a resource with both uri and uriTemplate', () => {
    const error = definitionError(() => declareResource({ uri: 'notes://1', uriTemplate: 'notes://{id}', name: 'note' }));

    expect(error.message).toBe('NoteResources.note: resource "note" needs exactly one of uri or uriTemplate');
  });

  it('refuses a resource with neither uri nor uriTemplate', () => {
    const error = definitionError(() => declareResource({ name: 'note' }));

    expect(error.message).toContain('needs exactly one of uri or uriTemplate');
  });

  it('refuses a resource without a name', () => {
    const error = definitionError(() => declareResource({ uri: 'config://app' } as McpResourceOptions));

    expect(error.message).toContain('resource needs a name');
  });

  it('refuses a relative uri', () => {
    const error = definitionError(() => declareResource({ uri: 'app/config', name: 'config' }));

    expect(error.message).toContain('must be an absolute URI');
  });

  it('refuses a completion for a name that is not a template variable', () => {
    const error = definitionError(() => declareResource({ uriTemplate: 'notes://{id}', name: 'note', complete: { tenant: noCompletions } }));

    expect(error.message).toContain('NoteResources.note');
    expect(error.message).toContain('"tenant", which is not a variable');
  });

  it('refuses completions on a fixed uri', () => {
    const error = definitionError(() => declareResource({ uri: 'config://app', name: 'config', complete: { id: noCompletions } }));

    expect(error.message).toContain('completions need a uriTemplate');
  });

  it('refuses an invalid template, naming Class.method', () => {
    const error = definitionError(() => declareResource({ uriTemplate: 'notes://{id}/{id}', name: 'note' }));

    expect(error.message).toBe('NoteResources.note: uriTemplate repeats variable "id"');
  });
});
