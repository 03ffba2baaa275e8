import { McpInputRequest, McpInputRequiredSignal, McpInputRounds } from './mcp-input';

const ELICIT: McpInputRequest = {
  method: 'elicitation/create',
  params: {
    message: 'Which seat?',
    requestedSchema: { type: 'object', properties: { seat: { type: 'string', pattern: '^[0-9]+[A-F]$' } }, required: ['seat'] },
  },
};
const ELICIT_URL: McpInputRequest = {
  method: 'elicitation/create',
  params: { mode: 'url', message: 'Sign in', url: 'https://example.com/login', elicitationId: 'e1' },
};
const ELICIT_FREE: McpInputRequest = { method: 'elicitation/create', params: { message: 'Anything to add?' } };
const SAMPLE: McpInputRequest = {
  method: 'sampling/createMessage',
  params: { messages: [{ role: 'user', content: { type: 'text', text: 'Summarise' } }], maxTokens: 100 },
};
const ROOTS: McpInputRequest = { method: 'roots/list', params: {} };

/** The answer an ask settles with, or the signal it stops the run with. */
async function outcome<T>(ask: Promise<T>): Promise<T | McpInputRequiredSignal> {
  try {
    return await ask;
  } catch (error) {
    if (error instanceof McpInputRequiredSignal) return error;
    throw error;
  }
}

describe(McpInputRounds.name, () => {
  describe('an ask without an answer', () => {
    it('records the request as pending under its key and stops the run with the signal', async () => {
      const sut = new McpInputRounds(undefined, undefined);

      const signal = await outcome(sut.ask(ELICIT, 'seat'));

      expect(signal).toBeInstanceOf(McpInputRequiredSignal);
      expect((signal as McpInputRequiredSignal).rounds).toBe(sut);
      expect(sut.pending).toEqual({ seat: ELICIT });
      expect(sut.answers).toEqual({});
    });

    it('names asks by their kind and their order across kinds', async () => {
      const sut = new McpInputRounds(undefined, undefined);

      await outcome(sut.ask(ELICIT));
      await outcome(sut.ask(SAMPLE));
      await outcome(sut.ask(ROOTS));

      expect(sut.pending).toEqual({ 'elicit-0': ELICIT, 'sample-1': SAMPLE, 'roots-2': ROOTS });
    });

    it('counts an ask named by the tool in the order of the others', async () => {
      const sut = new McpInputRounds(undefined, undefined);

      await outcome(sut.ask(ROOTS, 'workspace'));
      await outcome(sut.ask(ELICIT));

      expect(Object.keys(sut.pending)).toEqual(['workspace', 'elicit-1']);
    });

    it('ignores a response given under another key', async () => {
      const sut = new McpInputRounds(undefined, { 'elicit-1': { action: 'accept', content: { seat: '12C' } } });

      expect(await outcome(sut.ask(ELICIT))).toBeInstanceOf(McpInputRequiredSignal);
      expect(sut.pending).toEqual({ 'elicit-0': ELICIT });
    });
  });

  describe('answers of earlier rounds', () => {
    it('returns them without asking again', async () => {
      const earlier = {
        'elicit-0': { action: 'accept', content: { seat: '12C' } },
        'sample-1': { role: 'assistant', content: { type: 'text', text: 'ok' } },
      };
      const sut = new McpInputRounds(earlier, undefined);

      expect(await sut.ask(ELICIT)).toEqual(earlier['elicit-0']);
      expect(await sut.ask(SAMPLE)).toEqual(earlier['sample-1']);
      expect(sut.pending).toEqual({});
      expect(sut.answers).toEqual(earlier);
    });

    it('prefers them over a response of this round under the same key', async () => {
      const sut = new McpInputRounds({ seat: { action: 'accept', content: { seat: '12C' } } }, { seat: { action: 'accept', content: { seat: '1A' } } });

      expect(await sut.ask(ELICIT, 'seat')).toEqual({ action: 'accept', content: { seat: '12C' } });
    });

    it('keeps them in the answers when a later ask is still pending', async () => {
      const sut = new McpInputRounds({ 'elicit-0': { action: 'decline' } }, undefined);

      await sut.ask(ELICIT);
      await outcome(sut.ask(ROOTS));

      expect(sut.answers).toEqual({ 'elicit-0': { action: 'decline' } });
      expect(sut.pending).toEqual({ 'roots-1': ROOTS });
    });

    it('does not change the answers passed in', async () => {
      const earlier = { 'elicit-0': { action: 'decline' } };
      const sut = new McpInputRounds(earlier, { 'roots-1': { roots: [] } });

      await sut.ask(ELICIT);
      await sut.ask(ROOTS);

      expect(earlier).toEqual({ 'elicit-0': { action: 'decline' } });
    });
  });

  describe('responses of this round', () => {
    it.each<[string, McpInputRequest, unknown]>([
      ['an acceptance whose content satisfies the requested schema', ELICIT, { action: 'accept', content: { seat: '12C' } }],
      ['a declined elicitation', ELICIT, { action: 'decline' }],
      ['a cancelled elicitation', ELICIT, { action: 'cancel' }],
      ['an acceptance with any content when no schema was requested', ELICIT_FREE, { action: 'accept', content: { note: 'window' } }],
      ['an acceptance without content of a URL elicitation', ELICIT_URL, { action: 'accept' }],
      ['a sampled message', SAMPLE, { role: 'assistant', content: { type: 'text', text: 'Done' }, model: 'm' }],
      ['a list of roots', ROOTS, { roots: [{ uri: 'file:///work' }] }],
      ['an empty list of roots', ROOTS, { roots: [] }],
    ])('takes %s as the answer and adds it to the answers', async (_label, request, response) => {
      const sut = new McpInputRounds(undefined, { asked: response });

      expect(await sut.ask(request, 'asked')).toEqual(response);
      expect(sut.answers).toEqual({ asked: response });
      expect(sut.pending).toEqual({});
    });

    it.each<[string, McpInputRequest, unknown]>([
      ['an elicitation answer with an unknown action', ELICIT, { action: 'maybe', content: { seat: '12C' } }],
      ['an elicitation answer without an action', ELICIT, { content: { seat: '12C' } }],
      ['accepted content that breaks the schema', ELICIT, { action: 'accept', content: { seat: 'aisle' } }],
      ['accepted content that misses a required field', ELICIT, { action: 'accept', content: {} }],
      ['accepted content of the wrong type', ELICIT, { action: 'accept', content: { seat: 12 } }],
      ['an acceptance without content', ELICIT, { action: 'accept' }],
      ['an acceptance without a schema and without content', ELICIT_FREE, { action: 'accept' }],
      ['an acceptance with null content', ELICIT_FREE, { action: 'accept', content: null }],
      ['a sampled message without a role', SAMPLE, { content: { type: 'text', text: 'Done' } }],
      ['a sampled message whose content is not an object', SAMPLE, { role: 'assistant', content: 'Done' }],
      ['a sampled message without content', SAMPLE, { role: 'assistant' }],
      ['roots that are not a list', ROOTS, { roots: { uri: 'file:///work' } }],
      ['an answer to roots without roots', ROOTS, {}],
      ['a string', ROOTS, 'roots'],
      ['null', SAMPLE, null],
      ['an array', ELICIT, [{ action: 'decline' }]],
      ['an answer of another kind', SAMPLE, { roots: [] }],
    ])('asks again on %s', async (_label, request, response) => {
      const sut = new McpInputRounds(undefined, { asked: response });

      expect(await outcome(sut.ask(request, 'asked'))).toBeInstanceOf(McpInputRequiredSignal);
      expect(sut.pending).toEqual({ asked: request });
      expect(sut.answers).toEqual({});
    });
  });

  describe('asks made together', () => {
    it('registers every one of them before the signal stops the run', async () => {
      const sut = new McpInputRounds(undefined, undefined);

      const together = await outcome(Promise.all([sut.ask(ELICIT), sut.ask(SAMPLE), sut.ask(ROOTS)]));

      expect(together).toBeInstanceOf(McpInputRequiredSignal);
      expect(sut.pending).toEqual({ 'elicit-0': ELICIT, 'sample-1': SAMPLE, 'roots-2': ROOTS });
    });

    it('lets an ask made a tick later, behind an await, register before the signal is seen', async () => {
      const sut = new McpInputRounds(undefined, undefined);
      let pendingWhenStopped: string[] = [];

      const first = sut.ask(ELICIT).catch((signal: unknown) => {
        pendingWhenStopped = Object.keys(sut.pending);
        throw signal;
      });
      const second = Promise.resolve().then(() => sut.ask(SAMPLE));
      await Promise.allSettled([first, second]);

      expect(pendingWhenStopped).toEqual(['elicit-0', 'sample-1']);
    });

    it('answers the ones answered and leaves only the others pending', async () => {
      const sut = new McpInputRounds({ 'elicit-0': { action: 'cancel' } }, { 'roots-2': { roots: [] } });

      const settled = await Promise.allSettled([sut.ask(ELICIT), sut.ask(SAMPLE), sut.ask(ROOTS)]);

      expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(sut.pending).toEqual({ 'sample-1': SAMPLE });
      expect(sut.answers).toEqual({ 'elicit-0': { action: 'cancel' }, 'roots-2': { roots: [] } });
    });
  });

  describe('waiting', () => {
    it('is false while nothing is pending', async () => {
      const sut = new McpInputRounds({ 'elicit-0': { action: 'decline' } }, { 'roots-1': { roots: [] } });

      expect(sut.waiting).toBe(false);
      await sut.ask(ELICIT);
      await sut.ask(ROOTS);
      expect(sut.waiting).toBe(false);
    });

    it('is true once an ask is pending', async () => {
      const sut = new McpInputRounds(undefined, undefined);

      await outcome(sut.ask(SAMPLE));

      expect(sut.waiting).toBe(true);
    });
  });
});

describe(McpInputRequiredSignal.name, () => {
  it('carries the rounds and is named for the executor to recognise', () => {
    const rounds = new McpInputRounds(undefined, undefined);

    const sut = new McpInputRequiredSignal(rounds);

    expect(sut).toBeInstanceOf(Error);
    expect(sut.name).toBe('McpInputRequiredSignal');
    expect(sut.rounds).toBe(rounds);
  });
});
