import { Injectable } from '@nestjs/common';
import { ElicitationSchema, McpNotifier, McpPrompt, McpTool, McpToolContext, SamplingResult, ToolResult } from '../../mcp';

const text = (value: string): ToolResult => ({ content: [{ type: 'text', text: value }] });

const objectOf = (properties: ElicitationSchema['properties'], required: string[]): ElicitationSchema => ({ type: 'object', properties, required });
const NAME = objectOf({ name: { type: 'string', description: 'Your name' } }, ['name']);
const CONFIRM = objectOf({ ok: { type: 'boolean', description: 'Confirm' } }, ['ok']);

const ask = (question: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text: question } }], maxTokens: 100 });
const textOf = (result: SamplingResult): string => {
  const content = Array.isArray(result.content) ? result.content[0] : result.content;
  return content?.type === 'text' ? content.text : JSON.stringify(content);
};

/**
 * The fixtures of the conformance suite's 2026-07-28 scenarios (0.2.0-alpha): list-change
 * triggers, and tools and a prompt that ask for input with `ctx.elicit()`, `ctx.sample()` and `ctx.listRoots()`.
 * The same code serves both generations: to a 2025 client they are requests on the call's
 * stream; to a 2026 client, `input_required` rounds (the tool runs again with the answers),
 * which is why the asks are named with the keys the scenarios look for.
 */
@Injectable()
export class ConformanceInputTools {
  constructor(private readonly notifier: McpNotifier) {}

  @McpTool({ name: 'test_trigger_tool_change', description: 'Announces a tool list change to every listening client, on every replica' })
  async triggerToolChange(): Promise<ToolResult> {
    await this.notifier.listChanged('tools');
    return text('Tool list change announced');
  }

  @McpTool({ name: 'test_trigger_prompt_change', description: 'Announces a prompt list change to every listening client, on every replica' })
  async triggerPromptChange(): Promise<ToolResult> {
    await this.notifier.listChanged('prompts');
    return text('Prompt list change announced');
  }

  @McpTool({ name: 'test_missing_capability', description: 'Samples without checking the client can: -32021 when it cannot' })
  async missingCapability(_input: object, context: McpToolContext): Promise<ToolResult> {
    return text(`Sampled: ${textOf(await context.sample(ask('Say hi')))}`);
  }

  @McpTool({ name: 'test_input_required_result_elicitation', description: 'Asks the user for their name' })
  async elicitation(_input: object, context: McpToolContext): Promise<ToolResult> {
    const answer = await context.elicit('What is your name?', NAME, { key: 'user_name' });
    return text(`Hello, ${String(answer.content?.name ?? 'stranger')}!`);
  }

  @McpTool({ name: 'test_input_required_result_sampling', description: 'Asks the client’s model a question' })
  async sampling(_input: object, context: McpToolContext): Promise<ToolResult> {
    const answer = await context.sample(ask('What is the capital of France?'), { key: 'sample_request' });
    return text(`Sampling result: ${textOf(answer)}`);
  }

  @McpTool({ name: 'test_input_required_result_list_roots', description: 'Asks for the client’s roots' })
  async listRoots(_input: object, context: McpToolContext): Promise<ToolResult> {
    const { roots } = await context.listRoots({ key: 'roots_request' });
    return text(`Found ${roots.length} root(s): ${roots.map((root) => root.uri).join(', ')}`);
  }

  @McpTool({ name: 'test_input_required_result_request_state', description: 'Asks for a confirmation, carried across rounds in requestState' })
  async requestState(_input: object, context: McpToolContext): Promise<ToolResult> {
    const answer = await context.elicit('Please confirm', CONFIRM, { key: 'confirm' });
    return text(`Confirmed: ${String(answer.content?.ok)}`);
  }

  @McpTool({ name: 'test_input_required_result_multiple_inputs', description: 'Asks for three inputs at once' })
  async multipleInputs(_input: object, context: McpToolContext): Promise<ToolResult> {
    const [name, greeting, roots] = await Promise.all([
      context.elicit('What is your name?', NAME, { key: 'user_name' }),
      context.sample(ask('Generate a greeting'), { key: 'greeting' }),
      context.listRoots({ key: 'client_roots' }),
    ]);
    return text(`Name: ${String(name.content?.name)}; greeting: ${textOf(greeting)}; roots: ${roots.roots.length}`);
  }

  @McpTool({ name: 'test_input_required_result_multi_round', description: 'Asks twice, one question per round' })
  async multiRound(_input: object, context: McpToolContext): Promise<ToolResult> {
    const first = await context.elicit('Step 1: what is your name?', NAME, { key: 'step1' });
    const second = await context.elicit('Step 2: what is your favourite colour?', objectOf({ color: { type: 'string' } }, ['color']), {
      key: 'step2',
    });
    return text(`Multi-round complete for ${String(first.content?.name)}, who likes ${String(second.content?.color)}`);
  }

  @McpTool({ name: 'test_input_required_result_tampered_state', description: 'Asks for a confirmation; a tampered requestState is refused' })
  async tamperedState(_input: object, context: McpToolContext): Promise<ToolResult> {
    await context.elicit('Please confirm', CONFIRM, { key: 'confirm' });
    return text('State verified');
  }

  @McpTool({ name: 'test_input_required_result_capabilities', description: 'Asks only for what the client declared it can answer' })
  async capabilities(_input: object, context: McpToolContext): Promise<ToolResult> {
    const asks: Array<Promise<unknown>> = [];
    if (context.clientSupports('elicitation'))
      asks.push(context.elicit('A value', objectOf({ value: { type: 'string' } }, ['value']), { key: 'elicit_input' }));
    if (context.clientSupports('sampling')) asks.push(context.sample(ask('Sample request'), { key: 'sample_input' }));
    if (asks.length === 0) return text('No supported capabilities declared');
    await Promise.all(asks);
    return text(`Answered ${asks.length} request(s)`);
  }

  @McpTool({ name: 'test_streaming_elicitation', description: 'Reports progress on its own stream, then answers' })
  async streaming(_input: object, context: McpToolContext): Promise<ToolResult> {
    await context.progress(50, 100, 'half way');
    return text('Streaming complete');
  }

  @McpTool({ name: 'test_logging_tool', description: 'Logs at info: sent only when the request asked for that level' })
  async logging(_input: object, context: McpToolContext): Promise<ToolResult> {
    await context.log('info', 'Diagnostic trace logging activated');
    return text('Logging evaluated');
  }

  @McpTool({
    name: 'test_custom_header',
    description: 'Takes its region also as the Mcp-Param-Region header (x-mcp-header)',
    input: {
      type: 'object',
      properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } },
      required: ['region'],
    },
  })
  customHeader({ region }: { region: string }): ToolResult {
    return text(`region=${region}`);
  }

  @McpPrompt({ name: 'test_input_required_result_prompt', description: 'A prompt that asks the user for context first' })
  async promptWithInput(_args: Record<string, string>, context: McpToolContext) {
    const answer = await context.elicit('What context should the prompt use?', objectOf({ context: { type: 'string' } }, ['context']), {
      key: 'user_context',
    });
    return [{ role: 'user' as const, content: { type: 'text' as const, text: `Context: ${String(answer.content?.context)}` } }];
  }
}
