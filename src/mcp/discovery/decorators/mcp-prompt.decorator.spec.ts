import 'reflect-metadata';
import { MCP_PROMPT_METADATA } from '../../mcp.constants';
import type { McpPromptOptions } from '../../interfaces/mcp-decorator-options.interface';
import { McpPrompt } from './mcp-prompt.decorator';
import { definitionError } from '../../../../test/helpers/definition-error';

const noCompletions = () => [];

describe(McpPrompt.name, () => {
  function declarePrompt(options: McpPromptOptions) {
    class ReviewPrompts {
      @McpPrompt(options)
      review(): string {
        return 'Please review';
      }
    }
    return ReviewPrompts;
  }

  it('stores the options with the method name as the default prompt name', () => {
    const Declared = declarePrompt({ description: 'Review code', arguments: [{ name: 'code', required: true }] });

    expect(Reflect.getMetadata(MCP_PROMPT_METADATA, Declared.prototype.review)).toEqual({
      description: 'Review code',
      arguments: [{ name: 'code', required: true }],
      name: 'review',
    });
  });

  it('refuses a prompt without a description', () => {
    const error = definitionError(() => declarePrompt({} as McpPromptOptions));

    expect(error.message).toBe('ReviewPrompts.review: prompt "review" needs a description');
  });

  it('refuses a bad prompt name', () => {
    const error = definitionError(() => declarePrompt({ name: 'two words', description: 'Review' }));

    expect(error.message).toContain('prompt name "two words"');
  });

  it('refuses an argument declared twice', () => {
    const error = definitionError(() => declarePrompt({ description: 'Review', arguments: [{ name: 'code' }, { name: 'code', required: true }] }));

    expect(error.message).toBe('ReviewPrompts.review: prompt "review" declares argument "code" twice');
  });

  it('refuses an argument without a name', () => {
    const error = definitionError(() => declarePrompt({ description: 'Review', arguments: [{ name: '' }] }));

    expect(error.message).toContain('has an argument without a name');
  });

  it('refuses a completion for an unknown argument', () => {
    const error = definitionError(() => declarePrompt({ description: 'Review', arguments: [{ name: 'code' }], complete: { language: noCompletions } }));

    expect(error.message).toBe('ReviewPrompts.review: prompt "review" completes "language", which is not an argument');
  });

  it('accepts a completion for a declared argument', () => {
    expect(() => declarePrompt({ description: 'Review', arguments: [{ name: 'language' }], complete: { language: noCompletions } })).not.toThrow();
  });
});
