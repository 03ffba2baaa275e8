import { jsonSchemaValidator } from '../discovery/schema/json-schema.validator';

/** A request to the client that a call needs answered before it can go on. */
export interface McpInputRequest {
  method: 'elicitation/create' | 'sampling/createMessage' | 'roots/list';
  params: Record<string, unknown>;
}

/**
 * Thrown through a tool when it asks for input that the client has not given yet, on a
 * protocol revision where the server cannot send requests to the client (2026-07-28): the
 * edge answers the call with `input_required` and the requests gathered so far. Not an
 * error; the executor lets it through untouched.
 */
export class McpInputRequiredSignal extends Error {
  constructor(readonly rounds: McpInputRounds) {
    super('input required');
    this.name = 'McpInputRequiredSignal';
  }
}

const KEY_PREFIX: Record<McpInputRequest['method'], string> = {
  'elicitation/create': 'elicit',
  'sampling/createMessage': 'sample',
  'roots/list': 'roots',
};

/**
 * The inputs of one call across its rounds (MRTR). The tool runs from the top each round:
 * each ask is named (by the tool, or by its kind and order, the same on every run), taken
 * from the answers of earlier rounds or this round's `inputResponses`, or else recorded as
 * pending. Asks made together (`Promise.all`) all land in one round: each registers before
 * the first one stops the run.
 */
export class McpInputRounds {
  readonly answers: Record<string, unknown>;
  readonly pending: Record<string, McpInputRequest> = {};
  private sequence = 0;

  constructor(
    earlierAnswers: Record<string, unknown> | undefined,
    private readonly responses: Record<string, unknown> | undefined,
  ) {
    this.answers = { ...earlierAnswers };
  }

  /** The answer to `request` under `key`, or a signal that stops the call until the client answers. */
  async ask(request: McpInputRequest, key?: string): Promise<Record<string, unknown>> {
    const name = key ?? `${KEY_PREFIX[request.method]}-${this.sequence}`;
    this.sequence += 1;
    const known = this.answers[name];
    if (known !== undefined) return known as Record<string, unknown>;
    const given = this.responses?.[name];
    if (given !== undefined && answers(request, given)) {
      this.answers[name] = given;
      return given as Record<string, unknown>;
    }
    this.pending[name] = request;
    // Later asks of the same run (Promise.all) still register before the signal stops it.
    await Promise.resolve();
    throw new McpInputRequiredSignal(this);
  }

  get waiting(): boolean {
    return Object.keys(this.pending).length > 0;
  }
}

/** Whether a client's response is an answer to the request (an invalid one is asked again). */
function answers(request: McpInputRequest, response: unknown): boolean {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return false;
  const value = response as Record<string, unknown>;
  switch (request.method) {
    case 'elicitation/create': {
      if (!['accept', 'decline', 'cancel'].includes(value.action as string)) return false;
      if (value.action !== 'accept' || request.params.mode === 'url') return true;
      const schema = request.params.requestedSchema as Record<string, unknown> | undefined;
      return typeof value.content === 'object' && value.content !== null && (!schema || jsonSchemaValidator.problems(schema, value.content).length === 0);
    }
    case 'sampling/createMessage':
      return typeof value.role === 'string' && typeof value.content === 'object' && value.content !== null;
    case 'roots/list':
      return Array.isArray(value.roots);
  }
}
