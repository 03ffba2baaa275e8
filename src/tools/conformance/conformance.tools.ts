import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ElicitationSchema, McpPrompt, McpResource, McpTool, McpToolContext, McpToolError, ToolResult } from '../../mcp';
import { PNG_1X1_BASE64, WAV_SILENCE_BASE64 } from './conformance.fixtures';

const text = (value: string): ToolResult => ({ content: [{ type: 'text', text: value }] });

const COMPLETION_VALUES = ['paris', 'park', 'party', 'test', 'testing', 'tested'];

/**
 * The fixtures the official MCP conformance suite (0.1.16) calls, by their exact names.
 * An ordinary tool pack (`toolPacks.conformance`), so it also shows each feature in use:
 * content types, logging, progress, sampling, elicitation, SSE polling, resources,
 * templates, subscriptions, prompts and completions.
 */
@Injectable()
export class ConformanceTools {
  @McpTool({ name: 'test_simple_text', description: 'Returns a simple text response' })
  simpleText(): ToolResult {
    return text('This is a simple text response for testing.');
  }

  @McpTool({ name: 'test_image_content', description: 'Returns an image (1×1 PNG)' })
  imageContent(): ToolResult {
    return { content: [{ type: 'image', data: PNG_1X1_BASE64, mimeType: 'image/png' }] };
  }

  @McpTool({ name: 'test_audio_content', description: 'Returns audio (WAV)' })
  audioContent(): ToolResult {
    return { content: [{ type: 'audio', data: WAV_SILENCE_BASE64, mimeType: 'audio/wav' }] };
  }

  @McpTool({ name: 'test_embedded_resource', description: 'Returns an embedded resource' })
  embeddedResource(): ToolResult {
    return {
      content: [
        {
          type: 'resource',
          resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
        },
      ],
    };
  }

  @McpTool({ name: 'test_multiple_content_types', description: 'Returns text, an image and a resource' })
  multipleContentTypes(): ToolResult {
    return {
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG_1X1_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' },
        },
      ],
    };
  }

  @McpTool({ name: 'test_tool_with_logging', description: 'Sends log messages while it runs' })
  async withLogging(_input: object, context: McpToolContext): Promise<ToolResult> {
    await context.log('info', 'Tool execution started');
    await sleep(50, undefined, { signal: context.signal });
    await context.log('info', 'Tool processing data');
    await sleep(50, undefined, { signal: context.signal });
    await context.log('info', 'Tool execution completed');
    return text('Tool with logging executed successfully');
  }

  @McpTool({ name: 'test_tool_with_progress', description: 'Reports progress while it runs' })
  async withProgress(_input: object, context: McpToolContext): Promise<ToolResult> {
    for (const done of [0, 50, 100]) {
      await context.progress(done, 100, `Completed step ${done / 50 + 1} of 3`);
      if (done < 100) await sleep(50, undefined, { signal: context.signal });
    }
    return text('Tool with progress executed successfully');
  }

  @McpTool({ name: 'test_error_handling', description: 'Always fails (an isError result)' })
  errorHandling(): never {
    throw new McpToolError('This tool intentionally returns an error for testing');
  }

  @McpTool({
    name: 'test_sampling',
    description: 'Asks the client’s model for a completion',
    input: z.object({ prompt: z.string().describe('The prompt to send to the model') }),
  })
  async sampling({ prompt }: { prompt: string }, context: McpToolContext): Promise<ToolResult> {
    const result = await context.sample({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 });
    const content = Array.isArray(result.content) ? result.content[0] : result.content;
    return text(`LLM response: ${content?.type === 'text' ? content.text : JSON.stringify(content)}`);
  }

  @McpTool({
    name: 'test_elicitation',
    description: 'Asks the user for their information',
    input: z.object({ message: z.string().describe('What to ask the user') }),
  })
  async elicitation({ message }: { message: string }, context: McpToolContext): Promise<ToolResult> {
    const result = await context.elicit(message, {
      type: 'object',
      properties: {
        username: { type: 'string', description: "User's response" },
        email: { type: 'string', description: "User's email address" },
      },
      required: ['username', 'email'],
    });
    return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpTool({ name: 'test_elicitation_sep1034_defaults', description: 'Elicitation with defaults for every primitive (SEP-1034)' })
  async elicitationDefaults(_input: object, context: McpToolContext): Promise<ToolResult> {
    const schema: ElicitationSchema = {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true },
      },
      required: [],
    };
    const result = await context.elicit('Please review and update the form fields with defaults', schema);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpTool({ name: 'test_elicitation_sep1330_enums', description: 'Elicitation with every enum shape (SEP-1330)' })
  async elicitationEnums(_input: object, context: McpToolContext): Promise<ToolResult> {
    const schema: ElicitationSchema = {
      type: 'object',
      properties: {
        untitledSingle: { type: 'string', description: 'Pick one', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
          type: 'string',
          description: 'Pick one (titled)',
          oneOf: [
            { const: 'value1', title: 'First Option' },
            { const: 'value2', title: 'Second Option' },
            { const: 'value3', title: 'Third Option' },
          ],
        },
        legacyEnum: {
          type: 'string',
          description: 'Pick one (legacy titles)',
          enum: ['opt1', 'opt2', 'opt3'],
          enumNames: ['Option One', 'Option Two', 'Option Three'],
        },
        untitledMulti: {
          type: 'array',
          description: 'Pick several',
          items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
        },
        titledMulti: {
          type: 'array',
          description: 'Pick several (titled)',
          items: {
            anyOf: [
              { const: 'value1', title: 'First Choice' },
              { const: 'value2', title: 'Second Choice' },
              { const: 'value3', title: 'Third Choice' },
            ],
          },
        },
      },
      required: [],
    };
    const result = await context.elicit('Please select options from the enum fields', schema);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpTool({
    name: 'json_schema_2020_12_tool',
    description: 'Takes an input described by a JSON Schema 2020-12 document, kept as written',
    input: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: {
        address: {
          $anchor: 'addressDef',
          type: 'object',
          properties: { street: { type: 'string' }, city: { type: 'string' } },
        },
      },
      properties: {
        name: { type: 'string' },
        address: { $ref: '#/$defs/address' },
        contactMethod: { type: 'string', enum: ['phone', 'email'] },
        phone: { type: 'string' },
        email: { type: 'string' },
      },
      allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
      if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
      then: { required: ['phone'] },
      else: { required: ['email'] },
      additionalProperties: false,
    },
  })
  jsonSchema202012(input: Record<string, unknown>): ToolResult {
    return text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(input)}`);
  }

  @McpTool({ name: 'test_reconnection', description: 'Closes its SSE stream early; the client resumes for the result (SEP-1699)' })
  async reconnection(_input: object, context: McpToolContext): Promise<ToolResult> {
    context.closeStream();
    await sleep(100, undefined, { signal: context.signal });
    return text('Reconnection test completed successfully');
  }

  @McpResource({ uri: 'test://static-text', name: 'Static Text Resource', description: 'A static text resource', mimeType: 'text/plain' })
  staticText(): string {
    return 'This is the content of the static text resource.';
  }

  @McpResource({ uri: 'test://static-binary', name: 'Static Binary Resource', description: 'A static PNG', mimeType: 'image/png' })
  staticBinary() {
    return { blob: PNG_1X1_BASE64 };
  }

  @McpResource({
    uriTemplate: 'test://template/{id}/data',
    name: 'Resource Template',
    description: 'Data for an id',
    mimeType: 'application/json',
  })
  template({ id }: { id: string }): string {
    return JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` });
  }

  @McpResource({ uri: 'test://watched-resource', name: 'Watched Resource', description: 'A resource to subscribe to', mimeType: 'text/plain' })
  watched(): string {
    return 'Watched resource content';
  }

  @McpPrompt({ name: 'test_simple_prompt', description: 'A prompt without arguments' })
  simplePrompt() {
    return 'This is a simple prompt for testing.';
  }

  @McpPrompt({
    name: 'test_prompt_with_arguments',
    description: 'A prompt with two required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true },
      { name: 'arg2', description: 'Second test argument', required: true },
    ],
    complete: { arg1: (value) => COMPLETION_VALUES.filter((candidate) => candidate.startsWith(value)) },
  })
  promptWithArguments({ arg1, arg2 }: { arg1: string; arg2: string }) {
    return `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`;
  }

  @McpPrompt({
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt that embeds a resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
  })
  promptWithEmbeddedResource({ resourceUri }: { resourceUri: string }) {
    return [
      {
        role: 'user' as const,
        content: { type: 'resource' as const, resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } },
      },
      { role: 'user' as const, content: { type: 'text' as const, text: 'Please process the embedded resource above.' } },
    ];
  }

  @McpPrompt({ name: 'test_prompt_with_image', description: 'A prompt with an image' })
  promptWithImage() {
    return [
      { role: 'user' as const, content: { type: 'image' as const, data: PNG_1X1_BASE64, mimeType: 'image/png' } },
      { role: 'user' as const, content: { type: 'text' as const, text: 'Please analyze the image above.' } },
    ];
  }
}
