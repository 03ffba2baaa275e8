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
