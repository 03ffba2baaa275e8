import 'reflect-metadata';
import { BadRequestException, Logger } from '@nestjs/common';
import { IsString } from 'class-validator';
import { z } from 'zod';
import { JSONRPC_ERROR } from '../mcp.constants';
import { McpProtocolError, McpToolError } from '../mcp.exception';
import { McpCallEnvironment, McpExecutor } from './mcp.executor';
import { MCP_DEFAULT_OPTIONS } from '../mcp.module-definition';
import { McpHandler, McpRegistry, RegisteredTool } from '../discovery/mcp.registry';
import { UriTemplateMatcher } from '../discovery/uri-template';
import { compileSchema } from '../discovery/schema/input-schema';
import type { McpInputSchema, McpPromptArgument } from '../interfaces/mcp-decorator-options.interface';
import type { LoggingLevel } from '../interfaces/mcp-content.interface';
import type { McpToolContext } from '../interfaces/mcp-context.interface';

const DEFAULT_TIMEOUT_MS = 1_000;

const operands = z.object({ a: z.number(), b: z.number() });

/** Declared at load time: DTO JSON Schemas are computed once, on the first DTO compile. */
class GreetInput {
  @IsString()
  who!: string;
}

interface ToolSpec {
  handler: McpHandler;
  input?: McpInputSchema;
  output?: z.ZodType;
  timeoutMs?: number;
}

function tool(name: string, spec: ToolSpec): RegisteredTool {
  const input = compileSchema(spec.input);
  const output = spec.output ? compileSchema(spec.output) : undefined;
  return {
    where: `SpecTools.${name}`,
    pack: 'spec',
    definition: { name, description: name, inputSchema: input.jsonSchema },
    input,
    output,
    permissions: [`spec:${name}`],
    timeoutMs: spec.timeoutMs,
    handler: spec.handler,
  };
}

function environment(overrides: Partial<McpCallEnvironment> = {}): McpCallEnvironment & { notify: jest.Mock } {
  return {
    request: { requestId: 'req-1', headers: {}, nodeId: 'node-a', receivedAt: 0 },
    signal: new AbortController().signal,
    notify: jest.fn().mockResolvedValue(undefined),
    ...overrides,
  } as McpCallEnvironment & { notify: jest.Mock };
}

/** Registers a tool that hands its context to `use` and returns what `use` returns. */
function contextTool(registry: McpRegistry, use: (context: McpToolContext) => Promise<unknown>): void {
  registry.addTool(tool('ctx', { handler: (_input, context) => use(context) }));
}

async function protocolError(promise: Promise<unknown>): Promise<McpProtocolError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(McpProtocolError);
    return error as McpProtocolError;
  }
  throw new Error('expected an McpProtocolError');
}

describe(McpExecutor.name, () => {
  let registry: McpRegistry;
  let sut: McpExecutor;

  beforeEach(() => {
    registry = new McpRegistry();
    sut = new McpExecutor(registry, { ...MCP_DEFAULT_OPTIONS, defaultToolTimeoutMs: DEFAULT_TIMEOUT_MS });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('callTool', () => {
    it('refuses an unknown tool with -32602', async () => {
      const error = await protocolError(sut.callTool('nope', {}, environment()));

      expect(error.code).toBe(JSONRPC_ERROR.INVALID_PARAMS);
      expect(error.message).toBe('Unknown tool: nope');
    });

    it('passes validated arguments to the handler', async () => {
      const handler = jest.fn().mockResolvedValue('ok');
      registry.addTool(tool('add', { input: operands, handler }));

      await sut.callTool('add', { a: 1, b: 2 }, environment());

      expect(handler).toHaveBeenCalledWith({ a: 1, b: 2 }, expect.objectContaining({ target: 'add', requestId: 'req-1' }));
    });

    it('answers invalid arguments with an error result naming the field, without calling the handler', async () => {
      const handler = jest.fn();
      registry.addTool(tool('add', { input: operands, handler }));

      const result = await sut.callTool('add', { a: 1, b: 'two' }, environment());

      expect(result.isError).toBe(true);
      expect(result.content).toEqual([{ type: 'text', text: expect.stringContaining('Invalid arguments for tool "add"') }]);
      expect(result.content[0]).toMatchObject({ text: expect.stringMatching(/- b: /) });
      expect(handler).not.toHaveBeenCalled();
    });

    it('validates a class-validator DTO input and names the field', async () => {
      registry.addTool(tool('greet', { input: GreetInput, handler: async () => 'hi' }));

      const result = await sut.callTool('greet', { who: 7 }, environment());

      expect(result.isError).toBe(true);
      expect(result.content[0]).toMatchObject({ text: expect.stringContaining('who: ') });
    });

    it('treats missing arguments as an empty object', async () => {
      const handler = jest.fn().mockResolvedValue('ok');
      registry.addTool(tool('noargs', { handler }));

      await sut.callTool('noargs', undefined, environment());

      expect(handler).toHaveBeenCalledWith({}, expect.anything());
    });

    it('turns a returned string into text content', async () => {
      registry.addTool(tool('s', { handler: async () => 'hello' }));

      await expect(sut.callTool('s', {}, environment())).resolves.toEqual({ content: [{ type: 'text', text: 'hello' }] });
    });

    it('turns a returned number into text content', async () => {
      registry.addTool(tool('n', { handler: async () => 42 }));

      await expect(sut.callTool('n', {}, environment())).resolves.toEqual({ content: [{ type: 'text', text: '42' }] });
    });

    it('turns a returned object into JSON text content', async () => {
      registry.addTool(tool('o', { handler: async () => ({ x: 1 }) }));

      const result = await sut.callTool('o', {}, environment());

      expect(result.content).toHaveLength(1);
      expect(result.content[0]).toMatchObject({ type: 'text' });
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({ x: 1 });
      expect(result).not.toHaveProperty('structuredContent');
    });

    it('turns undefined into empty content', async () => {
      registry.addTool(tool('u', { handler: async () => undefined }));

      await expect(sut.callTool('u', {}, environment())).resolves.toEqual({ content: [] });
    });

    it('passes a returned tool result through unchanged', async () => {
      const answer = { content: [{ type: 'text' as const, text: 'mine' }], isError: true };
      registry.addTool(tool('r', { handler: async () => answer }));

      await expect(sut.callTool('r', {}, environment())).resolves.toBe(answer);
    });

    it.each([
      ['content items that are not objects', { content: [1] }, 'content[0] is not an object'],
      ['a content item of no known type', { content: [{ type: 'hologram' }] }, 'content[0].type must be one of'],
      ['text that is not a string', { content: [{ type: 'text', text: 42 }] }, 'content[0].text must be a string'],
      ['an image without its MIME type', { content: [{ type: 'image', data: 'AA==' }] }, 'content[0].mimeType must be a string'],
      ['structuredContent that is not an object', { content: [], structuredContent: [1] }, 'structuredContent must be an object'],
      ['isError that is not a boolean', { content: [], isError: 'yes' }, 'isError must be a boolean'],
      ['a BigInt in structuredContent', { content: [], structuredContent: { size: 1n } }, 'BigInt'],
    ])('answers a returned tool result with %s with an error result naming the problem', async (_case, answer, problem) => {
      registry.addTool(tool('r', { handler: async () => answer }));

      const result = await sut.callTool('r', {}, environment());

      expect(result.isError).toBe(true);
      expect(result.content[0]).toMatchObject({ text: expect.stringContaining('Tool "r" returned a malformed result: ') });
      expect(result.content[0]).toMatchObject({ text: expect.stringContaining(problem) });
    });

    it.each([
      [
        'a circular object',
        () => {
          const loop: Record<string, unknown> = {};
          loop.self = loop;
          return loop;
        },
        'circular',
      ],
      ['an object holding a BigInt', () => ({ size: 1n }), 'BigInt'],
      ['a function', () => () => 1, 'a function has no JSON form'],
      ['a symbol', () => Symbol('s'), 'a symbol has no JSON form'],
    ])('answers %s, which has no JSON form, with an error result', async (_case, make, problem) => {
      registry.addTool(tool('j', { handler: async () => make() }));

      const result = await sut.callTool('j', {}, environment());

      expect(result).toEqual({ content: [{ type: 'text', text: expect.stringContaining(problem) }], isError: true });
      expect((result.content[0] as { text: string }).text).not.toContain('\n');
    });

    it('sends a result matching the output schema as structuredContent too', async () => {
      registry.addTool(tool('add', { input: operands, output: z.object({ result: z.number() }), handler: async () => ({ result: 3 }) }));

      const result = await sut.callTool('add', { a: 1, b: 2 }, environment());

      expect(result.structuredContent).toEqual({ result: 3 });
      expect(result.content).toEqual([{ type: 'text', text: '{"result":3}' }]);
      expect(result.isError).toBeUndefined();
    });

    it('answers a result that breaks the output schema with an error result', async () => {
      registry.addTool(tool('bad', { output: z.object({ result: z.number() }), handler: async () => ({ result: 'three' }) }));

      const result = await sut.callTool('bad', {}, environment());

      expect(result.isError).toBe(true);
      expect(result.content[0]).toMatchObject({ text: expect.stringContaining('does not match its output schema') });
      expect(result).not.toHaveProperty('structuredContent');
    });

    it('answers a thrown McpToolError with its message', async () => {
      registry.addTool(
        tool('div', {
          handler: async () => {
            throw new McpToolError('Division by zero');
          },
        }),
      );

      await expect(sut.callTool('div', {}, environment())).resolves.toEqual({
        content: [{ type: 'text', text: 'Division by zero' }],
        isError: true,
      });
    });

    it('answers a thrown HttpException with its message', async () => {
      registry.addTool(
        tool('http', {
          handler: async () => {
            throw new BadRequestException('no widgets');
          },
        }),
      );

      const result = await sut.callTool('http', {}, environment());

      expect(result).toEqual({ content: [{ type: 'text', text: 'no widgets' }], isError: true });
    });

    it('answers another error with the tool name and message, not the stack', async () => {
      registry.addTool(
        tool('boom', {
          handler: async () => {
            throw new Error('kaput');
          },
        }),
      );

      const result = await sut.callTool('boom', {}, environment());

      expect(result).toEqual({ content: [{ type: 'text', text: 'Tool "boom" failed: kaput' }], isError: true });
    });

    it('answers an error thrown synchronously by the handler as an error result', async () => {
      const handler: McpHandler = () => {
        throw new McpToolError('sync failure');
      };
      registry.addTool(tool('sync', { handler }));

      await expect(sut.callTool('sync', {}, environment())).resolves.toMatchObject({ isError: true, content: [{ text: 'sync failure' }] });
    });
  });

  describe('callTool timeout', () => {
    it('answers a handler that never settles with a timed-out error result', async () => {
      jest.useFakeTimers();
      registry.addTool(tool('hang', { timeoutMs: 20, handler: () => new Promise<never>(() => undefined) }));

      const pending = sut.callTool('hang', {}, environment());
      await jest.advanceTimersByTimeAsync(20);

      await expect(pending).resolves.toEqual({
        content: [{ type: 'text', text: 'Tool "hang" timed out after 20 ms' }],
        isError: true,
      });
    });

    it('aborts the signal given to the handler when the time is up', async () => {
      jest.useFakeTimers();
      let signal: AbortSignal | undefined;
      registry.addTool(
        tool('hang', {
          timeoutMs: 20,
          handler: (_input, context) => {
            signal = context.signal;
            return new Promise<never>(() => undefined);
          },
        }),
      );

      const pending = sut.callTool('hang', {}, environment());
      await jest.advanceTimersByTimeAsync(19);
      expect(signal?.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await pending;

      expect(signal?.aborted).toBe(true);
    });

    it('gives a handler that first reads its signal after the time is up an aborted one', async () => {
      jest.useFakeTimers();
      let context: McpToolContext | undefined;
      registry.addTool(
        tool('late', {
          timeoutMs: 20,
          handler: (_input, given) => {
            context = given;
            return new Promise<never>(() => undefined);
          },
        }),
      );

      const pending = sut.callTool('late', {}, environment());
      await jest.advanceTimersByTimeAsync(20);
      await pending;

      expect(context?.signal.aborted).toBe(true);
      expect(String(context?.signal.reason)).toContain('timed out after 20 ms');
    });

    it('uses the default timeout for a tool that declares none', async () => {
      jest.useFakeTimers();
      registry.addTool(tool('hang', { handler: () => new Promise<never>(() => undefined) }));

      const pending = sut.callTool('hang', {}, environment());
      await jest.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS);

      await expect(pending).resolves.toMatchObject({ isError: true, content: [{ text: `Tool "hang" timed out after ${DEFAULT_TIMEOUT_MS} ms` }] });
    });

    it('leaves no timer behind once the handler has answered', async () => {
      jest.useFakeTimers();
      registry.addTool(tool('quick', { timeoutMs: 20, handler: async () => 'done' }));

      await sut.callTool('quick', {}, environment());

      expect(jest.getTimerCount()).toBe(0);
    });

    it('aborts the handler signal when the client aborts during the call', async () => {
      const client = new AbortController();
      let started: () => void = () => undefined;
      const handlerStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      registry.addTool(
        tool('wait', {
          handler: (_input, context) =>
            new Promise((resolve) => {
              context.signal.addEventListener('abort', () => resolve(`aborted: ${String(context.signal.reason)}`));
              started();
            }),
        }),
      );

      const pending = sut.callTool('wait', {}, environment({ signal: client.signal }));
      await handlerStarted;
      client.abort('cancelled');

      await expect(pending).resolves.toEqual({ content: [{ type: 'text', text: 'aborted: cancelled' }] });
    });

    it('gives the handler an aborted signal when the client aborted before the call', async () => {
      const client = new AbortController();
      client.abort('gone');
      registry.addTool(tool('check', { handler: async (_input, context) => `${context.signal.aborted} ${String(context.signal.reason)}` }));

      await expect(sut.callTool('check', {}, environment({ signal: client.signal }))).resolves.toEqual({
        content: [{ type: 'text', text: 'true gone' }],
      });
    });
  });

  describe('context.progress', () => {
    it('does nothing without a progress token', async () => {
      const env = environment();
      contextTool(registry, (context) => context.progress(1, 10));

      await sut.callTool('ctx', {}, env);

      expect(env.notify).not.toHaveBeenCalled();
    });

    it('notifies progress with the token, total and message', async () => {
      const env = environment({ progressToken: 'tok-1' });
      contextTool(registry, (context) => context.progress(3, 10, 'three of ten'));

      await sut.callTool('ctx', {}, env);

      expect(env.notify).toHaveBeenCalledWith('notifications/progress', {
        progressToken: 'tok-1',
        progress: 3,
        total: 10,
        message: 'three of ten',
      });
    });

    it('leaves total and message out when not given', async () => {
      const env = environment({ progressToken: 7 });
      contextTool(registry, (context) => context.progress(1));

      await sut.callTool('ctx', {}, env);

      expect(env.notify).toHaveBeenCalledWith('notifications/progress', { progressToken: 7, progress: 1 });
    });

    it('does nothing once the call has finished', async () => {
      const env = environment({ progressToken: 'tok-1' });
      let saved: McpToolContext | undefined;
      contextTool(registry, async (context) => {
        saved = context;
      });
      await sut.callTool('ctx', {}, env);

      await saved?.progress(1);

      expect(env.notify).not.toHaveBeenCalled();
    });
  });

  describe('context.log', () => {
    async function logAt(sessionLevel: LoggingLevel | undefined, level: LoggingLevel) {
      const env = environment({ logLevel: sessionLevel });
      contextTool(registry, (context) => context.log(level, { detail: 1 }, 'spec'));
      await sut.callTool('ctx', {}, env);
      return env.notify;
    }

    it('sends every level when the session set none', async () => {
      const notify = await logAt(undefined, 'debug');

      expect(notify).toHaveBeenCalledWith('notifications/message', { level: 'debug', data: { detail: 1 }, logger: 'spec' });
    });

    it('sends a message at the session level', async () => {
      const notify = await logAt('warning', 'warning');

      expect(notify).toHaveBeenCalledWith('notifications/message', { level: 'warning', data: { detail: 1 }, logger: 'spec' });
    });

    it('sends a message above the session level', async () => {
      const notify = await logAt('warning', 'error');

      expect(notify).toHaveBeenCalledTimes(1);
    });

    it('drops a message below the session level', async () => {
      const notify = await logAt('warning', 'info');

      expect(notify).not.toHaveBeenCalled();
    });

    it('leaves logger out when not given', async () => {
      const env = environment();
      contextTool(registry, (context) => context.log('info', 'plain'));

      await sut.callTool('ctx', {}, env);

      expect(env.notify).toHaveBeenCalledWith('notifications/message', { level: 'info', data: 'plain' });
    });
  });

  describe('readResource', () => {
    it('refuses an unknown uri with -32002 and the uri as data', async () => {
      const error = await protocolError(sut.readResource('notes://missing', environment()));

      expect(error.code).toBe(JSONRPC_ERROR.RESOURCE_NOT_FOUND);
      expect(error.data).toEqual({ uri: 'notes://missing' });
    });

    it('reads a fixed resource as text with its mime type', async () => {
      registry.addResource({
        where: 'SpecResources.config',
        pack: 'spec',
        definition: { uri: 'config://app', name: 'config', mimeType: 'text/yaml' },
        handler: async () => 'port: 3000',
      });

      await expect(sut.readResource('config://app', environment())).resolves.toEqual({
        contents: [{ uri: 'config://app', mimeType: 'text/yaml', text: 'port: 3000' }],
      });
    });

    it('passes the template variables to the handler', async () => {
      const handler = jest.fn().mockResolvedValue('note');
      registry.addResourceTemplate({
        where: 'SpecResources.note',
        pack: 'spec',
        definition: { uriTemplate: 'notes://{id}', name: 'note' },
        matcher: new UriTemplateMatcher('notes://{id}'),
        complete: {},
        handler,
      });

      await sut.readResource('notes://42', environment());

      expect(handler).toHaveBeenCalledWith({ id: '42' }, expect.objectContaining({ target: 'notes://42' }));
    });

    it('answers a failing handler with -32603', async () => {
      registry.addResource({
        where: 'SpecResources.broken',
        pack: 'spec',
        definition: { uri: 'config://broken', name: 'broken' },
        handler: async () => {
          throw new Error('disk on fire');
        },
      });

      const error = await protocolError(sut.readResource('config://broken', environment()));

      expect(error.code).toBe(JSONRPC_ERROR.INTERNAL_ERROR);
      expect(error.message).toContain('disk on fire');
    });
  });

  describe('getPrompt', () => {
    function addPrompt(args: McpPromptArgument[], handler: McpHandler = async () => 'Review this') {
      registry.addPrompt({
        where: 'SpecPrompts.review',
        pack: 'spec',
        definition: { name: 'review', description: 'Review', arguments: args },
        complete: {},
        handler,
      });
    }

    it('refuses an unknown prompt with -32602', async () => {
      const error = await protocolError(sut.getPrompt('nope', {}, environment()));

      expect(error.code).toBe(JSONRPC_ERROR.INVALID_PARAMS);
    });

    it('refuses a missing required argument with -32602 naming it', async () => {
      addPrompt([{ name: 'code', required: true }, { name: 'style' }]);

      const error = await protocolError(sut.getPrompt('review', { style: 'terse' }, environment()));

      expect(error.code).toBe(JSONRPC_ERROR.INVALID_PARAMS);
      expect(error.message).toBe('Prompt "review" needs argument(s): code');
    });

    it('treats an empty required argument as missing', async () => {
      addPrompt([{ name: 'code', required: true }]);

      const error = await protocolError(sut.getPrompt('review', { code: '' }, environment()));

      expect(error.code).toBe(JSONRPC_ERROR.INVALID_PARAMS);
    });

    it('turns a returned string into one user message', async () => {
      addPrompt([{ name: 'code', required: true }], async (input) => `Review ${(input as { code: string }).code}`);

      await expect(sut.getPrompt('review', { code: 'x = 1' }, environment())).resolves.toEqual({
        messages: [{ role: 'user', content: { type: 'text', text: 'Review x = 1' } }],
      });
    });

    it('does not call the handler when a required argument is missing', async () => {
      const handler = jest.fn();
      addPrompt([{ name: 'code', required: true }], handler);

      await sut.getPrompt('review', undefined, environment()).catch(() => undefined);

      expect(handler).not.toHaveBeenCalled();
    });
  });

  describe('complete', () => {
    function addCompletingPrompt(values: (value: string) => string[]) {
      registry.addPrompt({
        where: 'SpecPrompts.pick',
        pack: 'spec',
        definition: { name: 'pick', description: 'Pick', arguments: [{ name: 'item' }] },
        complete: { item: (value) => values(value) },
        handler: async () => 'picked',
      });
    }

    it('returns the completer values with their total', async () => {
      addCompletingPrompt((value) => ['apple', 'apricot', 'banana'].filter((fruit) => fruit.startsWith(value)));

      await expect(sut.complete({ type: 'ref/prompt', name: 'pick' }, { name: 'item', value: 'ap' })).resolves.toEqual({
        values: ['apple', 'apricot'],
        total: 2,
        hasMore: false,
      });
    });

    it('caps the values at 100 and says there are more', async () => {
      addCompletingPrompt(() => Array.from({ length: 150 }, (_, index) => `v${index}`));

      const result = await sut.complete({ type: 'ref/prompt', name: 'pick' }, { name: 'item', value: '' });

      expect(result.values).toHaveLength(100);
      expect(result.values[0]).toBe('v0');
      expect(result.values[99]).toBe('v99');
      expect(result.total).toBe(150);
      expect(result.hasMore).toBe(true);
    });

    it('does not say there are more at exactly 100 values', async () => {
      addCompletingPrompt(() => Array.from({ length: 100 }, (_, index) => `v${index}`));

      const result = await sut.complete({ type: 'ref/prompt', name: 'pick' }, { name: 'item', value: '' });

      expect(result).toMatchObject({ total: 100, hasMore: false });
      expect(result.values).toHaveLength(100);
    });

    it('completes a resource template variable with the other arguments as context', async () => {
      const completer = jest.fn().mockReturnValue(['42']);
      registry.addResourceTemplate({
        where: 'SpecResources.note',
        pack: 'spec',
        definition: { uriTemplate: 'notes://{tenant}/{id}', name: 'note' },
        matcher: new UriTemplateMatcher('notes://{tenant}/{id}'),
        complete: { id: completer },
        handler: async () => 'note',
      });

      const result = await sut.complete({ type: 'ref/resource', uri: 'notes://{tenant}/{id}' }, { name: 'id', value: '4' }, { tenant: 'acme' });

      expect(result.values).toEqual(['42']);
      expect(completer).toHaveBeenCalledWith('4', { arguments: { tenant: 'acme' } });
    });

    it('returns no values for an argument without a completer', async () => {
      addCompletingPrompt(() => ['never']);

      await expect(sut.complete({ type: 'ref/prompt', name: 'pick' }, { name: 'other', value: '' })).resolves.toEqual({
        values: [],
        hasMore: false,
      });
    });

    it('returns no values for an unknown prompt', async () => {
      await expect(sut.complete({ type: 'ref/prompt', name: 'ghost' }, { name: 'item', value: '' })).resolves.toEqual({
        values: [],
        hasMore: false,
      });
    });
  });

  describe('tokenFor (on behalf of the caller)', () => {
    const ORDERS = { audience: 'https://orders.example.com', scopes: ['orders:read'] };

    function exchangingTool(onBehalfOf?: typeof ORDERS, downstream?: { audience: string }): RegisteredTool {
      return { ...tool('orders', { handler: (_input, context) => context.tokenFor(downstream) }), ...(onBehalfOf && { onBehalfOf }) };
    }

    it('asks the token exchange for the tool’s declared downstream API, for the caller of the request', async () => {
      const tokens = { tokenFor: jest.fn().mockResolvedValue('downstream-token') };
      sut = new McpExecutor(registry, { ...MCP_DEFAULT_OPTIONS, defaultToolTimeoutMs: DEFAULT_TIMEOUT_MS }, tokens);
      registry.addTool(exchangingTool(ORDERS));
      const env = environment();

      await expect(sut.callTool('orders', {}, env)).resolves.toEqual({ content: [{ type: 'text', text: 'downstream-token' }] });
      expect(tokens.tokenFor).toHaveBeenCalledWith(env.request, ORDERS);
    });

    it('asks for the downstream API given to tokenFor instead of the declared one', async () => {
      const tokens = { tokenFor: jest.fn().mockResolvedValue('other-token') };
      sut = new McpExecutor(registry, { ...MCP_DEFAULT_OPTIONS, defaultToolTimeoutMs: DEFAULT_TIMEOUT_MS }, tokens);
      registry.addTool(exchangingTool(ORDERS, { audience: 'https://invoices.example.com' }));

      await sut.callTool('orders', {}, environment());
      expect(tokens.tokenFor).toHaveBeenCalledWith(expect.anything(), { audience: 'https://invoices.example.com' });
    });

    it('answers a tool error when the tool declares no downstream API and names none', async () => {
      sut = new McpExecutor(registry, { ...MCP_DEFAULT_OPTIONS, defaultToolTimeoutMs: DEFAULT_TIMEOUT_MS }, { tokenFor: jest.fn() });
      registry.addTool(exchangingTool());

      const result = await sut.callTool('orders', {}, environment());
      expect(result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('"orders" declares no onBehalfOf') }] });
    });

    it('answers a tool error without a token exchange (no AuthModule)', async () => {
      registry.addTool(exchangingTool(ORDERS));

      const result = await sut.callTool('orders', {}, environment());
      expect(result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('Token exchange is not available') }] });
    });

    it('answers the exchange’s own failure as a tool error, as it says it', async () => {
      const tokens = { tokenFor: jest.fn().mockRejectedValue(new McpToolError('The authorization server refused the token exchange: invalid_target')) };
      sut = new McpExecutor(registry, { ...MCP_DEFAULT_OPTIONS, defaultToolTimeoutMs: DEFAULT_TIMEOUT_MS }, tokens);
      registry.addTool(exchangingTool(ORDERS));

      await expect(sut.callTool('orders', {}, environment())).resolves.toEqual({
        content: [{ type: 'text', text: 'The authorization server refused the token exchange: invalid_target' }],
        isError: true,
      });
    });
  });
});
