import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { InjectMcpOptions, McpModuleOptions, McpNotifier, McpPrompt, McpResource, McpTool, McpToolContext } from '../../mcp';
import { PLATFORM_VERSION } from '../../version';
import { EXAMPLE_DOCS } from './examples.docs';

const generateInput = z.object({
  count: z.number().int().min(1).max(100).default(5).describe('How many numbers to generate (1-100)'),
  delayMs: z.number().int().min(0).max(1000).default(100).describe('Pause between numbers in ms (0-1000)'),
});

const SUMMARY_STYLES = ['brief', 'detailed', 'bullet-points'];

/**
 * The `examples` pack: a tool that streams progress (seed 003's `generate_numbers`), a
 * resource, a resource template with completion and a prompt (seed 004). Also the module
 * the README's "Add your own tool module" walks through.
 */
@Injectable()
export class ExamplesTools {
  /** Per replica, like any in-process state: shows subscriptions, not shared storage. */
  private counter = 0;

  constructor(
    @InjectMcpOptions() private readonly mcp: McpModuleOptions,
    private readonly notifier: McpNotifier,
  ) {}

  @McpTool({
    name: 'generate_numbers',
    description: 'Generate numbers one at a time, reporting progress after each (a streaming example).',
    input: generateInput,
    annotations: { readOnlyHint: true },
    timeoutMs: 120_000,
  })
  async generateNumbers(input: z.output<typeof generateInput>, context: McpToolContext) {
    const numbers: number[] = [];
    await context.log('info', `Generating ${input.count} numbers`);
    for (let index = 1; index <= input.count; index += 1) {
      if (input.delayMs > 0) await sleep(input.delayMs, undefined, { signal: context.signal });
      numbers.push(index);
      await context.progress(index, input.count, `Generated ${index} of ${input.count}`);
    }
    return { generated: numbers.length, numbers };
  }

  @McpResource({
    uri: 'platform://info',
    name: 'platform-info',
    title: 'Platform information',
    description: 'Version, replica and session mode of the serving platform',
    mimeType: 'application/json',
  })
  platformInfo(_variables: object, context: McpToolContext): string {
    return JSON.stringify({
      name: 'mcp-platform',
      version: PLATFORM_VERSION,
      nodeId: context.nodeId,
      sessionMode: this.mcp.sessionMode,
      tenantId: context.tenantId ?? null,
    });
  }

  @McpResource({
    uri: 'examples://counter',
    name: 'counter',
    title: 'A counter to subscribe to',
    description: 'Subscribe (resources/subscribe) and call increment_counter to get notifications/resources/updated',
    mimeType: 'application/json',
  })
  counterResource(): string {
    return JSON.stringify({ value: this.counter });
  }

  @McpTool({
    name: 'increment_counter',
    description: 'Increment examples://counter and notify its subscribers',
    annotations: { idempotentHint: false },
  })
  async incrementCounter(): Promise<{ value: number; notifiedSessions: number }> {
    this.counter += 1;
    const notifiedSessions = await this.notifier.resourceUpdated('examples://counter');
    return { value: this.counter, notifiedSessions };
  }

  @McpResource({
    uriTemplate: 'examples://docs/{topic}',
    name: 'example-docs',
    title: 'Platform docs by topic',
    description: `Short docs; topics: ${Object.keys(EXAMPLE_DOCS).join(', ')}`,
    mimeType: 'text/markdown',
    complete: { topic: (value) => Object.keys(EXAMPLE_DOCS).filter((topic) => topic.startsWith(value)) },
  })
  docs({ topic }: { topic: string }): string {
    const doc = EXAMPLE_DOCS[topic];
    if (!doc) throw new Error(`No doc on "${topic}"; topics: ${Object.keys(EXAMPLE_DOCS).join(', ')}`);
    return doc;
  }

  @McpPrompt({
    name: 'summarize',
    title: 'Summarize a text',
    description: 'Ask the model to summarize a text in a given style',
    arguments: [
      { name: 'text', description: 'The text to summarize', required: true },
      { name: 'style', description: `One of ${SUMMARY_STYLES.join(', ')} (default brief)` },
    ],
    complete: { style: (value) => SUMMARY_STYLES.filter((style) => style.startsWith(value)) },
  })
  summarize({ text, style }: { text: string; style?: string }, context: McpToolContext) {
    const tenant = context.tenantId ? ` for tenant ${context.tenantId}` : '';
    return {
      description: `Summary request${tenant}`,
      messages: [
        {
          role: 'user' as const,
          content: { type: 'text' as const, text: `Summarize the following text (${style ?? 'brief'} style):\n\n${text}` },
        },
      ],
    };
  }
}
