import { ForbiddenException, HttpException, HttpStatus } from '@nestjs/common';

/** 401: no credentials, or credentials that are not valid. Carries `WWW-Authenticate`. */
export class AuthenticationRequiredException extends HttpException {
  constructor(
    message: string,
    readonly wwwAuthenticate: string,
  ) {
    super(message, HttpStatus.UNAUTHORIZED);
  }
}

/** 403: valid credentials, but not for this tenant or this tool. */
export class AccessDeniedException extends ForbiddenException {}

/**
 * An authorization server could not be asked (discovery, JWKS or introspection unreachable,
 * or answering other than 200): the token is neither accepted nor refused, the request gets 503.
 */
export class IssuerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}
