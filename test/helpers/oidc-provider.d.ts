// The parts of oidc-provider (which ships no types) that the test authorization server uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Callback = (req: IncomingMessage, res: ServerResponse) => void;

  interface Grant {
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    rejectResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  interface InteractionDetails {
    uid: string;
    params: Record<string, unknown>;
    prompt: { name: string };
  }

  /** The request context of oidc-provider's routes (Koa's, plus `oidc`). */
  interface KoaContextWithOIDC {
    oidc: { params: Record<string, unknown>; client: unknown; entity(name: string, value: unknown): void };
    body: unknown;
  }

  interface AccessToken {
    resourceServer: Record<string, unknown>;
    readonly scope?: string;
    readonly expiration: number;
    save(): Promise<string>;
  }

  /** OAuth errors a grant handler throws: answered as `{ error, error_description }`. */
  export const errors: Record<'InvalidRequest' | 'InvalidGrant' | 'InvalidTarget' | 'InvalidScope', new (description: string, detail?: string) => Error>;

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    readonly Grant: new (properties: { accountId: string; clientId: string }) => Grant;
    readonly AccessToken: new (properties: Record<string, unknown>) => AccessToken;
    registerGrantType(name: string, handler: (ctx: KoaContextWithOIDC) => Promise<void>, parameters?: string[]): void;
    callback(): Callback;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
